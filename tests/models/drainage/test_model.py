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
    return run(load_scenario(SCEN / "storm_drill.toml"))


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
    t = (ds.drainage_time - ds.drainage_time[0]).values / np.timedelta64(1, "h")
    assert np.all(ps.values[(t > 1.05) & (t < 2.95)] == 0)
    assert ps.values[t > 3.1].max() > 0
    assert float(ds["mobile_pumped_volume"]) > 0
    assert int(ds["mobile_pumps_on_site"].max()) <= 6
    assert int(ds["n_closed_road_edges"].max()) > 0
    closed = ds["road_closed"].values.astype(bool)
    deep = ds["ponded_depth"].values > 0.15
    assert np.all(deep <= closed | np.roll(deep, 1, axis=0))  # deep water -> closed (next stride)


def test_outcomes_say_which_way_is_bad(drill):
    """Comparison apps rank by `bad`: every outcome whose larger value is worse says so;
    states and efforts (sewer depth, pump flow, trucks) do not."""
    worse_high = ("node_flood_hours", "node_flood_volume", "max_ponded_depth",
                  "system_flood_volume", "ponded_depth", "road_closed", "street_water_volume",
                  "road_edge_hours_closed", "point_hours_above_limit", "n_waterlogging_points",
                  "time_to_drain", "waterlogging_point", "waterlogging_point_long",
                  "n_closed_road_edges", "road_edge_closed", "street_final_volume",
                  "water_balance_error")
    for name in worse_high:
        assert drill[name].attrs.get("bad") == "high", name
    for name in ("node_depth", "pump_flow", "mobile_pumped_volume", "mobile_pumps_on_site",
                 "low_point", "rain_volume"):
        assert "bad" not in drill[name].attrs, name


def test_drill_map_outputs(drill):
    """What the dashboards draw: node and pump positions in city metres, closed road edges
    over time consistent with the closed points, trucks per point."""
    from twin.city.io import open_city
    from twin.core.scenario import CitySpec

    ds, city = drill, open_city(CitySpec(builtin="demo"))
    r = city.roads
    k = ds["node_road_node"].values
    np.testing.assert_array_equal(ds["node_x_m"].values, r.node_x[k])
    np.testing.assert_array_equal(ds["node_y_m"].values, r.node_y[k])
    assert ds["node_x_m"].units == "m" and ds["pump_x_m"].units == "m"
    assert list(ds["pump_station"].values) == ["PS01", "PS02", "PS03"]
    edges = ds["road_edge_closed"]
    assert edges.dims == ("drainage_time", "road_edge") and edges.sizes["road_edge"] == r.n_edges
    np.testing.assert_array_equal(edges.sum("road_edge").values, ds["n_closed_road_edges"].values)
    closed_pts = ds["road_closed"].values.astype(bool)
    for t in range(0, ds.sizes["drainage_time"], 17):  # an edge is closed iff it touches a closed point
        nodes = set(k[closed_pts[t]].tolist())
        touching = np.array([u in nodes or v in nodes for u, v in zip(r.edge_u, r.edge_v,
                                                                    strict=True)])
        np.testing.assert_array_equal(edges.values[t].astype(bool), touching)
    assert np.any(np.diff(edges.values.astype(int), axis=0) < 0)  # some road reopens
    np.testing.assert_array_equal(ds["mobile_pumps_at_node"].sum("node").values,
                                  ds["mobile_pumps_on_site"].values)
    wl = ds["waterlogging_point"].values.astype(bool)
    np.testing.assert_array_equal(wl, ds["max_ponded_depth"].values > 0.15)
    assert wl.any() and not wl.all()


def test_closed_roads_published_to_other_models():
    """Another model reads the `closed_roads` channel at every stride and sees what the
    drainage model records."""
    from dataclasses import dataclass

    from twin.core import registry
    from twin.core.model import TwinModel

    @dataclass(frozen=True)
    class NoParams:
        pass

    class RoadWatch(TwinModel):
        name, Params, requires = "roadwatch", NoParams, ("drainage",)
        reads = ("closed_roads",)

        def start(self):
            self.ctx.recorder.time_base("roadwatch_time", long_name="each minute")
            self.ctx.recorder.declare("watched_closed_edges", units="1", dtype=np.int64,
                                      long_name="closed road edges as read by another model",
                                      time_dim="roadwatch_time")
            self.ctx.clock.every(60, self._look, offset_s=60)

        def _look(self, now_s):
            seen = self.read("closed_roads")
            self.ctx.recorder.append("watched_closed_edges", now_s, len(seen))

    registry.register(RoadWatch)
    import tomllib

    doc = tomllib.loads((SCEN / "storm_drill.toml").read_text())
    doc["models"]["roadwatch"] = {}
    ds = run(parse_scenario(doc, SCEN / "storm_drill.toml"))
    np.testing.assert_array_equal(ds["watched_closed_edges"].values,
                                  ds["n_closed_road_edges"].values)
    assert int(ds["watched_closed_edges"].max()) > 0


def test_outage_increases_flooding(drill):
    import dataclasses

    base = run(dataclasses.replace(load_scenario(SCEN / "storm_drill.toml"), events=()))
    assert float(drill["system_flood_volume"]) > float(base["system_flood_volume"])
    assert float(base["mobile_pumped_volume"]) == 0


def test_running_ahead_changes_nothing(drill):
    """SWMM computing ahead of the clock (to the next event) gives the lockstep run's results
    bit for bit: the pump outage at 01:00 and its restore at 03:00 (scheduled by the outage)
    both bound the lookahead."""
    import dataclasses

    sc = load_scenario(SCEN / "storm_drill.toml")
    p = dataclasses.replace(sc.models["drainage"], lookahead_s=0)
    lockstep = run(dataclasses.replace(sc, models={**sc.models, "drainage": p}))
    assert sc.models["drainage"].lookahead_s > 0
    for name in drill.data_vars:
        np.testing.assert_array_equal(drill[name].values, lockstep[name].values, err_msg=name)


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
    hours = ds["node_flood_hours"].sel(node=ref.node_ids).values
    assert np.max(np.abs(hours - ref.node_flood_hours)) <= 0.05
    assert float(ds["routing_continuity_error"]) == ref.routing_continuity_error_pct
    xy = ds["node_x_m"].sel(node="05y33")  # user1's map is in metres
    assert ds["node_x_m"].units == "m" and 5243 <= float(xy) <= 6030


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


def test_gauge_csv_drives_a_run(tmp_path):
    from twin.models.drainage.storms import gauge_storm

    f = tmp_path / "gauge.csv"
    rows = [("2024-07-01T00:30:00", 0.0)] + [
        (f"2024-07-01T{(35 + 5 * i) // 60:02d}:{(35 + 5 * i) % 60:02d}:00", d)
        for i, d in enumerate((2.0, 6.0, 14.0, 9.0, 4.0, 1.5))]
    f.write_text("datetime,rain_mm\n" + "".join(f"{t},{d}\n" for t, d in rows))
    import datetime as dt

    h = gauge_storm(f, dt.datetime(2024, 7, 1))
    assert h.step_s == 300 and h.depth_mm == pytest.approx(36.5)
    assert h.intensity_mm_per_h[:6].tolist() == [0.0] * 6  # no rain before 00:30
    doc = {"scenario": {"start": dt.datetime(2024, 7, 1), "horizon_hours": 2},
           "city": {"builtin": "demo"},
           "models": {"drainage": {"storm": "gauge", "gauge_csv": str(f)}}}
    ds = run(parse_scenario(doc, tmp_path / "s.toml"))
    assert float(ds["storm_depth"]) == pytest.approx(36.5)
    assert float(ds["node_depth"].isel(drainage_time=slice(0, 30)).max()) < 0.01 < float(
        ds["node_depth"].max())
    with pytest.raises(ScenarioError, match="before the scenario start|whole number"):
        gauge_storm(f, dt.datetime(2024, 7, 1, 1))


@pytest.mark.skipif(not USER1.is_file(), reason="shared SWMM data missing")
def test_user_network_start_must_match_the_file(tmp_path):
    import datetime as dt

    doc = _user1_doc()
    doc["scenario"]["start"] = dt.datetime(2024, 7, 1)
    with pytest.raises(ScenarioError, match=r"scenario.start.*user1.inp \(2003-10-01 00:00"):
        run(parse_scenario(doc, tmp_path / "s.toml"))


def test_rain_series_and_reconstruction_label():
    ds = run(load_scenario(SCEN / "zhengzhou_peak_hour.toml"))
    rain = ds["rain_intensity"]
    assert rain.units == "mm/h" and rain.attrs["reconstruction"] == 1
    assert "RECONSTRUCTION" in rain.long_name and "RECONSTRUCTION" in ds["storm_depth"].long_name
    assert float(rain.sum()) / 60.0 == pytest.approx(201.9, rel=1e-9)  # 60 s strides
    assert float(ds["storm_depth"]) == pytest.approx(201.9)
