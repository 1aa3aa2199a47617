"""Collection points: when residents drop waste (opening windows), how full each container is
when a truck arrives, and overflow.

Containers are not simulated deposit by deposit: a day's tonnes at a point arrive along a fixed
cumulative profile (two opening windows plus a thin missed-time trickle), so a container's
content at any instant is a closed form. That keeps the cost per point-day at one arithmetic
evaluation when a truck calls, whatever the number of residents.
"""

from __future__ import annotations

import numpy as np

from twin.models.waste.params import RESIDUAL, STREAMS, WasteParams

H = 3600.0
MISSED_FROM_H, MISSED_TO_H = 6.0, 22.0


def delivery_profile(p: WasteParams):
    """Cumulative share of a day's deliveries made by a time of day (s): 0 at 00:00, 1 at 24:00.

    Morning and evening windows get their shares uniformly; missed-time deliveries spread over
    06:00-22:00. Returned as a plain function because it runs once per truck stop."""
    m0, m1 = (h * H for h in p.morning_window_h)
    e0, e1 = (h * H for h in p.evening_window_h)
    x0, x1 = MISSED_FROM_H * H, MISSED_TO_H * H
    a, m = p.morning_share, p.missed_time_share
    e = 1.0 - a - m
    ra, re, rm = a / (m1 - m0), e / (e1 - e0), m / (x1 - x0)

    def share(tod: float) -> float:
        f = 0.0
        if tod > m0:
            f += a if tod >= m1 else (tod - m0) * ra
        if tod > e0:
            f += e if tod >= e1 else (tod - e0) * re
        if tod > x0:
            f += m if tod >= x1 else (tod - x0) * rm
        return f

    share.linear = (max(m1, x0), min(e0, x1), a - m * x0 / (x1 - x0), rm)  # f = f0 + r * tod
    return share


def sorting_mask(n_points: int, population: int, p: WasteParams,
                 rng: np.random.Generator) -> np.ndarray:
    """Which points are sorting houses (four containers). The order in which points become
    sorting houses is one random permutation, independent of the policy, so a higher share
    or more new houses only adds houses (common random numbers across policies)."""
    order = rng.permutation(n_points)
    n_sorting = int(round(p.sorting_point_share * n_points))
    n_sorting += int(round(p.new_sorting_houses_per_million_people * population / 1e6))
    mask = np.zeros(n_points, bool)
    mask[order[:min(n_points, n_sorting)]] = True
    return mask


class Containers:
    """Content of every point's containers: waste carried over from earlier days plus today's
    deliveries along the profile, minus what trucks took. Plain lists: read per stop.

    An overflow event is a container filling beyond its capacity before it is emptied; it is
    noticed when the truck calls or, for containers not emptied that day, at midnight."""

    def __init__(self, n_points: int, p: WasteParams, sorting: np.ndarray):
        self.n = n_points
        self.share = delivery_profile(p)
        self.sorting = np.asarray(sorting, bool)
        ns = len(STREAMS)
        cap = np.array([[c * d] * n_points for c, d in zip(p.container_m3,
                                                           p.bin_density_t_per_m3, strict=True)])
        # a legacy point's bins all take mixed waste, at the density of residual waste
        cap[RESIDUAL, ~self.sorting] = sum(p.container_m3) * p.bin_density_t_per_m3[RESIDUAL]
        self.cap_t = cap.tolist()  # [stream][point], t
        self.carry = [[0.0] * n_points for _ in range(ns)]  # t, content at `last`
        self.today = [[0.0] * n_points for _ in range(ns)]  # t delivered today (all day)
        self.last = [[0.0] * n_points for _ in range(ns)]  # profile share at last pick-up
        self.overflow = [0] * n_points  # overflow events at each point, this day
        self.flagged = [[False] * n_points for _ in range(ns)]  # counted since last emptied
        self.day_start_s = 0.0

    def mix(self, deliveries: np.ndarray) -> np.ndarray:
        """Deliveries as they land: at legacy points every stream goes into mixed bins."""
        d = np.array(deliveries, dtype=np.float64, copy=True)
        legacy = ~self.sorting
        d[legacy, RESIDUAL] = d[legacy].sum(axis=1)
        d[legacy, :RESIDUAL] = 0.0
        d[legacy, RESIDUAL + 1:] = 0.0
        return d

    def new_day(self, t_s: float, deliveries: np.ndarray) -> None:
        """Close the previous day (what was delivered but not collected stays; containers over
        capacity at midnight count as overflowing that day) and load today's deliveries."""
        self.end_day()
        self.day_start_s = t_s
        for s in range(len(STREAMS)):  # in place: running truck processes hold these lists
            self.today[s][:] = deliveries[:, s].tolist()
            self.last[s][:] = [0.0] * self.n

    def end_day(self) -> None:
        """Fold the rest of the day into the carry-over and check capacity at midnight."""
        for s in range(len(STREAMS)):
            today, last = np.asarray(self.today[s]), np.asarray(self.last[s])
            carry = np.asarray(self.carry[s]) + today * (1.0 - last)
            self.carry[s][:] = carry.tolist()
            self.today[s][:] = [0.0] * self.n
            self.last[s][:] = [1.0] * self.n
            flagged = self.flagged[s]
            for i in np.flatnonzero(carry > np.asarray(self.cap_t[s])).tolist():
                if not flagged[i]:
                    flagged[i] = True
                    self.overflow[i] += 1

    def take(self, s: int, p: int, t_s: float) -> float:
        """Empty container (s, p) at time t_s; returns the tonnes taken. A container that
        filled beyond capacity since it was last emptied is one overflow event (the spill is
        picked up as side waste, so no mass is lost)."""
        f = self.share(t_s - self.day_start_s)
        c = self.carry[s][p] + self.today[s][p] * (f - self.last[s][p])
        self.last[s][p] = f
        self.carry[s][p] = 0.0
        if c > self.cap_t[s][p] and not self.flagged[s][p]:
            self.overflow[p] += 1
        self.flagged[s][p] = False
        return c

    def put_back(self, s: int, p: int, tonnes: float) -> None:
        """Leave tonnes in a container (the truck was full)."""
        self.carry[s][p] += tonnes

    def content_t(self, t_s: float) -> float:
        """Tonnes in all containers at t_s (for the mass balance)."""
        f = self.share(t_s - self.day_start_s) if t_s - self.day_start_s < 86_400.0 else 1.0
        tot = 0.0
        for s in range(len(STREAMS)):
            tot += float(np.sum(self.carry[s]) + np.dot(self.today[s], f - np.asarray(self.last[s])))
        return tot

    def pop_overflow(self) -> np.ndarray:
        out = np.asarray(self.overflow, dtype=np.float64)
        self.overflow = [0] * self.n
        return out
