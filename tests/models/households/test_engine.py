"""The array engine: mass balance, participation / capture / purity kept apart, seasons,
relapse, reproducibility, state size and the AgentSet-like view."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

from twin.core.clock import DAY_S
from twin.models.households.params import FOOD, RESIDUAL, HouseholdsParams
from twin.models.households.standalone import make_engine, run_engine

MANDATE = HouseholdsParams(
    initial_participation=0.1, potential_share=0.9, innovation_per_month=0.05,
    imitation_per_month=0.5, mandate_start=dt.date(2019, 3, 5), fine_cny=200.0,
    fine_response_per_cny_month=0.005, supervised_point_share=0.6, relapse_per_month=1.0)


def test_mass_balance_every_day(hh_city):
    s = run_engine(hh_city, MANDATE, 40, seed=1, events=((25, 1.0),)).arrays()
    gen, srt, uns, dlv = s["generated"], s["sorted"], s["unsorted"], s["deliveries"]
    assert np.allclose(srt.sum(1) + uns.sum(1), gen.sum(1), rtol=1e-12)
    assert np.allclose(dlv.sum(1), gen.sum(1), rtol=1e-12)
    assert np.allclose(dlv[:, :RESIDUAL], srt[:, :RESIDUAL], rtol=1e-12)
    assert np.allclose(dlv[:, RESIDUAL], uns.sum(1), rtol=1e-12)
    assert np.all(srt[:, RESIDUAL] == 0)
    # per material: separate + residual container = generated, except food-bin impurities
    impurity = srt[:, FOOD] + uns[:, FOOD] - gen[:, FOOD]
    assert np.all(impurity >= 0)
    assert np.allclose(gen[:, RESIDUAL] - uns[:, RESIDUAL], impurity, rtol=1e-9, atol=1e-12)
    assert np.allclose(gen[:, 1:3], srt[:, 1:3] + uns[:, 1:3], rtol=1e-12)


def test_participation_capture_and_purity_are_kept_apart(hh_city):
    """Beijing-like: 90% of households sort, but capture 0.38 and purity 0.9 put only about
    21% of the waste (by mass) into food containers."""
    p = HouseholdsParams(initial_participation=0.9, potential_share=0.9,
                         innovation_per_month=0.0, imitation_per_month=0.0, food_capture=0.38,
                         food_purity_unsupervised=0.9)
    abm, _ = make_engine(hh_city, p, seed=3, start=dt.date(2020, 6, 1))
    out = abm.advance(0.0)
    w = abm.households_per_district
    part = (out.participation * w).sum() / w.sum()
    assert part == pytest.approx(0.9, abs=0.015)
    food_gen = out.generated[:, FOOD].sum()
    food_in = out.food_capture @ out.generated[:, FOOD]
    assert food_in / food_gen == pytest.approx(0.9 * 0.38, abs=0.015)
    assert np.allclose(out.food_purity, 0.9)
    share = out.sorted[:, FOOD].sum() / out.generated.sum()
    assert share == pytest.approx(0.9 * 0.38 * 0.55 / 0.9, abs=0.01)
    assert share == pytest.approx(0.21, abs=0.01)


def test_nobody_sorting_puts_everything_in_residual(hh_city):
    p = HouseholdsParams(innovation_per_month=0.0, imitation_per_month=0.0)
    s = run_engine(hh_city, p, 5, seed=1).arrays()
    assert np.all(s["sorted"] == 0) and np.all(s["participation"] == 0)
    assert np.allclose(s["deliveries"][:, RESIDUAL], s["generated"].sum(1))


def test_seasons_and_spring_festival(hh_city):
    p = HouseholdsParams(daily_cv=0.3, spring_festival_effect=-0.3)
    s = run_engine(hh_city, p, 220, seed=1, start=dt.date(2021, 1, 1)).arrays()
    total = s["generated"].sum(1)
    days = [dt.date(2021, 1, 1) + dt.timedelta(days=d) for d in range(220)]
    month = np.array([d.month for d in days])
    sf = np.array([-1 <= (d - dt.date(2021, 2, 12)).days <= 6 for d in days])
    march, july = total[month == 3].mean(), total[month == 7].mean()
    assert july / march == pytest.approx(1.07 / 0.96, rel=0.01)
    feb = total[(month == 2) & ~sf].mean()
    assert total[sf].mean() / feb == pytest.approx(0.7, rel=0.02)
    # 1 kg per person and day at the normal level (May)
    persons = hh_city.households.size.sum()
    assert total[month == 5].mean() * 1000 / persons == pytest.approx(1.0, rel=0.03)
    # day-to-day noise of the city total: CV 0.3 per household over 4,000 households
    assert 0.001 < total[month == 5].std() / total[month == 5].mean() < 0.02


def test_mandate_raises_participation_and_withdrawal_lets_it_relapse(hh_city):
    base = run_engine(hh_city, MANDATE, 60, seed=2).participation
    cut = run_engine(hh_city, MANDATE, 60, seed=2, events=((30, 1.0),)).participation
    none = run_engine(hh_city, dataclasses.replace(MANDATE, mandate_start=None), 60,
                      seed=2).participation
    assert base[29] > none[29] + 0.1
    assert cut[29] == base[29]  # same draws until the event
    assert cut[59] < cut[29] - 0.05 < base[59]


def test_supervision_sets_purity(hh_city):
    p = dataclasses.replace(MANDATE, supervised_point_share=1.0, food_purity_supervised=0.99,
                            food_purity_unsupervised=0.85)
    abm, _ = make_engine(hh_city, p, seed=1, start=dt.date(2019, 3, 4))
    before = abm.advance(0.0).food_purity.copy()
    after = abm.advance(DAY_S).food_purity.copy()
    abm.withdraw_supervision(1.0)
    gone = abm.advance(2 * DAY_S).food_purity.copy()
    assert np.allclose(before, 0.85) and np.allclose(after, 0.99) and np.allclose(gone, 0.85)


def test_same_seed_same_bits_other_seed_other_draws(hh_city):
    a = run_engine(hh_city, MANDATE, 30, seed=4).arrays()
    b = run_engine(hh_city, MANDATE, 30, seed=4).arrays()
    c = run_engine(hh_city, MANDATE, 30, seed=5).arrays()
    for k in a:
        assert np.array_equal(a[k], b[k]), k
    assert not np.array_equal(a["participation"], c["participation"])


def test_state_is_eight_bytes_per_household_and_the_view_reads_it(hh_city):
    abm, pop = make_engine(hh_city, MANDATE, seed=1, start=dt.date(2019, 3, 1))
    for d in range(10):
        out = abm.advance(d * DAY_S)
    assert abm.nbytes_state == 8 * len(pop)
    hh = abm.households
    sorting = hh.get("sorting")
    w = abm.households_per_district
    assert sorting.mean() == pytest.approx((out.participation * w).sum() / w.sum())
    d0 = hh.select(hh.get("district") == 0)
    assert d0.agg("sorting", np.mean) == pytest.approx(out.participation[0])
    assert np.array_equal(hh.get("x_m"), hh_city.households.x_m)
    assert set(hh.attributes) >= {"car", "piped_gas", "base_kg", "collection_point", "size"}
