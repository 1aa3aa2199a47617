"""The model protocol: what every subsystem (built-in or from a researcher's package) provides."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from twin.core.clock import Calendar, Clock
from twin.core.recorder import Recorder
from twin.core.rng import Streams

if TYPE_CHECKING:
    from twin.city import City
    from twin.coupling import Channel, Exchange


@dataclass
class RunContext:
    """Everything a model may touch during one run; no module-level state anywhere else."""

    clock: Clock
    city: City
    streams: Streams
    recorder: Recorder
    exchange: Exchange
    scenario_dir: Path
    models: dict[str, TwinModel]

    @property
    def calendar(self) -> Calendar:
        return self.clock.calendar

    @property
    def horizon_s(self) -> float:
        return self.clock.horizon_s


class TwinModel:
    """Base class of a subsystem model.

    Subclasses set `name`, `Params` (one frozen dataclass, units in field names), `events`
    (event kind -> frozen payload dataclass), `requires` (models that must be in the scenario,
    built before this one), `uses` (built before this one when present), `publishes` (the
    channels it produces, `Channel(name, units, doc)`) and `reads` (channel names it reads).
    The kernel builds models in scenario order after their requirements, calls `start()` so
    they register SimPy processes, announces each event with `expect()`, delivers it with
    `handle()` at its time, and calls `finish()` once the horizon is reached.
    """

    name: ClassVar[str]
    Params: ClassVar[type]
    events: ClassVar[dict[str, type]] = {}
    requires: ClassVar[tuple[str, ...]] = ()
    uses: ClassVar[tuple[str, ...]] = ()
    publishes: ClassVar[tuple[Channel, ...]] = ()
    reads: ClassVar[tuple[str, ...]] = ()

    def __init__(self, ctx: RunContext, params: Any):
        self.ctx = ctx
        self.params = params

    @classmethod
    def check_event(cls, kind: str, payload: Any, params: Any, city: City):
        """Called when a scenario is loaded, for each of this model's events: yield
        `(field, message)` for every problem (a station, node or lot the city or network does
        not have), so a wrong name stops at load with the file, event and allowed values."""
        return ()

    @classmethod
    def horizon_limit(cls, params: Any, start: dt.datetime) -> tuple[float, str] | None:
        """The longest horizon (s) this model can run from `start` with these parameters, and
        why, or None when the kernel's limit (HORIZON_LIMIT_DAYS) is its own; 0 when it cannot
        run from that start at all. A scenario asking for more stops at load with the reason,
        instead of failing, filling memory or silently losing an effect hours later."""
        return None

    @classmethod
    def check_params(cls, params: Any, city: City):
        """Called when a scenario is loaded: yield `(field, message)` for every parameter that
        does not fit the city (one value per district, a network file off the city's roads),
        so the mistake stops at load naming `models.<model>.<field>`."""
        return ()

    def publish(self, channel: str, value: Any) -> None:
        """Publish a value on a channel this model declares in `publishes`."""
        self.ctx.exchange.publish(channel, value, producer=self.name, t_s=self.ctx.clock.now_s)

    def read(self, channel: str, default: Any = None) -> Any:
        """The latest value of a channel listed in `reads` (`default` before it is published,
        when its producer is not in the scenario, or when the scenario decouples it)."""
        return self.ctx.exchange.read(channel, default, reader=self.name)

    def subscribe(self, channel: str, fn) -> None:
        """Call `fn(value, t_s)` whenever a channel listed in `reads` is published."""
        self.ctx.exchange.subscribe(channel, fn, reader=self.name)

    def start(self) -> None:
        """Register processes on `self.ctx.clock` and declare outputs on the recorder."""

    def expect(self, at_s: float) -> None:
        """An event for this model is scheduled at at_s (told before the clock runs, so a
        model that computes ahead of the clock knows where to stop)."""

    def handle(self, kind: str, payload: Any) -> None:
        """Apply a scenario event at its time."""
        raise NotImplementedError(f"model {self.name!r} has no event {kind!r}")

    def finish(self) -> None:
        """Record end-of-run outputs."""

    @classmethod
    def summarize(cls, ds) -> list[tuple[str, float, str]]:
        """Headline figures (label, value, unit) of this model's results, for `twin run`."""
        return []
