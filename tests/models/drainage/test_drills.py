"""Storm drills from form inputs: the Scenario carries what the form said, bad inputs name the
form field, and the kernel runs it with the faults and responses taking effect."""

from __future__ import annotations

import numpy as np
import pytest

from twin.core.errors import ScenarioError
from twin.core.run import run
from twin.models.drainage.drills import drill_scenario
from twin.models.drainage.params import InletBlockage, PumpOutage


def test_form_inputs_become_a_scenario():
    s = drill_scenario(return_period_y=50, duration_min=90, peak_position=0.35,
                       pump_outages=[(0, 60, 180), ("PS02", 90, None)],
                       inlet_blockages=[(48, 30, 0.2, 120)], mobile_pumps=3,
                       mobile_pumps_at_min=75)
    p = s.models["drainage"]
    assert (p.storm, p.return_period_years, p.duration_min, p.peak_position) == (
        "design", 50.0, 90.0, 0.35)
    assert p.mobile_pumps == 0 and s.horizon_s == 6 * 3600  # at least 6 h
    ev = [(e.at_s, e.kind, e.payload) for e in s.events]
    assert ev == [(1800.0, "inlet_blockage", InletBlockage("J48", 0.2, 1.5)),
                  (3600.0, "pump_outage", PumpOutage("PS01", 2.0)),
                  (4500.0, "mobile_pumps", ev[2][2]),
                  (5400.0, "pump_outage", PumpOutage("PS02", 0.0))]
    assert ev[2][2].trucks == 3


def test_preset_and_standby_trucks():
    s = drill_scenario(preset="zhengzhou_2021_peak_hour", mobile_pumps=2)
    p = s.models["drainage"]
    assert (p.storm, p.preset, p.mobile_pumps) == ("preset", "zhengzhou_2021_peak_hour", 2)
    assert "reconstruction" in s.description
    week = drill_scenario(preset="wuhan_2016_week")
    assert week.horizon_s == (7 * 24 + 4) * 3600


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"pump_outages": [(7, 60, None)]}, r"pump_outages\[0\]\.station.*3 pumping stations"),
    ({"pump_outages": [("PS9", 60, None)]}, r"pump_outages\[0\]\.station.*PS01"),
    ({"pump_outages": [(0, 60, 30)]}, r"pump_outages\[0\]\.back_min"),
    ({"pump_outages": [(0, 60.5, None)]}, r"pump_outages\[0\]\.at_min.*whole minutes"),
    ({"inlet_blockages": [(3, 10, 1.5, None)]}, r"inlet_blockages\[0\]\.capacity_fraction"),
    ({"pump_outages": [(0, 600, None)]}, r"pump_outages\[0\]\.at_min.*0 to 360 min"),
    ({"mobile_pumps": 2, "mobile_pumps_at_min": 900}, r"^mobile_pumps_at_min.*0 to 360 min"),
    ({"inlet_blockages": [(3, 10)]}, r"inlet_blockages\[0\]"),
    ({"preset": "atlantis"}, r"preset.*zhengzhou_2021_peak_hour"),
    ({"return_period_y": 0.5}, r"models.drainage.return_period_years"),
    ({"peak_position": 1.2}, r"models.drainage.peak_position"),
    ({"city": "nowhere"}, r"city.*built-in city"),
])
def test_bad_form_inputs_name_the_field(kwargs, field):
    with pytest.raises(ScenarioError, match=field):
        drill_scenario(**kwargs)


def test_drill_runs_with_faults_and_responses():
    faults = run(drill_scenario(duration_min=120, pump_outages=[(0, 60, 180)],
                                inlet_blockages=[(48, 0, 0.05, None)], mobile_pumps=3,
                                mobile_pumps_at_min=60))
    calm = run(drill_scenario(duration_min=120))
    t_min = (faults.drainage_time - faults.drainage_time[0]).values / np.timedelta64(1, "m") + 1
    off = faults["pump_setting"].sel(pump="P_PS01").values
    assert np.all(off[(t_min > 61) & (t_min < 180)] == 0) and off[t_min > 182].min() > 0
    assert float(faults["system_flood_volume"]) > float(calm["system_flood_volume"])
    assert float(faults["node_flood_volume"].sel(node="J48")) > \
        float(calm["node_flood_volume"].sel(node="J48")) + 100.0
    trucks = faults["mobile_pumps_on_site"].values
    assert trucks[t_min < 60].max() == 0 and 0 < trucks.max() <= 3
    assert float(calm["mobile_pumped_volume"]) == 0 < float(faults["mobile_pumped_volume"])
