"""The parking occupancy calibration: the shipped spec loads (every row simulated and saying
so, with its survey-noise basis), known commuter and visitor rates are recovered from a
weekday's occupancy and turnover simulated at them (`--simulate`) on a one-day base, and the
shipped posterior covers the truth its observations were simulated at."""

from __future__ import annotations

from pathlib import Path

import pytest

from twin.calibrate.command import calibrate, simulate_observations
from twin.calibrate.spec import load_calibration
from twin.calibrate.store import open_posterior, weighted_quantile

SHIPPED = Path(__file__).resolve().parents[2] / "calibration/parking_occupancy"
COMMUTER, VISITOR = ("parking.commuter_cars_per_1000_people",
                     "parking.visitor_cars_per_1000_people")
TRUTH = {COMMUTER: 80.0, VISITOR: 120.0}  # what observations.csv was simulated at (README)


def test_shipped_spec_loads_and_every_row_says_it_is_simulated():
    spec = load_calibration(SHIPPED / "spec.toml")
    assert [p.key for p in spec.priors] == [COMMUTER, VISITOR]
    held = {r.obs.id for r in spec.rows if r.held_out}
    assert held == {"sat_occ_1112", "sat_occ_1920", "sat_turnover_0819"}
    for r in spec.rows:
        assert r.obs.note.startswith("SIMULATED") and "--simulate" in r.obs.source
        assert "survey noise" in r.obs.uncertainty_basis and r.obs.sd > 0


def short_spec(tmp_path, free: tuple[str, ...], population: int, generations: int) -> Path:
    """The shipped spec's priors (those in `free`; the others stay at their defaults) and
    quantities on the weekday alone (one day, its five fitted rows), a small ABC."""
    base = (SHIPPED / "base.toml").read_text(encoding="utf-8")
    assert "horizon_days = 2" in base
    (tmp_path / "base.toml").write_text(base.replace("horizon_days = 2", "horizon_days = 1"),
                                        encoding="utf-8")
    rows = (SHIPPED / "observations.csv").read_text(encoding="utf-8").splitlines()
    (tmp_path / "obs.csv").write_text("\n".join(r for r in rows if not r.startswith("sat_"))
                                      + "\n", encoding="utf-8")
    spec = (SHIPPED / "spec.toml").read_text(encoding="utf-8")
    head, _, tail = spec.partition("[rows]")
    tail = tail[tail.index("[noise]"):]
    for old, new in (("population = 40", f"population = {population}"),
                     ("generations = 6", f"generations = {generations}")):
        assert old in tail
        tail = tail.replace(old, new)
    for key in (COMMUTER, VISITOR):
        if key not in free:
            line = next(x for x in head.splitlines() if x.startswith(f'"{key}"'))
            head = head.replace(line + "\n", "")
    fit = '", "'.join(r.split(",")[0] for r in rows[1:] if r.startswith("wd_"))
    (tmp_path / "spec.toml").write_text(
        head.replace('observations = "observations.csv"', 'observations = "obs.csv"')
        + f'[rows]\nfit = ["{fit}"]\n\n' + tail, encoding="utf-8")
    return tmp_path / "spec.toml"


def _recover(tmp_path, free, population, generations, narrow):
    path = short_spec(tmp_path, free, population, generations)
    spec = load_calibration(path)
    assert [p.key for p in spec.priors] == list(free)
    truth = {k: TRUTH[k] for k in free}
    obs = simulate_observations(spec, truth, tmp_path / "sim.csv")
    spec = load_calibration(path, observations=obs)
    ds = open_posterior(calibrate(spec, tmp_path / "post.zarr", workers=0, quiet=True))
    w = ds["weight"].values
    for p in spec.priors:
        lo, hi = (weighted_quantile(ds[p.key].values, w, q) for q in (0.05, 0.95))
        assert lo <= truth[p.key] <= hi, (p.key, lo, hi)
        assert hi - lo < narrow * (p.hi - p.lo), (p.key, lo, hi)  # the data narrow the prior


def test_simulated_commuter_rate_is_recovered(tmp_path):
    """One free rate (visitors at their default), 8 particles, 2 generations (~30 runs)."""
    _recover(tmp_path, (COMMUTER,), 8, 2, narrow=0.5)


@pytest.mark.slow
def test_simulated_commuter_and_visitor_rates_are_recovered(tmp_path):
    """Both rates, 10 particles, 3 generations (~100 one-day runs, about 2 minutes)."""
    _recover(tmp_path, (COMMUTER, VISITOR), 10, 3, narrow=0.6)


@pytest.mark.slow
def test_shipped_posterior_covers_the_truth_and_the_held_out_saturday():
    path = SHIPPED / "posterior.zarr"
    if not path.exists():
        pytest.skip("no shipped posterior (run `twin calibrate calibration/parking_occupancy/"
                    "spec.toml --out calibration/parking_occupancy/posterior.zarr`)")
    ds = open_posterior(path)
    assert ds.attrs["complete"] and ds.attrs["calibration"] == "parking_occupancy"
    w = ds["weight"].values
    for key, truth in TRUTH.items():
        lo, hi = (weighted_quantile(ds[key].values, w, q) for q in (0.05, 0.95))
        assert lo <= truth <= hi, (key, lo, hi)
    held = ds["held_out"].values.astype(bool)
    assert held.sum() == 3 and ds["inside_90"].values[held].all()
