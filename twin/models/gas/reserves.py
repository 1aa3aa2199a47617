"""Peak-shaving reserves: storage at the gate stations (LNG or CNG station, gasholder) sized in
hours of the city's mean demand. It is what keeps customers supplied when the upstream source
fails; between outages it refills at a steady rate."""

from __future__ import annotations

import math

from twin.core.clock import DAY_S


class Reserves:
    """Storage level in kg, advanced lazily to the time of each hydraulic solve."""

    def __init__(self, mean_demand_kg_s: float, hours: float, refill_days: float):
        self.capacity_kg = mean_demand_kg_s * hours * 3600.0
        self.kg = self.capacity_kg
        self.refill_kg_s = self.capacity_kg / (refill_days * DAY_S)
        self.draw_kg_s = 0.0  # what the network took at the last solve
        self.out_until_s = -math.inf
        self.t_s = 0.0

    def outage(self, t_s: float, hours: float) -> None:
        self.advance(t_s)
        self.out_until_s = max(self.out_until_s, t_s + hours * 3600.0)

    def out(self, t_s: float) -> bool:
        return t_s < self.out_until_s

    def advance(self, t_s: float) -> None:
        """Draw the storage down during an outage, refill it otherwise, up to `t_s`."""
        while self.t_s < t_s:
            end = min(t_s, self.out_until_s) if self.out(self.t_s) else t_s
            dt = end - self.t_s
            if self.out(self.t_s):
                self.kg = max(self.kg - self.draw_kg_s * dt, 0.0)
            else:
                self.kg = min(self.kg + self.refill_kg_s * dt, self.capacity_kg)
            self.t_s = end

    def no_gas(self, t_s: float) -> bool:
        """Sources out and the storage empty: nothing to feed the network."""
        return self.out(t_s) and self.kg <= 1e-9

    def empty_at_s(self, t_s: float) -> float:
        """When the storage runs dry at the current draw (inf if it will not)."""
        if not self.out(t_s) or self.draw_kg_s <= 0:
            return math.inf
        return t_s + self.kg / self.draw_kg_s

    def cover_h(self, demand_kg_s: float) -> float:
        """Hours of supply the storage holds now at this demand (after a source outage)."""
        return self.kg / demand_kg_s / 3600.0 if demand_kg_s > 0 else math.inf
