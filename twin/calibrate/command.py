"""`twin calibrate SPEC [--workers N | --scheduler ADDRESS] [--resume] [--out STORE]
[--observations FILE] [--method abc|optuna] [--simulate model.param=VALUE ...]`.

ABC-SMC into a posterior store (default), a point fit with optuna (`--method optuna`), or,
with `--simulate`, an observations file of the spec's own rows simulated at the given
parameters with the spec's noise model (to check that a calibration recovers them).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np

from twin.core.errors import ScenarioError, TwinError

RESULTS_DIR = Path("results")


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "calibrate", help="calibrate model parameters on observations (ABC-SMC on Dask)",
        description="Fit the free parameters of a calibration spec to its observations by "
        "approximate Bayesian computation (sequential Monte Carlo) into a Zarr posterior "
        "store, or a point fit with optuna; --simulate writes synthetic observations.")
    p.add_argument("spec", help="calibration spec TOML (see calibration/*/spec.toml)")
    p.add_argument("--out", help="posterior store (default results/<name>_posterior.zarr); "
                   "with --simulate, the observations CSV to write")
    p.add_argument("--observations", metavar="FILE",
                   help="observations CSV to fit instead of the spec's (same rows and form)")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="local Dask worker processes (default 2; 0: this process)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="an existing Dask scheduler")
    p.add_argument("--resume", action="store_true",
                   help="continue from the last finished generation in --out")
    p.add_argument("--method", choices=("abc", "optuna"), default="abc")
    p.add_argument("--trials", type=int, help="optuna trials (default: the spec's)")
    p.add_argument("--simulate", nargs="+", metavar="model.param=VALUE",
                   help="write observations simulated at these parameters to --out")
    p.add_argument("--overwrite", action="store_true",
                   help="replace a finished posterior store at --out (kept until the new "
                   "calibration is complete)")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.set_defaults(func=cmd_calibrate)


def parse_assignments(spec, items: list[str]) -> dict[str, float]:
    """`model.param=VALUE` for every free parameter of the spec, checked against its prior."""
    got = {}
    priors = {p.key: p for p in spec.priors}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or key not in priors:
            raise TwinError(f"--simulate {item!r}: allowed: model.param=VALUE for a free "
                            "parameter of the spec: " + ", ".join(priors))
        try:
            v = float(text)
        except ValueError:
            raise TwinError(f"--simulate {item!r}: {text!r} is not a number") from None
        p = priors[key]
        if not p.lo <= v <= p.hi:
            raise TwinError(f"--simulate {item!r}: outside the prior's bounds "
                            f"[{p.lo:g}, {p.hi:g}]")
        got[key] = v
    missing = [k for k in priors if k not in got]
    if missing:
        raise TwinError("--simulate needs a value for every free parameter; missing: "
                        + ", ".join(missing))
    return got


def simulated_basis(basis: str, noise: str) -> str:
    """A simulated row's uncertainty basis: the noise model, and the original row's own basis
    kept beside it (once, however often a simulated file is simulated again)."""
    if basis.startswith("simulated noise ("):
        return basis
    return f"simulated noise ({noise}) at the sd of the original row, whose basis: {basis}"


def simulate_observations(spec, truth: dict[str, float], out: str | Path, *, sim=None,
                          seed: int | None = None) -> Path:
    """Every row of the spec simulated at `truth` plus noise drawn by the noise model."""
    from twin.calibrate.observations import write_observations
    from twin.calibrate.simulate import Simulator
    from twin.calibrate.smc import simulate

    own = sim is None
    sim = sim or Simulator(workers=0)
    try:
        z = np.array([[p.to_internal(truth[p.key]) for p in spec.priors]])
        pred = simulate(spec, sim, z, sorted({r.place for r in spec.rows}))[0]
    finally:
        if own:
            sim.close()
    if not np.all(np.isfinite(pred)):
        raise TwinError("the run at the given parameters failed; no observations written")
    rng = np.random.default_rng(np.random.SeedSequence(spec.seed if seed is None else seed,
                                                       spawn_key=(11,)))
    truth_text = ", ".join(f"{k}={v:g}" for k, v in truth.items())
    rows = []
    for i, r in enumerate(spec.rows):
        sd = spec.sd(i)
        rows.append(dataclasses.replace(
            r.obs, value=float(pred[i] + rng.normal() * sd), sd=sd,
            uncertainty_basis=simulated_basis(r.obs.uncertainty_basis, spec.noise),
            note=f"simulated at {truth_text}; noise-free {pred[i]:.6g}",
            source=f"twin calibrate {spec.path.name if spec.path else spec.name} --simulate"))
    return write_observations(rows, out)


def calibrate(spec, out: str | Path, *, workers: int | None = None,
              scheduler: str | None = None, client=None, resume: bool = False,
              method: str = "abc", trials: int | None = None, quiet: bool = False,
              overwrite: bool = False) -> Path:
    """Run (or resume) a calibration into the store at `out`; returns it.

    One driver per store (its lock); a finished posterior at `out` is replaced only with
    `overwrite`, and only when the new calibration is complete (until then its generations
    are kept beside it, where `resume` finds them)."""
    from twin.core.paths import StoreLock, check_out

    out = check_out(out)
    with StoreLock(out, "calibration"):
        return _calibrate(spec, out, workers=workers, scheduler=scheduler, client=client,
                          resume=resume, method=method, trials=trials, quiet=quiet,
                          overwrite=overwrite)


def _target(out: Path, resume: bool, overwrite: bool) -> Path:
    """Where the generations are written: `out`, or beside a finished store being replaced;
    anything that would lose results is refused."""
    from twin.core.paths import staging

    new = staging(out)
    if resume:
        for path in (new, out):
            if (path / "zarr.json").is_file():
                return path
        raise TwinError(f"{out}: nothing to resume (no store); run without --resume")
    if (new / "zarr.json").is_file():
        raise TwinError(f"{out}: an unfinished replacement of this store is in {new}; "
                        "continue it with --resume, or delete that folder to start again")
    if not out.exists():
        return out
    if _kind(out) != "calibration":
        raise TwinError(f"{out} exists and is not a calibration store; refusing to replace it")
    if not _complete(out):
        raise TwinError(f"{out} holds an unfinished calibration; continue it with --resume, "
                        "or choose another --out")
    if not overwrite:
        raise TwinError(f"{out} holds a finished calibration; pass --overwrite to replace "
                        "it, or choose another --out")
    return new


def _calibrate(spec, out: Path, *, workers, scheduler, client, resume, method, trials, quiet,
               overwrite) -> Path:
    from twin.calibrate import store as S
    from twin.calibrate.simulate import Simulator
    from twin.calibrate.smc import predictive, run_smc
    from twin.core.paths import swap_in

    final, out = out, _target(out, resume, overwrite)
    state = None
    if resume:
        state = S.load_state(out, spec)
        if method != "abc":
            raise TwinError("--resume continues an ABC-SMC calibration (--method abc)")
    say = (lambda *_: None) if quiet else print
    sim = Simulator(workers=workers, scheduler=scheduler, client=client)
    try:
        say(f"{spec.name}: {method} on {sim.n_workers} worker(s), "
            f"{len(spec.priors)} parameters, {len(spec.fit_rows())} fitted rows, "
            f"{len(spec.rows) - len(spec.fit_rows())} held out; store {out}")
        if method == "optuna":
            from twin.calibrate.optimize import run_optuna

            state = run_optuna(spec, sim, trials, on_round=None if quiet else (
                lambda k, n, best: print(f"  trials {k}/{n}: best distance {best:.3g}")
                if k % max(1, n // 10) == 0 or k == n else None))
        else:
            def saved(st) -> None:
                S.write(S.dataset(spec, st, method), out)
                say(f"  generation {st.generation}: tolerance {st.tolerance[-1]:.3g}, "
                    f"acceptance {st.acceptance[-1]:.1%}, ESS {st.ess[-1]:.0f}, "
                    f"{st.simulations[-1]} runs, median distance "
                    f"{np.median(st.distance):.3g}")

            if state is not None:
                say(f"  resuming after generation {state.generation}")
            state = run_smc(spec, sim, state, on_generation=saved)
        pred = predictive(spec, sim, state)
        S.write(S.dataset(spec, state, method, pred, complete=True, rng_seed=spec.seed), out)
        if out != final:  # the replacement is complete: only now is the old one given up
            swap_in(out, final)
        ds = S.open_posterior(final)
        say(format_posterior(ds))
        say(f"posterior: {final} ({sim.runs} runs now)")
    finally:
        sim.close()
    return final


def _attrs(path: Path) -> dict:
    try:
        doc = json.loads((path / "zarr.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    attrs = doc.get("attributes", {}) if isinstance(doc, dict) else {}
    return attrs if isinstance(attrs, dict) else {}


def _kind(path: Path) -> str | None:
    return _attrs(path).get("kind")


def _complete(path: Path) -> bool:
    return bool(_attrs(path).get("complete", False))


def format_posterior(ds) -> str:
    """Posterior means and 90% intervals, and the predictive check of every row."""
    from twin.calibrate.store import weighted_quantile

    w = ds["weight"].values
    lines = [f"{ds.attrs['calibration']} ({ds.attrs['method']}): posterior mean [5%, 95%]"]
    for key in json.loads(ds.attrs["parameters"]):
        x = ds[key].values
        lines.append(f"  {key:<48} {np.sum(w * x):10.4g} [{weighted_quantile(x, w, 0.05):.4g}, "
                     f"{weighted_quantile(x, w, 0.95):.4g}]")
    if "predicted_mean" in ds:
        lines.append("observations: observed, predicted mean [5%, 95% with noise]")
        for i, oid in enumerate(ds["observation"].values):
            tag = "held out" if bool(ds["held_out"].values[i]) else "fitted"
            lines.append(f"  {oid:<24} {tag:<8} {ds['observed'].values[i]:10.4g} "
                         f"{ds['predicted_mean'].values[i]:10.4g} "
                         f"[{ds['predictive_p05'].values[i]:.4g}, "
                         f"{ds['predictive_p95'].values[i]:.4g}] "
                         f"{ds['relative_error'].values[i]:+.0%}"
                         + ("" if ds["inside_90"].values[i] else "  outside"))
    return "\n".join(lines)


def cmd_calibrate(args) -> int:
    from twin.calibrate.spec import load_calibration

    if args.workers is not None and args.scheduler:
        raise TwinError("give --workers (a local cluster) or --scheduler, not both")
    if args.workers is not None and args.workers < 0:
        raise TwinError("--workers must be 0 (this process) or more")
    spec = load_calibration(args.spec, observations=args.observations)
    if args.simulate:
        if not args.out:
            raise ScenarioError(None, "--out", "with --simulate, --out names the "
                                "observations CSV to write")
        truth = parse_assignments(spec, args.simulate)
        path = simulate_observations(spec, truth, args.out)
        print(f"observations simulated at {truth}: {path}")
        return 0
    out = Path(args.out) if args.out else RESULTS_DIR / f"{spec.name}_posterior.zarr"
    calibrate(spec, out, workers=args.workers, scheduler=args.scheduler, resume=args.resume,
              method=args.method, trials=args.trials, quiet=args.quiet,
              overwrite=args.overwrite)
    return 0
