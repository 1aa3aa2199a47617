"""Run the array engine or the Mesa reference alone (no scenario, no other models), for
tests, validation and benchmarks. Both return the same per-day series."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

import numpy as np

from twin.core.clock import DAY_S, Calendar
from twin.core.rng import RunSeed, Streams
from twin.models.households.adoption import DayOutputs, HouseholdsABM
from twin.models.households.mesa_reference import MesaHouseholds
from twin.models.households.params import HouseholdsParams
from twin.models.households.population import build_population

SERIES = ("participation", "generated", "sorted", "unsorted", "deliveries", "sorted_share")


@dataclass
class Series:
    """City totals per day: participation (share), tonnes per stream (generated, sorted,
    unsorted), deliveries per container, separation rate; and the CPU seconds of the steps."""

    participation: list = field(default_factory=list)
    generated: list = field(default_factory=list)
    sorted: list = field(default_factory=list)
    unsorted: list = field(default_factory=list)
    deliveries: list = field(default_factory=list)
    sorted_share: list = field(default_factory=list)
    cpu_s: float = 0.0

    def record(self, out: DayOutputs, households_per_district: np.ndarray) -> None:
        w = households_per_district
        self.participation.append(float((out.participation * w).sum() / w.sum()))
        self.generated.append(out.generated.sum(axis=0))
        self.sorted.append(out.sorted.sum(axis=0))
        self.unsorted.append(out.unsorted.sum(axis=0))
        self.deliveries.append(out.deliveries.sum(axis=0))
        gen = out.generated.sum()
        self.sorted_share.append(float(out.sorted[:, 0].sum() / gen) if gen else 0.0)

    def arrays(self) -> dict[str, np.ndarray]:
        return {k: np.asarray(getattr(self, k)) for k in SERIES}


def make_engine(city, params: HouseholdsParams, seed: int, start: dt.date,
                population_seed: int | None = None):
    """The array engine on the population of run seed `population_seed` (default `seed`);
    its daily draws come from run seed `seed`, as in a run."""
    streams = Streams(RunSeed(seed))
    ps = seed if population_seed is None else population_seed
    pop = build_population(city, params, streams if ps == seed else Streams(RunSeed(ps)))
    cal = Calendar(dt.datetime.combine(start, dt.time()))
    return HouseholdsABM(params, pop, streams, cal), pop


def run_engine(city, params: HouseholdsParams, days: int, *, seed: int = 0,
               start: dt.date = dt.date(2019, 3, 1), events=(),
               population_seed: int | None = None) -> Series:
    """The array engine for `days` days; `events` are (day, share) supervision withdrawals."""
    abm, pop = make_engine(city, params, seed, start, population_seed)
    return _loop(abm, days, abm.households_per_district, events,
                 lambda d: abm.advance(d * DAY_S))


def run_reference(city, params: HouseholdsParams, days: int, *, seed: int = 0,
                  start: dt.date = dt.date(2019, 3, 1), events=(),
                  population_seed: int | None = None) -> Series:
    """The Mesa reference on the population of run seed `population_seed` (default `seed`)."""
    ps = seed if population_seed is None else population_seed
    pop = build_population(city, params, Streams(RunSeed(ps)))
    cal = Calendar(dt.datetime.combine(start, dt.time()))
    model = MesaHouseholds(params, pop, cal, seed=10_000 + seed)

    def step(_d):
        model.step()
        return model.out

    return _loop(model, days, model.households_per_district, events, step)


def _loop(model, days, hh_per_district, events, step) -> Series:
    s = Series()
    ev = dict(events)
    for d in range(days):
        if d in ev:
            model.withdraw_supervision(ev[d])
        t0 = time.process_time()
        out = step(d)
        s.cpu_s += time.process_time() - t0
        s.record(out, hh_per_district)
    return s
