"""The gas incident calibration: the shipped spec loads (rows, places, windows checked), and
a known third-party strike rate is recovered from observations simulated at it by the spec's
own noise model (`--simulate`), on a two-day version of the base scenario (the fitted figure
is an expected share at the run's end, so a short run computes the same quantity)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from twin.calibrate.command import calibrate, simulate_observations
from twin.calibrate.spec import load_calibration
from twin.calibrate.store import open_posterior, weighted_quantile

pytest.importorskip("pandapipes")
SHIPPED = Path(__file__).resolve().parents[2] / "calibration/gas_incidents"
KEY = "gas.third_party_per_km_year"


def test_shipped_spec_loads_with_its_rows_and_places():
    spec = load_calibration(SHIPPED / "spec.toml")
    assert [p.key for p in spec.priors] == [KEY]
    assert {r.obs.id: r.held_out for r in spec.rows} == {"cn_tp_share_2024h1": False,
                                                         "cn_tp_share_2018_2023": True}
    assert all(r.obs.source and r.obs.uncertainty_basis for r in spec.rows)


@pytest.fixture
def short_spec(tmp_path) -> Path:
    """The shipped spec on a two-day base (its prior and quantity), one fitted row."""
    base = (SHIPPED / "china_2024h1.toml").read_text(encoding="utf-8")
    (tmp_path / "base.toml").write_text(base.replace("start = 2024-01-01", "start = "
                                                     "2024-06-29").replace(
        "horizon_days = 182", "horizon_days = 2"), encoding="utf-8")
    (tmp_path / "obs.csv").write_text(
        "id,city,series,period_start,period_end,value,unit,sd,uncertainty_basis,note,source\n"
        "share,china,third_party_share,2024-06-29,2024-06-30,0.89,1,0.02,assumed,,test\n",
        encoding="utf-8")
    doc = tomllib.loads((SHIPPED / "spec.toml").read_text(encoding="utf-8"))
    prior = doc["parameters"][KEY]
    text = f"""[calibration]
name = "gas_short"
base = "base.toml"
observations = "obs.csv"
seed = 5
[parameters]
"{KEY}" = {{ prior = "{prior['prior']}", lo = {prior['lo']}, hi = {prior['hi']} }}
[quantities.third_party_share]
var = "gas_third_party_share_grade1"
window = "last"
scale = "none"
[rows]
fit = ["share"]
[abc]
population = 16
generations = 3
quantile = 0.5
min_tolerance = 0.1
"""
    (tmp_path / "spec.toml").write_text(text, encoding="utf-8")
    return tmp_path / "spec.toml"


@pytest.mark.parametrize("truth", [0.1, 0.45])
def test_simulated_rate_is_recovered(short_spec, tmp_path, truth):
    spec = load_calibration(short_spec)
    obs = simulate_observations(spec, {KEY: truth}, tmp_path / "sim.csv")
    spec = load_calibration(short_spec, observations=obs)
    ds = open_posterior(calibrate(spec, tmp_path / "post.zarr", workers=0, quiet=True))
    w = ds["weight"].values
    lo, hi = (weighted_quantile(ds[KEY].values, w, q) for q in (0.05, 0.95))
    assert lo <= truth <= hi, (lo, hi)
    assert hi / lo < 10  # narrower than the prior's hundredfold range


def test_shipped_posterior_fits_and_says_how_the_held_out_row_did():
    path = SHIPPED / "posterior.zarr"
    if not path.exists():
        pytest.skip("no shipped posterior (run `twin calibrate calibration/gas_incidents/"
                    "spec.toml --out calibration/gas_incidents/posterior.zarr`)")
    ds = open_posterior(path)
    assert ds.attrs["complete"] and ds.attrs["calibration"] == "gas_incidents"
    assert bool(ds["inside_90"].sel(observation="cn_tp_share_2024h1"))
    w = ds["weight"].values
    lo, hi = (weighted_quantile(ds[KEY].values, w, q) for q in (0.05, 0.95))
    assert 0.03 <= lo < hi <= 3.0
    assert bool(ds["held_out"].sel(observation="cn_tp_share_2018_2023"))
