"""Supervision hours at fixed-time points and the walk to the collection point: both scale the
adoption of sorting, and both are neutral at their defaults."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

from twin.city import generate_city
from twin.models.households.adoption import Policy, supervised_value, supervision_cover
from twin.models.households.params import FIXED_TIME_OPENING_HOURS, HouseholdsParams
from twin.models.households.population import build_population, convenience_factor
from twin.models.households.standalone import make_engine, run_engine, run_reference

MANDATE = HouseholdsParams(mandate_start=dt.date(2019, 7, 1), supervised_point_share=1.0,
                           detection_supervised=0.6, detection_unsupervised=0.05,
                           food_purity_supervised=0.99, food_purity_unsupervised=0.9)


@pytest.mark.parametrize("hours,cover", [(5.0, 1.0), (2.5, 0.5), (1.0, 0.2), (0.0, 0.0),
                                         (12.0, 1.0)])
def test_supervision_hours_scale_detection_and_purity_at_supervised_points(hours, cover):
    p = dataclasses.replace(MANDATE, supervision_hours_per_day=hours)
    assert supervision_cover(p) == pytest.approx(cover)
    pol = Policy(p, np.full((4, 2), 0.5))
    pol.set_date(dt.date(2019, 7, 1))
    assert np.allclose(pol.detection, cover * 0.6 + (1 - cover) * 0.05)
    assert np.allclose(pol.purity, cover * 0.99 + (1 - cover) * 0.9)
    # the expected fine (fine x detection) falls in proportion to the uncovered hours
    full = Policy(MANDATE, np.full((4, 2), 0.5))
    full.set_date(dt.date(2019, 7, 1))
    assert np.allclose(pol.detection - 0.05, cover * (full.detection - 0.05))


def test_full_opening_hours_give_exactly_the_supervised_values():
    assert HouseholdsParams().supervision_hours_per_day == FIXED_TIME_OPENING_HOURS == 5.0
    p = HouseholdsParams(detection_supervised=0.37, detection_unsupervised=0.021)
    assert supervised_value(p, 0.37, 0.021) == 0.37  # bit for bit: calibrations unchanged


def test_fewer_supervision_hours_lower_adoption_under_a_mandate(hh_city):
    p = dataclasses.replace(MANDATE, mandate_start=dt.date(2019, 3, 1), fine_cny=200.0,
                            fine_response_per_cny_month=0.006, imitation_per_month=0.0,
                            innovation_per_month=0.0, potential_share=0.9)
    ends = {h: run_engine(hh_city, dataclasses.replace(p, supervision_hours_per_day=h), 60,
                          seed=4).participation[-1] for h in (5.0, 2.5, 0.0)}
    # hazard 0.006 x 200 x detection per month; expected share after 59 days of decisions
    for h, got in ends.items():
        det = supervised_value(dataclasses.replace(p, supervision_hours_per_day=h), 0.6, 0.05)
        expect = 0.9 * (1 - np.exp(-1.2 * det * 59 / (365.25 / 12)))
        assert got == pytest.approx(expect, abs=0.03), (h, got, expect)
    assert ends[5.0] > ends[2.5] > ends[0.0]


def test_convenience_factor_halves_at_the_distance_and_is_one_at_the_reference():
    assert convenience_factor(HouseholdsParams(), np.array([0.0, 500.0])) is None  # off
    p = HouseholdsParams(convenience_distance_m=800.0, convenience_reference_m=200.0)
    f = convenience_factor(p, np.array([0.0, 200.0, 800.0, 2400.0]))
    assert f[1] == pytest.approx(1.0)
    assert f[2] == pytest.approx(f[0] / 2) and f[3] == pytest.approx(f[0] / 4)
    assert np.all(np.diff(f) < 0)


def test_walks_are_distances_to_the_households_collection_point(hh_city):
    pop = build_population(hh_city, HouseholdsParams(), _streams())
    cp = hh_city.sites.of_kind("collection_point")
    h = hh_city.households
    k = 123
    site = cp[h.collection_point[k]]
    want = np.hypot(h.x_m[k] - hh_city.sites.x[site], h.y_m[k] - hh_city.sites.y[site])
    assert pop.walk_m[k] == pytest.approx(want, rel=1e-5)
    assert pop.convenience(HouseholdsParams()) is None


def test_default_reference_is_the_mean_walk_at_400_households_per_point():
    """At the default density the factor averages about 1 on the demo city, so switching the
    effect on does not shift the level of adoption there, only spreads it."""
    city = generate_city(20_000, seed=2024)
    p = HouseholdsParams(convenience_distance_m=1000.0)
    pop = build_population(city, p, _streams())
    assert pop.walk_m.mean() == pytest.approx(p.convenience_reference_m, rel=0.05)
    assert pop.convenience(p).mean() == pytest.approx(1.0, abs=0.03)


def test_convenience_scales_each_households_hazard_and_potential(hh_city):
    """Innovation only (hazard p f_i): the engine's share after T days is the mean over the
    households of m_i (1 - exp(-p f_i T)), m_i = min(1, potential f_i); near and far halves
    of the households each match it."""
    p = HouseholdsParams(innovation_per_month=0.5, imitation_per_month=0.0,
                         potential_share=0.7, convenience_distance_m=150.0,
                         convenience_reference_m=100.0, daily_cv=0.0)
    days = 40
    pop = build_population(hh_city, p, _streams())
    f = pop.convenience(p)
    near = pop.walk_m < np.median(pop.walk_m)
    t = (days - 1) / (365.25 / 12)  # the first day keeps the initial state
    expect = np.minimum(1.0, 0.7 * f) * (1 - np.exp(-0.5 * f * t))
    got = {"near": [], "far": []}
    for seed in range(4):
        abm, _ = make_engine(hh_city, p, seed, dt.date(2019, 3, 1), population_seed=0)
        for d in range(days):
            abm.advance(d * 86400.0)
        got["near"].append(abm.sorting[near].mean())
        got["far"].append(abm.sorting[~near].mean())
    for name, mask in (("near", near), ("far", ~near)):
        se = np.sqrt(expect[mask].mean() * (1 - expect[mask].mean()) / mask.sum() / 4)
        assert np.mean(got[name]) == pytest.approx(expect[mask].mean(), abs=4 * se + 0.002)
    assert np.mean(got["near"]) > np.mean(got["far"]) + 0.05


def test_mesa_reference_applies_the_same_convenience(hh_city):
    p = HouseholdsParams(innovation_per_month=0.5, imitation_per_month=0.0,
                         potential_share=0.7, convenience_distance_m=150.0,
                         convenience_reference_m=100.0)
    small = generate_city(1_000, seed=3)
    ref = np.mean([run_reference(small, p, 40, seed=s, population_seed=0).participation[-1]
                   for s in range(3)])
    eng = np.mean([run_engine(small, p, 40, seed=s, population_seed=0).participation[-1]
                   for s in range(6)])
    off = run_engine(small, dataclasses.replace(p, convenience_distance_m=0.0), 40,
                     seed=0, population_seed=0).participation[-1]
    assert ref == pytest.approx(eng, abs=0.03)
    assert abs(off - eng) > 0.03  # the effect is large enough here to be told apart


def test_denser_collection_points_raise_adoption_when_distance_matters():
    p = HouseholdsParams(innovation_per_month=0.3, imitation_per_month=0.5,
                         potential_share=0.8, convenience_distance_m=300.0)
    ends = {}
    for hpp in (150, 1600):
        city = generate_city(20_000, seed=2024, households_per_point=hpp)
        ends[hpp] = run_engine(city, p, 120, seed=1).participation[-1]
    assert ends[150] > ends[1600] + 0.05


def _streams():
    from twin.core.rng import RunSeed, Streams

    return Streams(RunSeed(0))


def test_neighbour_window_is_centred_when_a_city_has_fewer_points_than_the_window():
    """Cities of 1,000 households have 2-3 points; the window of 2k+1 points must still give
    one share per point (np.convolve's `same` returned 3 values for 2 points)."""
    from twin.models.households.adoption import neighbour_share

    p = HouseholdsParams(neighbour_points=1)
    got = neighbour_share(np.array([10.0, 30.0]), np.array([100.0, 100.0]), p)
    assert got.shape == (2,) and np.allclose(got, [0.2, 0.2])
    five = neighbour_share(np.arange(5.0), np.ones(5), HouseholdsParams(neighbour_points=3))
    assert np.allclose(five, [6 / 4, 10 / 5, 10 / 5, 10 / 5, 10 / 4])
