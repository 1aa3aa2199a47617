"""`kind = "posterior"`: parameter sets drawn jointly from a calibration store by weight."""

from __future__ import annotations

import json
from pathlib import Path
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


SHIPPED = Path(__file__).resolve().parents[2] / "scenarios/sweeps/sorting_calibrated.toml"


def test_shipped_calibrated_sweep_draws_the_sorting_posterior():
    from twin.sweep.spec import load_sweep

    spec = load_sweep(SHIPPED, samples=16)
    post = xr.open_zarr(spec.design.posterior, consolidated=False)
    keys = json.loads(post.attrs["parameters"])
    assert [u.key for u in spec.uncertainties] == keys
    unit = designs.unit_design(spec.design, spec.uncertainties)
    for values in designs.scenario_values(spec, unit):
        for k in keys:  # every drawn value is one of the posterior's particles
            assert np.isclose(post[k].values, values[k], rtol=1e-9).any(), k


def test_posterior_keys_are_checked_in_the_sweep_file(tmp_path):
    import pytest

    from twin.core.errors import ScenarioError
    from twin.sweep.spec import load_sweep

    text = SHIPPED.read_text(encoding="utf-8").replace(
        'base = "base/sorting_policy.toml"', f'base = "{SHIPPED.parent}/base/sorting_policy.toml"')
    post = SHIPPED.parent / "../../calibration/sorting/posterior.zarr"
    text = text.replace('"../../calibration/sorting/posterior.zarr"', f'"{post.resolve()}"')
    bad = tmp_path / "s.toml"
    bad.write_text(text.replace('kind = "posterior"', 'kind = "latin_hypercube"'))
    with pytest.raises(ScenarioError, match="design.posterior.*only with kind"):
        load_sweep(bad)
    bad.write_text(text.replace('[levers]', '[uncertainties]\n"households.potential_share" = '
                                '{ range = [0.5, 1.0] }\n\n[levers]'))
    with pytest.raises(ScenarioError, match="potential_share is calibrated"):
        load_sweep(bad)
    bad.write_text(text)
    assert load_sweep(bad).design.posterior == post.resolve()
