"""Declaration of the gas model's outputs (hourly network state, daily KPIs per district) and
the headline summary."""

from __future__ import annotations

import numpy as np

from twin.models.gas.params import CAUSES, MATERIALS

HOURLY = (
    ("gas_supply_kg_s", "kg/s", "gas supplied by the gate stations (last solve of the hour)"),
    ("gas_mass_balance_kg_s", "kg/s", "supply - gas delivered to customers and leaks; 0 up "
     "to solver tolerance"),
    ("gas_lowest_customer_bar", "bar", "lowest pressure at a junction serving customers "
     "(gauge; NaN when none has gas)"),
    ("gas_interrupted_customers", "1", "piped households without gas (pressure below minimum, "
     "isolated or meter shut)"),
    ("gas_supply_failure", "1", "1 if the hydraulic solve did not converge (supply failure)"),
    ("gas_open_leaks", "1", "leaks not yet made safe"),
)


def declare(rec, district_names, segment_ids, seg_x, seg_y) -> None:
    rec.coord("gas_district", list(district_names), long_name="district (gas KPIs)")
    rec.coord("gas_cause", list(CAUSES), long_name="incident cause")
    rec.coord("gas_material", list(MATERIALS), long_name="pipe material")
    rec.coord("gas_segment", segment_ids, long_name="gas segment (main-k, service-node)")
    rec.coord("gas_segment_x_m", seg_x, dim="gas_segment", units="m",
              long_name="segment downstream end easting (city frame)")
    rec.coord("gas_segment_y_m", seg_y, dim="gas_segment", units="m",
              long_name="segment downstream end northing (city frame)")
    for name, units, ln in HOURLY:
        rec.declare(name, units=units, long_name=ln, time_dim="hour")
    d = rec.declare
    d("gas_leaks", dims=("gas_district", "gas_cause"), units="1/day",
      long_name="leaks that started, by district and cause")
    d("gas_leaks_by_material", dims=("gas_material", "gas_cause"), units="1/day",
      long_name="leaks that started on mains and services, by material and cause")
    d("gas_grade1_made_safe", dims=("gas_district",), units="1/day",
      long_name="grade-1 leaks made safe that day")
    d("gas_grade1_within_30min", dims=("gas_district",), units="1/day",
      long_name="grade-1 leaks made safe within 30 min of starting")
    d("gas_customer_hours_lost", dims=("gas_district",), units="h/day",
      long_name="customer-hours without gas")
    d("gas_peak_interrupted", dims=("gas_district",), units="1",
      long_name="most households without gas at one time that day")
    d("gas_lowest_pressure_bar", dims=("gas_district",), units="bar",
      long_name="lowest customer pressure that day (gauge)")
    d("gas_renewed_km", units="km/day", long_name="mains and services renewed")
    d("gas_risk_removed", units="1/year",
      long_name="expected incidents a year removed by that day's renewal")
    d("gas_lpg_households", units="1", long_name="households still on LPG cylinders")
    d("gas_risk_per_year", dims=("gas_segment",), units="1/year", time_dim=None,
      long_name="expected incidents a year per segment at the end (map with coordinates)")
    d("gas_km", dims=("gas_material",), units="km", time_dim=None,
      long_name="network length by material at the end")
    d("gas_customers_downstream", dims=("gas_segment",), units="1", time_dim=None,
      long_name="households cut off when the segment is isolated")
    d("gas_incidents", dims=("gas_segment",), units="1", time_dim=None,
      long_name="leaks per segment over the run")


def summarize(ds) -> list[tuple[str, float, str]]:
    if "gas_leaks" not in ds:
        return []
    days = max(ds.sizes.get("day", 1), 1)
    km = float(ds["gas_km"].sum()) if "gas_km" in ds else float("nan")
    leaks = float(ds["gas_leaks"].sum())
    g1 = float(ds["gas_grade1_made_safe"].sum())
    g30 = float(ds["gas_grade1_within_30min"].sum())
    years = days / 365.25
    return [
        ("leaks per 100 km-year", leaks / max(km, 1e-9) * 100.0 / years, "1/(100 km yr)"),
        ("third-party share of leaks", float(ds["gas_leaks"].sel(gas_cause="third_party").sum())
         / leaks if leaks else float("nan"), "1"),
        ("grade-1 made safe within 30 min", g30 / g1 if g1 else float("nan"), "1"),
        ("customer-hours lost", float(ds["gas_customer_hours_lost"].sum()), "h"),
        ("lowest customer pressure", float(np.nanmin(ds["gas_lowest_pressure_bar"].values))
         if ds["gas_lowest_pressure_bar"].size else float("nan"), "bar"),
        ("supply failures", float(ds["gas_supply_failure"].sum()), "h"),
        ("km renewed", float(ds["gas_renewed_km"].sum()), "km"),
        ("households on LPG (end)", float(ds["gas_lpg_households"][-1]), "1"),
    ]
