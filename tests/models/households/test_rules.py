"""The rules shared by the array engine and the Mesa reference: waste factors, the adoption
hazard, the neighbour share, the policy calendar and the parameter checks."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from twin.core.errors import ScenarioError
from twin.core.scenario import parse_scenario
from twin.models.households.adoption import (
    Policy,
    adoption_rate_per_month,
    bass_share,
    bin_coefficients,
    daily_probability,
    neighbour_share,
    waste_factor,
)
from twin.models.households.params import DAYS_PER_MONTH, HouseholdsParams


def test_seasonal_and_spring_festival_factors():
    p = HouseholdsParams(spring_festival_effect=-0.2, spring_festival_days=(-1.0, 6.0))
    assert waste_factor(p, dt.date(2021, 1, 10), 30) == pytest.approx(0.88)
    assert waste_factor(p, dt.date(2021, 7, 10), 100) == pytest.approx(1.07)
    assert waste_factor(p, dt.date(2021, 2, 12), 0) == pytest.approx(0.88 * 0.8)
    assert waste_factor(p, dt.date(2021, 2, 11), -1) == pytest.approx(0.88 * 0.8)
    assert waste_factor(p, dt.date(2021, 2, 19), 7) == pytest.approx(0.88)


def test_adoption_rate_reduces_to_bass_without_policies():
    p = HouseholdsParams(innovation_per_month=0.01, imitation_per_month=0.5, fine_cny=200.0,
                         fine_response_per_cny_month=0.01, incentive_cny_per_month=10.0,
                         incentive_response_per_cny_month=0.02)
    off = dict(campaign_per_month=0.0, incentive_on=False, mandate_on=False)
    assert adoption_rate_per_month(p, 0.3, 0.5, **off) == pytest.approx(0.01 + 0.5 * 0.3)
    on = adoption_rate_per_month(p, 0.3, 0.5, campaign_per_month=0.1, incentive_on=True,
                                 mandate_on=True)
    assert on == pytest.approx(0.16 + 0.1 + 0.02 * 10 + 0.01 * 200 * 0.5)
    s = np.array([0.0, 0.5])
    assert np.allclose(adoption_rate_per_month(p, s, np.zeros(2), **off), [0.01, 0.26])


def test_daily_probability_is_the_exponential_of_the_daily_hazard():
    assert daily_probability(DAYS_PER_MONTH) == pytest.approx(1 - np.exp(-1))
    assert daily_probability(0.0) == 0.0


def test_neighbour_share_global_and_spatial():
    sorting = np.array([10.0, 0.0, 30.0, 0.0])
    n = np.array([100.0, 100.0, 100.0, 0.0])
    g = neighbour_share(sorting, n, HouseholdsParams(neighbour_scope="global"))
    assert np.allclose(g, 40 / 300)
    own = neighbour_share(sorting, n, HouseholdsParams(neighbour_points=0))
    assert np.allclose(own, [0.1, 0.0, 0.3, 0.0])
    adj = neighbour_share(sorting, n, HouseholdsParams(neighbour_points=1))
    assert np.allclose(adj, [10 / 200, 40 / 300, 30 / 200, 30 / 100])


def test_policy_calendar_supervision_and_withdrawal():
    p = HouseholdsParams(mandate_start=dt.date(2019, 7, 1), supervised_point_share=0.5,
                         detection_supervised=0.6, detection_unsupervised=0.05,
                         food_purity_supervised=0.99, food_purity_unsupervised=0.9,
                         relapse_per_month=0.2, incentive_start=dt.date(2019, 8, 1),
                         campaign_intensity_per_month=0.1)
    u = np.column_stack([np.linspace(0.05, 0.95, 10), np.linspace(0.05, 0.95, 10)])
    pol = Policy(p, u)
    assert pol.supervised.sum() == 5
    pol.set_date(dt.date(2019, 6, 30))
    assert not pol.mandate_on and not pol.campaign_on and np.all(pol.detection == 0.05)
    pol.set_date(dt.date(2019, 7, 1))
    assert pol.mandate_on and pol.campaign_on and not pol.incentive_on  # campaign = mandate
    assert np.allclose(pol.detection[pol.supervised], 0.6)
    assert np.allclose(pol.purity[pol.supervised], 0.99)
    assert np.allclose(pol.purity[~pol.supervised], 0.9)
    assert np.all(pol.relapse == 0)
    pol.withdraw(0.4)  # the supervised points whose withdrawal draw is below 0.4
    gone = pol.supervised & (u[:, 1] < 0.4)
    assert gone.sum() == 4
    assert np.allclose(pol.detection[gone], 0.05) and np.allclose(pol.relapse[gone], 0.2)
    assert np.allclose(pol.detection[pol.supervised & ~gone], 0.6)
    pol.set_date(dt.date(2019, 8, 1))
    assert pol.incentive_on and np.allclose(pol.relapse[gone], 0.2)


def test_midday_share_is_half_a_day_ahead():
    p = HouseholdsParams(innovation_per_month=0.0, imitation_per_month=DAYS_PER_MONTH)
    pol = Policy(p, np.zeros((1, 2)))
    s = np.array([0.5])
    up = 1 - np.exp(-0.5)  # hazard q s = 0.5 per day
    assert pol.midday_share(s) == pytest.approx(0.5 + 0.5 * 0.5 * up)


def test_bass_closed_form_limits():
    assert bass_share(0.0, 0.01, 0.5) == pytest.approx(0.0)
    assert bass_share(200.0, 0.01, 0.5) == pytest.approx(1.0)
    # with q = 0 it is the exponential 1 - e^{-pt}
    assert bass_share(3.0, 0.2, 1e-12) == pytest.approx(1 - np.exp(-0.6))


def test_bin_coefficients():
    p = HouseholdsParams(food_capture=0.8, recyclable_capture=0.5, hazardous_capture=1.0)
    assert np.allclose(bin_coefficients(p), [0.8 * 0.55, 0.5 * 0.15, 0.005])


@pytest.mark.parametrize("bad, match", [
    ({"composition": (0.5, 0.5)}, "one share per stream"),
    ({"composition": (0.5, 0.2, 0.1, 0.1)}, "sum to 1"),
    ({"seasonal_factors": (1.0,) * 11}, "12 values"),
    ({"spring_festival_days": (3.0, 1.0)}, "first <= last"),
    ({"initial_participation": 0.5, "potential_share": 0.4}, "cannot exceed"),
    ({"composition": (0.9, 0.05, 0.0, 0.05), "food_purity_unsupervised": 0.5},
     "impurities"),
])
def test_params_cross_checks(bad, match):
    with pytest.raises(ValueError, match=match):
        HouseholdsParams(**bad)


def scenario(households: dict) -> dict:
    return {"scenario": {"name": "t", "start": dt.date(2020, 1, 1), "horizon_days": 3},
            "city": {"builtin": "small"}, "models": {"households": households}}


@pytest.mark.parametrize("households, key, match", [
    ({"fine_yuan": 10}, "models.households.fine_yuan", "unknown parameter"),
    ({"food_capture": 1.5}, "models.households.food_capture", "out of range"),
    ({"neighbour_scope": "city"}, "models.households.neighbour_scope", "'spatial', 'global'"),
    ({"composition": [0.5, 0.2, 0.1, 0.1]}, "models.households", "sum to 1"),
])
def test_scenario_errors_name_the_key(households, key, match):
    with pytest.raises(ScenarioError) as e:
        parse_scenario(scenario(households))
    assert key in str(e.value) and match in str(e.value)
