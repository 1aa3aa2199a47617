"""The model protocol: what every subsystem (built-in or from a researcher's package) provides."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from twin.core.clock import Calendar, Clock
from twin.core.recorder import Recorder
from twin.core.rng import Streams

if TYPE_CHECKING:
    from twin.city import City
    from twin.coupling import Exchange


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
    (event kind -> frozen payload dataclass) and `requires` (models built before this one).
    The kernel builds models in scenario order after their requirements, calls `start()` so
    they register SimPy processes, announces each event with `expect()`, delivers it with
    `handle()` at its time, and calls `finish()` once the horizon is reached.
    """

    name: ClassVar[str]
    Params: ClassVar[type]
    events: ClassVar[dict[str, type]] = {}
    requires: ClassVar[tuple[str, ...]] = ()

    def __init__(self, ctx: RunContext, params: Any):
        self.ctx = ctx
        self.params = params

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
