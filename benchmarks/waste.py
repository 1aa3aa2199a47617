"""Waste collection: SimPy events per second and the wall time of one collection day at 20 k
collection points (goals >= 400 k events/s, < 0.5 s per day), with the same day on a plain
heapq event loop in the same run (`ratio_vs_heapq` = SimPy time / heapq time; the two give
identical results) and a trivial SimPy timeout loop as the machine's ceiling for SimPy.

The day is `twin.models.waste.synthetic`: 20 k points, 50 stations, ~2,600 truck rounds of the
food, recyclable and residual streams planned by the space-filling-curve heuristic; one
timeout per stop plus weighbridge and tipping-bay requests at each unloading. Each timing is
the best of three (the machines are shared)."""

from __future__ import annotations

import time

import simpy

from twin.models.waste.kernel import HeapKernel, SimpyKernel
from twin.models.waste.synthetic import synthetic_day


def _best(day, make_kernel, reps):
    best, kern, out = float("inf"), None, None
    for _ in range(reps):
        k = make_kernel()
        sim = day.prepare(k)
        t0 = time.perf_counter()
        out = sim()
        dt = time.perf_counter() - t0
        if dt < best:
            best, kern = dt, k
    return best, kern, out


def _plain_simpy_events_per_s(n_proc: int = 2_000, n_steps: int = 50) -> float:
    env = simpy.Environment()

    def proc(i):
        for j in range(n_steps):
            yield env.timeout(1.0 + ((i + j) % 7) * 0.1)

    for i in range(n_proc):
        env.process(proc(i))
    t0 = time.perf_counter()
    env.run()
    return n_proc * n_steps / (time.perf_counter() - t0)


def run(quick: bool = False) -> list[dict]:
    n = 2_000 if quick else 20_000
    reps = 1 if quick else 3
    day = synthetic_day(n, seed=0)
    t_simpy, k, a = _best(day, lambda: SimpyKernel(simpy.Environment()), reps)
    t_heap, _, b = _best(day, HeapKernel, reps)
    if abs(a["truck_hours"] - b["truck_hours"]) > 1e-6 * max(1.0, a["truck_hours"]):
        raise AssertionError("SimPy and heapq days differ; the comparison would be unfair")
    events = k.events_scheduled
    plain = max(_plain_simpy_events_per_s() for _ in range(reps))
    row = lambda fig, v, u: {"benchmark": "waste", "figure": fig, "value": v, "unit": u}  # noqa: E731
    return [
        row("events_per_s", round(events / t_simpy), "1/s"),
        row(f"s_per_day_{n // 1000}k_points", round(t_simpy, 4), "s"),
        row("ratio_vs_heapq", round(t_simpy / t_heap, 3), "x"),
        row("s_per_day_heapq", round(t_heap, 4), "s"),
        row("events_per_day", events, "1"),
        row("stops_per_day", sum(len(r.stops) for r in day.rounds), "1"),
        row("plain_simpy_events_per_s", round(plain), "1/s"),
        row("events_per_s_vs_plain_simpy", round(events / t_simpy / plain, 3), "x"),
    ]
