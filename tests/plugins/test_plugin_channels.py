"""A plugin package publishes its own channel, is read by another plugin, and is validated at
load, without touching twin (issue: one city, coupled)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from twin.cli import main, validation_paths
from twin.core.errors import ScenarioError
from twin.core.scenario import parse_scenario
from twin.testing import run_models

TRAMS = {"twin.models": {"trams": "tramco:TramModel", "tram_depot": "tramco:TramDepotModel"}}


def _doc(models, events=()):
    return {"scenario": {"start": dt.datetime(2021, 7, 20), "horizon_hours": 2},
            "models": models, "events": list(events)}


def test_a_plugin_channel_flows_to_another_plugin(installed):
    installed(TRAMS)
    out = run_models({"trams": {"riders_per_h": 600.0}, "tram_depot": {}}, hours=4)
    assert out.ds["depot_fare_income"].values.tolist() == [1200.0] * 4
    assert out.ds["tram_riders"].attrs["model"] == "trams"
    assert [v for _t, v in out.published["tram_riders"]] == [600.0] * 4


def test_a_plugin_reads_drainage_water_and_is_told_each_change(installed):
    installed(TRAMS)
    out = run_models({"trams": {"stops": 50, "flood_stop_depth_m": 0.0}, "drainage": {}},
                     hours=2)
    strides = out.ds.sizes["drainage_time"]
    assert int(out.ds["tram_water_updates"]) == strides == len(out.published[
        "street_water_depth"])
    assert out.ds["tram_riders"].dims == ("hour",) and out.ds.sizes["hour"] == 2


def test_a_plugin_channel_is_listed_by_twin_channels(installed, capsys):
    installed(TRAMS)
    assert main(["channels"]) == 0
    text = capsys.readouterr().out
    assert "tram_riders  [1/h]  trams -> tram_depot" in text
    assert re.search(r"street_water_depth  \[m\]  drainage -> .*\btrams\b", text)


def test_plugin_event_names_are_checked_at_load(installed):
    installed(TRAMS)
    bad = _doc({"trams": {"stops": 3}},
               [{"at": "00:30", "model": "trams", "kind": "stop_closure", "stop": "T7"}])
    with pytest.raises(ScenarioError, match=r"events\[0\]\.stop: unknown stop 'T7'; allowed: "
                       "T0, T1, T2"):
        parse_scenario(bad)


def test_reading_a_channel_nobody_publishes_is_refused_at_load(installed):
    installed({"twin.models": {"lonely": "tramco:LonelyReader"}})
    with pytest.raises(ScenarioError, match="model 'lonely' reads channel "
                       "'nobody_publishes_this', which no registered model publishes"):
        parse_scenario(_doc({"lonely": {}}))


def test_two_producers_of_one_channel_are_named_at_load(installed):
    installed({"twin.models": {"usurper": "tramco:Usurper"}})
    with pytest.raises(ScenarioError, match="'closed_roads' is published by both 'drainage' "
                       "and 'usurper'"):
        parse_scenario(_doc({"households": {}}))


def test_twin_validate_runs_a_plugins_validations(installed):
    installed({**TRAMS, "twin.validations": {"trams": "tramco.validations"}})
    paths = validation_paths()
    assert len(paths) == 1 and paths[0].endswith("validations.py")
    import pytest as pt

    assert pt.main([paths[0], "-q", "-p", "no:cacheprovider"]) == 0
