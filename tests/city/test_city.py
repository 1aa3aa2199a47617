"""The synthetic city: deterministic, realistic in its proportions, compact, round-trips."""

import numpy as np
import pytest

from twin.city import generate_city, load_city, save_city
from twin.city.model import SITE_KINDS


@pytest.fixture(scope="module")
def city():
    return generate_city(30_000, seed=5)


def test_same_seed_same_city_other_seed_other_city(city):
    again = generate_city(30_000, seed=5)
    assert np.array_equal(city.households.x_m, again.households.x_m)
    assert np.array_equal(city.roads.edge_u, again.roads.edge_u)
    other = generate_city(30_000, seed=6)
    assert not np.array_equal(city.households.x_m, other.households.x_m)


def test_proportions(city):
    h = city.households
    assert len(h) == 30_000
    assert 2.5 < h.size.mean() < 2.7  # 2020 census mean 2.62
    assert city.districts.population.sum() == city.population
    density = city.districts.population / city.districts.area_km2
    assert density.max() / density.min() > 1.5  # districts of differing density
    assert np.allclose(city.districts.land_use.sum(1), 1)
    per_point = len(h) / len(city.sites.of_kind("collection_point"))
    assert 300 <= per_point <= 500
    assert set(np.unique(city.sites.kind)) == set(SITE_KINDS)


def test_households_avoid_the_river_and_low_land_lies_along_it(city):
    h = city.households
    ry = np.interp(h.x_m, city.river_xy[:, 0], city.river_xy[:, 1])
    assert np.abs(h.y_m - ry).min() >= city.river_width_m / 2
    r = city.roads
    near = np.abs(r.node_y - np.interp(r.node_x, city.river_xy[:, 0], city.river_xy[:, 1])) < 500
    assert r.node_elev_m[near].mean() < r.node_elev_m[~near].mean()


def test_spatial_locality_order(city):
    h = city.households
    step = np.hypot(np.diff(h.x_m), np.diff(h.y_m))
    shuffled = np.random.default_rng(0).permutation(len(h))
    random_step = np.hypot(np.diff(h.x_m[shuffled]), np.diff(h.y_m[shuffled]))
    assert np.median(step) < 0.05 * np.median(random_step)


def test_road_graph_is_connected_across_the_river(city):
    times = city.roads.travel_times_s([0])
    assert np.isfinite(times).all()
    assert (city.roads.edge_class == 2).any()  # bridges


def test_households_near_their_road_node_and_point(city):
    h, r = city.households, city.roads
    d = np.hypot(h.x_m - r.node_x[h.road_node], h.y_m - r.node_y[h.road_node])
    assert np.percentile(d, 99) < 250
    cps = city.sites.of_kind("collection_point")
    sx, sy = city.sites.x[cps][h.collection_point], city.sites.y[cps][h.collection_point]
    assert np.median(np.hypot(h.x_m - sx, h.y_m - sy)) < 400


def test_compact_per_household_state():
    c = generate_city(100_000, seed=1)
    assert c.households.nbytes / len(c.households) <= 150


def test_save_and_load_round_trip(city, tmp_path):
    save_city(city, tmp_path / "c")
    back = load_city(tmp_path / "c")
    assert back.summary() == city.summary()
    assert np.array_equal(back.households.collection_point, city.households.collection_point)
    assert np.array_equal(back.terrain.elevation_m, city.terrain.elevation_m)
    assert list(back.sites.name) == list(city.sites.name)
    assert (tmp_path / "c" / "city.geojson").read_text().count('"layer": "district"') == 9


def test_collection_point_density_changes_only_the_collection_points(city):
    dense = generate_city(30_000, seed=5, households_per_point=150)
    sparse = generate_city(30_000, seed=5, households_per_point=1_500)
    for c, per in ((dense, 150), (sparse, 1_500)):
        n_cp = len(c.sites.of_kind("collection_point"))
        assert n_cp == round(30_000 / per)
        assert np.bincount(c.households.collection_point).max() <= -(-30_000 // n_cp)
        assert c.meta["households_per_point"] == per and c.name.endswith(f"-p{per}")
        assert np.array_equal(c.households.x_m, city.households.x_m)
        assert np.array_equal(c.roads.edge_u, city.roads.edge_u)
        other = c.sites.kind != "collection_point"
        assert list(c.sites.name[other]) == list(city.sites.name[city.sites.kind !=
                                                                 "collection_point"])
    walk = {}
    for c in (dense, city, sparse):
        cps = c.sites.of_kind("collection_point")
        h = c.households
        walk[len(cps)] = np.mean(np.hypot(h.x_m - c.sites.x[cps][h.collection_point],
                                          h.y_m - c.sites.y[cps][h.collection_point]))
    w = [walk[k] for k in sorted(walk, reverse=True)]
    assert w[0] < w[1] < w[2]  # fewer points, longer walks
    default = generate_city(30_000, seed=5, households_per_point=400)
    assert default.name == city.name and default.meta == city.meta


@pytest.mark.parametrize("bad", [99, 2_001, 400.0, True])
def test_collection_point_density_out_of_range(bad):
    with pytest.raises(ValueError, match="households_per_point must be an integer from 100 "
                                         "to 2000"):
        generate_city(2_000, seed=1, households_per_point=bad)


def test_open_city_caches_per_collection_point_density():
    from twin.city import open_city
    from twin.core.scenario import CitySpec

    a = open_city(CitySpec(builtin="small"))
    assert a is open_city(CitySpec(builtin="small", households_per_point=400))
    b = open_city(CitySpec(builtin="small", households_per_point=200))
    assert b is open_city(CitySpec(builtin="small", households_per_point=200))
    assert b.name == "small-p200" and a.name == "small"
    assert len(b.sites.of_kind("collection_point")) == 20
    assert np.array_equal(a.households.x_m, b.households.x_m)
