"""Programmes as scenario events (renewal tranches, sensor roll-out, LPG conversion) and the
peak-shaving reserves (storage in hours of demand against a source outage)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from models.gas.harness import register_gas, run_gas
from twin.core.errors import ScenarioError, TwinError

pytest.importorskip("pandapipes")


def _ev(at, kind, **kw):
    return {"at": at, "model": "gas", "kind": kind, **kw}


def test_renewal_sensor_and_lpg_events(demo_city):
    ev = [_ev("1d 06:00", "renewal", mains_km=1.0, services_km=2.0),
          _ev("1d 07:00", "sensors", km=3.0),
          _ev("1d 08:00", "lpg_conversion", households=500)]
    ds = run_gas({"hydraulics_stride_h": 6.0}, days=3, events=ev, city=demo_city)
    renewed = ds.gas_renewed_km.values
    assert renewed[0] == 0 and 2.0 < renewed[1] <= 3.0 + 1e-9  # whole segments: <= asked
    assert float(ds.gas_risk_removed.values[1]) > 0
    mains = np.array([s.startswith("main-") for s in ds.gas_segment.values])
    assert ds.gas_sensor.values[mains].sum() > 0
    assert ds.gas_sensor.values[~mains].sum() == 0
    lpg = ds.gas_lpg_households.values
    assert lpg[0] - lpg[1] == 500
    # cylinder deliveries: ~one per LPG household-month
    per_day = float(ds.gas_lpg_cylinders.values[0])
    assert per_day == pytest.approx(lpg[0] * 12 / 365.25, rel=0.3)


def test_storage_covers_a_source_outage_until_it_runs_dry(demo_city):
    """6 h of mean demand in storage and a 12-h outage at 03:00 (low night demand): gas until
    the storage is drawn down, then every piped household is without gas until the source is
    back; 72 h of storage rides the outage out."""
    ev = [_ev("03:00", "source_outage", hours=12.0)]
    short = run_gas({"storage_hours_of_demand": 6.0}, days=1, events=ev, city=demo_city)
    out = short.gas_interrupted_customers.values
    piped = out.max()
    assert out[:4].max() == 0 and out[14] == piped > 1000 and out[16] == 0
    first_dry = int(np.argmax(out > 0))
    assert 5 <= first_dry <= 12  # night demand is below the mean: > 6 h of cover at first
    cover = short.gas_storage_cover_h.values
    assert cover[2] > 6.0 and cover[first_dry] == 0
    assert short.gas_supply_failure.values[first_dry:15].all()
    long = run_gas({"storage_hours_of_demand": 72.0}, days=1, events=ev, city=demo_city)
    assert long.gas_interrupted_customers.values.max() == 0
    assert long.gas_storage_cover_h.values[15] < long.gas_storage_cover_h.values[2]


@pytest.mark.parametrize("ev,key", [
    ({"kind": "renewal", "mains_km": -1.0}, "events[0].mains_km"),
    ({"kind": "sensors", "km": -2.0}, "events[0].km"),
    ({"kind": "lpg_conversion", "households": -5}, "events[0].households"),
    ({"kind": "source_outage", "hours": -1.0}, "events[0].hours")])
def test_negative_programme_events_are_refused(ev, key):
    register_gas()
    from twin.core.scenario import parse_scenario

    doc = {"scenario": {"start": dt.date(2024, 1, 1), "horizon_days": 1},
           "models": {"gas": {}}, "events": [{"at": "01:00", "model": "gas", **ev}]}
    with pytest.raises(ScenarioError) as e:
        parse_scenario(doc)
    assert e.value.key == key


def test_district_construction_and_network_checked_against_the_city(demo_city, tmp_path):
    from twin.models.gas.model import GasModel
    from twin.models.gas.params import GasParams

    n = len(demo_city.districts)
    bad = list(GasModel.check_params(GasParams(district_construction=(1.0, 2.0)), demo_city))
    assert bad[0][0] == "district_construction" and f"{n}, one per district" in bad[0][1]
    assert demo_city.districts.name[0] in bad[0][1]
    ok = (1.0,) * (n - 1) + (3.0,)
    assert list(GasModel.check_params(GasParams(district_construction=ok), demo_city)) == []
    missing = tmp_path / "none.geojson"
    missing.write_text("{}")
    (fld, msg), = GasModel.check_params(GasParams(network=missing), demo_city)
    assert fld == "network" and "not a GeoJSON FeatureCollection" in msg
    with pytest.raises(TwinError, match="district_construction.*one per district"):
        run_gas({"district_construction": [1.0, 2.0]}, days=1, city=demo_city)
    # a district ten times as busy gets the strikes: factor 10 in the last district only
    ds = run_gas({"district_construction": list(ok[:-1]) + [10.0],
                  "third_party_per_km_year": 20.0, "hydraulics_stride_h": 24.0}, days=2,
                 city=demo_city)
    tp = ds.gas_leaks.sel(gas_cause="third_party").sum("day").values
    assert tp[-1] > tp[:-1].max()


def test_map_variables_add_up(demo_city):
    """What the dashboard maps: hours a main's valves were closed, customer-hours by service
    block (summing to the district KPI), lowest pressure per segment, both segment ends."""
    ev = [_ev("10:00", "isolate", segment="main-60", hours=3.0)]
    ds = run_gas({}, days=1, events=ev, city=demo_city)
    closed = ds.gas_isolated_hours
    assert float(closed.sel(gas_segment="main-60")) == pytest.approx(3.0)
    assert float(closed.sum()) == pytest.approx(3.0)
    assert float(ds.gas_segment_customer_hours.sum()) == pytest.approx(
        float(ds.gas_customer_hours_lost.sum()))
    low = ds.gas_segment_lowest_bar.values
    assert np.nanmin(low) >= 0 and np.nanmax(low) <= 3.0 + 1e-9
    kind = ds.gas_segment_kind.values
    mains = kind != "service block"
    assert set(kind[mains]) == {"medium-pressure main", "low-pressure main"}
    length = np.hypot(ds.gas_segment_x_m - ds.gas_segment_x0_m,
                      ds.gas_segment_y_m - ds.gas_segment_y0_m).values
    assert (length[mains] > 0).all() and (length[~mains] == 0).all()


def test_params_that_do_not_fit_the_city_stop_at_load():
    """The model's check_params runs when the scenario is parsed, before any run."""
    register_gas()
    from twin.core.scenario import parse_scenario

    doc = {"scenario": {"start": dt.date(2024, 1, 1), "horizon_days": 1},
           "city": {"builtin": "demo"},
           "models": {"gas": {"district_construction": [1.0, 2.0]}}}
    with pytest.raises(ScenarioError, match="one per district") as e:
        parse_scenario(doc)
    assert e.value.key == "models.gas.district_construction"


def test_summary_gives_counts_not_rates_from_a_handful_of_leaks(demo_city):
    from twin.models.gas.kpis import MIN_EVENTS_FOR_A_RATE, summarize

    ds = run_gas({"hydraulics_stride_h": 24.0}, days=2, city=demo_city)
    rows = {label: value for label, value, _ in summarize(ds)}
    leaks = float(ds.gas_leaks.sum())
    assert leaks < MIN_EVENTS_FOR_A_RATE  # two days of a demo network: a handful
    assert "leaks per 100 km-year" not in rows and "third-party share of leaks" not in rows
    (label,) = [k for k in rows if k.startswith("leaks, a count")]
    assert rows[label] == leaks and "too few to tell" in label
