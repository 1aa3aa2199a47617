"""Crews against Erlang C (M/M/c): the gas model's crew pool (`Crews`, a SimPy
PriorityResource) with Poisson leaks and exponential repairs, no travel. 4 crews, 2.5 leaks/h,
0.8 repairs/h per crew: P(wait) = 0.563, Wq = P(wait) / (c mu - lambda) = 0.80 h (closed form).
Tolerance 5% on 200 k simulated hours, about 500 k jobs (standard error ~1%)."""

from __future__ import annotations

import math

import numpy as np
import simpy

from twin.models.gas.response import Crews


def erlang_c(c: int, lam: float, mu: float) -> tuple[float, float]:
    a = lam / mu
    rho = a / c
    tail = a ** c / math.factorial(c) / (1 - rho)
    p = tail / (sum(a ** k / math.factorial(k) for k in range(c)) + tail)
    return p, p / (c * mu - lam)


def test_erlang_c_closed_form_values():
    p, wq = erlang_c(4, 2.5, 0.8)
    assert round(p, 3) == 0.563 and round(wq, 2) == 0.80


def test_crews_match_erlang_c():
    lam, mu, c, hours = 2.5, 0.8, 4, 200_000.0
    env = simpy.Environment()
    crews = Crews(env, c)
    rng = np.random.default_rng(17)

    def job():
        yield env.timeout(rng.exponential(1.0 / mu))

    def arrivals():
        while True:
            yield env.timeout(rng.exponential(1.0 / lam))
            env.process(crews.job(int(rng.integers(1, 4)), job))  # grades mixed: same totals

    env.process(arrivals())
    env.run(until=hours)
    w = np.asarray(crews.waits_s[1000:])
    p, wq = erlang_c(c, lam, mu)
    assert abs((w > 0).mean() / p - 1) < 0.05
    assert abs(w.mean() / wq - 1) < 0.05
