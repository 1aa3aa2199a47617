"""A minimal model for kernel tests: Poisson counts per district per day, plus a bump event."""

from __future__ import annotations

from dataclasses import dataclass

from twin.core.model import TwinModel
from twin.core.params import param


@dataclass(frozen=True)
class CountingParams:
    """Parameters of the counting model."""

    rate_per_day: float = param(3.0, "Mean count per district per day", lo=0.0, hi=1e6)
    label: str = param("a", "A choice, to test choices", choices=("a", "b"))
    window_days: int = param(1, "An integer parameter", lo=1, hi=30)


@dataclass(frozen=True)
class Bump:
    """Add a constant to every later count."""

    amount: float = param(1.0, "Added to each count", lo=0.0)


class CountingModel(TwinModel):
    """Counts Poisson events per district each day (kernel test model)."""

    name = "counting"
    Params = CountingParams
    events = {"bump": Bump}

    def start(self) -> None:
        self.rng = self.ctx.streams.generator("counting")
        self.extra = 0.0
        self.ctx.recorder.declare("count", dims=("district",), units="1/d",
                                  long_name="events per district per day",
                                  coords={"district": list(self.ctx.city.districts.name)})
        self.ctx.recorder.declare("total", units="1", long_name="events in the run",
                                  time_dim=None)
        self.sum = 0.0
        self.ctx.clock.every(86_400.0, self.tick)

    def tick(self, t_s: float) -> None:
        n = len(self.ctx.city.districts)
        counts = self.rng.poisson(self.params.rate_per_day, n) + self.extra
        self.sum += counts.sum()
        self.ctx.recorder.append("count", t_s, counts)

    def handle(self, kind: str, payload: Bump) -> None:
        self.extra += payload.amount

    def finish(self) -> None:
        self.ctx.recorder.set("total", self.sum)

    @classmethod
    def summarize(cls, ds):
        return [("events counted", float(ds["total"]), "1")]
