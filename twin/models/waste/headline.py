"""The plan's headline figures from one run, with intervals.

Within a run the daily figures are autocorrelated (bunkers, rounds, adoption), so a run's
interval comes from batch means: the reported window (after the spin-up) is cut into weekly
batches and the batch means are treated as independent (Law, *Simulation Modeling and
Analysis*, 5th ed., 2015, section 9.5.3). Across replicates (`replicates.py`) each run's mean
is one observation. Either way: mean +- t(0.975, k-1) s / sqrt(k)."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

BATCH_DAYS = 7
# name -> (label, unit); the figures the plans ask about
HEADLINE = {
    "landfill_share": ("raw waste landfilled, share of generated", "%"),
    "landfill_t": ("raw waste landfilled", "t/day"),
    "zero_landfill_days": ("days with zero landfill", "%"),
    "recycling_rate": ("recycling and reuse rate", "%"),
    "cost_cny": ("cost", "CNY/day"),
    "co2_t": ("CO2 (truck diesel)", "t/day"),
}


def report_window(ds):
    """The days after the spin-up (all of them when the run is shorter than it)."""
    skip = int(ds["spinup_days"]) if "spinup_days" in ds else 1
    n = ds.sizes["day"]
    return ds.isel(day=slice(skip if n > skip else min(1, n - 1), None))


def daily(ds) -> dict[str, np.ndarray]:
    """The headline figures day by day over the reported window (shares in %)."""
    w = report_window(ds)
    gen = w["generated_t"].sum("stream").values
    lf = w["landfill_tonnes"].values
    return {
        "landfill_share": 100.0 * lf / np.where(gen > 0, gen, np.nan),
        "landfill_t": lf,
        "zero_landfill_days": 100.0 * w["zero_landfill"].values,
        "recycling_rate": 100.0 * w["recycling_rate"].values,
        "cost_cny": w["cost_cny"].sum("cost_item").values,
        "co2_t": w["co2_t"].values,
    }


def interval(values, *, batch: int = 1) -> tuple[float, float, int]:
    """(mean, 95% half-width, number of batches); half-width NaN with fewer than 2."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if batch > 1:
        k = len(v) // batch
        if k < 2:  # too short for batches: the mean, no interval
            return (float(v.mean()) if len(v) else math.nan), math.nan, k
        v = v[len(v) - k * batch:].reshape(k, batch).mean(axis=1)  # the latest whole weeks
    k = len(v)
    if k == 0:
        return math.nan, math.nan, 0
    if k < 2:
        return float(v.mean()), math.nan, k
    hw = stats.t.ppf(0.975, k - 1) * v.std(ddof=1) / math.sqrt(k)
    return float(v.mean()), float(hw), k


def run_intervals(ds) -> dict[str, tuple[float, float, int]]:
    """Each headline figure of one run: mean and half-width from weekly batch means (the
    landfill share as total landfilled / total generated, its interval from the batches)."""
    out = {k: interval(v, batch=BATCH_DAYS) for k, v in daily(ds).items()}
    _, hw, k = out["landfill_share"]
    out["landfill_share"] = (landfill_share(ds), hw, k)
    return out


def landfill_share(ds) -> float:
    """Raw waste landfilled over waste generated in the reported window, %."""
    w = report_window(ds)
    gen = float(w["generated_t"].sum())
    return 100.0 * float(w["landfill_tonnes"].sum()) / gen if gen > 0 else math.nan


def rows(intervals: dict[str, tuple[float, float, int]], how: str) -> list[tuple]:
    """Summary rows (label, mean, 'unit +- hw (95%, how)')."""
    out = []
    for k, (label, unit) in HEADLINE.items():
        if k not in intervals:
            continue
        m, hw, n = intervals[k]
        tail = f" +- {_short(hw)} (95%, {n} {how})" if math.isfinite(hw) else f" ({n} {how})"
        out.append((label, m, unit + tail))
    return out


def _short(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:,.3g}"
