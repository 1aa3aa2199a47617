"""Which share of each plant's lines runs today: planned maintenance (each line down for a
fixed spell a year, the lines staggered so one at a time is out) and breakdowns (a line fails
with a daily probability and stays down a geometric number of days), from one stream.

Every day draws the same number of uniforms whatever the state, so two scenarios on the same
seed see the same breakdowns (common random numbers) even if their plants differ in size."""

from __future__ import annotations

import numpy as np


class Availability:
    """Lines per plant kind; `share(day_of_year)` -> {plant: share of lines running}."""

    def __init__(self, lines: dict[int, int], *, maintenance_days: float,
                 breakdowns_per_year: float, repair_days: float, rng: np.random.Generator):
        self.kinds = list(lines)
        self.lines = [max(1, int(lines[k])) for k in self.kinds]
        self.maintenance_days = maintenance_days
        self.p_fail = min(1.0, breakdowns_per_year / 365.0)
        self.p_repair = 1.0 / max(1.0, repair_days)  # geometric: mean repair_days
        self.rng = rng
        self.down = [np.zeros(n, bool) for n in self.lines]

    def planned_out(self, kind_index: int, day_of_year: int) -> np.ndarray:
        """Lines of one plant in planned maintenance on that day of the year (0-based)."""
        n = self.lines[kind_index]
        start = (np.arange(n) * 365.0 / n + 60.0 + 7.0 * kind_index) % 365.0  # from March
        into = (day_of_year - start) % 365.0
        return into < self.maintenance_days

    def share(self, day_of_year: int) -> dict[int, float]:
        u = self.rng.random((len(self.kinds), max(self.lines), 2))
        out = {}
        for i, kind in enumerate(self.kinds):
            n, down = self.lines[i], self.down[i]
            planned = self.planned_out(i, day_of_year)
            repaired = down & (u[i, :n, 1] < self.p_repair)
            failed = ~down & ~planned & (u[i, :n, 0] < self.p_fail)
            down[:] = (down & ~repaired) | failed
            out[kind] = float(np.count_nonzero(~(down | planned))) / n
        return out

    def expected_share(self) -> float:
        """Long-run share of line-days running (for the README's check against 8,000 h/yr)."""
        up = 1.0 - self.maintenance_days / 365.0
        fail_down = self.p_fail / (self.p_fail + self.p_repair)
        return up * (1.0 - fail_down)
