"""Run the waste model alone: a stub stands in for the households model and publishes
`waste_deliveries` at 00:00 each day (before the waste model reads them, as in a real run)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from twin.core.clock import DAY_S, Calendar, Clock
from twin.core.model import RunContext
from twin.core.recorder import Recorder
from twin.core.rng import RunSeed, Streams
from twin.coupling import Exchange
from twin.models.waste.model import WasteModel

# stream split of household waste (food, recyclable, hazardous, residual) for the stub
STUB_SPLIT = np.array([0.35, 0.15, 0.002, 0.498])


def stub_deliveries(city, *, kg_per_person_day=1.0, split=STUB_SPLIT, cv=0.15, seed=0,
                    seasonal=None, start=dt.date(2023, 3, 1)):
    """deliveries(day) -> [point, stream] tonnes: people per point x per-capita rate x split,
    with gamma day-to-day noise and an optional month -> factor map."""
    people = np.bincount(city.households.collection_point, weights=city.households.size)
    rng = np.random.default_rng(seed)

    def deliveries(day: int) -> np.ndarray:
        f = 1.0
        if seasonal is not None:
            f = seasonal[(start + dt.timedelta(days=day)).month]
        noise = rng.gamma(1 / cv**2, cv**2, size=(len(people), len(split))) if cv else 1.0
        return people[:, None] * kg_per_person_day / 1000.0 * f * split[None, :] * noise

    return deliveries


def run_waste(params, deliveries, *, city, days, start=dt.datetime(2023, 3, 1), seed=1):
    """Run the waste model for `days` days; returns (dataset, model)."""
    clock = Clock(Calendar(start), days * DAY_S)
    ctx = RunContext(clock, city, Streams(RunSeed(seed)), Recorder(clock.calendar), Exchange(),
                     Path.cwd(), {})
    clock.every(DAY_S, lambda t: ctx.exchange.publish(
        "waste_deliveries", deliveries(int(round(t / DAY_S))), producer="households"))
    model = WasteModel(ctx, params)
    ctx.models["waste"] = model
    model.start()
    clock.run()
    model.finish()
    return ctx.recorder.to_dataset(), model
