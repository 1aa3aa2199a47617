"""A cheap growth model for calibration tests: y(t) = cap x (1 - exp(-rate x t)) per day,
with small seeded noise, so two parameters are identifiable from a few windows."""

from __future__ import annotations

import math
from dataclasses import dataclass

from twin.core.model import TwinModel
from twin.core.params import param


@dataclass(frozen=True)
class GrowthParams:
    """Parameters of the toy growth."""

    rate_per_day: float = param(0.05, "growth rate, 1/day", lo=0.0, hi=1.0)
    cap_t: float = param(100.0, "level reached, t", lo=0.0, hi=1000.0)
    noise_sd_t: float = param(0.5, "daily noise, t", lo=0.0, hi=100.0)
    fail_above_cap_t: float | None = param(None, "raise when cap exceeds this")


class ToyGrowth(TwinModel):
    """Toy growth towards a cap."""

    name = "toygrowth"
    Params = GrowthParams
    events = {}

    def start(self) -> None:
        p = self.params
        if p.fail_above_cap_t is not None and p.cap_t > p.fail_above_cap_t:
            raise RuntimeError("cap too high for the toy")
        self.rng = self.ctx.streams.generator("toygrowth.noise")
        self.ctx.recorder.declare("stock", dims=("district",), units="t", long_name="stock",
                                  coords={"district": list(self.ctx.city.districts.name)})
        self.ctx.clock.every(86400.0, self.tick)

    def tick(self, t_s: float) -> None:
        p = self.params
        n = len(self.ctx.city.districts)
        y = p.cap_t * (1 - math.exp(-p.rate_per_day * t_s / 86400.0))
        self.ctx.recorder.append("stock", t_s, y / n + self.rng.normal(0, p.noise_sd_t, n))

    def finish(self) -> None:
        pass
