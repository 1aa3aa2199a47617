"""Treatment plants with a daily capacity: incineration, anaerobic digestion (its residue goes
to incineration), a recycling facility (its rejects go to incineration) and hazardous-waste
treatment. A load that finds the day's capacity used up goes to landfill, as raw waste."""

from __future__ import annotations

import math

import numpy as np

from twin.models.waste.params import (
    DESTINATIONS,
    DIGESTION,
    HAZARDOUS_TREATMENT,
    INCINERATION,
    LANDFILL,
    RECYCLING,
)

DAY_S = 86_400.0


class Plants:
    """Daily capacities (t/day) per destination; `receive` books every tonne's fate."""

    def __init__(self, capacity_t_per_day: dict[int, float], *, residue_share: float,
                 reject_share: float, ledger):
        self.cap = [math.inf] * len(DESTINATIONS)
        for d, c in capacity_t_per_day.items():
            self.cap[d] = float(c)
        self.cap[LANDFILL] = math.inf
        self.residue_share = residue_share
        self.reject_share = reject_share
        self.ledger = ledger
        self.used = [0.0] * len(DESTINATIONS)
        self.offered = [0.0] * len(DESTINATIONS)  # arrivals since the last `pop_offered`
        self.day = 0

    def receive(self, stream: int, dest: int, tonnes: float, t_s: float) -> None:
        """Accept up to the day's remaining capacity; the rest is landfilled."""
        day = int(t_s // DAY_S)
        if day != self.day:
            self.day, self.used = day, [0.0] * len(DESTINATIONS)
        self.offered[dest] += tonnes
        accept = min(tonnes, max(0.0, self.cap[dest] - self.used[dest]))
        self.used[dest] += accept
        book = self.ledger.dispose
        if tonnes > accept:
            book(stream, LANDFILL, tonnes - accept)
        if dest == DIGESTION:
            rest = accept * self.residue_share
            book(stream, DIGESTION, accept - rest)
            self.receive(stream, INCINERATION, rest, t_s)
        elif dest == RECYCLING:
            rest = accept * self.reject_share
            book(stream, RECYCLING, accept - rest)
            self.receive(stream, INCINERATION, rest, t_s)
        else:
            book(stream, dest, accept)

    def capacities(self) -> np.ndarray:
        return np.asarray(self.cap)

    def pop_offered(self) -> np.ndarray:
        """Tonnes that arrived at each destination (accepted or turned away) since last call:
        the capacity a plant would have needed to take them all."""
        out = np.asarray(self.offered)
        self.offered = [0.0] * len(DESTINATIONS)
        return out


__all__ = ["Plants", "HAZARDOUS_TREATMENT"]
