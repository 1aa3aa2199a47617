"""Analysis of a sweep store: sensitivity indices (Sobol, Morris; SALib) with confidence
intervals, scenario discovery (PRIM) stated as plain sentences, and the report that
`twin sweep` prints and saves beside the store.

PRIM (Friedman & Fisher 1999, "Bump hunting in high-dimensional data") is implemented here
in a few dozen lines rather than pulling in a workbench: peel the box a small share `alpha`
at a time (or one category) from the side that raises the failure density most per run
removed (so a category is not cut for a tiny gain); pick the box on that
trajectory with the most failures (coverage) among those dense enough; paste back what
raises density; then drop restrictions that do not matter, so the sentence stays short.
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from twin.core.errors import TwinError
from twin.core.numbers import plain
from twin.sweep.paired import paired_differences
from twin.sweep.responsive import unresponsive
from twin.sweep.store import OK, strings

RESERVED = ("status", "error", "design_unit")


# --------------------------------------------------------------------------------------
# Sensitivity
# --------------------------------------------------------------------------------------
def _per_scenario(ds: xr.Dataset, output: str, policy: str | None) -> tuple[np.ndarray, str]:
    """A scalar output averaged over replicates, one value per scenario (design point)."""
    pols = json.loads(ds.attrs["policies"])
    policy = policy or pols[0]
    if policy not in pols:
        raise TwinError(f"no policy {policy!r}; policies: {', '.join(pols)}")
    y = ds[output]
    if y.ndim != 1:
        raise TwinError(f"output {output!r} is not a scalar per run (dims {y.dims})")
    sel = strings(ds["policy"].values) == policy
    vals = np.where(np.asarray(ds["status"].values) == OK, y.values, np.nan)[sel]
    scen = np.asarray(ds["scenario"].values)[sel]
    n = int(ds.attrs["n_scenarios"])
    sums, counts = np.zeros(n), np.zeros(n)
    np.add.at(sums, scen, vals)
    np.add.at(counts, scen, 1)
    bad = int(np.isnan(sums).sum())
    if bad:
        raise TwinError(f"{bad} of {n} scenarios have a failed run for policy {policy!r}; "
                        "sensitivity indices need every scenario of the design")
    return sums / counts, policy


def _problem(ds: xr.Dataset) -> dict:
    names = json.loads(ds.attrs["uncertainties"])
    return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}


def _salib_seed(seed: int) -> int:
    """SALib's bootstrap is left unseeded (global state) when given seed 0: never pass 0,
    so that the intervals, and so the store's bytes, are the same on every run."""
    return seed if seed else 1


# An index is reported only when its confidence interval is narrower than these widths
# (full widths, high - low); otherwise the report says how many runs would get it there
# (interval widths shrink as 1 / sqrt(runs)).
SOBOL_MAX_WIDTH = 0.2  # Sobol indices lie in [0, 1]: +/- 0.1
MORRIS_MAX_RELATIVE_WIDTH = 0.5  # mu* +/- 25% of the largest mu* (enough to rank them)
# Below this many base samples the bootstrap understates its own error (it resamples too few
# distinct points: intervals of width 0 on 8 samples happen), so no Sobol index is reported.
SOBOL_MIN_BASE_SAMPLES = 32
# PRIM on fewer failing runs than this describes where a handful of points happen to lie
# (two failures always fit a box of 100% density); below it the box is printed as a hint.
# A stated threshold, not a test: PRIM searches many boxes, so no simple p-value applies.
PRIM_MIN_FAILURES = 10


def runs_needed(runs: int, width: float, max_width: float) -> int:
    """Runs for an interval of `max_width`, from one of `width` at `runs` (1 / sqrt(n))."""
    if not math.isfinite(width):
        return 10 * runs
    return int(math.ceil(runs * max(1.0, (width / max_width) ** 2)))


def _verdict(row: dict, widths: dict[str, float], max_width: float, runs: int) -> dict:
    """Mark a row reported (every interval narrow enough) or say what it needs."""
    worst = max(widths.values())
    row["max_width"] = max_width
    row["reported"] = bool(math.isfinite(worst) and worst <= max_width)
    if not row["reported"]:
        need = runs_needed(runs, worst, max_width)
        row["runs_needed"] = need
        row["finding"] = (f"too few samples: about {need} runs needed (interval width "
                          f"{plain(worst, 2)} from {runs} runs; reported below {plain(max_width, 3)})")
    return row


def sobol_indices(ds: xr.Dataset, output: str, policy: str | None = None,
                  confidence: float = 0.95, seed: int = 0,
                  max_width: float = SOBOL_MAX_WIDTH) -> list[dict]:
    """First-order and total Sobol indices per uncertainty with bootstrap confidence
    intervals (SALib resamples the design 100 times), kept to [0, 1] (indices and
    intervals: estimates outside are sampling noise); `reported` when every interval of
    the row is narrower than `max_width`."""
    from SALib.analyze import sobol

    design = json.loads(ds.attrs["design"])
    if design["kind"] != "sobol":
        raise TwinError(f"Sobol indices need a sobol design; this sweep is {design['kind']}")
    y, policy = _per_scenario(ds, output, policy)
    problem = _problem(ds)
    with np.errstate(all="ignore"):
        r = sobol.analyze(problem, y, calc_second_order=design["second_order"],
                          conf_level=confidence, seed=_salib_seed(seed))
    rows = []
    for i, name in enumerate(problem["names"]):
        row = {"output": output, "policy": policy, "parameter": name}
        widths = {}
        for k in ("S1", "ST"):
            est, half = float(r[k][i]), float(r[f"{k}_conf"][i])
            lo, hi = (np.clip([est - half, est + half], 0.0, 1.0) if math.isfinite(half)
                      else (0.0, 1.0))
            row |= {k: float(np.clip(est, 0.0, 1.0)) if math.isfinite(est) else math.nan,
                    f"{k}_conf": half, f"{k}_low": float(lo), f"{k}_high": float(hi)}
            widths[k] = float(hi - lo) if math.isfinite(half) else math.inf
        rows.append(_sobol_checks(_verdict(row, widths, max_width, len(y)), design, len(y),
                                  len(problem["names"])))
    return rows


def _sobol_checks(row: dict, design: dict, runs: int, d: int) -> dict:
    """Withhold a Sobol row the bootstrap cannot vouch for: too few base samples, or a
    first-order index above the total beyond both intervals (impossible: S1 <= ST)."""
    base = int(design.get("samples") or 0)
    per_base = runs / base if base else d + 2
    problem = None
    if base < SOBOL_MIN_BASE_SAMPLES:
        problem = f"{base} base samples (at least {SOBOL_MIN_BASE_SAMPLES} needed)"
    elif row["S1_low"] > row["ST_high"]:
        problem = "S1 above ST beyond their intervals (an impossible pair: sampling noise)"
    if problem is None:
        return row
    need = max(row.get("runs_needed", 0), int(math.ceil(SOBOL_MIN_BASE_SAMPLES * per_base)))
    row |= {"reported": False, "runs_needed": need,
            "finding": f"too few samples: about {need} runs needed ({problem})"}
    return row


def morris_indices(ds: xr.Dataset, output: str, policy: str | None = None,
                   confidence: float = 0.95, seed: int = 0,
                   max_relative_width: float = MORRIS_MAX_RELATIVE_WIDTH) -> list[dict]:
    """Morris mu* (mean absolute elementary effect over each parameter's whole range, in
    output units) with its bootstrap confidence interval, and sigma (interactions,
    non-linearity); Morris suits small budgets (r trajectories of d + 1 runs). A row is
    `reported` when its interval is narrower than `max_relative_width` x the largest mu*."""
    from SALib.analyze import morris

    design = json.loads(ds.attrs["design"])
    if design["kind"] != "morris":
        raise TwinError(f"Morris indices need a morris design; this sweep is {design['kind']}")
    y, policy = _per_scenario(ds, output, policy)
    problem = _problem(ds)
    x = np.asarray(ds["design_unit"].values)
    with warnings.catch_warnings():  # one trajectory: sigma is NaN, say so without noise
        warnings.simplefilter("ignore", RuntimeWarning)
        r = morris.analyze(problem, x, y, conf_level=confidence, num_levels=design["levels"],
                           seed=_salib_seed(seed))
    scale = float(np.nanmax(np.abs(r["mu_star"]))) if len(y) else 0.0
    max_width = max_relative_width * scale if scale > 0 else math.inf
    rows = []
    for i, name in enumerate(problem["names"]):
        mu, half = float(r["mu_star"][i]), float(r["mu_star_conf"][i])
        row = {"output": output, "policy": policy, "parameter": name, "mu_star": mu,
               "mu_star_conf": half, "mu_star_low": max(0.0, mu - half),
               "mu_star_high": mu + half, "sigma": float(r["sigma"][i])}
        width = 2 * half if math.isfinite(half) else math.inf
        rows.append(_verdict(row, {"mu_star": width}, max_width, len(y)))
    return rows


# --------------------------------------------------------------------------------------
# Scenario discovery (PRIM)
# --------------------------------------------------------------------------------------
@dataclass
class Box:
    """A PRIM box: per input, the kept range (numbers) or the kept values (categories)."""

    limits: dict[str, tuple]  # name -> (lo, hi) or (frozenset of values,)
    inside: np.ndarray
    coverage: float
    density: float
    mass: float
    restricted: list[str] = field(default_factory=list)
    sentence: str = ""


def _is_numeric(x: np.ndarray) -> bool:
    return x.dtype.kind in "iuf"


def _limits_mask(X: dict, limits: dict, skip: str | None = None) -> np.ndarray:
    n = len(next(iter(X.values())))
    m = np.ones(n, dtype=bool)
    for name, lim in limits.items():
        if name == skip:
            continue
        x = X[name]
        m &= (x >= lim[0]) & (x <= lim[1]) if _is_numeric(x) else np.isin(x, list(lim[0]))
    return m


def _full_limits(X: dict) -> dict:
    return {n: ((float(x.min()), float(x.max())) if _is_numeric(x)
                else (frozenset(np.unique(x).tolist()),)) for n, x in X.items()}


def _stats(y: np.ndarray, m: np.ndarray) -> tuple[float, float, float]:
    k = int(m.sum())
    total = int(y.sum())
    hits = int(y[m].sum())
    return (hits / total if total else 0.0), (hits / k if k else 0.0), k / len(y)


def prim(X: dict[str, np.ndarray], y: np.ndarray, *, alpha: float = 0.05,
         min_mass: float = 0.05, density: float = 0.8, tolerance: float = 0.02) -> Box:
    """The box of inputs where `y` (failure) is concentrated."""
    y = np.asarray(y, dtype=bool)
    if not y.any():
        raise TwinError("no run meets the failure condition; nothing to discover")
    X = {k: (np.asarray(v, dtype=np.float64) if _is_numeric(np.asarray(v)) else np.asarray(v))
         for k, v in X.items()}
    limits = _full_limits(X)
    inside = np.ones(len(y), dtype=bool)
    trajectory = [(dict(limits), inside.copy())]
    n = len(y)
    while inside.sum() / n > min_mass:
        best = None  # (gain per removed run, mass, limits, mask)
        n_in = int(inside.sum())
        dens0 = y[inside].mean()
        k = max(1, int(alpha * n_in))
        for name, x in X.items():
            cands = []
            if _is_numeric(x):
                xs = np.sort(x[inside])
                lo, hi = limits[name]
                cut = xs[k - 1]
                cands.append(((float(x[inside & (x > cut)].min(initial=np.inf)), hi),
                              inside & (x > cut)))
                cut = xs[-k]
                cands.append(((lo, float(x[inside & (x < cut)].max(initial=-np.inf))),
                              inside & (x < cut)))
            elif len(limits[name][0]) > 1:
                for v in sorted(limits[name][0], key=str):
                    cands.append(((limits[name][0] - {v},), inside & (x != v)))
            for lim, m in cands:
                mk = int(m.sum())
                if mk == 0 or mk == n_in or mk / n < min_mass:
                    continue
                gain = (y[m].mean() - dens0) / (n_in - mk)
                if best is None or (gain, mk) > (best[0], best[1]):
                    best = (gain, mk, {**limits, name: lim}, m)
        if best is None:
            break
        limits, inside = best[2], best[3]
        trajectory.append((dict(limits), inside.copy()))
    # the box: the best balance of coverage and density (harmonic mean) among the boxes
    # dense enough, else among all
    scored = [(_stats(y, m), lim, m) for lim, m in trajectory]
    dense = [s for s in scored if s[0][1] >= density] or scored
    _, limits, inside = max(dense, key=lambda s: _f1(s[0][0], s[0][1]))
    limits, inside = _paste(X, y, limits, inside, alpha)
    limits, inside = _drop(X, y, limits, inside, tolerance)
    cov, dens, mass = _stats(y, inside)
    full = _full_limits(X)
    restricted = [n for n in X if limits[n] != full[n]]
    return Box(limits, inside, cov, dens, mass, restricted)


def _f1(coverage: float, density: float) -> float:
    return 2 * coverage * density / (coverage + density) if coverage + density else 0.0


def _paste(X, y, limits, inside, alpha):
    """Widen the box while that keeps or raises its failure density (more failures
    covered at the same density)."""
    while True:
        cov0, dens0, _ = _stats(y, inside)
        best = None
        k = max(1, int(alpha * inside.sum()))
        for name, x in X.items():
            others = _limits_mask(X, limits, skip=name)
            if _is_numeric(x):
                lo, hi = limits[name]
                below = np.sort(x[others & (x < lo)])
                above = np.sort(x[others & (x > hi)])
                opts = []
                for j in sorted({k, max(1, k // 4), 1}):  # big steps, then fine ones
                    if len(below):
                        opts.append((float(below[-min(j, len(below))]), hi))
                    if len(above):
                        opts.append((lo, float(above[min(j, len(above)) - 1])))
            else:
                gone = sorted(set(np.unique(x).tolist()) - set(limits[name][0]), key=str)
                opts = [(limits[name][0] | {v},) for v in gone]
            for lim in opts:
                new = {**limits, name: lim}
                m = _limits_mask(X, new)
                cov, d, _ = _stats(y, m)
                if d >= dens0 and cov > cov0 and (best is None or (d, cov) > best[0]):
                    best = ((d, cov), new, m)
        if best is None:
            return limits, inside
        limits, inside = best[1], best[2]


def _drop(X, y, limits, inside, tolerance):
    """Lift restrictions whose removal costs at most `tolerance` of density (short sentences
    with the same meaning)."""
    full = _full_limits(X)
    while True:
        _, dens0, _ = _stats(y, inside)
        best = None
        for name in X:
            if limits[name] == full[name]:
                continue
            new = {**limits, name: full[name]}
            m = _limits_mask(X, new)
            d = y[m].mean()
            if d >= dens0 - tolerance and (best is None or d > best[0]):
                best = (d, new, m)
        if best is None:
            return limits, inside
        limits, inside = best[1], best[2]


_STEPS = [(m * 10.0 ** e, max(0, -e + (m < 1))) for e in range(6, -10, -1) for m in (1, 0.5)]


def _nice_above(a: float, b: float) -> float:
    """The roundest number c between a and b, a < c < b if there is room (so x > c keeps
    exactly the values >= b, and reads as a real threshold)."""
    for strict in (True, False):
        for step, digits in _STEPS:
            c = math.floor(a / step) * step + step if strict else math.ceil(a / step) * step
            if a <= c < b:
                return round(c, digits)
    return a


def _nice_below(a: float, b: float) -> float:
    """The roundest number c between a and b, a < c < b if there is room (so x < c keeps
    exactly the values <= a)."""
    for strict in (True, False):
        for step, digits in _STEPS:
            c = math.ceil(b / step) * step - step if strict else math.floor(b / step) * step
            if a < c <= b:
                return round(c, digits)
    return b


def _num(v: float) -> str:
    """A threshold as a reader writes it: 0.138, 12.5, 4,230 (never 0.137772 or 4.23e+03)."""
    return plain(v, 3)


def describe_box(box: Box, X: dict[str, np.ndarray], labels: dict[str, str],
                 what: str = "failures") -> str:
    """The box as one plain sentence with coverage and density."""
    parts = []
    for name in box.restricted:
        x, lim, label = X[name], box.limits[name], labels.get(name, name)
        if not _is_numeric(x):
            vals = sorted(lim[0], key=str)
            parts.append(f"{label} is {' or '.join(map(str, vals))}")
            continue
        lo, hi = lim
        integer = x.dtype.kind in "iu"
        low_cut = lo > x.min()
        high_cut = hi < x.max()
        below = x[x < lo].max() if low_cut else None
        above = x[x > hi].min() if high_cut else None
        if integer:
            if low_cut and high_cut:
                parts.append(f"{label} is from {int(lo)} to {int(hi)}")
            elif low_cut:
                parts.append(f"{label} is at least {int(lo)}")
            else:
                parts.append(f"{label} is at most {int(hi)}")
            continue
        if low_cut and high_cut:
            parts.append(f"{label} is between {_num(_nice_above(below, lo))} and "
                         f"{_num(_nice_below(hi, above))}")
        elif low_cut:
            parts.append(f"{label} exceeds {_num(_nice_above(below, lo))}")
        else:
            parts.append(f"{label} is below {_num(_nice_below(hi, above))}")
    cond = ("when " + " and ".join(parts)) if parts else "in every scenario alike"
    return (f"{cond}, {box.coverage:.0%} of the {what}, {box.density:.0%} density "
            f"({int(box.inside.sum())} of {len(box.inside)} runs)")


def discover(ds: xr.Dataset, output: str, *, above: float | None = None,
             below: float | None = None, policy: str | None = None, density: float = 0.8,
             alpha: float = 0.05, min_mass: float = 0.05) -> dict:
    """Scenario discovery for `output > above` (or `< below`) over the varied parameters
    (and the policy, when several are included)."""
    if (above is None) == (below is None):
        raise TwinError("give exactly one of above= or below=")
    ok = np.asarray(ds["status"].values) == OK
    pol = strings(ds["policy"].values)
    sel = ok & (pol == policy) if policy else ok
    y = np.asarray(ds[output].values)
    if y.ndim != 1:
        raise TwinError(f"output {output!r} is not a scalar per run")
    y = y[sel]
    fail = y > above if above is not None else y < below
    keys = json.loads(ds.attrs["uncertainties"]) + json.loads(ds.attrs["levers"])
    X = {}
    for k in keys:
        x = np.asarray(ds[k].values)[sel]
        X[k] = x if _is_numeric(x) else strings(x)
    if not policy and len(json.loads(ds.attrs["policies"])) > 1 and not json.loads(
            ds.attrs["levers"]):
        X["policy"] = pol[sel]
    short = [k.rpartition(".")[2] for k in X]
    labels = {k: (s if short.count(s) == 1 else k) for k, s in zip(X, short, strict=True)}
    cond = (f"{output} > {_num(above)}" if above is not None
            else f"{output} < {_num(below)}")
    if not fail.any():
        return {"output": output, "condition": cond, "policy": policy, "failures": 0,
                "runs": int(sel.sum()), "sentence": f"no run has {cond}"}
    box = prim(X, fail, alpha=alpha, min_mass=min_mass, density=density)
    n_fail = int(fail.sum())
    sentence = describe_box(box, X, labels, what=f"runs with {cond}")
    if n_fail < PRIM_MIN_FAILURES:
        sentence = (f"a hint, not a finding: only {n_fail} runs have {cond} (a box needs "
                    f"at least {PRIM_MIN_FAILURES} to be told from chance): " + sentence)
    return {"output": output, "condition": cond, "policy": policy,
            "failures": n_fail, "runs": int(sel.sum()), "reported": n_fail >= PRIM_MIN_FAILURES,
            "coverage": box.coverage, "density": box.density, "mass": box.mass,
            "restricted": box.restricted, "sentence": sentence}


# --------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------
def analyze(ds: xr.Dataset, spec=None) -> dict:
    """Everything the sweep file asks for (and a summary of every scalar output)."""
    status = np.asarray(ds["status"].values)
    pols = json.loads(ds.attrs["policies"])
    pol = strings(ds["policy"].values)
    out: dict = {"sweep": ds.attrs.get("sweep"), "runs": int(len(status)),
                 "ok": int((status == OK).sum()), "failed": int((status == 2).sum()),
                 "pending": int((status == 0).sum()), "outputs": [], "differences": [],
                 "sensitivity": [], "discovery": []}
    errors = strings(ds["error"].values)[status == 2]
    if len(errors):
        kinds, counts = np.unique(errors, return_counts=True)
        out["errors"] = [{"error": str(k), "runs": int(c)} for k, c in
                         sorted(zip(kinds, counts, strict=True), key=lambda t: -t[1])[:5]]
    scalars = [v for v in ds.data_vars if v not in RESERVED and ds[v].ndim == 1]
    for v in scalars:
        y = np.where(status == OK, np.asarray(ds[v].values, dtype=float), np.nan)
        for p in pols:
            yp = y[pol == p]
            yp = yp[np.isfinite(yp)]
            if len(yp):
                out["outputs"].append({"output": v, "policy": p, "mean": float(yp.mean()),
                                       "p05": float(np.percentile(yp, 5)),
                                       "p95": float(np.percentile(yp, 95)),
                                       "units": str(ds[v].attrs.get("units", ""))})
    if len(pols) > 1:
        cmp = getattr(spec, "compare", None)
        ref = cmp.reference if cmp else None
        conf = cmp.confidence if cmp else 0.95
        for v in ([cmp.output] if cmp else scalars):
            for d in paired_differences(ds, v, ref, conf):
                out["differences"].append({**d.__dict__, "half_width": d.half_width,
                                           "sentence": d.sentence()})
        out["warnings"] = unresponsive(ds, scalars)
    kind = json.loads(ds.attrs["design"])["kind"]
    for v in getattr(spec, "sensitivity", ()) or ():
        for p in pols:
            try:
                rows = (sobol_indices if kind == "sobol" else morris_indices)(ds, v, p)
            except TwinError as e:
                out["sensitivity"].append({"output": v, "policy": p, "problem": str(e)})
                continue
            out["sensitivity"].extend(rows)
    for d in getattr(spec, "discover", ()) or ():
        try:
            out["discovery"].append(discover(ds, d.output, above=d.above, below=d.below,
                                             policy=d.policy, density=d.density))
        except TwinError as e:
            out["discovery"].append({"output": d.output, "sentence": str(e)})
    return out


def format_report(rep: dict) -> str:
    """The analysis as text for the terminal."""
    if "problem" in rep:
        return f"{rep['sweep']}: analysis failed: {rep['problem']}"
    lines = [f"{rep['sweep']}: {rep['runs']} runs, {rep['ok']} ok, {rep['failed']} failed"
             + (f", {rep['pending']} pending" if rep["pending"] else "")]
    for e in rep.get("errors", []):
        lines.append(f"  {e['runs']} runs failed with: {e['error']}")
    if rep["outputs"]:
        lines.append("outputs (mean [5%, 95%] over scenarios and replicates):")
        for o in rep["outputs"]:
            u = f" {o['units']}" if o["units"] not in ("", "1") else ""
            lines.append(f"  {o['output']:<24} {o['policy']:<24} {plain(o['mean']):>12}{u} "
                         f"[{plain(o['p05'])}, {plain(o['p95'])}]")
    if rep["differences"]:
        lines.append("paired differences (same scenarios and seeds):")
        lines += [f"  {d['sentence']}" for d in rep["differences"]]
    if rep.get("warnings"):
        lines.append("warnings (outputs that cannot respond to the policies):")
        lines += [f"  {w['sentence']}" for w in rep["warnings"]]
    if rep["sensitivity"]:
        lines.append("sensitivity (only indices whose interval is narrow enough):")
        withheld: dict[str, list[dict]] = {}
        for s in rep["sensitivity"]:
            if "problem" not in s and not s.get("reported", True):
                withheld.setdefault(f"  {s['output']} ({s['policy']})", []).append(s)
        for head, rows in withheld.items():
            need = max(r.get("runs_needed", 0) for r in rows)
            lines.append(f"{head}: too few samples for {len(rows)} of its indices "
                         f"({', '.join(r['parameter'] for r in rows)}): about {need} runs "
                         f"needed ({rows[0]['finding'].split('(', 1)[1]}")
        for s in rep["sensitivity"]:
            head = f"  {s['output']} ({s['policy']})"
            if "problem" in s:
                lines.append(f"{head}: {s['problem']}")
            elif not s.get("reported", True):
                continue
            elif "S1" in s:
                lines.append(f"{head} {s['parameter']:<36} "
                             f"S1 {s['S1']:.2f} [{s['S1_low']:.2f}, {s['S1_high']:.2f}]  "
                             f"ST {s['ST']:.2f} [{s['ST_low']:.2f}, {s['ST_high']:.2f}]")
            else:
                lines.append(f"{head} {s['parameter']:<36} "
                             f"mu* {plain(s['mu_star'])} [{plain(s['mu_star_low'])}, "
                             f"{plain(s['mu_star_high'])}]  sigma {plain(s['sigma'])}")
    if rep["discovery"]:
        lines.append("scenario discovery (PRIM):")
        lines += [f"  {d['sentence']}" for d in rep["discovery"]]
    return "\n".join(lines)
