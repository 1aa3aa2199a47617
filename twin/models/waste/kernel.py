"""Two event loops behind one small interface, so the same truck and station generators run on
SimPy (the run's master clock) and on a plain heapq loop (the benchmark's yardstick).

Processes are generators that yield `k.timeout(dt)` or a request not yet granted
(`req = resource.request()`; `req.triggered` is True when granted at once, and a process
goes on without yielding it, as SimPy allows) and call `k.release(resource, request)`;
`k.now` is the current time in seconds. On SimPy these are the environment's own objects
(no wrapper in the event path), so the benchmark ratio measures SimPy itself, not an adapter.
"""

from __future__ import annotations

import gc
import heapq
from collections import deque

import simpy


class SimpyKernel:
    """The run's SimPy environment seen through the process interface."""

    def __init__(self, env: simpy.Environment):
        self.env = env
        self.clock = env  # has .now (hot loops read `clock.now`)
        self.timeout = env.timeout

    @property
    def now(self) -> float:
        return self.env.now

    def process(self, gen) -> None:
        self.env.process(gen)

    def resource(self, capacity: int) -> simpy.Resource:
        return simpy.Resource(self.env, capacity=capacity)

    @staticmethod
    def release(res: simpy.Resource, req) -> None:
        res.release(req)

    def run(self, until: float | None = None) -> None:
        self.env.run(until=until)

    @property
    def events_scheduled(self) -> int:
        """Events scheduled so far (SimPy numbers every scheduled event)."""
        eid = self.env._eid  # itertools.count: peek by copying its repr
        return int(repr(eid)[6:-1])


class _Res:
    __slots__ = ("capacity", "busy", "waiting")

    def __init__(self, capacity: int):
        self.capacity = capacity
        self.busy = 0
        self.waiting: deque = deque()

    def request(self) -> _Req:
        req = _Req(self)
        if self.busy < self.capacity:  # FIFO: while anyone waits, every slot is taken
            self.busy += 1
            req.triggered = True
        return req


class _Req:
    __slots__ = ("res", "triggered")

    def __init__(self, res: _Res):
        self.res = res
        self.triggered = False


class HeapKernel:
    """A plain heapq discrete-event loop: (time, seq, generator) entries, FIFO resources."""

    def __init__(self):
        self.now = 0.0
        self.clock = self
        self._q: list = []
        self._seq = 0
        self.events_scheduled = 0

    @staticmethod
    def timeout(dt: float) -> float:
        return dt

    def _push(self, t: float, gen) -> None:
        self._seq += 1
        heapq.heappush(self._q, (t, self._seq, gen))

    def process(self, gen) -> None:
        self._push(self.now, gen)

    @staticmethod
    def resource(capacity: int) -> _Res:
        return _Res(capacity)

    def release(self, res: _Res, req: _Req) -> None:
        if res.waiting:
            self._push(self.now, res.waiting.popleft())  # the slot passes to the next in line
        else:
            res.busy -= 1

    def run(self, until: float | None = None) -> None:
        q, push, pop = self._q, heapq.heappush, heapq.heappop
        n = 0
        while q:
            if until is not None and q[0][0] > until:
                break
            t, _, gen = pop(q)
            self.now = t
            try:
                ev = gen.send(None)
            except StopIteration:
                continue
            n += 1
            if ev.__class__ is _Req:  # not granted when asked: wait in line
                ev.res.waiting.append(gen)
            else:
                self._seq += 1
                push(q, (t + ev, self._seq, gen))
        if until is not None:
            self.now = max(self.now, until)
        self.events_scheduled += n


def freeze_setup() -> None:
    """Move the objects built so far (city, rounds, containers: they live for the whole run)
    out of the cyclic garbage collector's reach, so its collections during the run scan only
    what the run allocates. Without it the collector rescans the set-up state over and over,
    and SimPy, which allocates an object per event, pays for that most (about a fifth of a
    collection day at 20 k points). `thaw_setup` gives them back at the end of the run."""
    gc.collect()
    gc.freeze()


def thaw_setup() -> None:
    gc.unfreeze()
