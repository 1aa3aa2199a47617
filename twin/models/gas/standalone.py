"""The gas model started alone on a city, outside a scenario (benchmarks, tests that poke at
a running model): its own clock, context and recorder; channels as registered models declare
them, so a test can publish `closed_roads` as drainage would."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from twin.core import registry
from twin.core.clock import DAY_S, Calendar, Clock
from twin.core.model import RunContext
from twin.core.recorder import Recorder
from twin.core.rng import RunSeed, Streams
from twin.coupling import Exchange
from twin.models.gas.model import GasModel
from twin.models.gas.params import GasParams


def started_model(city, params: GasParams | None = None, *, days: float = 1.0, seed: int = 0,
                  start: dt.datetime = dt.datetime(2024, 1, 8)) -> GasModel:
    """A started GasModel whose clock has not run (`m.ctx.clock.run()` runs it)."""
    registry.register(GasModel)  # harmless once the entry point exists
    clock = Clock(Calendar(start), days * DAY_S)
    ctx = RunContext(clock, city, Streams(RunSeed(seed)), Recorder(clock.calendar), Exchange(),
                     Path.cwd(), {})
    m = GasModel(ctx, params or GasParams())
    ctx.models["gas"] = m
    ctx.recorder.model = "gas"
    m.start()
    return m
