"""What happens on the street, between SWMM strides: water at waterlogging points, road
closures, and mobile pump trucks as SimPy processes.

Street water is twin's, not SWMM's: a node's flood overflow (which SWMM counts as lost from the
sewer, as in a plain run) spreads over `street_area_m2`, drains away once the node stops
flooding, and is pumped off by trucks. Keeping it outside SWMM leaves SWMM's hydraulics and
continuity exactly those of a plain run (negative inflows are not booked by SWMM's mass
balance, so trucks cannot pump out of a SWMM node without corrupting continuity).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

SPREAD_TIME_S = 600.0  # time constant of overland flow evening out two neighbouring points


class Street:
    """Water volume at every node's waterlogging point and the closure state.

    On a city network the points are road intersections: water also runs along the streets
    from a point to lower neighbours (surface = ground + depth), evening out the difference
    with time constant SPREAD_TIME_S; this conserves volume exactly.
    """

    def __init__(self, n: int, area_m2, drain_m3_per_s, close_m: float,
                 reopen_m: float):
        self.volume_m3 = np.zeros(n)
        self.area_m2 = area_m2
        self.drain = drain_m3_per_s
        self.close_m, self.reopen_m = close_m, reopen_m
        self.closed = np.zeros(n, bool)
        self.pump_rate = np.zeros(n)  # m3/s of trucks pumping at each point now
        self.trucks_at = np.zeros(n, np.int64)  # trucks pumping at each point now
        self.pumped_m3 = 0.0
        self.last_flood = np.zeros(n)
        self.links: tuple[np.ndarray, np.ndarray] | None = None
        self.ground_m = np.zeros(n)

    def connect(self, a: np.ndarray, b: np.ndarray, ground_m: np.ndarray) -> None:
        """Streets between points a[i] and b[i] (point indices) and each point's ground level."""
        self.links = (np.asarray(a, np.int64), np.asarray(b, np.int64))
        self.ground_m = np.asarray(ground_m, float)

    def spread(self, dt_s: float) -> None:
        """Move water down the water-surface gradient along the streets for dt."""
        if self.links is None or not len(self.links[0]):
            return
        a, b = self.links
        depth = self.depth_m
        h = self.ground_m + depth
        a_high = h[a] >= h[b]
        src, dst = np.where(a_high, a, b), np.where(a_high, b, a)
        dh = np.minimum(np.abs(h[a] - h[b]), depth[src])  # a source gives only its own water
        area_s, area_d = self.area_m2[src], self.area_m2[dst]
        alpha = min(dt_s / SPREAD_TIME_S, 0.2)
        v = alpha * dh * area_s * area_d / (area_s + area_d)
        out = np.bincount(src, v, minlength=len(depth))
        scale = np.where(out > self.volume_m3, self.volume_m3 / np.maximum(out, 1e-300), 1.0)
        v = v * scale[src]
        self.volume_m3 += np.bincount(dst, v, minlength=len(depth)) - np.bincount(
            src, v, minlength=len(depth))
        np.maximum(self.volume_m3, 0.0, out=self.volume_m3)

    @property
    def depth_m(self) -> np.ndarray:
        return self.volume_m3 / self.area_m2

    def update(self, flood_m3_per_s: np.ndarray, dt_s: float) -> bool:
        """Advance by dt with the node flood rate at the end of the step (trapezoid);
        returns True when the set of closed points changed."""
        inflow = 0.5 * (self.last_flood + flood_m3_per_s) * dt_s
        self.last_flood = flood_m3_per_s.copy()
        self.volume_m3 += inflow
        self.spread(dt_s)
        v = self.volume_m3
        drain = np.where(flood_m3_per_s > 0, 0.0, self.drain * dt_s)
        pumped = np.minimum(np.maximum(v - drain, 0.0), self.pump_rate * dt_s)
        self.pumped_m3 += float(pumped.sum())
        self.volume_m3 = np.maximum(v - drain - pumped, 0.0)
        d = self.depth_m
        closed = np.where(self.closed, d > self.reopen_m, d > self.close_m)
        changed = bool(np.any(closed != self.closed))
        self.closed = closed
        return changed


class MobilePumps:
    """Trucks wait at depots, drive to the deepest uncovered waterlogging point, set up,
    pump until it is (nearly) dry, then take the next one."""

    def __init__(self, env, street: Street, *, rate_m3_per_s: float, setup_s: float,
                 travel_s: Callable[[int, int], float], depot: int, trigger_m: float,
                 log: Callable[[str], None] | None = None):
        self.env, self.street = env, street
        self.rate, self.setup_s = rate_m3_per_s, setup_s
        self.travel_s, self.depot, self.trigger = travel_s, depot, trigger_m
        self.busy: set[int] = set()
        self.trucks = 0
        self.log = log or (lambda _m: None)

    def add(self, count: int) -> None:
        for _ in range(count):
            self.trucks += 1
            self.env.process(self._truck(self.trucks))

    def _next_point(self) -> int | None:
        d = self.street.depth_m.copy()
        if self.busy:
            d[list(self.busy)] = -1.0
        k = int(np.argmax(d))
        return k if d[k] > self.trigger else None

    def _truck(self, truck: int):
        where = self.depot
        while True:
            k = self._next_point()
            if k is None:
                yield self.env.timeout(60.0)
                continue
            self.busy.add(k)
            self.log(f"truck {truck} to point {k}")
            yield self.env.timeout(self.travel_s(where, k) + self.setup_s)
            where = k
            self.street.pump_rate[k] += self.rate
            self.street.trucks_at[k] += 1
            while self.street.depth_m[k] > 0.01:
                yield self.env.timeout(60.0)
            self.street.pump_rate[k] -= self.rate
            self.street.trucks_at[k] -= 1
            self.busy.discard(k)
