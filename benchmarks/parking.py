"""Parking: the CPU of a model day over a bare SimPy loop that processes the same number of
events (`ratio_vs_plain_simpy`, goal <= 2), and the wall time of a 1 M-household city's day
(`s_per_day_1m`).

An event is a driver's arrival or a departure (a search is part of its arrival) plus the
hourly ticks. The model handles them in its own time-ordered loop driven by the SimPy clock
once an hour (see twin/models/parking/search.py); the yardstick is SimPy itself scheduling and
resuming that many timeouts (1,000 processes, one timeout per event; the loop of
`benchmarks.waste`). The two are timed in
ABBA rounds (model, plain, plain, model) so a change of load on the shared machine hits both
alike; the ratio is the median over rounds, with its spread (min and max)."""

from __future__ import annotations

import statistics
import time

from benchmarks.waste import _plain_simpy_events_per_s
from twin.city.builtin import builtin_city
from twin.models.parking.standalone import run_parking_timed


def _model_day(city) -> tuple[float, int, float]:
    """Seconds of one simulated day (set-up excluded), events, set-up seconds."""
    return run_parking_timed(city)


def _plain(n_events: int, n_proc: int = 1_000) -> float:
    """Seconds a bare SimPy loop takes for about n_events timeouts (waste's yardstick)."""
    steps = max(1, n_events // n_proc)
    return n_proc * steps / _plain_simpy_events_per_s(n_proc, steps)


def run(quick: bool = False) -> list[dict]:
    city = builtin_city("demo")
    rounds = 1 if quick else 4
    ratios, model_s, events = [], [], 0
    for _ in range(rounds):
        a1, events, _ = _model_day(city)
        b1 = _plain(events)
        b2 = _plain(events)
        a2, _, _ = _model_day(city)
        ratios.append((a1 + a2) / (b1 + b2))
        model_s += [a1, a2]
    row = lambda fig, v, u: {"benchmark": "parking", "figure": fig, "value": v, "unit": u}  # noqa: E731
    out = [
        row("ratio_vs_plain_simpy", round(statistics.median(ratios), 3), "x"),
        row("ratio_vs_plain_simpy_min", round(min(ratios), 3), "x"),
        row("ratio_vs_plain_simpy_max", round(max(ratios), 3), "x"),
        row("events_per_day_demo", events, "1"),
        row("s_per_day_demo", round(min(model_s), 4), "s"),
    ]
    if not quick:
        big = builtin_city("large")
        t0 = time.perf_counter()
        cpu, ev, setup = _model_day(big)
        out += [row("s_per_day_1m", round(time.perf_counter() - t0, 2), "s"),
                row("s_per_day_1m_simulation", round(cpu, 2), "s"),
                row("setup_s_1m", round(setup, 2), "s"),
                row("events_per_day_1m", ev, "1")]
    return out
