"""Plans side by side: the headline figures of several runs (today, incentives, mandate, the
city's plan) with 95% intervals, and what the plants, fleet and stations went through.

Runs of one scenario (same name) are pooled as replicates (interval across runs); a scenario
with one run gets its interval from weekly batch means (headline.py). Used by the waste app
and the printable briefing (dashboards/waste.py)."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import pandas as pd

from twin.models.waste.headline import HEADLINE, interval, report_window, run_intervals
from twin.models.waste.replicates import run_means

PLANT_KINDS = ("incineration", "digestion", "recycling")


def operations(ds) -> dict[str, float]:
    """Fleet use, station queues, bunkers and plant loads over the reported window."""
    w = report_window(ds)
    out = {"collection trucks (fleet)": float(ds["fleet_size"][:-1].sum()),
           "truck-hours per day": float(w["truck_hours"].sum("fleet").mean()),
           "station wait, mean (min)": float(np.nanmean(w["station_wait_min"].values))
           if np.isfinite(w["station_wait_min"].values).any() else 0.0}
    for plant in PLANT_KINDS:
        if "plant_load_t" not in w or plant not in w["plant"].values:
            continue
        load = w["plant_load_t"].sel(plant=plant).values
        avail = w["plant_available_t"].sel(plant=plant).values
        offered = w["plant_offered_t"].sel(plant=plant).values
        cap = float(ds["plant_capacity_t"].sel(plant=plant))
        out[f"{plant}: load / capacity (%)"] = 100.0 * float(load.mean()) / cap if cap else 0
        out[f"{plant}: overload days (%)"] = 100.0 * float(np.mean(offered > avail + 1e-9))
        out[f"{plant}: bunker, mean (t)"] = float(w["bunker_t"].sel(plant=plant).mean())
    return out


def grouped_intervals(datasets: list) -> dict[str, tuple[dict, str, list]]:
    """scenario name -> (headline intervals, where they come from, its runs)."""
    groups: dict[str, list] = defaultdict(list)
    for ds in datasets:
        groups[str(ds.attrs.get("scenario", f"run {len(groups) + 1}"))].append(ds)
    out = {}
    for name, runs in groups.items():
        if len(runs) > 1:
            means = [run_means(ds) for ds in runs]
            out[name] = ({k: interval([m[k] for m in means]) for k in HEADLINE},
                         f"{len(runs)} replicates", runs)
        else:
            out[name] = (run_intervals(runs[0]), "weekly batches", runs)
    return out


def compare(datasets: list) -> pd.DataFrame:
    """One column per scenario: 'mean +- half-width' for the headline figures, the plain
    mean for the operations; rows in a fixed order. Attribute `overloads` lists the
    (row, column) cells where a plant was overloaded (for highlighting)."""
    cols, overloads = {}, []
    for name, (iv, how, runs) in grouped_intervals(datasets).items():
        col = {f"{HEADLINE[k][0]} ({HEADLINE[k][1]})": _cell(*iv[k][:2]) for k in HEADLINE}
        ops = pd.DataFrame([operations(ds) for ds in runs]).mean()
        for k, v in ops.items():
            col[k] = f"{v:,.1f}"
            if "overload days" in k and v > 0:
                overloads.append((k, name))
        col["interval from"] = how
        cols[name] = col
    df = pd.DataFrame(cols)
    df.index.name = "figure"
    df.attrs["overloads"] = overloads
    return df


def headline_table(datasets: list) -> pd.DataFrame:
    """Long form for charts: scenario, figure, mean, half-width."""
    rows = []
    for name, (iv, _how, _runs) in grouped_intervals(datasets).items():
        for k in HEADLINE:
            m, hw, _ = iv[k]
            rows.append({"scenario": name, "figure": k, "label": HEADLINE[k][0],
                         "unit": HEADLINE[k][1], "mean": m,
                         "half_width": hw if math.isfinite(hw) else 0.0})
    return pd.DataFrame(rows)


def _cell(m: float, hw: float) -> str:
    if not math.isfinite(m):
        return "n/a"
    f = (lambda v: f"{v:,.0f}") if abs(m) >= 1000 else (lambda v: f"{v:,.3g}")
    return f"{f(m)} +- {f(hw)}" if math.isfinite(hw) else f(m)
