"""Channels, ordering and load-time checks of the coupled kernel."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from twin.core import registry
from twin.core.errors import ScenarioError, TwinError
from twin.core.model import TwinModel
from twin.core.run import build_order
from twin.core.scenario import parse_scenario
from twin.coupling import Channel, Exchange
from twin.testing import run_models


def _doc(models, events=(), **head):
    return {"scenario": {"start": dt.datetime(2024, 7, 1), "horizon_hours": 2, **head},
            "models": models, "events": list(events)}


@pytest.mark.parametrize("event, key, allowed", [
    ({"kind": "pump_outage", "station": "PS99"}, "events[0].station", "PS01"),
    ({"kind": "pump_restore", "station": "PS99"}, "events[0].station", "PS01"),
    ({"kind": "inlet_blockage", "node": "J99999"}, "events[0].node", "J0"),
])
def test_unknown_stations_and_nodes_stop_at_load_naming_file_and_event(event, key, allowed,
                                                                       tmp_path):
    path = tmp_path / "drill.toml"
    with pytest.raises(ScenarioError) as e:
        parse_scenario(_doc({"drainage": {}}, [{"at": "01:00", "model": "drainage", **event}]),
                       path)
    assert e.value.path == path and e.value.key == key and allowed in e.value.message


def test_known_station_passes_the_load_check():
    sc = parse_scenario(_doc({"drainage": {}}, [{"at": "01:00", "model": "drainage",
                                                 "kind": "pump_outage", "station": "PS01"}]))
    assert sc.events[0].payload.station == "PS01"


def test_decouple_names_channels_only():
    with pytest.raises(ScenarioError, match="scenario.decouple: unknown channel 'roads'; "
                       "allowed: closed_roads"):
        parse_scenario(_doc({"households": {}}, decouple=["roads"]))
    sc = parse_scenario(_doc({"households": {}}, decouple=["closed_roads"]))
    assert sc.decoupled == {"closed_roads"}


def test_uses_orders_models_only_when_present():
    assert build_order(["waste", "households"]) == ["households", "waste"]
    assert build_order(["waste", "drainage", "households"]) == ["households", "drainage",
                                                                 "waste"]


def test_exchange_versions_subscribers_and_decoupling():
    chans = {"c": Channel("c", "1", "a channel", "p")}
    ex = Exchange(chans, readers={"r": ("c",), "q": ()})
    seen = []
    ex.subscribe("c", lambda v, t: seen.append((v, t)), reader="r")
    assert ex.version("c") == 0 and ex.read("c", "none", reader="r") == "none"
    ex.publish("c", 5, producer="p", t_s=60.0)
    ex.publish("c", 5, producer="p", t_s=120.0)  # same value: still a new version
    assert ex.version("c") == 2 and seen == [(5, 60.0), (5, 120.0)]
    with pytest.raises(TwinError, match="produced by 'p'; model 'x' may not publish"):
        ex.publish("c", 1, producer="x")
    with pytest.raises(TwinError, match="model 'q' reads channel 'c' without listing it"):
        ex.read("c", reader="q")
    with pytest.raises(TwinError, match="no model declares"):
        ex.read("nope", reader="r")
    cut = Exchange(chans, decoupled={"c"}, readers={"r": ("c",)})
    cut.subscribe("c", lambda v, t: seen.append(v), reader="r")
    cut.publish("c", 9, producer="p")
    assert cut.read("c", 0, reader="r") == 0 and seen[-1] != 9 and not cut.delivers("c")


@dataclass(frozen=True)
class _NoParams:
    """None."""


def test_a_model_publishing_an_undeclared_channel_is_told_at_its_first_publish():
    class Loud(TwinModel):
        name, Params = "loud_test_model", _NoParams

        def start(self):
            self.publish("not_declared_anywhere", 1)

    registry.register(Loud)
    with pytest.raises(TwinError, match="model 'loud_test_model' uses channel "
                       "'not_declared_anywhere', which no model declares"):
        run_models({"loud_test_model": {}}, hours=1)


def test_feeding_a_channel_whose_producer_runs_is_refused():
    with pytest.raises(TwinError, match="its producer 'households' runs"):
        run_models({"households": {}}, hours=1, channels={"waste_deliveries": 0})
