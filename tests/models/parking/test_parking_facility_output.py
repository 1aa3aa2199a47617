"""Per-lot and per-district kerb occupancy by hour (the map's input): sizes, consistency with
the district KPI, lots opened and closed mid-run."""

from __future__ import annotations

import numpy as np
import pytest

from twin.models.parking.params import CloseLot, OpenLot
from twin.models.parking.standalone import run_parking


@pytest.fixture(scope="module")
def city():
    from twin.city.builtin import builtin_city

    return builtin_city("demo")


def test_lot_rows_are_off_street_and_sized_by_district(city):
    ds, model = run_parking(city=city, hours=6)
    lots = ds["parking_lot_occupancy"]
    assert lots.dims == ("hour", "parking_lot")
    assert ds.sizes["hour"] == 6
    # one row per site lot plus four pools per district: no kerb faces
    n_sites = len(city.sites.of_kind("parking_lot"))
    assert ds.sizes["parking_lot"] == n_sites + 4 * len(city.districts)
    assert not any(str(n).startswith("K") for n in ds["parking_lot"].values)
    occ = lots.values[np.isfinite(lots.values)]
    assert occ.size and (occ >= 0).all() and (occ <= 1 + 1e-9).all()
    kerb = ds["parking_kerb_occupancy"].values
    assert np.isfinite(kerb).all() and (kerb >= 0).all() and (kerb <= 1).all()
    assert {"parking_lot_x", "parking_lot_y", "parking_lot_district"} <= set(ds.coords)


def test_opened_lot_folds_into_its_pool_and_closed_lot_goes_blank(city):
    site = str(city.sites.name[city.sites.of_kind("parking_lot")[0]])
    district = str(city.districts.name[0])
    ev = [(3600.0, "open_lot", OpenLot(name="new", district=district, spaces=300,
                                       access="public", underground=False)),
          (3600.0, "close_lot", CloseLot(lot=site))]
    ds, _ = run_parking(city=city, hours=4, events=ev)
    spaces = ds["parking_lot_spaces"]
    pool = spaces.sel(parking_lot=f"PUB-{district}").values
    assert pool[0] == 0 and (pool[1:] == 300).all()
    assert (spaces.sel(parking_lot=site).values[1:] == 0).all()
    assert np.isnan(ds["parking_lot_occupancy"].sel(parking_lot=site).values[1:]).all()
