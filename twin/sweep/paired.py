"""Paired comparisons of policies (common random numbers).

A run's seed depends on (scenario, replicate), never on the policy, so the runs of two
policies at the same (scenario, replicate) see the same storms and households; their
difference removes that shared noise, and its confidence interval is far narrower than the
difference of two independent means. Replicates can be added until the interval on the
chosen difference is narrow enough (`[compare]` in the sweep file).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import xarray as xr
from scipy import stats

from twin.core.errors import TwinError
from twin.core.numbers import plain
from twin.sweep.store import OK


@dataclass(frozen=True)
class Difference:
    """Mean of (policy - reference) over paired runs, with its confidence interval."""

    output: str
    policy: str
    reference: str
    mean: float
    low: float
    high: float
    n: int
    confidence: float
    units: str = ""

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2

    def sentence(self) -> str:
        u = f" {self.units}" if self.units and self.units != "1" else ""
        if self.n < 2:
            return (f"{self.output}: {self.policy} - {self.reference} = {plain(self.mean)}{u} "
                    f"({self.n} pair; no interval)")
        return (f"{self.output}: {self.policy} - {self.reference} = {plain(self.mean)}{u}, "
                f"{self.confidence:.0%} CI [{plain(self.low)}, {plain(self.high)}] over {self.n} "
                "paired runs")


def paired_table(ds: xr.Dataset, output: str) -> tuple[np.ndarray, list[str]]:
    """Values of a scalar output as (pairs, policies); NaN where a run failed or is pending.
    A pair is one (replicate, scenario)."""
    if output not in ds:
        raise TwinError(f"no output {output!r} in the store; outputs: "
                        + ", ".join(v for v in ds.data_vars if v not in ("status", "error",
                                                                        "design_unit")))
    y = ds[output]
    if y.ndim != 1:
        raise TwinError(f"output {output!r} is not a scalar per run (dims {y.dims})")
    y = np.asarray(y.values, dtype=np.float64)
    ok = np.asarray(ds["status"].values) == OK
    y = np.where(ok, y, np.nan)
    n_scen = int(ds.attrs["n_scenarios"])
    pols = list(dict.fromkeys(str(p) for p in np.asarray(ds["policy"].values)))
    pair = (np.asarray(ds["replicate"].values) * n_scen + np.asarray(ds["scenario"].values))
    pidx = {p: i for i, p in enumerate(pols)}
    table = np.full((int(pair.max()) + 1, len(pols)), np.nan)
    table[pair, [pidx[str(p)] for p in np.asarray(ds["policy"].values)]] = y
    return table, pols


def paired_differences(ds: xr.Dataset, output: str, reference: str | None = None,
                       confidence: float = 0.95) -> list[Difference]:
    """Every policy against the reference (default: the first policy)."""
    table, pols = paired_table(ds, output)
    ref = reference or pols[0]
    if ref not in pols:
        raise TwinError(f"no policy {ref!r}; policies: {', '.join(pols)}")
    units = str(ds[output].attrs.get("units", ""))
    out = []
    for j, p in enumerate(pols):
        if p == ref:
            continue
        d = table[:, j] - table[:, pols.index(ref)]
        d = d[np.isfinite(d)]
        n = len(d)
        mean = float(d.mean()) if n else math.nan
        if n >= 2:
            half = float(stats.t.ppf((1 + confidence) / 2, n - 1) * d.std(ddof=1) / math.sqrt(n))
        else:
            half = math.nan
        out.append(Difference(output, p, ref, mean, mean - half, mean + half, n, confidence,
                              units))
    return out


def replicates_needed(ds: xr.Dataset, compare, replicates: int) -> int:
    """Replicates after which every difference's interval should be narrow enough
    (the half width shrinks as 1/sqrt(pairs)); `replicates` if it already is."""
    need = replicates
    for d in paired_differences(ds, compare.output, compare.reference, compare.confidence):
        if d.n < 2 or not math.isfinite(d.half_width):
            need = max(need, replicates + 1)
            continue
        target = (compare.half_width if compare.half_width is not None
                  else compare.relative_half_width * abs(d.mean))
        if d.half_width <= target:
            continue
        if target <= 0:
            need = max(need, compare.max_replicates)
            continue
        need = max(need, replicates + 1, math.ceil(replicates * (d.half_width / target) ** 2))
    return need
