"""The dashboards' rules without a browser: plain numbers, bad directions, depth classes,
events read from a drill's series, the form's field checks, lost chunks found."""

from __future__ import annotations

import shutil
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from dashboards.drillmarks import DEPTH_CLASSES, depth_class, marks_of, suggest_trucks
from dashboards.drillrules import check
from dashboards.labels import bad_direction, plain


@pytest.mark.parametrize("value,units,text", [
    (423_300.4, "m3", "423,300 m³"), (0.15283, "1", "0.153"), (12.5, "h", "12.5 h"),
    (1.0e6, "", "1,000,000"), (float("nan"), "m", "n/a"), (0.0, "", "0")])
def test_plain_numbers(value, units, text):
    assert plain(value, units) == text


def test_bad_direction_from_metadata_then_fallback():
    assert bad_direction("anything", {"bad": "low"}) == "low"
    assert bad_direction("street_water_pumped", {}) == "high"  # issue 22: a flood KPI
    assert bad_direction("participation_mean", {}) == "low"
    assert bad_direction("mystery", {}) is None


def test_depth_classes_meet_the_street_thresholds():
    k = depth_class([0.0, 0.05, 0.15, 0.2, 0.31, 0.6, 1.6])
    assert list(k) == [0, 1, 2, 2, 3, 4, 5]
    assert len(DEPTH_CLASSES) == 6  # nothing saturates at 0.5 m


def _drill(setting, trucks, ponded):
    t = pd.date_range("2024-07-01 00:01", periods=len(trucks), freq="1min")
    return SimpleNamespace(time=t, pumps=["P_PS01"], pump_setting=np.array(setting)[:, None],
                           mobile_on_site=np.array(trucks), ponded=np.array(ponded),
                           stride_h=1 / 60, nodes=["J1", "J2"], mobile_at=None,
                           per_node=pd.DataFrame({"district": ["A", "B"]}))


def test_events_read_from_the_series():
    d = _drill([1, 1, 0, 0, 1], [0, 0, 1, 2, 2], [[0, 0]] * 5)
    kinds = [(m.kind, f"{m.time:%H:%M}") for m in marks_of(d)]
    assert kinds == [("outage", "00:03"), ("trucks", "00:03"), ("trucks", "00:04"),
                     ("restore", "00:05")]


def test_truck_places_rank_water_above_the_lane_limit():
    d = _drill([1] * 3, [0] * 3, [[0.2, 0.5], [0.3, 0.6], [0.1, 0.1]])
    assert list(suggest_trucks(d)["point"]) == ["J2", "J1"]


def test_form_rules_name_the_field_and_keep_the_range():
    _, errors = check({"horizon_hours": "100", "outage_at_min": "-30",
                       "mobile_pumps": "abc", "duration_min": 60,
                       "outage_stations": ("PS01",)})
    assert errors["horizon_hours"].startswith("drill length (h, 0 = auto)")
    assert "allowed: 0 to 48 h" in errors["horizon_hours"]
    assert "got -30" in errors["outage_at_min"]
    assert "is not a number" in errors["mobile_pumps"]
    values, errors = check({"horizon_hours": "1.5", "mobile_pumps": "2",
                            "mobile_pumps_at_min": "45", "duration_min": 60})
    assert errors == {} and values["mobile_pumps"] == 2


def test_lost_chunk_is_found(results, tmp_path):
    from dashboards.stores import missing_chunks

    assert missing_chunks(results / "drill.zarr", ["ponded_depth", "road_closed"]) == []
    broken = tmp_path / "broken.zarr"
    shutil.copytree(results / "drill.zarr", broken)
    for f in (broken / "ponded_depth" / "c").rglob("*"):
        if f.is_file():
            f.unlink()
    assert missing_chunks(broken, ["ponded_depth"]) == ["ponded_depth (1 of 1)"]
