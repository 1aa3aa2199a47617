"""Run the parking model alone on a city, with channels published by stubs (as drainage and
households would) at given times: for tests and benchmarks/parking.py."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from twin.core.clock import Calendar, Clock
from twin.core.model import RunContext
from twin.core.recorder import Recorder
from twin.core.rng import RunSeed, Streams
from twin.coupling import Channel, Exchange
from twin.models.parking.model import ParkingModel
from twin.models.parking.params import ParkingParams

STUB_CHANNELS = {
    "closed_roads": Channel("closed_roads", "1", "stub", "drainage"),
    "street_water_depth": Channel("street_water_depth", "m", "stub", "drainage"),
    "population": Channel("population", "1", "stub", "households"),
}


def _context(city, hours, start, seed):
    clock = Clock(Calendar(start), hours * 3600.0)
    channels = dict(STUB_CHANNELS)
    for c in ParkingModel.publishes:
        channels[c.name] = Channel(c.name, c.units, c.doc, "parking")
    ctx = RunContext(clock, city, Streams(RunSeed(seed)), Recorder(clock.calendar),
                     Exchange(channels), Path.cwd(), {})
    ctx.recorder.model = "parking"
    return clock, ctx


def run_parking(params=None, *, city, hours=24, start=dt.datetime(2024, 6, 3), seed=1,
                events=(), publish=()):
    """`events`: (t_s, kind, payload); `publish`: (t_s, channel, value). Returns (ds, model)."""
    clock, ctx = _context(city, hours, start, seed)
    model = ParkingModel(ctx, params or ParkingParams())
    ctx.models["parking"] = model
    model.start()
    for t, ch, value in publish:
        clock.at(t, lambda _t, ch=ch, value=value: ctx.exchange.publish(
            ch, value, producer=STUB_CHANNELS[ch].producer, t_s=_t))
    for t, kind, payload in events:
        clock.at(t, lambda _t, k=kind, pl=payload: model.handle(k, pl))
    clock.run()
    model.finish()
    return ctx.recorder.to_dataset(), model


def run_parking_timed(city, params=None, hours=24, seed=1) -> tuple[float, int, float]:
    """(wall s of the simulated day, events processed, set-up s): for the benchmark."""
    clock, ctx = _context(city, hours, dt.datetime(2024, 6, 3), seed)
    t0 = time.perf_counter()
    model = ParkingModel(ctx, params or ParkingParams())
    model.start()
    setup = time.perf_counter() - t0
    c0 = time.perf_counter()
    clock.run()
    model.finish()
    return time.perf_counter() - c0, model.engine.events + int(hours), setup
