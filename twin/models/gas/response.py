"""Detection and response on the SimPy clock: when a leak is found (sensor, patrol, public
report), and crews as one `simpy.PriorityResource` served by grade (1 first)."""

from __future__ import annotations

import math

import numpy as np
import simpy


def detection_delay_s(rng: np.random.Generator, *, sensored: bool, size: int, cause: int,
                      t_s: float, patrol_phase_s: float, params) -> float:
    """Seconds from a leak's start to its detection (inf: not found by any channel).

    Third-party strikes are reported by the site at once (10 min on average); indoor faults
    by the household (30 min); the others by the first of sensor, public report, patrol."""
    p = params
    if cause == 1:
        return float(rng.exponential(600.0))
    if cause == 2:
        return float(rng.exponential(1800.0))
    best = math.inf
    if sensored and rng.random() < p.sensor_detect_p:
        best = p.sensor_delay_min * 60.0
    if rng.random() < p.public_report_p[size]:
        best = min(best, float(rng.exponential(p.public_delay_h * 3600.0)) if
                   p.public_delay_h > 0 else 0.0)
    period = p.patrol_days * 86400.0
    if p.patrol_detect_p > 0:
        first = (patrol_phase_s - t_s) % period
        misses = rng.geometric(p.patrol_detect_p) - 1
        best = min(best, first + misses * period)
    return best


class Crews:
    """Crews as a PriorityResource: a job waits for a crew (lower grade number first), then
    holds it for travel and work. `waits_s` keeps each job's wait for a crew."""

    def __init__(self, env: simpy.Environment, n: int):
        self.env = env
        self.res = simpy.PriorityResource(env, capacity=max(n, 1)) if n > 0 else None
        self.waits_s: list[float] = []
        self.busy_s = 0.0

    def job(self, priority: int, steps):
        """A process: get a crew, then run `steps(crew)`, a generator of SimPy events."""
        if self.res is None:
            return  # no crews: the job never starts
        t0 = self.env.now
        with self.res.request(priority=priority) as req:
            yield req
            self.waits_s.append(self.env.now - t0)
            t1 = self.env.now
            yield from steps()
            self.busy_s += self.env.now - t1
