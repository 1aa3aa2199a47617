"""The sorting-adoption model in its Bass limit against the Bass (1969) closed form.

With incentive, fines, campaign and relapse off and a well-mixed population
(`neighbour_scope = "global"`), a household that does not sort starts with hazard p + qF,
F the share sorting, so the expected share follows dF/dt = (p + qF)(1 - F), F(0) = 0, whose
solution is F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t}) (Bass, Management Science 15,
1969). With p = 0.0047 and q = 1.02 per month (the project's yardstick): F(1) = 0.008,
F(3) = 0.086, F(6) = 0.682, F(9) = 0.979, inflection at ln(q/p)/(p+q) = 5.25 months.

The array engine runs N = 10,000 households for 9 months with 20 seeds; the mean share at
1, 3, 6 and 9 months (30.4375 days each, linear interpolation between days) must be within
2 percentage points of F. One seed's share at 6 months has a standard deviation of about
3 pp around the mean (the early take-off is a few dozen random adoptions), so the mean of 20
has about 0.7 pp: 2 pp is about 3 standard deviations of the estimate.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from twin.city import generate_city
from twin.models.households.adoption import bass_share
from twin.models.households.params import DAYS_PER_MONTH, HouseholdsParams
from twin.models.households.standalone import run_engine

P, Q = 0.0047, 1.02
MONTHS = np.array([1.0, 3.0, 6.0, 9.0])
PUBLISHED = np.array([0.008, 0.086, 0.682, 0.979])
N, SEEDS = 10_000, 20
TOL = 0.02

BASS = HouseholdsParams(innovation_per_month=P, imitation_per_month=Q,
                        neighbour_scope="global", initial_participation=0.0, potential_share=1.0)


def test_closed_form_matches_published_values_and_ode():
    """The formula used below is the Bass solution: it solves the ODE and gives the figures."""
    f = bass_share(MONTHS, P, Q)
    assert np.allclose(f, PUBLISHED, atol=0.0006), f
    sol = solve_ivp(lambda _t, y: (P + Q * y) * (1 - y), (0.0, 9.0), [0.0], t_eval=MONTHS,
                    rtol=1e-10, atol=1e-12)
    assert np.allclose(sol.y[0], f, atol=1e-7)
    t_star = np.log(Q / P) / (P + Q)
    assert t_star == pytest.approx(5.25, abs=0.005)
    assert bass_share(t_star, P, Q) == pytest.approx(0.5 - P / (2 * Q), abs=1e-9)


def share_at_months(participation: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Share sorting at `months`: participation[d] is the share at the end of day d."""
    days = np.arange(len(participation), dtype=float)
    return np.interp(months * DAYS_PER_MONTH, days, participation)


@pytest.fixture(scope="module")
def bass_runs() -> np.ndarray:
    city = generate_city(N, seed=11)
    horizon = int(np.ceil(9 * DAYS_PER_MONTH)) + 2
    runs = [run_engine(city, BASS, horizon, seed=s, start=dt.date(2021, 3, 1)).participation
            for s in range(SEEDS)]
    return np.array([share_at_months(np.asarray(r), MONTHS) for r in runs])


def test_bass_limit_mean_of_20_seeds(bass_runs):
    mean = bass_runs.mean(axis=0)
    exact = bass_share(MONTHS, P, Q)
    print("\nmonths", MONTHS, "\nmodel ", mean.round(4), "\nBass  ", exact.round(4),
          "\nsd/run", bass_runs.std(axis=0, ddof=1).round(4))
    assert np.all(np.abs(mean - exact) <= TOL), (mean, exact)
    assert np.all(np.abs(mean - PUBLISHED) <= TOL)


def test_bass_limit_is_not_met_without_the_imitation_term(bass_runs):
    """Control: the same check fails for a model with q = 0 (innovation only), so it has power
    to tell the Bass dynamics from a plain exponential take-up."""
    city = generate_city(N, seed=11)
    horizon = int(np.ceil(9 * DAYS_PER_MONTH)) + 2
    no_q = HouseholdsParams(innovation_per_month=P, imitation_per_month=0.0,
                            neighbour_scope="global")
    r = run_engine(city, no_q, horizon, seed=0, start=dt.date(2021, 3, 1)).participation
    share = share_at_months(np.asarray(r), MONTHS)
    assert np.abs(share - bass_share(MONTHS, P, Q)).max() > 10 * TOL
