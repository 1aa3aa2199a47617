"""Treatment plants with a daily capacity and a waste bunker: incineration, anaerobic digestion
(its residue goes to incineration), a recycling facility (its rejects go to incineration) and
hazardous-waste treatment.

A load is treated from the day's available capacity; what finds it used up waits in the
plant's bunker (capacity in days of throughput) and is treated first on the next days. Food
waste that finds the digestion bunker full is burnt instead, so is a recycling overflow; only
what the incinerator's bunker cannot take goes to landfill, raw. Incineration leaves bottom
and fly ash (residues, not raw waste): counted in `ash_t`, not in the landfill figures."""

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
    STREAMS,
)

DAY_S = 86_400.0
BUNKERED = (DIGESTION, RECYCLING, INCINERATION)  # treated from their bunkers in this order
OVERFLOW_TO = {DIGESTION: INCINERATION, RECYCLING: INCINERATION, INCINERATION: LANDFILL}


class Plants:
    """Daily capacities (t/day) and bunkers per destination; `receive` books every tonne."""

    def __init__(self, capacity_t_per_day: dict[int, float], *, residue_share: float,
                 reject_share: float, ledger, bunker_days: dict[int, float] | None = None,
                 ash_share: float = 0.0):
        self.cap = [math.inf] * len(DESTINATIONS)
        for d, c in capacity_t_per_day.items():
            self.cap[d] = float(c)
        self.cap[LANDFILL] = math.inf
        days = bunker_days or {}
        self.bunker_cap = [self.cap[d] * days.get(d, 0.0) if math.isfinite(self.cap[d]) else 0.0
                           for d in range(len(DESTINATIONS))]
        self.residue_share = residue_share
        self.reject_share = reject_share
        self.ash_share = ash_share
        self.ledger = ledger
        self.today = list(self.cap)  # capacity available today (after outages)
        self.used = [0.0] * len(DESTINATIONS)
        self.bunker = np.zeros((len(DESTINATIONS), len(STREAMS)))  # [dest, stream] t
        self.offered = [0.0] * len(DESTINATIONS)  # arrivals since the last `pop_offered`
        self.treated = [0.0] * len(DESTINATIONS)  # input treated since the last `pop_day`
        self.ash = 0.0
        self.day = 0

    def new_day(self, day: int, availability: dict[int, float] | None = None) -> None:
        """Open day `day` with a share of each plant's capacity available; the bunkers are
        treated first (digestion and recycling before incineration, which takes their
        residues)."""
        self.day = day
        self.used = [0.0] * len(DESTINATIONS)
        av = availability or {}
        self.today = [c * av.get(d, 1.0) if math.isfinite(c) else c
                      for d, c in enumerate(self.cap)]
        for d in BUNKERED:
            held = float(self.bunker[d].sum())
            take = min(held, self.today[d])
            if take <= 0:
                continue
            out = self.bunker[d] * (take / held)  # the bunker is mixed: take its mix
            self.bunker[d] -= out
            self.used[d] += take
            self.ledger.move("bunkers", None, take)
            for s, t in enumerate(out.tolist()):
                if t > 0:
                    self._treat(s, d, t)

    def receive(self, stream: int, dest: int, tonnes: float, t_s: float) -> None:
        """Treat up to the day's remaining capacity, store the rest in the bunker while it
        has room, send what is left on (digestion, recycling -> incineration -> landfill)."""
        day = int(t_s // DAY_S)
        if day != self.day:
            self.new_day(day)
        self.offered[dest] += tonnes
        accept = min(tonnes, max(0.0, self.today[dest] - self.used[dest]))
        self.used[dest] += accept
        rest = tonnes - accept
        store = min(rest, max(0.0, self.bunker_cap[dest] - float(self.bunker[dest].sum())))
        if store > 0:
            self.bunker[dest, stream] += store
            self.ledger.move(None, "bunkers", store)
            rest -= store
        if rest > 1e-12:
            nxt = OVERFLOW_TO.get(dest, LANDFILL)
            if nxt == LANDFILL:
                self.ledger.dispose(stream, LANDFILL, rest)
            else:
                self.receive(stream, nxt, rest, t_s)
        if accept > 0:
            self._treat(stream, dest, accept)

    def _treat(self, stream: int, dest: int, tonnes: float) -> None:
        """Book `tonnes` treated at `dest`; residues and rejects go on to incineration."""
        self.treated[dest] += tonnes
        book = self.ledger.dispose
        if dest in (DIGESTION, RECYCLING):
            rest = tonnes * (self.residue_share if dest == DIGESTION else self.reject_share)
            book(stream, dest, tonnes - rest)
            if rest > 0:
                self.receive(stream, INCINERATION, rest, self.day * DAY_S)
            return
        if dest == INCINERATION:
            self.ash += tonnes * self.ash_share
        book(stream, dest, tonnes)

    def capacities(self) -> np.ndarray:
        return np.asarray(self.cap)

    def bunker_t(self) -> np.ndarray:
        """Tonnes waiting in each destination's bunker."""
        return self.bunker.sum(axis=1)

    def pop_offered(self) -> np.ndarray:
        """Tonnes that arrived at each destination (accepted, stored or sent on) since the
        last call: the capacity a plant would have needed to take them on arrival."""
        out = np.asarray(self.offered)
        self.offered = [0.0] * len(DESTINATIONS)
        return out

    def pop_day(self) -> tuple[np.ndarray, np.ndarray, float]:
        """(input treated per destination, capacity available today, ash t) since last call."""
        out = np.asarray(self.treated), np.asarray(self.today), self.ash
        self.treated = [0.0] * len(DESTINATIONS)
        self.ash = 0.0
        return out


__all__ = ["Plants", "HAZARDOUS_TREATMENT"]
