"""`kind = "posterior"`: parameter sets drawn jointly from a calibration store by weight."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import xarray as xr

from twin.sweep import designs


def posterior_store(path, n=50):
    rng = np.random.default_rng(0)
    a = rng.uniform(0.1, 0.9, n)
    ds = xr.Dataset({"m.a": ("sample", a, {"lo": 0.0, "hi": 1.0, "integer": 0}),
                     "m.b": ("sample", 2 * a + 10, {"lo": 5.0, "hi": 20.0, "integer": 0}),
                     "weight": ("sample", np.r_[np.full(n - 1, 0.5 / (n - 1)), 0.5])},
                    attrs={"kind": "calibration", "parameters": json.dumps(["m.a", "m.b"])})
    ds.to_zarr(path, consolidated=False)
    return ds


def test_posterior_draws_keep_parameters_together_and_follow_the_weights(tmp_path):
    ds = posterior_store(tmp_path / "post.zarr")
    uncs = designs.posterior_uncertainties(tmp_path / "post.zarr")
    assert [(u.key, u.lo, u.hi) for u in uncs] == [("m.a", 0.0, 1.0), ("m.b", 5.0, 20.0)]
    design = SimpleNamespace(kind="posterior", samples=200, seed=3,
                             posterior=tmp_path / "post.zarr")
    assert designs.n_scenarios(design, uncs) == 200
    unit = designs.unit_design(design, uncs)
    vals = np.array([[u.value(x) for u, x in zip(uncs, row, strict=True)] for row in unit])
    np.testing.assert_allclose(vals[:, 1], 2 * vals[:, 0] + 10, rtol=1e-12)  # joint draws
    assert np.isin(np.round(vals[:, 0], 12), np.round(ds["m.a"].values, 12)).all()
    heavy = float(ds["m.a"].values[-1])
    assert np.isclose(vals[:, 0], heavy).sum() == 100  # weight 0.5 of 200: systematic
    assert (designs.unit_design(design, uncs) == unit).all()


def test_parse_posterior_checks_the_store_and_the_base(tmp_path):
    import pytest

    from twin.core.errors import ScenarioError

    posterior_store(tmp_path / "post.zarr")
    import zarr

    zarr.open_group(str(tmp_path / "post.zarr"), mode="r+").attrs.update(
        complete=True, spec_hash="abc")
    base = SimpleNamespace(models={"m": SimpleNamespace()})
    with pytest.raises(ScenarioError, match="missing; allowed: the path of a posterior"):
        designs.parse_posterior({}, tmp_path / "s.toml", base)
    with pytest.raises(ScenarioError, match="no posterior store here"):
        designs.parse_posterior({"posterior": "nope.zarr"}, tmp_path / "s.toml", base)
    with pytest.raises(ScenarioError, match="base scenario has no model 'm'"):
        designs.parse_posterior({"posterior": "post.zarr"}, tmp_path / "s.toml",
                                SimpleNamespace(models={}))
