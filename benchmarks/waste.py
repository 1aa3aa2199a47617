"""Waste collection: events per second and the wall time of one collection day at 20 k
collection points (goals >= 400 k events/s, < 0.5 s per day), with the same day on a plain
heapq event loop in the same run (`ratio_vs_heapq` = SimPy time / heapq time; the two give
identical results) and a trivial SimPy timeout loop as this machine's ceiling for SimPy.

The day is `twin.models.waste.synthetic`: 20 k points, 49 stations, ~2,600 truck rounds of the
food, recyclable and residual streams planned by the space-filling-curve heuristic.

What counts as an event: every truck arrival at a stop (a container emptied at its own time)
and every kernel event (drive to a gate, weighbridge and tipping-bay requests, services and
releases, process starts). That is exactly the number of SimPy events the model would
schedule with one timeout per stop; the model handles the stops of a trip by lookahead inside
the truck's process instead (`trucks.Collector.run_round`), so `kernel_events_per_s` is
reported beside it. Each timing is the best of seven, taken in turns (the machines are
shared and noisy)."""

from __future__ import annotations

import time

import simpy

from twin.models.waste.kernel import HeapKernel, SimpyKernel
from twin.models.waste.synthetic import synthetic_day


def _time(day, kernel) -> tuple[float, dict]:
    sim = day.prepare(kernel)
    t0 = time.perf_counter()
    out = sim()
    return time.perf_counter() - t0, out


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
    reps = 1 if quick else 7
    day = synthetic_day(n, seed=0)
    # SimPy, heapq and the plain loop take turns, so a change of load on the shared machine
    # hits all three alike; each keeps its best time
    t_simpy = t_heap = float("inf")
    plain = 0.0
    for _ in range(reps):
        k = SimpyKernel(simpy.Environment())
        dt, a = _time(day, k)
        t_simpy = min(t_simpy, dt)
        dt, b = _time(day, HeapKernel())
        t_heap = min(t_heap, dt)
        plain = max(plain, _plain_simpy_events_per_s())
    if a != b:
        raise AssertionError("SimPy and heapq days differ; the comparison would be unfair")
    kernel_events = k.events_scheduled
    # the station queues run as the FCFS recursion: per unloading it evaluates, without the
    # kernel, the four events a resource formulation schedules beyond its two timeouts
    # (weighbridge request and release, bay request and release)
    events = kernel_events + a["stops"] + 4 * a["unloads"]
    row = lambda fig, v, u: {"benchmark": "waste", "figure": fig, "value": v, "unit": u}  # noqa: E731
    return [
        row("events_per_s", round(events / t_simpy), "1/s"),
        row(f"s_per_day_{n // 1000}k_points", round(t_simpy, 4), "s"),
        row("ratio_vs_heapq", round(t_simpy / t_heap, 3), "x"),
        row("s_per_day_heapq", round(t_heap, 4), "s"),
        row("events_per_day", events, "1"),
        row("kernel_events_per_day", kernel_events, "1"),
        row("kernel_events_per_s", round(kernel_events / t_simpy), "1/s"),
        row("stops_per_day", a["stops"], "1"),
        row("unloads_per_day", a["unloads"], "1"),
        row("plain_simpy_events_per_s", round(plain), "1/s"),
        row("kernel_events_per_s_vs_plain_simpy", round(kernel_events / t_simpy / plain, 3),
            "x"),
    ]
