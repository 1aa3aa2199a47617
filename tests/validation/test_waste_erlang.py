"""A transfer station's weighbridge against Erlang C (M/M/c): Poisson truck arrivals,
exponential weighing, c bridges. Closed form (Erlang 1917; e.g. Gross & Harris, Fundamentals
of Queueing Theory, sec. 2.3):

    a = lambda / mu,  C(c, a) = [a^c / c! * c / (c - a)] / [sum_{k<c} a^k / k! + a^c / c! * c / (c - a)]
    P(wait) = C(c, a),  Wq = C(c, a) / (c mu - lambda)

The simulated station is the model's own `Station` (bays unlimited, tipping instant) on SimPy.
Tolerance 3% over 1e5 trucks (the issue's yardstick). One run of 1e5 trucks estimates Wq
with a standard deviation of about 2.5-3% at c = 1 and c = 2 (waits are strongly
autocorrelated; measured over seeds 0-4: c = 2 gave 3.82-4.08 min), so a single run meets 3%
only about two times in three whatever the model. The test therefore runs three independent
replicates of 1e5 trucks each, prints each, and holds their mean to 3% (SD about 1.5%).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import simpy

from twin.core.rng import RunSeed, Streams
from twin.models.waste.kernel import SimpyKernel
from twin.models.waste.stations import ServiceTimes, Station

N_TRUCKS = 100_000


def erlang_c(c: int, lam: float, mu: float) -> tuple[float, float]:
    """P(wait) and mean wait Wq (same time unit as 1/mu) of an M/M/c queue."""
    a = lam / mu
    top = a**c / math.factorial(c) * c / (c - a)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait, p_wait / (c * mu - lam)


def simulate(c: int, per_h: float, service_min: float, seed: int) -> tuple[float, float]:
    k = SimpyKernel(simpy.Environment())
    streams = Streams(RunSeed(seed))
    st = Station(k, "TS", bridges=c, bays=N_TRUCKS, weigh_s=service_min * 60.0, tip_s=0.0,
                 draw=ServiceTimes(streams.generator("waste.service")))
    gaps = streams.generator("waste.arrivals").exponential(3600.0 / per_h, N_TRUCKS)

    def arrivals():
        for g in gaps:
            yield k.timeout(float(g))
            k.process(st.unload(0, 1.0))

    k.process(arrivals())
    k.run()
    assert st.trucks == N_TRUCKS
    return st.bridge_waited / st.trucks, st.bridge_wait_s / st.trucks / 60.0


def test_erlang_c_closed_form_values():
    p, wq = erlang_c(2, 0.5, 1 / 3)  # per minute
    assert p == pytest.approx(0.643, abs=5e-4) and wq == pytest.approx(3.857, abs=5e-3)
    assert erlang_c(1, 0.25, 1 / 3)[1] == pytest.approx(9.0)
    assert erlang_c(3, 0.5, 1 / 3)[0] == pytest.approx(0.237, abs=5e-4)


@pytest.mark.parametrize(("c", "per_h", "check"), [(2, 30.0, "both"), (1, 15.0, "wq"),
                                                   (3, 30.0, "p")])
def test_weighbridge_matches_erlang_c(c, per_h, check):
    p_true, wq_true = erlang_c(c, per_h / 60.0, 1 / 3.0)
    runs = np.array([simulate(c, per_h, 3.0, seed=seed) for seed in range(3)])
    for p_sim, wq_sim in runs:
        print(f"c={c} lambda={per_h}/h: P(wait) {p_sim:.4f} vs {p_true:.4f} "
              f"({p_sim / p_true - 1:+.2%}), Wq {wq_sim:.3f} vs {wq_true:.3f} min "
              f"({wq_sim / wq_true - 1:+.2%})")
    p_sim, wq_sim = runs.mean(axis=0)
    print(f"  mean of 3: P(wait) {p_sim / p_true - 1:+.2%}, Wq {wq_sim / wq_true - 1:+.2%}")
    if check in ("both", "p"):
        assert p_sim == pytest.approx(p_true, rel=0.03)
    if check in ("both", "wq"):
        assert wq_sim == pytest.approx(wq_true, rel=0.03)
    assert np.isfinite(wq_sim)
