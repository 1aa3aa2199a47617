"""Unit tests of the waste model's parts and of a short run on the demo city (stub deliveries)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import simpy

from models.waste.harness import run_waste, stub_deliveries
from twin.core import params as P
from twin.core.errors import ScenarioError, TwinError
from twin.models.waste.kernel import HeapKernel, SimpyKernel
from twin.models.waste.kpis import Ledger
from twin.models.waste.model import WasteModel
from twin.models.waste.params import (
    DESTINATIONS,
    DIGESTION,
    INCINERATION,
    LANDFILL,
    RESIDUAL,
    STREAMS,
    WasteParams,
)
from twin.models.waste.plants import Plants
from twin.models.waste.points import Containers, delivery_profile
from twin.models.waste.routing import Network, plan_pyvrp, plan_sfc
from twin.models.waste.synthetic import synthetic_day

FAST = dict(vrp_iterations=300)
BIG_PLANTS = WasteParams(incineration_kg_per_person_day=2.0, digestion_kg_per_person_day=1.0,
                         recycling_kg_per_person_day=1.0, **FAST)  # never turn a load away


@pytest.fixture(scope="module")
def city():
    from twin.city.io import open_city
    from twin.core.scenario import CitySpec

    return open_city(CitySpec(builtin="demo"))


@pytest.fixture(scope="module")
def ten_days(city):
    return run_waste(WasteParams(**FAST), stub_deliveries(city, seed=3), city=city, days=10)


def test_params_reject_bad_values():
    with pytest.raises(ScenarioError, match="truck_capacity_t"):
        P.build(WasteParams, {"truck_capacity_t": [1.0, 2.0]}, section="models.waste")
    with pytest.raises(ScenarioError, match="unknown parameter"):
        P.build(WasteParams, {"trucks": 3})
    with pytest.raises(ScenarioError, match="morning_window_h"):
        P.build(WasteParams, {"morning_window_h": [9.0, 8.0]})
    assert STREAMS == ("food", "recyclable", "hazardous", "residual")


def test_delivery_profile_puts_shares_in_windows():
    p = WasteParams()
    f = delivery_profile(p)
    h = 3600.0
    assert f(0.0) == 0.0 and f(24 * h) == pytest.approx(1.0)
    grid = np.linspace(0, 24 * h, 2001)
    vals = np.array([f(t) for t in grid])
    assert np.all(np.diff(vals) >= -1e-15)
    missed_per_h = p.missed_time_share / 16.0
    assert f(8.5 * h) - f(6.5 * h) == pytest.approx(p.morning_share + 2 * missed_per_h)
    evening = 1 - p.morning_share - p.missed_time_share
    assert f(20.5 * h) - f(17.5 * h) == pytest.approx(evening + 3 * missed_per_h)
    lo, hi, f0, r = f.linear  # the inlined fast path agrees with the function
    for t in np.linspace(lo, hi, 7):
        assert f0 + r * t == pytest.approx(f(t))


def test_containers_overflow_counted_once_until_emptied():
    p = dataclasses.replace(WasteParams(), container_m3=(1.0, 1.0, 1.0, 1.0),
                            bin_density_t_per_m3=(0.5, 0.5, 0.5, 0.5))
    c = Containers(2, p, np.array([True, False]))
    d = c.mix(np.array([[0.4, 0.0, 0.0, 0.2], [0.4, 0.1, 0.0, 0.2]]))
    assert d[1].tolist() == [0.0, 0.0, 0.0, 0.7]  # legacy point: all mixed into residual
    c.new_day(0.0, d)
    c.end_day()  # nothing collected: sorting point's food 0.4 t < 0.5 t cap, no overflow
    assert c.pop_overflow().tolist() == [0.0, 0.0]  # legacy cap = 4 m3 x 0.5 = 2 t
    c.new_day(86_400.0, d)
    c.end_day()  # 0.8 t of food now: one overflow event
    assert c.pop_overflow().tolist() == [1.0, 0.0]
    c.new_day(2 * 86_400.0, d)
    assert c.take(0, 0, 2 * 86_400.0 + 3600.0) == pytest.approx(0.8)  # before any delivery
    assert c.pop_overflow().tolist() == [0.0, 0.0]  # already counted at midnight
    assert c.content_t(3 * 86_400.0) == pytest.approx(0.4 + 0.2 * 3 + 0.7 * 3)


def test_plants_capacity_residue_and_landfill():
    """No bunkers: food waste digestion cannot take is burnt; only what the incinerator cannot
    take is landfilled."""
    led = Ledger()
    pl = Plants({INCINERATION: 10.0, DIGESTION: 5.0}, residue_share=0.2, reject_share=0.1,
                ledger=led)
    pl.receive(0, DIGESTION, 8.0, 100.0)  # 5 digested (1 residue burnt), 3 sent on and burnt
    pl.receive(RESIDUAL, INCINERATION, 12.0, 200.0)  # 6 left at the incinerator
    assert led.by_dest[0, DIGESTION] == pytest.approx(4.0)
    assert led.by_dest[0, INCINERATION] == pytest.approx(4.0)
    assert led.by_dest[0, LANDFILL] == pytest.approx(0.0)
    assert led.by_dest[RESIDUAL, INCINERATION] == pytest.approx(6.0)
    assert led.by_dest[RESIDUAL, LANDFILL] == pytest.approx(6.0)
    pl.receive(RESIDUAL, INCINERATION, 12.0, 86_400.0 + 1)  # a new day: capacity back
    assert led.by_dest[RESIDUAL, LANDFILL] == pytest.approx(8.0)
    assert led.cum_disposed == pytest.approx(8.0 + 12.0 + 12.0)


def test_simpy_and_heapq_days_are_identical():
    day = synthetic_day(1_500, seed=4)
    a = day.run(SimpyKernel(simpy.Environment()))
    b = day.run(HeapKernel())
    assert a == b
    assert a["collected_t"] == pytest.approx(a["unloaded_t"])
    assert a["rounds"] == len(day.rounds)


def test_fcfs_recursion_gives_the_day_of_simpy_resources(city):
    """Station queues as the FCFS recursion and as SimPy resources: the same day, on the
    synthetic 1,500-point day (queues form: one bridge, two bays per gate) and on a model run
    (station waits, tonnes, hours)."""
    day = synthetic_day(1_500, seed=4)
    res = dataclasses.replace(day, params=dataclasses.replace(day.params,
                                                              station_queues="resources"))
    a, b = day.run(SimpyKernel(simpy.Environment())), res.run(SimpyKernel(simpy.Environment()))
    assert a.keys() == b.keys() and a["bridge_waited"] > 0 and a["station_wait_s"] > 0
    for key in a:
        assert a[key] == pytest.approx(b[key], rel=1e-9, abs=1e-9), key
    runs = [run_waste(WasteParams(station_queues=q, **FAST), stub_deliveries(city, seed=3),
                      city=city, days=3)[0] for q in ("fcfs", "resources")]
    for v in ("station_wait_min", "station_trucks", "truck_hours", "tonnes_by_destination",
              "stock_t", "cost_cny"):
        np.testing.assert_allclose(runs[0][v].values, runs[1][v].values, rtol=1e-9, atol=1e-9,
                                   err_msg=v)


def test_sfc_rounds_cover_every_point_once_within_capacity():
    rng = np.random.default_rng(0)
    n = 300
    xy = rng.uniform(0, 3000, (n + 1, 2))

    def legs(a, b):
        d = np.hypot(*(xy[a] - xy[b]).T)
        return d / 7.0, d

    load = rng.uniform(0.1, 0.6, n)
    rounds = plan_sfc(np.arange(n), n, legs, load, np.full(n, 300.0), capacity_t=3.0,
                      shift_s=6 * 3600.0, unload_s=600.0, stream=0, start_tod_s=0.0)
    stops = np.concatenate([r.stops for r in rounds])
    assert sorted(stops.tolist()) == list(range(n))
    for r in rounds:
        trips = np.split(load[r.stops], np.flatnonzero(r.trip_end)[:-1] + 1)
        assert all(t.sum() <= 3.0 + 1e-9 for t in trips)


def test_pyvrp_needs_no_more_trucks_than_sfc_and_is_deterministic(city):
    s = city.sites
    cp, ts = s.of_kind("collection_point"), s.of_kind("transfer_station")
    places = np.r_[cp, ts[0]]
    net = Network(city.roads, s.road_node[places], s.x[places], s.y[places])
    pts = np.arange(len(cp))
    load = np.full(len(cp), 0.6)
    svc = np.full(len(cp), 900.0)
    kw = dict(capacity_t=5.0, shift_s=7 * 3600.0, unload_s=660.0, stream=RESIDUAL,
              start_tod_s=0.0)
    vrp = plan_pyvrp(pts, len(cp), net, load, svc, iterations=1000, seed=5, **kw)
    again = plan_pyvrp(pts, len(cp), net, load, svc, iterations=1000, seed=5, **kw)
    sfc = plan_sfc(pts, len(cp), net.pairs, load, svc, **kw)
    assert vrp is not None
    assert [r.stops.tolist() for r in vrp] == [r.stops.tolist() for r in again]
    assert sorted(np.concatenate([r.stops for r in vrp]).tolist()) == pts.tolist()
    assert len(vrp) <= len(sfc)

    def km(rounds):
        tot = 0.0
        for r in rounds:  # depot, stops, back to the depot after every trip
            seq = [len(cp)]
            for stop, end in zip(r.stops, r.trip_end, strict=True):
                seq += [stop, len(cp)] if end else [stop]
            seq = np.asarray(seq)
            tot += net.pairs(seq[:-1], seq[1:])[1].sum()
        return tot

    assert km(vrp) < km(sfc)


def test_run_books_every_tonne(ten_days):
    ds, model = ten_days
    gen = float(ds["generated_t"].sum())
    disposed = float(ds["tonnes_by_destination"].sum())
    waiting = float(ds["stock_t"].isel(day=-1).sum())
    assert abs(gen - disposed - waiting) < 1e-9 * gen
    assert float(np.abs(ds["mass_balance_residual_t"]).max()) < 1e-9 * gen
    assert np.all(ds["stock_t"].values >= -1e-9)
    # collected = generated over the run, less what still waits in containers and what the
    # informal collectors took
    coll = float(ds["collected_t"].sum())
    assert coll == pytest.approx(gen - float(ds["stock_t"].isel(day=-1, stock=0))
                                 - float(ds["informal_t"].sum()), rel=1e-9)


def test_run_outputs_have_units_dims_and_consistent_landfill(ten_days):
    ds, _ = ten_days
    for v in ds.data_vars:
        assert ds[v].attrs.get("units") and ds[v].attrs.get("long_name"), v
    assert ds["tonnes_by_destination"].dims == ("day", "stream", "destination")
    assert list(ds["destination"].values) == list(DESTINATIONS)
    assert ds["station_wait_min"].dims == ("day", "transfer_station")
    assert ds["overflow_events"].dims == ("day", "collection_point")
    lf = ds["tonnes_by_destination"].sel(destination="landfill").sum("stream")
    np.testing.assert_allclose(lf.values, ds["landfill_tonnes"].values)
    np.testing.assert_array_equal(ds["zero_landfill"].values, (lf.values <= 1e-9) * 1.0)
    # today's plants are too small: landfill starts once the incinerator's bunker is full
    full = ds["bunker_t"].sel(plant="incineration") >= 5.0 * float(
        ds["plant_capacity_t"].sel(plant="incineration")) - 1e-6
    assert bool(full[-1]) and float(ds["landfill_tonnes"][-1]) > 0
    assert float(ds["landfill_tonnes"].where(~full, 0.0).sum()) == 0.0
    p = WasteParams()
    fuel = ds["fuel_l"].values
    np.testing.assert_allclose(ds["co2_t"].values, fuel * p.diesel_co2_kg_per_l / 1000)
    np.testing.assert_allclose(ds["cost_cny"].sel(cost_item="fuel").values,
                               fuel * p.diesel_price_cny_per_l)


def test_bigger_plants_reach_zero_landfill(city):
    big = BIG_PLANTS
    ds, _ = run_waste(big, stub_deliveries(city, seed=3), city=city, days=4)
    assert float(ds["landfill_tonnes"].sum()) == 0.0
    assert ds["zero_landfill"].values.tolist() == [1.0] * 4


def test_run_is_deterministic_and_seed_dependent(city, ten_days):
    ds, _ = ten_days
    again, _ = run_waste(WasteParams(**FAST), stub_deliveries(city, seed=3), city=city, days=10)
    assert ds.identical(again)
    other, _ = run_waste(WasteParams(**FAST), stub_deliveries(city, seed=3), city=city, days=10,
                         seed=2)
    assert not np.array_equal(ds["station_wait_min"].values, other["station_wait_min"].values,
                              equal_nan=True)


def test_missing_or_misshapen_deliveries_are_reported(city):
    with pytest.raises(TwinError, match="households model"):
        run_waste(WasteParams(**FAST), lambda day: None, city=city, days=1)
    with pytest.raises(TwinError, match="shape"):
        run_waste(WasteParams(**FAST), lambda day: np.zeros((3, 4)), city=city, days=1)


def test_legacy_points_send_sorted_waste_to_residual(city):
    all_legacy = WasteParams(sorting_point_share=0.0, **FAST)
    ds, _ = run_waste(all_legacy, stub_deliveries(city, seed=3), city=city, days=3)
    gen = ds["generated_t"].sum("day")
    assert float(gen.sel(stream="residual")) == pytest.approx(float(gen.sum()))
    assert float(ds["sorting_point"].sum()) == 0


def test_overflow_hot_spots_carry_point_coordinates(city):
    small = WasteParams(container_m3=(0.96, 3.3, 0.24, 2.2), **FAST)  # 2 residual bins only
    ds, _ = run_waste(small, stub_deliveries(city, seed=3), city=city, days=4)
    s = city.sites
    cp = s.of_kind("collection_point")
    np.testing.assert_array_equal(ds["point_x_m"].values, s.x[cp])
    np.testing.assert_array_equal(ds["point_y_m"].values, s.y[cp])
    assert ds["point_x_m"].dims == ("collection_point",)
    assert ds["overflow_events_total"].dims == ("collection_point",)
    total = ds["overflow_events"].sum("day")
    np.testing.assert_array_equal(ds["overflow_events_total"].values, total.values)
    assert float(total.sum()) > 0  # 0.33 t of residual bins for about 0.5 t a day


def test_plants_report_what_arrived_and_plan_scale(city):
    big = BIG_PLANTS
    ds, _ = run_waste(big, stub_deliveries(city, seed=3), city=city, days=4)
    dest = ds["tonnes_by_destination"].sum("stream")
    off = ds["plant_offered_t"]
    # nothing turned away: digestion's input is its output plus the 20% residue, and the
    # incinerator's input is everything it burnt
    np.testing.assert_allclose(off.sel(plant="digestion"),
                               dest.sel(destination="digestion") / (1 - big.digestion_residue_share))
    np.testing.assert_allclose(off.sel(plant="incineration"), dest.sel(destination="incineration"))
    assert float(ds["plant_capacity_t"].sel(plant="incineration")) == \
        pytest.approx(2.0 * city.population / 1000)
    assert np.isnan(float(ds["plant_capacity_t"].sel(plant="hazardous_treatment")))
    assert float(ds["plan_scale"]) == pytest.approx(24.87e6 / city.population)
    rows = {label.strip(): value for label, value, _ in WasteModel.summarize(ds)}
    need = float(off.sel(plant=["incineration", "digestion"])[1:].max("day").sum())  # not day 0
    assert rows["needed for zero landfill (busiest day per plant)"] == pytest.approx(need)
    assert rows["needed at plan scale"] == pytest.approx(need * float(ds["plan_scale"]))
    assert rows["raw waste landfilled"] == 0.0 and rows["days with zero landfill"] == 100.0
