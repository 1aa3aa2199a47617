"""Sweep analysis against known answers: Sobol indices of the Ishigami function (closed form),
Morris mu* of a linear function (its slopes), PRIM finding a planted failure box, and paired
differences whose interval is the textbook paired-t interval."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import xarray as xr
from scipy import stats

from twin.sweep import analysis, designs, paired
from twin.sweep.spec import Design, Uncertainty

A, B = 7.0, 0.1  # Ishigami constants (Ishigami & Homma 1990; Saltelli et al. 2008, p. 179)


def ishigami_truth() -> tuple[np.ndarray, np.ndarray]:
    """First-order and total indices in closed form (Sobol' & Levitan 1999)."""
    v1 = 0.5 * (1 + B * math.pi**4 / 5) ** 2
    v2 = A**2 / 8
    v13 = B**2 * math.pi**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / v, np.array([v1 + v13, v2, v13]) / v


def sweep_dataset(design: Design, names: list[str], y_of_unit, policies=("base",)) -> xr.Dataset:
    """A Dataset laid out like a sweep store (one replicate) for the analysis functions."""
    uncs = tuple(Uncertainty(n, "m", n, lo=0.0, hi=1.0) for n in names)
    unit = designs.unit_design(design, uncs)
    n_scen, n_pol = len(unit), len(policies)
    runs = np.arange(n_scen * n_pol)
    scen, pol = runs // n_pol, runs % n_pol
    y = np.array([y_of_unit(unit[s], p) for s, p in zip(scen, pol, strict=True)])
    coords = {"scenario": ("run", scen), "replicate": ("run", np.zeros_like(runs)),
              "policy": ("run", np.array(policies, dtype=object)[pol])}
    coords |= {n: ("run", unit[scen, i]) for i, n in enumerate(names)}
    return xr.Dataset(
        {"y": ("run", y, {"units": "1"}), "status": ("run", np.ones(len(runs), np.int8)),
         "design_unit": (("design_point", "uncertainty"), unit)}, coords=coords,
        attrs={"design": json.dumps({"kind": design.kind, "samples": design.samples,
                                     "levels": design.levels,
                                     "second_order": design.second_order}),
               "policies": json.dumps(list(policies)), "uncertainties": json.dumps(names),
               "levers": "[]", "n_scenarios": n_scen})


def test_sobol_indices_of_ishigami_match_the_closed_form():
    def ishigami(u, _p):
        x = -math.pi + 2 * math.pi * u
        return math.sin(x[0]) + A * math.sin(x[1]) ** 2 + B * x[2] ** 4 * math.sin(x[0])

    ds = sweep_dataset(Design("sobol", 4096, 3, False, 1), ["x1", "x2", "x3"], ishigami)
    rows = analysis.sobol_indices(ds, "y", confidence=0.95, seed=2)
    s1, st = ishigami_truth()  # 0.314, 0.442, 0 and 0.558, 0.442, 0.244
    for r, t1, tt in zip(rows, s1, st, strict=True):
        assert r["S1"] == pytest.approx(t1, abs=0.03) and r["ST"] == pytest.approx(tt, abs=0.03)
        assert 0 < r["S1_conf"] < 0.06 and 0 < r["ST_conf"] < 0.06
        assert abs(r["S1"] - t1) <= 2 * r["S1_conf"] + 0.01  # the interval is honest
    # the bootstrap is seeded (the store's analysis attribute must be the same bits)
    assert analysis.sobol_indices(ds, "y", seed=0) == analysis.sobol_indices(ds, "y", seed=0)


def test_morris_mu_star_of_a_linear_function_is_its_slope_over_the_range():
    slopes = np.array([5.0, -2.0, 0.0, 0.5])
    ds = sweep_dataset(Design("morris", 20, 4, False, 3), ["a", "b", "c", "d"],
                       lambda u, _p: float(slopes @ u))
    rows = analysis.morris_indices(ds, "y")
    assert [r["mu_star"] for r in rows] == pytest.approx(np.abs(slopes), abs=1e-9)
    assert [r["sigma"] for r in rows] == pytest.approx([0.0] * 4, abs=1e-9)
    assert analysis.morris_indices(ds, "y") == rows


def test_prim_finds_a_planted_box_and_says_it_plainly():
    rng = np.random.default_rng(5)
    n = 2000
    rain = rng.uniform(20, 120, n)
    pumps = rng.integers(0, 4, n)
    other = rng.uniform(0, 1, n)
    fail = (rain > 63) & (pumps <= 1)
    box = analysis.prim({"rain_mm_per_h": rain, "pumps": pumps, "other": other}, fail,
                        density=0.9)
    assert box.restricted == ["rain_mm_per_h", "pumps"] and box.coverage > 0.9
    assert box.density > 0.95
    text = analysis.describe_box(box, {"rain_mm_per_h": rain, "pumps": pumps, "other": other},
                                 {}, what="failures")
    assert text.startswith("when rain_mm_per_h exceeds 6") and "pumps is at most 1" in text
    assert "% of the failures" in text and "% density" in text


def test_paired_difference_is_the_paired_t_interval_and_beats_unpaired():
    rng = np.random.default_rng(9)
    shared = rng.normal(100, 30, 40)  # the storm both policies see
    effect = -5 + rng.normal(0, 1, 40)
    ds = sweep_dataset(Design("latin_hypercube", 40, 3, False, 1), ["u"],
                       lambda u, p: 0.0, policies=("none", "tanks"))
    ds["y"].values[:] = np.stack([shared, shared + effect], axis=1).ravel()
    d, = paired.paired_differences(ds, "y", "none", 0.95)
    ci = stats.t.interval(0.95, 39, loc=effect.mean(), scale=stats.sem(effect))
    assert (d.mean, d.low, d.high, d.n) == pytest.approx((effect.mean(), *ci, 40))
    unpaired = stats.t.ppf(0.975, 78) * math.sqrt(shared.var(ddof=1) * 2 / 40)
    assert d.half_width < unpaired / 10


def _ishigami(u, _p):
    x = -math.pi + 2 * math.pi * u
    return math.sin(x[0]) + A * math.sin(x[1]) ** 2 + B * x[2] ** 4 * math.sin(x[0])


def test_sobol_from_two_base_samples_is_not_reported_and_says_what_it_needs():
    """The demo's failure: 2 base samples gave S1 = -1.46 +/- 81 and S1 > ST. Now every index
    and interval stays in [0, 1] and nothing is reported as a finding."""
    ds = sweep_dataset(Design("sobol", 2, 3, False, 1), ["x1", "x2", "x3"], _ishigami)
    rows = analysis.sobol_indices(ds, "y", seed=2)
    for r in rows:
        assert not r["reported"] and r["finding"].startswith("too few samples: about ")
        assert r["runs_needed"] > 10
        for k in ("S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high"):
            assert math.isnan(r[k]) or 0.0 <= r[k] <= 1.0
    text = analysis.format_report({"sweep": "s", "runs": 10, "ok": 10, "failed": 0,
                                   "pending": 0, "outputs": [], "differences": [],
                                   "sensitivity": rows, "discovery": []})
    assert "S1" not in text.split("sensitivity")[1] and "too few samples" in text


def test_runs_needed_predicts_a_sample_size_that_gives_the_stated_width():
    """From 64 base samples (320 runs) the estimate of the runs needed for intervals of
    width 0.2; at that size (rounded up to a power of two) the widest interval is within
    1.5 x 0.2, and the indices are reported (or nearly: the estimate is statistical)."""
    names = ["x1", "x2", "x3"]
    small = analysis.sobol_indices(sweep_dataset(Design("sobol", 64, 3, False, 1), names,
                                                 _ishigami), "y", seed=3)
    need = max(r.get("runs_needed") or 0 for r in small)
    assert need > 320
    n = 1 << math.ceil(math.log2(need / 5))  # runs = n (d + 2), d = 3
    big = analysis.sobol_indices(sweep_dataset(Design("sobol", n, 3, False, 1), names,
                                               _ishigami), "y", seed=3)
    widest = max(max(r["S1_high"] - r["S1_low"], r["ST_high"] - r["ST_low"]) for r in big)
    assert widest <= 1.5 * analysis.SOBOL_MAX_WIDTH
    s1, st = ishigami_truth()
    for r, t1, tt in zip(big, s1, st, strict=True):
        if r["reported"]:
            assert r["S1_low"] - 0.05 <= t1 <= r["S1_high"] + 0.05
            assert r["ST_low"] - 0.05 <= tt <= r["ST_high"] + 0.05


def test_morris_suits_a_small_budget_and_reports_when_its_intervals_are_narrow():
    slopes = np.array([5.0, -2.0, 0.0, 0.5])
    rng = np.random.default_rng(1)
    ds = sweep_dataset(Design("morris", 6, 4, False, 3), ["a", "b", "c", "d"],
                       lambda u, _p: float(slopes @ u + 0.3 * u[0] * u[1]
                                           + rng.normal(0, 0.05)))
    rows = analysis.morris_indices(ds, "y")
    assert all(r["reported"] for r in rows)  # 30 runs rank four parameters
    assert [r["parameter"] for r in sorted(rows, key=lambda r: -r["mu_star"])][:2] == ["a", "b"]


def test_sobol_from_eight_base_samples_is_withheld_even_when_its_bootstrap_looks_narrow():
    """The demo's second failure: 8 base samples gave S1 0.09 [0.05, 0.14] beside ST 0.01
    [0.01, 0.01], reported as a finding. With fewer than 32 base samples, or S1 above ST
    beyond both intervals, nothing is reported and the runs needed are named."""
    ds = sweep_dataset(Design("sobol", 8, 3, False, 1), ["x1", "x2", "x3"], _ishigami)
    for r in analysis.sobol_indices(ds, "y", seed=2):
        assert not r["reported"], r
        assert "32 needed" in r["finding"] and r["runs_needed"] >= 32 * 5
    row = {"S1": 0.09, "S1_low": 0.05, "S1_high": 0.14, "ST": 0.01, "ST_low": 0.01,
           "ST_high": 0.01, "reported": True}
    out = analysis._sobol_checks(row, {"samples": 64}, 64 * 5, 3)
    assert not out["reported"] and "impossible pair" in out["finding"]


def test_prim_on_a_handful_of_failures_is_a_hint_not_a_finding():
    ds = sweep_dataset(Design("latin_hypercube", 40, 3, False, 1), ["x1", "x2", "x3"],
                       _ishigami)
    y = np.asarray(ds["y"].values)
    few = analysis.discover(ds, "y", above=float(np.sort(y)[-3]))  # 2 failures
    assert not few["reported"] and few["sentence"].startswith("a hint, not a finding: only 2")
    many = analysis.discover(ds, "y", above=float(np.sort(y)[-13]))
    assert many["reported"] and not many["sentence"].startswith("a hint")
