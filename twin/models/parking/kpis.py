"""Hourly KPIs per district (and driver group) from the engine's accumulators, with units.

Each hour's row is labelled by the hour's start and appended when the hour has ended (the
next tick, or `finish` for the last hour), so occupancy is a time mean, not a snapshot.
"""

from __future__ import annotations

import numpy as np

from twin.models.parking.params import ACCESS, GROUPS, PUBLIC, RESIDENTIAL
from twin.models.parking.supply import POOL

BY_DISTRICT = (
    ("parking_occupancy", "1", "time-mean occupied share of public and shared spaces open"),
    ("parking_occupancy_residential", "1", "time-mean occupied share of residential spaces"),
    ("parking_in_band_share", "1", "share of priced face-hours (kerb faces, public lots) whose "
     "hour-mean occupancy is inside the target band"),
    ("parking_full_share", "1", "share of public facility-time spent full"),
    ("parking_search_mean_min", "min", "mean search time of drivers who parked (0 if the "
     "first choice was free)"),
    ("parking_search_p90_min", "min", "90th percentile of search time of drivers who parked"),
    ("parking_walk_mean_m", "m", "mean walk from the space to the destination"),
    ("parking_revenue_cny", "CNY/h", "parking charges of stays begun this hour"),
    ("parking_fines_cny", "CNY/h", "fines for illegal parking and kerb overstays"),
    ("parking_turnover", "1/h", "entries per public space"),
    ("parking_price_mean_cny_per_h", "CNY/h", "capacity-weighted paid-hours price of kerbs and "
     "public lots"),
)
BY_GROUP = (
    ("parking_arrivals", "1/h", "drivers arriving to park"),
    ("parking_cruising_vkm", "km/h", "vehicle-km driven searching for a space"),
    ("parking_search_group_mean_min", "min", "mean search time of the group's drivers who "
     "parked"),
    ("parking_turned_away", "1/h", "drivers who gave up and left without parking"),
    ("parking_illegal", "1/h", "drivers who parked illegally after their patience ran out"),
)
# search-time classes of the drivers who parked (min): the distribution the dashboard draws
SEARCH_BIN_EDGES_MIN = (0.0, 1e-9, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 15.0, np.inf)
SEARCH_BINS = ("0 (first choice free)", "0-0.5", "0.5-1", "1-2", "2-3", "3-5", "5-10",
               "10-15", "15+")

# which direction of a KPI is bad, for the comparison app's verdicts (occupancy, revenue,
# fines, turnover, price and arrivals have no obvious bad side: not declared)
BAD = {"parking_in_band_share": "low", "parking_full_share": "high",
       "parking_search_mean_min": "high", "parking_search_p90_min": "high",
       "parking_walk_mean_m": "high", "parking_cruising_vkm": "high",
       "parking_search_group_mean_min": "high", "parking_turned_away": "high",
       "parking_illegal": "high"}


def _bad(name: str) -> dict:
    return {"bad": BAD[name]} if name in BAD else {}


def declare(rec, city) -> None:
    rec.coord("district", list(city.districts.name))
    rec.coord("parking_group", list(GROUPS), long_name="driver group")
    rec.coord("parking_access", list(ACCESS), long_name="who may park")
    for name, units, long in BY_DISTRICT:
        rec.declare(name, dims=("district",), units=units, long_name=long, time_dim="hour",
                    **_bad(name))
    for name, units, long in BY_GROUP:
        rec.declare(name, dims=("district", "parking_group"), units=units, long_name=long,
                    time_dim="hour", **_bad(name))
    rec.declare("parking_search_run_mean_min", units="min", time_dim="hour", bad="high",
                long_name="mean search time of every driver who parked since the run's start, "
                "city-wide (the run's driver-weighted mean is its last value)")
    rec.coord("parking_search_bin", list(SEARCH_BINS), long_name="search time of a driver "
              "who parked, min")
    rec.declare("parking_search_drivers", dims=("parking_search_bin",), units="1/h",
                time_dim="hour", long_name="drivers who parked, city-wide, by their search time")
    rec.declare("parking_cars_at_risk", units="1", time_dim="hour", bad="high",
                long_name="cars inside underground garages when they flooded (cumulative)")
    rec.declare("parking_flooded_spaces", units="1", time_dim="hour", bad="high",
                long_name="spaces in flooded underground garages")
    rec.declare("parking_cut_off_spaces", units="1", time_dim="hour", bad="high",
                long_name="spaces cut off by closed roads")
    rec.declare("parking_spaces", dims=("district", "parking_access"), units="1",
                time_dim="hour", long_name="spaces open, by who may park")


def record_hour(model, t0: float) -> None:
    """Append the hour [t0, t0 + 1 h) of every KPI."""
    eng, fac, p, rec = model.engine, model.fac, model.params, model.ctx.recorder
    nd = eng.nd
    d = np.asarray(fac.district)
    kind, acc = np.asarray(fac.kind), np.asarray(fac.access)
    cap = np.asarray(fac.cap, float)
    mean_occ = np.asarray(eng.area) / 3600.0
    public = acc != RESIDENTIAL
    res = ~public

    def per_d(w, mask):
        return np.bincount(d[mask], weights=w[mask], minlength=nd)

    def ratio(a, b):
        return np.divide(a, b, out=np.zeros(nd), where=b > 0)

    out = {}
    usable = cap > 0  # cars left in a closed or flooded facility do not count
    out["parking_occupancy"] = ratio(per_d(mean_occ, public & usable), per_d(cap, public))
    out["parking_occupancy_residential"] = ratio(per_d(mean_occ, res & usable),
                                                 per_d(cap, res))
    priced = (acc == PUBLIC) & (cap > 0) & (kind != POOL)
    f_occ = np.divide(mean_occ, cap, out=np.zeros(len(cap)), where=cap > 0)
    inband = (f_occ >= p.band[0]) & (f_occ <= p.band[1])
    out["parking_in_band_share"] = ratio(per_d(inband.astype(float), priced),
                                         per_d(np.ones(len(cap)), priced))
    pub_open = public & (cap > 0)
    out["parking_full_share"] = ratio(per_d(np.asarray(eng.full_s) / 3600.0, pub_open),
                                      per_d(np.ones(len(cap)), pub_open))
    t = eng.tally
    k = (nd, len(GROUPS))
    parked = np.asarray(t.parked, float).reshape(k).sum(1)
    out["parking_search_mean_min"] = ratio(np.asarray(t.search_s).reshape(k).sum(1) / 60.0,
                                           parked)
    out["parking_search_p90_min"] = np.array(
        [np.percentile(s, 90) / 60.0 if s else 0.0 for s in t.searches])
    out["parking_walk_mean_m"] = ratio(np.asarray(t.walk_m).reshape(k).sum(1), parked)
    out["parking_revenue_cny"] = np.asarray(t.revenue)
    out["parking_fines_cny"] = np.asarray(t.fines)
    out["parking_turnover"] = ratio(per_d(np.asarray(eng.entries, float), pub_open),
                                    per_d(cap, pub_open))
    pk = priced & (kind != POOL)
    out["parking_price_mean_cny_per_h"] = ratio(per_d(np.asarray(fac.price) * cap, pk),
                                                per_d(cap, pk))
    for name, *_ in BY_DISTRICT:
        rec.append(name, t0, out[name])
    turned = np.asarray(t.turned, float).reshape(k)
    illegal = np.asarray(t.illegal, float).reshape(k)
    parked_g = np.asarray(t.parked, float).reshape(k)
    arrivals = parked_g + turned + illegal
    vals = {"parking_arrivals": arrivals,
            "parking_cruising_vkm": np.asarray(t.cruise_m).reshape(k) / 1000.0,
            "parking_search_group_mean_min": np.divide(
                np.asarray(t.search_s).reshape(k) / 60.0, parked_g,
                out=np.zeros(k), where=parked_g > 0),
            "parking_turned_away": turned, "parking_illegal": illegal}
    for name, *_ in BY_GROUP:
        rec.append(name, t0, vals[name])
    model.run_search += (float(np.sum(t.search_s)), float(parked.sum()))
    s_tot, n_tot = model.run_search
    rec.append("parking_search_run_mean_min", t0, s_tot / 60.0 / n_tot if n_tot else 0.0)
    every = np.fromiter((x for s in t.searches for x in s), float) / 60.0
    rec.append("parking_search_drivers", t0,
               np.histogram(every, bins=SEARCH_BIN_EDGES_MIN)[0].astype(float))
    design = np.asarray(fac.design_cap, float)
    rec.append("parking_cars_at_risk", t0, eng.at_risk)
    rec.append("parking_flooded_spaces", t0, design[np.asarray(fac.flooded, bool)].sum())
    cut = np.asarray(fac.cut_off, bool) & ~np.asarray(fac.flooded, bool)
    rec.append("parking_cut_off_spaces", t0, design[cut].sum())
    spaces = np.zeros((nd, len(ACCESS)))
    np.add.at(spaces, (d, acc), cap)
    rec.append("parking_spaces", t0, spaces)
    model.lot_output.record(rec, t0, mean_occ, cap)
    model.publish("parking_occupancy", out["parking_occupancy"])
    model.publish("cruising_vkm", vals["parking_cruising_vkm"].sum(1))
    return out


def summarize(ds) -> list[tuple[str, float, str]]:
    if "parking_arrivals" not in ds:
        return []
    # the district-hour means are over drivers who parked: weight them by those drivers
    w = (ds["parking_arrivals"] - ds["parking_turned_away"] - ds["parking_illegal"]
         ).sum("parking_group")
    out = []
    if float(w.sum()) > 0:
        out.append(("mean search time", float((ds["parking_search_mean_min"] * w).sum()
                                              / w.sum()), "min"))
    out += [
        ("mean public occupancy", float(ds["parking_occupancy"].mean()), "1"),
        ("cruising", float(ds["parking_cruising_vkm"].sum()), "veh-km"),
        ("turned away", float(ds["parking_turned_away"].sum()), "cars"),
        ("parked illegally", float(ds["parking_illegal"].sum()), "cars"),
        ("revenue", float(ds["parking_revenue_cny"].sum()), "CNY"),
        ("cars at risk in flooded garages", float(ds["parking_cars_at_risk"].max()), "cars"),
    ]
    return out
