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
    ("gas_storage_cover_h", "h", "hours of current customer demand the peak-shaving storage "
     "would cover if the sources failed now"),
)

HOURLY_BAD = {"gas_interrupted_customers": "high", "gas_open_leaks": "high",
              "gas_supply_failure": "high", "gas_storage_cover_h": "low"}


def declare(rec, district_names, segment_ids, seg_kind, seg_x, seg_y, seg_x0, seg_y0) -> None:
    rec.coord("gas_district", list(district_names), long_name="district (gas KPIs)")
    rec.coord("gas_cause", list(CAUSES), long_name="incident cause")
    rec.coord("gas_material", list(MATERIALS), long_name="pipe material")
    rec.coord("gas_segment", segment_ids, long_name="gas segment (main-k, service-node)")
    rec.coord("gas_segment_x_m", seg_x, dim="gas_segment", units="m",
              long_name="segment downstream end easting (city frame)")
    rec.coord("gas_segment_y_m", seg_y, dim="gas_segment", units="m",
              long_name="segment downstream end northing (city frame)")
    rec.coord("gas_segment_kind", seg_kind, dim="gas_segment",
              long_name="medium-pressure main, low-pressure main or service block")
    rec.coord("gas_segment_x0_m", seg_x0, dim="gas_segment", units="m",
              long_name="segment upstream end easting (mains; services: as downstream)")
    rec.coord("gas_segment_y0_m", seg_y0, dim="gas_segment", units="m",
              long_name="segment upstream end northing (mains; services: as downstream)")
    for name, units, ln in HOURLY:
        extra = {"bad": HOURLY_BAD[name]} if name in HOURLY_BAD else {}
        rec.declare(name, units=units, long_name=ln, time_dim="hour", **extra)
    d = rec.declare
    d("gas_leaks", dims=("gas_district", "gas_cause"), units="1/day", bad="high",
      long_name="leaks that started, by district and cause")
    d("gas_leaks_by_material", dims=("gas_material", "gas_cause"), units="1/day",
      long_name="leaks that started on mains and services, by material and cause")
    d("gas_grade1_made_safe", dims=("gas_district",), units="1/day",
      long_name="grade-1 leaks made safe that day")
    d("gas_grade1_within_30min", dims=("gas_district",), units="1/day", bad="low",
      long_name="grade-1 leaks made safe within 30 min of starting")
    d("gas_customer_hours_lost", dims=("gas_district",), units="h/day", bad="high",
      long_name="customer-hours without gas")
    d("gas_peak_interrupted", dims=("gas_district",), units="1", bad="high",
      long_name="most households without gas at one time that day")
    d("gas_lowest_pressure_bar", dims=("gas_district",), units="bar", bad="low",
      long_name="lowest customer pressure that day (gauge)")
    d("gas_renewed_km", units="km/day", long_name="mains and services renewed")
    d("gas_risk_removed", units="1/year",
      long_name="expected incidents a year removed by that day's renewal")
    d("gas_lpg_households", units="1", long_name="households still on LPG cylinders")
    d("gas_lpg_cylinders", units="1/day", long_name="LPG cylinder deliveries")
    d("gas_risk_per_year", dims=("gas_segment",), units="1/year", time_dim=None, bad="high",
      long_name="expected incidents a year per segment at the end (map with coordinates)")
    d("gas_km", dims=("gas_material",), units="km", time_dim=None,
      long_name="network length by material at the end")
    d("gas_customers_downstream", dims=("gas_segment",), units="1", time_dim=None,
      long_name="households cut off when the segment is isolated")
    d("gas_incidents", dims=("gas_segment",), units="1", time_dim=None,
      long_name="leaks per segment over the run")
    d("gas_third_party_share_grade1", units="1", time_dim=None,
      long_name="expected share of third-party strikes among grade-1 network leaks at the "
      "end (indoor excluded; the counterpart of accident shares by cause)")
    d("gas_sensor", dims=("gas_segment",), units="1", time_dim=None,
      long_name="1 if the segment has a leak sensor at the end")
    d("gas_isolated_hours", dims=("gas_segment",), units="h", time_dim=None,
      long_name="hours the segment's valves were closed over the run (mains)")
    d("gas_segment_customer_hours", dims=("gas_segment",), units="h", time_dim=None,
      long_name="customer-hours without gas of the segment's customers over the run "
      "(service blocks)")
    d("gas_segment_lowest_bar", dims=("gas_segment",), units="bar", time_dim=None,
      long_name="lowest pressure at the segment's downstream end over the run (gauge)")


def record_map(r, gn, node_ch, closed_h, j_min_bar) -> None:
    """Per segment over the run: hours its valves were closed, customer-hours lost by its
    customers (a node's split over its blocks by households), lowest pressure."""
    t = gn.topo
    svc = np.arange(gn.n_mains, gn.n_segments)
    node = gn.node[svc]
    hh = gn.households[svc].astype(float)
    per_node = np.bincount(node, hh, minlength=len(node_ch))
    blocks = np.bincount(node, minlength=len(node_ch))
    share = np.where(per_node[node] > 0, hh / np.maximum(per_node[node], 1e-9),
                     1.0 / np.maximum(blocks[node], 1))
    r.set("gas_isolated_hours", np.r_[closed_h, np.zeros(len(svc))])
    r.set("gas_segment_customer_hours", np.r_[np.zeros(gn.n_mains), node_ch[node] * share])
    j = np.r_[t.p_to, t.lp_junction_of_node[node]]
    low = np.where(j >= 0, j_min_bar[np.maximum(j, 0)], np.nan)
    r.set("gas_segment_lowest_bar", np.where(np.isinf(low), np.nan, low))


# under this many events a rate or share is noise, and the summary says so instead
MIN_EVENTS_FOR_A_RATE = 10


def summarize(ds) -> list[tuple[str, float, str]]:
    if "gas_leaks" not in ds:
        return []
    days = max(ds.sizes.get("day", 1), 1)
    km = float(ds["gas_km"].sum()) if "gas_km" in ds else float("nan")
    leaks = float(ds["gas_leaks"].sum())
    g1 = float(ds["gas_grade1_made_safe"].sum())
    g30 = float(ds["gas_grade1_within_30min"].sum())
    years = days / 365.25
    few = f"(too few to tell: under {MIN_EVENTS_FOR_A_RATE}; run longer)"
    if leaks >= MIN_EVENTS_FOR_A_RATE:
        rates = [("leaks per 100 km-year", leaks / max(km, 1e-9) * 100.0 / years,
                  "1/(100 km yr)"),
                 ("third-party share of leaks", float(ds["gas_leaks"].sel(
                     gas_cause="third_party").sum()) / leaks, "1")]
    else:
        rates = [(f"leaks, a count {few}", leaks, "1")]
    rates.append(("grade-1 made safe within 30 min", g30 / g1, "1")
                 if g1 >= MIN_EVENTS_FOR_A_RATE else
                 (f"grade-1 leaks made safe, a count {few}", g1, "1"))
    return rates + [
        ("customer-hours lost", float(ds["gas_customer_hours_lost"].sum()), "h"),
        ("lowest customer pressure", float(np.nanmin(ds["gas_lowest_pressure_bar"].values))
         if ds["gas_lowest_pressure_bar"].size else float("nan"), "bar"),
        ("supply failures", float(ds["gas_supply_failure"].sum()), "h"),
        ("km renewed", float(ds["gas_renewed_km"].sum()), "km"),
        ("households on LPG (end)", float(ds["gas_lpg_households"][-1]), "1"),
        ("LPG cylinder deliveries", float(ds["gas_lpg_cylinders"].sum()), "1"),
        ("lowest storage cover", float(ds["gas_storage_cover_h"].min()), "h"),
    ]
