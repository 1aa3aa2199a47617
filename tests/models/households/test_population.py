"""The population: attributes drawn per household, the per-person waste propensity, the
AgentSet-like view."""

from __future__ import annotations

import numpy as np
import pytest

from twin.core.rng import RunSeed, Streams
from twin.models.households.params import HouseholdsParams
from twin.models.households.population import (
    HouseholdSet,
    build_population,
    person_sum_lognormal,
)


def pop_of(city, seed=1, **kw):
    return build_population(city, HouseholdsParams(**kw), Streams(RunSeed(seed)))


def test_attribute_shares_follow_the_parameters(hh_city):
    pop = pop_of(hh_city, car_ownership_share=0.3, piped_gas_share=0.6)
    n = len(pop)
    se = np.sqrt(0.25 / n)
    assert abs(pop.car.mean() - 0.3) < 4 * se
    assert abs(pop.piped_gas.mean() - 0.6) < 4 * se
    assert pop.car.dtype == bool and pop.piped_gas.dtype == bool


def test_waste_propensity_is_a_per_person_lognormal_with_mean_one(hh_city):
    pop = pop_of(hh_city, kg_per_person_day=1.2, person_sigma=0.5)
    persons = pop.size.astype(float).sum()
    # mean over ~10,400 persons of a lognormal with mean 1 and sigma 0.5 (SD 0.53): SE 0.5%
    assert pop.base_kg.sum() / persons == pytest.approx(1.2, rel=0.02)
    singles = pop.base_kg[pop.size == 1] / 1.2
    assert np.log(singles).std() == pytest.approx(0.5, abs=0.03)
    assert np.log(singles).mean() == pytest.approx(-0.125, abs=0.03)


def test_person_sum_without_variation_is_the_household_size():
    size = np.array([1, 3, 0, 2], np.uint8)
    out = person_sum_lognormal(np.random.default_rng(0), size, 0.0)
    assert out.tolist() == [1.0, 3.0, 0.0, 2.0]


def test_same_seed_same_population_and_groups_are_consistent(hh_city):
    a, b, c = pop_of(hh_city, 3), pop_of(hh_city, 3), pop_of(hh_city, 4)
    assert np.array_equal(a.base_kg, b.base_kg) and np.array_equal(a.car, b.car)
    assert not np.array_equal(a.base_kg, c.base_kg)
    assert np.array_equal(a.group_point[a.group], a.point)
    assert np.array_equal(a.group_district[a.group], a.district)
    assert a.n_points == 10 and a.n_districts == len(hh_city.districts)


def test_policy_parameters_do_not_change_the_households(hh_city):
    """Common random numbers: a policy sweep sees the same households."""
    a = pop_of(hh_city, 5)
    b = pop_of(hh_city, 5, fine_cny=200.0, mandate_start=None, initial_participation=0.3)
    assert np.array_equal(a.base_kg, b.base_kg) and np.array_equal(a.adopt_u, b.adopt_u)
    assert np.array_equal(a.point_u, b.point_u)


def test_initial_sorters_can_adopt_and_shares_nest(hh_city):
    p = HouseholdsParams(initial_participation=0.2, potential_share=0.7)
    pop = build_population(hh_city, p, Streams(RunSeed(2)))
    init, can = pop.initial_sorting(p), pop.can_adopt(p)
    assert np.all(can[init])
    assert init.mean() == pytest.approx(0.2, abs=0.03)
    assert can.mean() == pytest.approx(0.7, abs=0.03)


def test_household_set_view():
    x = np.arange(10.0)
    d = np.array([0, 1] * 5)
    hs = HouseholdSet({"x": lambda: x, "district": lambda: d})
    assert len(hs) == 10 and hs.attributes == ("x", "district")
    odd = hs.select(lambda s: s.get("district") == 1)
    assert len(odd) == 5 and odd.get("x").tolist() == [1, 3, 5, 7, 9]
    big = odd.select(odd.get("x") > 4)
    assert big.get("x").tolist() == [5, 7, 9]
    assert big.agg("x", np.sum) == 21
    with pytest.raises(AttributeError, match="no attribute 'y'.*x, district"):
        hs.get("y")
