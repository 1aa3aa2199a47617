"""The shipped parking files load (scenarios, the sweep), and a one-sample sweep runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from twin.core import registry
from twin.core.errors import ScenarioError, TwinError
from twin.models.parking.model import ParkingModel

ROOT = Path(__file__).resolve().parents[3] / "scenarios"


@pytest.fixture(autouse=True, scope="module")
def registered():
    registry.register(ParkingModel)


def _load(path):
    from twin.core.scenario import load_scenario

    try:
        return load_scenario(path)
    except ScenarioError as e:
        if "no registered model publishes" in str(e):  # kernel of issue 15 still landing
            pytest.skip(f"channel producers not registered yet: {e}")
        raise


@pytest.mark.parametrize("path", sorted((ROOT / "parking").glob("*.toml")), ids=lambda p: p.stem)
def test_shipped_scenarios_load(path):
    assert "parking" in _load(path).models


def test_bad_event_names_stop_at_load(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[scenario]\nstart = 2024-06-07\nhorizon_hours = 2\n[models.parking]\n'
                   '[[events]]\nat = "01:00"\nmodel = "parking"\nkind = "close_lot"\n'
                   'lot = "PL99"\n', encoding="utf-8")
    with pytest.raises(TwinError, match=r"events\[0\]\.lot.*PL99.*PL01"):
        _load(bad)


def test_sweep_loads():
    from twin.sweep.spec import load_sweep

    spec = load_sweep(ROOT / "sweeps" / "parking_supply.toml")
    assert len(spec.policies) == 8 and spec.compare.half_width == 0.05


@pytest.mark.slow
def test_small_sweep_runs(tmp_path):
    from twin.sweep.runner import run_sweep
    from twin.sweep.spec import load_sweep

    spec = load_sweep(ROOT / "sweeps" / "parking_supply.toml", samples=1, replicates=1,
                      max_replicates=1)
    out = run_sweep(spec, tmp_path / "p.zarr", workers=0, progress=False)
    assert out.failed == 0
    # the comparison app reads it: choice levers (pricing) are labelled, not cast to numbers
    from dashboards.comparison import Comparison, open_sweep

    c = Comparison(open_sweep(tmp_path / "p.zarr"))
    assert c.layout() is not None and "search_mean_min" in c.kpi.options.values()
    labels = [c.sw.policy_label(p) for p in c.sw.policies]
    assert len(labels) == 8 and sum("performance" in s for s in labels) == 4
