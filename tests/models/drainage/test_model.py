"""The drainage model in the kernel: scenario files, events, street water, closures, trucks,
and a scenario on a SWMM file reproducing the plain SWMM run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import REPO, SHARED

from twin.core.errors import ScenarioError
from twin.core.run import run
from twin.core.scenario import load_scenario, parse_scenario

SCEN = REPO / "scenarios" / "drainage"
USER1 = SHARED / "data" / "swmm" / "user1.inp"


@pytest.fixture(scope="module")
def drill():
    return run(load_scenario(SCEN / "drill_pump_outage.toml"))


@pytest.mark.parametrize("path", sorted(SCEN.glob("*.toml")), ids=lambda p: p.name)
def test_scenario_files_validate(path):
    if "user3" in path.name and not (SHARED / "data" / "swmm" / "user3.inp").is_file():
        pytest.skip("shared SWMM data missing")
    assert load_scenario(path).models["drainage"]


def test_drill_outputs_units_and_operations(drill):
    ds = drill
    for name in ("node_depth", "node_flooding_rate", "ponded_depth", "pump_setting",
                 "node_flood_volume", "system_flood_volume", "routing_continuity_error",
                 "runoff_continuity_error", "node_flood_hours", "pump_volume"):
        assert "units" in ds[name].attrs and ds[name].attrs["long_name"]
    assert ds["node_flood_volume"].dims == ("node",) and ds["node_flood_volume"].units == "m3"
    assert ds["system_flood_volume"].units == "m3"
    assert abs(float(ds["routing_continuity_error"])) < 0.5
    # PS01 is off from 01:00 to 03:00 and on again afterwards
    ps = ds["pump_setting"].sel(pump="P_PS01")
    t = (ds.time - ds.time[0]).values / np.timedelta64(1, "h")
    assert np.all(ps.values[(t > 1.05) & (t < 2.95)] == 0)
    assert ps.values[t > 3.1].max() > 0
    assert float(ds["mobile_pumped_volume"]) > 0
    assert int(ds["mobile_pumps_on_site"].max()) <= 6
    assert int(ds["n_closed_road_edges"].max()) > 0
    closed = ds["road_closed"].values.astype(bool)
    deep = ds["ponded_depth"].values > 0.15
    assert np.all(deep <= closed | np.roll(deep, 1, axis=0))  # deep water -> closed (next stride)


def test_outage_increases_flooding(drill):
    import dataclasses

    base = run(dataclasses.replace(load_scenario(SCEN / "drill_pump_outage.toml"), events=()))
    assert float(drill["system_flood_volume"]) > float(base["system_flood_volume"])
    assert float(base["mobile_pumped_volume"]) == 0


def _user1_doc(**drainage):
    return {"scenario": {"start": "2003-10-01T00:00:00", "horizon_hours": 7},
            "models": {"drainage": {"network": str(USER1), **drainage}}}


@pytest.mark.skipif(not USER1.is_file(), reason="shared SWMM data missing")
def test_network_scenario_matches_plain_swmm():
    import datetime as dt

    from twin.models.drainage.engine import run_plain

    doc = _user1_doc()
    doc["scenario"]["start"] = dt.datetime(2003, 10, 1)
    ds = run(parse_scenario(doc, Path("inline.toml")))
    ref = run_plain(USER1)
    assert float(ds["system_flood_volume"]) == pytest.approx(ref.system_flood_volume_m3, rel=1e-3)
    vol = ds["node_flood_volume"].to_series()
    for node, v in zip(ref.node_ids, ref.node_flood_volume_m3, strict=True):
        assert vol[node] == pytest.approx(v, rel=1e-3, abs=1e-6)


def test_bad_parameters_name_the_key(tmp_path):
    import datetime as dt

    doc = {"scenario": {"start": dt.datetime(2024, 7, 1), "horizon_hours": 6},
           "models": {"drainage": {"network": "missing.inp"}}}
    with pytest.raises(ScenarioError, match="models.drainage.network.*file not found"):
        parse_scenario(doc, tmp_path / "s.toml")
    doc["models"]["drainage"] = {"storm": "gauge"}
    with pytest.raises(ScenarioError, match="gauge_csv"):
        parse_scenario(doc, tmp_path / "s.toml")
    doc["models"]["drainage"] = {"peak_position": 1.5}
    with pytest.raises(ScenarioError, match="peak_position"):
        parse_scenario(doc, tmp_path / "s.toml")


def test_gauge_csv_storm(tmp_path):
    from twin.models.drainage.storms import gauge_storm

    f = tmp_path / "rain.csv"
    f.write_text("minutes,rain_mm\n5,1.0\n10,4.0\n15,2.5\n")
    h = gauge_storm(f)
    assert h.step_s == 300 and h.depth_mm == pytest.approx(7.5)
    f.write_text("minutes,rain_mm\n5,1.0\n10,x\n")
    with pytest.raises(ScenarioError, match="line 3"):
        gauge_storm(f)
