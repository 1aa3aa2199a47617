"""The shipped sorting calibration (calibration/sorting/spec.toml, posterior in
calibration/sorting/posterior.zarr) against the observations it fitted (calibration targets,
labelled so) and the ones it never saw: Beijing 2020-2021 (another city, another year) and
Shanghai's residual waste.

Fitted rows (calibration targets): Shanghai wet waste, 7 rows 2018-2020 (March 2020 left out:
COVID-19); each posterior-predictive mean within 10% and each observation inside its 90%
predictive interval (model plus the row's noise).

Held out (checks):
- Shanghai residual waste (end-2018, May 2020, 2020 mean) within 10%. Not independent of
  the fit: residual = generated - wet, and generation was set from Shanghai's 2018 total
  (calibration/waste_generation); it checks the generation level, not the behaviour.
- Beijing 2020-2021 (another city, a later regulation, never seen by the fit): the Shanghai
  posterior does NOT transfer. It over-predicts Beijing's separation rate (0.36 against
  0.20-0.21) and kitchen waste (+81% by late 2020, several times in the first months); every
  Beijing row lies below its 90% predictive interval. The test holds that finding, so a
  change that makes the parameters transfer must update calibration/sorting/README.md.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from twin.calibrate.spec import load_calibration
from twin.calibrate.store import open_posterior, weighted_quantile

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "calibration/sorting/spec.toml"
POSTERIOR = REPO / "calibration/sorting/posterior.zarr"
FIT_TOL = 0.10
RESIDUAL = ("sh_residual_2018_12", "sh_residual_2020_05", "sh_residual_2020")
BEIJING = ("bj_kitchen_2020_05", "bj_kitchen_2020_07", "bj_kitchen_2020_11",
           "bj_kitchen_2021_01", "bj_seprate_2021_01", "bj_seprate_2021_04")


@pytest.fixture(scope="module")
def post():
    return open_posterior(POSTERIOR)


def test_the_store_belongs_to_the_shipped_spec_and_is_complete(post):
    spec = load_calibration(SPEC)
    assert post.attrs["complete"] and post.attrs["spec_hash"] == spec.digest
    assert float(post["weight"].sum()) == pytest.approx(1.0)
    assert set(spec.keys) <= set(post.data_vars)
    assert set(post["observation"].values) == {r.obs.id for r in spec.rows}


def test_fitted_wet_waste_rows_within_10_percent_calibration_target(post):
    fit = post.sel(observation=~post["held_out"])
    err = fit["relative_error"].values
    print("\n" + "\n".join(f"{o}: {e:+.1%}" for o, e in zip(fit["observation"].values, err,
                                                            strict=True)))
    assert np.abs(err).max() <= FIT_TOL
    assert bool(fit["inside_90"].all())


def _say(post, rows):
    for row in rows:
        r = post.sel(observation=row)
        print(f"{row}: observed {float(r['observed']):.4g}, predicted "
              f"{float(r['predicted_mean']):.4g} ({float(r['relative_error']):+.1%}), 90% "
              f"[{float(r['predictive_p05']):.4g}, {float(r['predictive_p95']):.4g}]")


def test_held_out_shanghai_residual_within_10_percent(post):
    _say(post, RESIDUAL)
    assert np.abs(post["relative_error"].sel(observation=list(RESIDUAL)).values).max() <= 0.10


def test_held_out_beijing_is_below_what_shanghai_parameters_predict(post):
    _say(post, BEIJING)
    b = post.sel(observation=list(BEIJING))
    assert (b["observed"] < b["predictive_p05"]).all()
    assert (b["relative_error"] > 0.5).all()


def test_posterior_is_narrower_than_the_prior(post):
    """Every parameter is learnt something about: its 90% interval is at most 80% of the
    prior's range (the campaign and fine responses only just: README, "cannot tell apart")."""
    spec = load_calibration(SPEC)
    w = post["weight"].values
    for p in spec.priors:
        lo, hi = (weighted_quantile(post[p.key].values, w, q) for q in (0.05, 0.95))
        f = np.log if p.log else float
        assert f(hi) - f(lo) < 0.8 * (f(p.hi) - f(p.lo)), p.key
