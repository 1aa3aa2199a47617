"""Ageing against its closed form: the expected count of Weibull (power-law) ageing leaks on
a stated network over N years, and the same with the oldest share renewed each year.

Network: 40 km cast iron laid 1975, 60 km steel laid 1995, observed 2025-2035 (10 years).
Rate at age a per km-year: r50 (a/50)^(beta-1); expected count on L km from a0 to a1:
L r50 50/beta [(a1/50)^beta - (a0/50)^beta]. The model draws daily Poisson counts from the
day's exact increment; the mean of many draws must match the closed form (3 standard errors).
"""

from __future__ import annotations

import numpy as np

from twin.models.gas.incidents import ageing_expected
from twin.models.gas.params import MATERIALS, GasParams
from twin.models.gas.programmes import rank_segments

CI, ST, PE = (MATERIALS.index(m) for m in ("cast_iron", "steel", "pe"))
P = GasParams()


def closed_form(length_km, age0, mat, years):
    r = np.asarray(P.ageing_per_km_year_at_50y)[mat]
    b = np.asarray(P.weibull_shape)[mat]
    return float(np.sum(length_km * r * 50 / b * (((age0 + years) / 50) ** b
                                                  - (age0 / 50) ** b)))


def network():
    length = np.r_[np.full(40, 1.0), np.full(60, 1.0)]
    age0 = np.r_[np.full(40, 50.0), np.full(60, 30.0)]
    mat = np.r_[np.full(40, CI), np.full(60, ST)]
    return length, age0, mat


def simulate(years, renew_share, reps, seed=0):
    """Daily Poisson draws as the model does; renewal: once a year the oldest share of the
    segments (by the model's `age` ranking) becomes new PE."""
    rng = np.random.default_rng(seed)
    length, age, mat = network()
    age, mat = age.copy(), mat.copy()
    dt = 1 / 365.25
    expected = np.zeros(reps)
    for _ in range(years):
        if renew_share:
            k = int(round(renew_share * len(age)))
            pick = rank_segments("age", age, mat, 0 * age, 0 * age, 0 * age)[:k]
            age[pick], mat[pick] = 0.0, PE
        for d in range(365):
            lam = ageing_expected(length, age + d * dt, mat, P, dt)
            expected += rng.poisson(lam.sum(), reps)
        age += 365 * dt
    return expected


def test_weibull_expected_failures_match_closed_form():
    length, age0, mat = network()
    truth = closed_form(length, age0, mat, 365 * 10 / 365.25)
    sim = simulate(10, 0.0, 400)
    assert abs(sim.mean() - truth) < 3 * sim.std() / np.sqrt(len(sim)) + 1e-9
    assert 5 < truth < 1000


def test_renewing_the_oldest_share_lowers_failures_as_closed_form_says():
    """10% of the segments renewed each year, oldest (cast iron) first: closed form worked
    year by year with the renewed segments' clock reset to age 0 as PE."""
    length, age, mat = network()
    age, mat = age.copy(), mat.copy()
    yr = 365 / 365.25
    truth = 0.0
    for _ in range(10):
        oldest = np.argsort(-age, kind="stable")[:10]
        age[oldest], mat[oldest] = 0.0, PE
        truth += closed_form(length, age, mat, yr)
        age += yr
    base = closed_form(*network(), 10 * yr)
    sim = simulate(10, 0.1, 400, seed=1)
    assert abs(sim.mean() - truth) < 3 * sim.std() / np.sqrt(len(sim))
    assert truth < 0.6 * base  # renewal of cast iron first removes most of the ageing risk
