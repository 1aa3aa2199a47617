"""A researcher's plugin, written only against twin's public API: a tram line whose riders
fall when streets flood. Installed in the tests through a `.dist-info` with entry points,
exactly as `pip install` would register it; twin is not edited."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.core.clock import HOUR_S
from twin.core.model import TwinModel
from twin.core.params import param
from twin.coupling import Channel


@dataclass(frozen=True)
class TramParams:
    """A tram line along the city's road nodes."""

    stops: int = param(6, "number of tram stops (the first road nodes)", lo=2, hi=50)
    riders_per_h: float = param(800.0, "riders per hour on a dry day", lo=0.0, hi=1e5)
    flood_stop_depth_m: float = param(0.15, "street water that closes a stop", lo=0.0, hi=2.0)


@dataclass(frozen=True)
class StopClosure:
    """A stop closes for works."""

    stop: str = param("", "stop name (T0, T1, ...)")


class TramModel(TwinModel):
    name = "trams"
    Params = TramParams
    events = {"stop_closure": StopClosure}
    uses = ("drainage",)
    reads = ("street_water_depth",)
    publishes = (Channel("tram_riders", "1/h", "Riders per hour on the tram line, published "
                         "every hour."),)

    @classmethod
    def check_event(cls, kind, payload, params, city):
        names = [f"T{i}" for i in range(params.stops)]
        if payload.stop not in names:
            yield "stop", f"unknown stop {payload.stop!r}; allowed: " + ", ".join(names)

    def start(self):
        self.closed = set()
        self.changes = 0
        self.subscribe("street_water_depth", lambda _v, _t: self._count())
        rec = self.ctx.recorder
        rec.coord("tram_stop", [f"T{i}" for i in range(self.params.stops)])
        rec.declare("tram_riders", units="1/h", long_name="tram riders", time_dim="hour")
        rec.declare("tram_stops_flooded", dims=("tram_stop",), units="1", time_dim="hour",
                    long_name="tram stop under water", dtype=np.int8)
        rec.declare("tram_water_updates", units="1", time_dim=None,
                    long_name="street-water updates seen")
        self.ctx.clock.every(HOUR_S, self._hour)

    def _count(self):
        self.changes += 1

    def _hour(self, t_s):
        water = self.read("street_water_depth")
        stops = np.arange(self.params.stops)
        wet = (np.zeros(len(stops), bool) if water is None
               else water[stops] > self.params.flood_stop_depth_m)
        open_share = 1.0 - (wet.sum() + len(self.closed)) / len(stops)
        riders = self.params.riders_per_h * max(open_share, 0.0)
        self.publish("tram_riders", riders)
        self.ctx.recorder.append("tram_riders", t_s, riders)
        self.ctx.recorder.append("tram_stops_flooded", t_s, wet.astype(np.int8))

    def handle(self, kind, payload):
        self.closed.add(payload.stop)

    def finish(self):
        self.ctx.recorder.set("tram_water_updates", self.changes)


@dataclass(frozen=True)
class NoParams:
    """No parameters."""


class TramDepotModel(TwinModel):
    """A second plugin that reads the first plugin's channel."""

    name = "tram_depot"
    Params = NoParams
    requires = ("trams",)
    reads = ("tram_riders",)

    def start(self):
        self.ctx.recorder.declare("depot_fare_income", units="CNY/h", time_dim="hour",
                                  long_name="fare income (2 CNY a ride)")
        self.ctx.clock.every(HOUR_S, self._hour)

    def _hour(self, t_s):
        self.ctx.recorder.append("depot_fare_income", t_s, 2.0 * self.read("tram_riders", 0.0))


class LonelyReader(TwinModel):
    """Reads a channel nobody publishes: refused at load."""

    name = "lonely"
    Params = NoParams
    reads = ("nobody_publishes_this",)


class Usurper(TwinModel):
    """Declares a channel drainage already publishes: refused at load."""

    name = "usurper"
    Params = NoParams
    publishes = (Channel("closed_roads", "1", "mine too"),)
