"""What happens on the street, between SWMM strides: water at waterlogging points, road
closures, and mobile pump trucks as SimPy processes.

Street water is twin's, coupled to SWMM stride by stride (dual drainage): a node's flood
overflow (SWMM's flooding) spreads over its street, runs along the streets to lower ground,
spills into the river at points by the bank, drains back into the sewer through the inlets
(given to SWMM as inflow, which SWMM books) and is pumped off by trucks (negative inflows
are not booked by SWMM's mass balance, so trucks take water from the street, not from a
SWMM node).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

SPREAD_TIME_S = 120.0  # time constant of overland flow evening out two neighbouring points


class Street:
    """Water volume at every node's waterlogging point, where it goes, and the closures.

    In: the node's flooding, SWMM's own cumulative flood volume per stride. Out: back into
    the sewer through the inlets once the node stops flooding (`returned_m3`, which the
    model hands to SWMM as inflow, so SWMM books it), over the bank into the river at points
    by the river (broad-crested weir, `to_river_m3`), by trucks (`pumped_m3`). On a city
    network water also runs along the streets to lower neighbours (surface = ground +
    depth, time constant SPREAD_TIME_S). Every cubic metre is booked: received = returned +
    to river + pumped + on the street now (`balance_error_m3` is that difference).
    """

    WEIR_COEFF = 1.7  # broad-crested weir Q = 1.7 L h^1.5 (SI; Cd sqrt(g) with Cd ~ 0.54)

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
        self.received_m3 = 0.0
        self.returned_m3 = 0.0
        self.to_river_m3 = 0.0
        self.returning = np.zeros(n)  # m3 handed back to the sewer in the last step
        self.bank_weir_m = np.zeros(n)  # bank length over which a point spills to the river
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
        alpha = min(dt_s / SPREAD_TIME_S, 0.25)
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

    @property
    def balance_error_m3(self) -> float:
        return self.received_m3 - (self.returned_m3 + self.to_river_m3 + self.pumped_m3
                                   + float(self.volume_m3.sum()))

    def update(self, inflow_m3: np.ndarray, flooding: np.ndarray, dt_s: float) -> bool:
        """Advance by dt: `inflow_m3` from the nodes over the step, `flooding` the nodes
        flooding at its end (their inlets take nothing back); returns True when the set of
        closed points changed."""
        self.volume_m3 += inflow_m3
        self.received_m3 += float(inflow_m3.sum())
        self.spread(dt_s)
        v = self.volume_m3
        drain = np.minimum(np.where(flooding, 0.0, self.drain * dt_s), v)
        v = v - drain
        spill = np.minimum(self.WEIR_COEFF * self.bank_weir_m * (v / self.area_m2) ** 1.5 * dt_s,
                           v)
        v = v - spill
        pumped = np.minimum(v, self.pump_rate * dt_s)
        self.returning = drain
        self.returned_m3 += float(drain.sum())
        self.to_river_m3 += float(spill.sum())
        self.pumped_m3 += float(pumped.sum())
        self.volume_m3 = np.maximum(v - pumped, 0.0)
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
