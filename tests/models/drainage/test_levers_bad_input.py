"""Levers out of range stop at load; absurd runs are refused, not written (issue 19)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from twin.core.errors import ScenarioError, TwinError
from twin.core.scenario import parse_scenario
from twin.models.drainage.books import check_absurd


def _doc(drainage, events=()):
    return {"scenario": {"name": "t", "start": dt.datetime(2024, 7, 1), "horizon_hours": 2,
                         "seed": 1},
            "city": {"builtin": "demo"}, "models": {"drainage": {"storm": "design", **drainage}},
            "events": list(events)}


@pytest.mark.parametrize("key, value", [("lid_share", 0.8), ("pump_capacity_scale", -1.0),
                                        ("renewal_km", -3.0), ("lid_kind", "moss"),
                                        ("pipe_design_return_period_years", 0.5)])
def test_levers_out_of_range_name_the_key(key, value):
    with pytest.raises(ScenarioError) as e:
        parse_scenario(_doc({key: value}))
    assert key in str(e.value)


def test_added_capacity_out_of_range():
    ev = {"at": "00:00", "model": "drainage", "kind": "pump_capacity", "station": "PS01",
          "added_m3_per_s": -5.0}
    with pytest.raises(ScenarioError) as e:
        parse_scenario(_doc({}, [ev]))
    assert "added_m3_per_s" in str(e.value)


def _summary(flood=0.0, runoff_err=0.0, routing_err=0.0):
    return SimpleNamespace(system_flood_volume_m3=flood, runoff_continuity_error_pct=runoff_err,
                           routing_continuity_error_pct=routing_err)


def test_absurd_runs_are_refused():
    check_absurd("x", _summary(10.0, 0.1, 0.2), 100.0, 5.0, True)  # fine
    with pytest.raises(TwinError, match="runoff continuity"):
        check_absurd("x", _summary(runoff_err=7.0), 100.0, 5.0, True)
    with pytest.raises(TwinError, match="routing continuity"):
        check_absurd("x", _summary(routing_err=-6.5), 100.0, 5.0, True)
    check_absurd("x", _summary(routing_err=-6.5), 100.0, 5.0, False)  # user net: SWMM's own
    with pytest.raises(TwinError, match="exceeds the rain volume"):
        check_absurd("x", _summary(flood=500.0), 100.0, 5.0, True)
    # water that floods, drains back into the sewer and floods again is counted once
    check_absurd("x", _summary(flood=500.0), 100.0, 5.0, True, returned_m3=450.0)


def test_plan_levers_sweep_parses():
    from conftest import REPO

    from twin.sweep.spec import load_sweep

    spec = load_sweep(REPO / "scenarios" / "sweeps" / "drainage_plan_levers.toml")
    assert [p.name for p in spec.policies] == ["legacy", "pumping", "sponge", "renewal"]
    assert spec.compare.output == "road_hours_closed"
