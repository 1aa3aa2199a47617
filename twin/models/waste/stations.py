"""Transfer stations: a weighbridge (`c` bridges) and tipping bays, storage per stream, and
transfer trucks that haul full loads to the plants (partial loads at clearing time). The
hazardous gate at the plant site is the same object without storage or hauls.

The queues are first-come-first-served multi-server queues. By default they run as the exact
FCFS recursion (Kiefer & Wolfowitz 1955): a truck starts service at the later of its arrival
and the earliest time a server is free, so each truck costs two timeouts (to the end of
weighing, to the end of tipping) instead of the requests, grants and releases of SimPy
resources. The recursion is evaluated at the moment of arrival at each queue, so calls come
in arrival order, and service times come from the truck's own draws: the day is the same as
with `Resource`s (`fcfs=False`; tests/models/waste/test_waste_units.py checks they agree).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable

import numpy as np

from twin.models.waste.params import STREAMS


class ServiceTimes:
    """Exponential service times drawn from a generator in blocks (one draw per call would
    cost more than the event it times)."""

    def __init__(self, rng: np.random.Generator, block: int = 4096):
        self.rng = rng
        self.block = block
        self._buf: list[float] = []

    def __call__(self, mean_s: float) -> float:
        if not self._buf:
            self._buf = self.rng.standard_exponential(self.block).tolist()[::-1]
        return self._buf.pop() * mean_s


class Station:
    """One gate: trucks queue for a weighbridge, then for a tipping bay, then tip.

    `deliver(stream, tonnes)` is called after tipping; waits are summed for the daily KPIs."""

    def __init__(self, k, name: str, *, bridges: int, bays: int, weigh_s: float, tip_s: float,
                 draw: Callable[[float], float] | None = None,
                 deliver: Callable[[int, float], None] | None = None, fcfs: bool = True):
        self.k = k
        self.name = name
        self.fcfs = fcfs
        if fcfs:  # times each server is next free (a heap: the earliest on top)
            self.bridge_free, self.bay_free = [0.0] * bridges, [0.0] * bays
        else:
            self.bridge = k.resource(bridges)
            self.bay = k.resource(bays)
        self.weigh_s = weigh_s
        self.tip_s = tip_s
        self.draw = draw
        self.deliver = deliver
        self.trucks = 0
        self.wait_s = 0.0  # weighbridge + bay queueing, summed over trucks
        self.bridge_wait_s = 0.0
        self.bridge_waited = 0  # trucks that found every weighbridge busy

    def unload(self, stream: int, tonnes: float, draw: Callable[[float], float] | None = None):
        """Process fragment (use with `yield from`): weigh, tip, hand the load over. `draw`
        gives the truck's exponential service times (default: the station's)."""
        if self.fcfs:
            return self._unload_fcfs(stream, tonnes, draw or self.draw)
        return self._unload_resources(stream, tonnes, draw or self.draw)

    def _unload_fcfs(self, stream: int, tonnes: float, draw: Callable[[float], float]):
        k = self.k
        clock = k.clock
        t0 = clock.now
        free = heapq.heappop(self.bridge_free)
        t1 = free if free > t0 else t0
        end = t1 + draw(self.weigh_s)
        heapq.heappush(self.bridge_free, end)
        if t1 > t0:
            self.bridge_wait_s += t1 - t0
            self.bridge_waited += 1
        yield k.timeout(end - t0)
        t2 = clock.now
        free = heapq.heappop(self.bay_free)
        t3 = free if free > t2 else t2
        end = t3 + draw(self.tip_s)
        heapq.heappush(self.bay_free, end)
        self.wait_s += (t1 - t0) + (t3 - t2)
        self.trucks += 1
        yield k.timeout(end - t2)
        if self.deliver is not None:
            self.deliver(stream, tonnes)

    def _unload_resources(self, stream: int, tonnes: float, draw: Callable[[float], float]):
        k = self.k
        clock = k.clock
        t0 = clock.now
        req = self.bridge.request()
        if not req.triggered:  # granted at once: no need to wait for the grant's event
            yield req
        t1 = clock.now
        if t1 > t0:
            self.bridge_wait_s += t1 - t0
            self.bridge_waited += 1
        yield k.timeout(draw(self.weigh_s))
        k.release(self.bridge, req)
        t2 = clock.now
        req = self.bay.request()
        if not req.triggered:
            yield req
        self.wait_s += (t1 - t0) + (clock.now - t2)
        self.trucks += 1
        yield k.timeout(draw(self.tip_s))
        k.release(self.bay, req)
        if self.deliver is not None:
            self.deliver(stream, tonnes)

    def pop_day(self) -> tuple[int, float]:
        out = (self.trucks, self.wait_s)
        self.trucks, self.wait_s = 0, 0.0
        return out


class TransferYard:
    """Storage per stream at a station and its transfer trucks: a truck leaves as soon as a
    full load waits and a truck is idle; `clear()` ships partial loads (daily)."""

    def __init__(self, k, *, trucks: int, capacity_t: float, haul_s: Callable[[int], float],
                 haul_m: Callable[[int], float], handling_s: float,
                 arrive: Callable[[int, float], None], ledger):
        self.k = k
        self.idle = trucks
        self.capacity_t = capacity_t
        self.haul_s, self.haul_m = haul_s, haul_m
        self.handling_s = handling_s
        self.arrive = arrive
        self.ledger = ledger
        self.stored = [0.0] * len(STREAMS)
        self.clearing = False

    def receive(self, stream: int, tonnes: float) -> None:
        self.stored[stream] += tonnes
        self.ledger.move("trucks", "stations", tonnes)
        self._dispatch()

    def clear(self) -> None:
        self.clearing = True
        self._dispatch()

    def _dispatch(self) -> None:
        while self.idle:
            s = max(range(len(STREAMS)), key=self.stored.__getitem__)
            load = self.stored[s]
            if load <= 0.0 or (load < self.capacity_t and not self.clearing):
                if load <= 0.0:
                    self.clearing = False
                return
            load = min(load, self.capacity_t)
            self.stored[s] -= load
            self.idle -= 1
            self.ledger.move("stations", "transit", load)
            self.k.process(self._haul(s, load))

    def _haul(self, s: int, load: float):
        k = self.k
        one_way = self.haul_s(s)
        yield k.timeout(one_way + self.handling_s)
        self.ledger.move("transit", None, load)
        self.arrive(s, load)
        yield k.timeout(one_way)
        self.ledger.transfer_trip(2.0 * self.haul_m(s), 2.0 * one_way + self.handling_s)
        self.idle += 1
        self._dispatch()
