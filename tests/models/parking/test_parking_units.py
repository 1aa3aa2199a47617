"""The parking model on the demo city: a default day, supply changes, coupling, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from models.parking.harness import run_parking
from twin.core import params as P
from twin.core.errors import ScenarioError
from twin.models.parking.choice import paid_hours_array
from twin.models.parking.model import ParkingModel
from twin.models.parking.params import AddSpaces, CloseLot, OpenLot, ParkingParams, SetPrice
from twin.models.parking.pricing import sfpark_step
from twin.models.parking.supply import split_by_population


@pytest.fixture(scope="module")
def city():
    from twin.city.builtin import builtin_city

    return builtin_city("demo")


@pytest.fixture(scope="module")
def day(city):
    return run_parking(city=city, hours=24)


def test_params_reject_bad_values():
    with pytest.raises(ScenarioError, match="band"):
        P.build(ParkingParams, {"band": [0.9, 0.6]}, section="models.parking")
    with pytest.raises(ScenarioError, match="kerb_price_cny_per_h"):
        P.build(ParkingParams, {"kerb_price_cny_per_h": -1.0}, section="models.parking")
    with pytest.raises(ScenarioError, match="visitor_cars_per_1000_people"):
        P.build(ParkingParams, {"visitor_cars_per_1000_people": -5.0})
    with pytest.raises(ScenarioError, match="lot_spaces_mean"):
        P.build(ParkingParams, {"lot_spaces_mean": -10.0})
    with pytest.raises(ScenarioError, match="spaces"):
        P.build(AddSpaces, {"spaces": -4}, section="events[0]")
    with pytest.raises(ScenarioError, match="access"):
        P.build(AddSpaces, {"spaces": 4, "access": "vip"}, section="events[0]")


def test_check_event_names_unknown_lots_and_districts(city):
    p = ParkingParams()
    probs = list(ParkingModel.check_event("add_spaces", AddSpaces(10, "Atlantis"), p, city))
    assert probs and probs[0][0] == "district" and "Old Town" in probs[0][1]
    probs = list(ParkingModel.check_event("close_lot", CloseLot("PL99"), p, city))
    assert probs[0][0] == "lot" and "PL01" in probs[0][1]
    probs = list(ParkingModel.check_event("open_lot", OpenLot("PL01", "Old Town", 100), p, city))
    assert probs[0][0] == "name"
    assert not list(ParkingModel.check_event("add_spaces", AddSpaces(10, "Old Town"), p, city))
    assert not list(ParkingModel.check_event("set_price", SetPrice(6.0, "PL02"), p, city))


def test_default_day_has_believable_magnitudes(day):
    ds, model = day
    assert ds.sizes["hour"] == 24 and ds.sizes["district"] == 9
    occ = ds["parking_occupancy"].mean("district")
    assert float(occ.min()) > 0.2 and float(occ.max()) < 1.0
    assert float(occ.sel(hour=occ.hour[12])) > float(occ.sel(hour=occ.hour[4]))  # daytime peak
    search = dict((k, v) for k, v, _ in ParkingModel.summarize(ds))["mean search time"]
    assert 0.05 < search < 10.0  # Shoup 2006: 3.5-14 min in congested centres, less city-wide
    arrivals = float(ds["parking_arrivals"].sum())
    assert float(ds["parking_turned_away"].sum()) < 0.1 * arrivals
    for v in ("parking_occupancy", "parking_cruising_vkm", "parking_revenue_cny"):
        assert ds[v].attrs["units"]
    assert (ds["parking_search_p90_min"] >= 0).all()


def test_same_seed_same_bits(city, day):
    again, _ = run_parking(city=city, hours=24)
    assert again["parking_search_mean_min"].equals(day[0]["parking_search_mean_min"])


def test_public_spaces_reduce_search(city, day):
    ds, _ = run_parking(city=city, hours=24, events=[(0.0, "add_spaces", AddSpaces(3000))])
    base = day[0]
    spaces = ds["parking_spaces"].isel(hour=0).sel(parking_access="public").sum()
    spaces0 = base["parking_spaces"].isel(hour=0).sel(parking_access="public").sum()
    assert int(spaces - spaces0) == 3000
    assert float(ds["parking_cruising_vkm"].sum()) < float(base["parking_cruising_vkm"].sum())


def test_open_and_close_lots(city):
    ev = [(6 * 3600.0, "open_lot", OpenLot("NEW1", "Old Town", 400)),
          (6 * 3600.0, "close_lot", CloseLot("PL01"))]
    ds, model = run_parking(city=city, hours=12, events=ev)
    f = model.fac.index("NEW1")
    assert model.fac.cap[f] == 400 and model.fac.cap[model.fac.index("PL01")] == 0
    assert any(f in c for c in model.cand)


def test_closed_roads_cut_off_and_garages_flood(city):
    from twin.models.parking.supply import GARAGE

    _, m0 = run_parking(city=city, hours=1)
    garages = [f for f in range(len(m0.fac)) if m0.fac.kind[f] == GARAGE and m0.fac.design_cap[f]]
    assert garages
    depth = np.zeros(city.roads.n_nodes)
    depth[[m0.fac.node[f] for f in garages]] = 0.5
    closed = frozenset(range(city.roads.n_edges))
    ds, m = run_parking(city=city, hours=14, publish=[(12 * 3600.0, "street_water_depth", depth),
                                                      (13 * 3600.0, "closed_roads", closed)])
    assert float(ds["parking_cars_at_risk"].max()) > 0
    assert float(ds["parking_flooded_spaces"].isel(hour=12)) > 0
    assert float(ds["parking_cut_off_spaces"].isel(hour=13)) > 0
    assert all(m.fac.cap[f] == 0 for f in garages)


def test_performance_pricing_moves_prices(city):
    p = ParkingParams(pricing="performance")
    ds, _ = run_parking(p, city=city, hours=72)
    price = ds["parking_price_mean_cny_per_h"]
    assert not np.allclose(price.isel(hour=-1), price.isel(hour=0))


def test_helpers():
    paid = paid_hours_array(np.array([7.0, 19.0]) * 3600, np.array([3.0, 14.0]) * 3600,
                            (8.0, 20.0))
    assert paid.tolist() == pytest.approx([2.0, 2.0])
    assert sfpark_step(3.0, 0.9, (0.6, 0.8), 0.25, 0.5, 10.0) == 3.25
    assert sfpark_step(0.5, 0.1, (0.6, 0.8), 0.25, 0.5, 10.0) == 0.5
    assert sorted(split_by_population(10, np.array([1, 1, 2])).tolist()) == [2, 3, 5]


def test_a_run_starting_mid_day_is_warmed_up_from_midnight(city, day):
    import datetime as dt

    ds, _ = run_parking(city=city, hours=2, start=dt.datetime(2024, 6, 3, 14, 0))
    full_day = day[0]["parking_occupancy"].isel(hour=14).mean()
    assert float(ds["parking_occupancy"].isel(hour=0).mean()) == pytest.approx(
        float(full_day), abs=0.1)


def test_bad_directions_are_declared(day):
    """The comparison app colours verdicts from `bad`; occupancy itself has no bad side."""
    ds, _ = day
    for v in ("parking_turned_away", "parking_illegal", "parking_search_mean_min",
              "parking_search_p90_min", "parking_cruising_vkm", "parking_full_share",
              "parking_cars_at_risk", "parking_flooded_spaces", "parking_cut_off_spaces"):
        assert ds[v].attrs.get("bad") == "high", v
    assert ds["parking_in_band_share"].attrs.get("bad") == "low"
    for v in ("parking_occupancy", "parking_lot_occupancy", "parking_revenue_cny"):
        assert "bad" not in ds[v].attrs, v


def test_run_mean_search_is_the_driver_weighted_mean_of_the_hours(day):
    """The sweep's headline KPI: every parked driver counts once, whatever hour or district."""
    ds, _ = day
    parked = (ds["parking_arrivals"] - ds["parking_turned_away"] - ds["parking_illegal"]
              ).sum("parking_group")
    total = float((ds["parking_search_mean_min"] * parked).sum() / parked.sum())
    run_mean = ds["parking_search_run_mean_min"].values
    assert run_mean[-1] == pytest.approx(total, rel=1e-9)
    assert 0.0 < run_mean[-1] < float(ds["parking_search_mean_min"].max())
    summary = dict((k, v) for k, v, _ in ParkingModel.summarize(ds))
    assert summary["mean search time"] == pytest.approx(run_mean[-1], rel=1e-9)


def test_search_classes_count_every_parked_driver(day):
    ds, _ = day
    parked = (ds["parking_arrivals"] - ds["parking_turned_away"] - ds["parking_illegal"]
              ).sum(("parking_group", "district"))
    drivers = ds["parking_search_drivers"]
    assert np.array_equal(drivers.sum("parking_search_bin").values, parked.values)
    first = float(drivers.isel(parking_search_bin=0).sum() / drivers.sum())
    assert 0.5 < first < 1.0  # most find their first choice free on an ordinary day
