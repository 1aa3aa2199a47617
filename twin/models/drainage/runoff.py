"""Runoff coefficients consistent with the SWMM hydrology the generated network runs.

The rational method sizes pipes with Q = C q A. A coefficient taken from a table (0.65 for
residential land) while SWMM then turns about 90% of an intense storm into runoff leaves
every pipe undersized. Here C comes from the same surface model SWMM is given (impervious
share, depression storage, Horton infiltration), run as a bucket on the design storm: the
share of the rain that runs off during the most intense window of the time of
concentration. `tests/validation/test_drainage_sizing.py` checks the bucket's volumetric
ratio against SWMM's own runoff continuity totals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.models.drainage.storms import Hyetograph


@dataclass(frozen=True)
class Surface:
    """The subcatchment surface written into [SUBAREAS] and [INFILTRATION] (SWMM units SI)."""

    n_imperv: float = 0.013
    n_perv: float = 0.15
    dstore_imperv_mm: float = 1.5
    dstore_perv_mm: float = 5.0
    zero_imperv_pct: float = 25.0  # share of impervious area without depression storage
    horton_f0_mm_per_h: float = 75.0
    horton_fmin_mm_per_h: float = 3.0
    horton_decay_per_h: float = 4.0
    horton_dry_days: float = 7.0

    def subarea_row(self, sub: str) -> str:
        return (f"{sub} {self.n_imperv} {self.n_perv} {self.dstore_imperv_mm} "
                f"{self.dstore_perv_mm} {self.zero_imperv_pct:g} OUTLET")

    def infiltration_row(self, sub: str) -> str:
        return (f"{sub} {self.horton_f0_mm_per_h:g} {self.horton_fmin_mm_per_h:g} "
                f"{self.horton_decay_per_h:g} {self.horton_dry_days:g} 0")


SURFACE = Surface()


def _pervious_excess(rain_mm: np.ndarray, dt_h: float, s: Surface) -> np.ndarray:
    """Rain excess (mm per step) of pervious ground: Horton capacity as a function of the
    water already infiltrated (SWMM's cumulative form), then depression storage."""
    f0, fmin, k = s.horton_f0_mm_per_h, s.horton_fmin_mm_per_h, s.horton_decay_per_h
    tp = np.linspace(0.0, 48.0, 20001)  # h of equivalent ponded time
    big_f = fmin * tp + (f0 - fmin) / k * (1.0 - np.exp(-k * tp))
    infiltrated, stored, out = 0.0, 0.0, np.zeros_like(rain_mm)
    for i, r in enumerate(rain_mm):
        t_eq = np.interp(infiltrated, big_f, tp)
        cap = float(np.interp(t_eq + dt_h, tp, big_f)) - infiltrated
        avail = r + stored
        f = min(cap, avail)
        infiltrated += f
        stored = avail - f
        spill = max(stored - s.dstore_perv_mm, 0.0)
        stored -= spill
        out[i] = spill
    return out


def _impervious_excess(rain_mm: np.ndarray, s: Surface) -> np.ndarray:
    """Rain excess of impervious ground (mm per step), the zero-storage share included."""
    stored, out = 0.0, np.zeros_like(rain_mm)
    zero = s.zero_imperv_pct / 100.0
    for i, r in enumerate(rain_mm):
        stored += r
        spill = max(stored - s.dstore_imperv_mm, 0.0)
        stored -= spill
        out[i] = zero * r + (1.0 - zero) * spill
    return out


@dataclass(frozen=True)
class RunoffRatios:
    """Runoff / rain of impervious and pervious ground in the most intense window of each
    duration (1 min steps), for one storm."""

    window_min: np.ndarray
    impervious: np.ndarray
    pervious: np.ndarray
    volumetric_impervious: float
    volumetric_pervious: float

    def coefficient(self, imperv_frac, tc_min) -> np.ndarray:
        """C for an impervious share over a time of concentration (rational method)."""
        w = np.clip(np.asarray(tc_min, float), self.window_min[0], self.window_min[-1])
        ci = np.interp(w, self.window_min, self.impervious)
        cp = np.interp(w, self.window_min, self.pervious)
        a = np.asarray(imperv_frac, float)
        return a * ci + (1.0 - a) * cp

    def volumetric(self, imperv_frac) -> np.ndarray:
        a = np.asarray(imperv_frac, float)
        return a * self.volumetric_impervious + (1.0 - a) * self.volumetric_pervious


def runoff_ratios(storm: Hyetograph, surface: Surface = SURFACE) -> RunoffRatios:
    """Runoff ratios of `surface` under `storm` (resampled to 1 min)."""
    step_min = storm.step_s / 60.0
    rain = np.repeat(storm.intensity_mm_per_h / 60.0, int(round(step_min)))  # mm per minute
    ex_i = _impervious_excess(rain, surface)
    ex_p = _pervious_excess(rain, 1.0 / 60.0, surface)
    n = len(rain)
    windows = np.arange(1, n + 1)
    c_rain, c_i, c_p = (np.r_[0.0, np.cumsum(x)] for x in (rain, ex_i, ex_p))
    ri, rp = np.zeros(n), np.zeros(n)
    for j, w in enumerate(windows):
        sums = c_rain[w:] - c_rain[:-w]
        k = int(np.argmax(sums))  # the storm's most intense window of this length
        tot = max(sums[k], 1e-12)
        ri[j] = (c_i[k + w] - c_i[k]) / tot
        rp[j] = (c_p[k + w] - c_p[k]) / tot
    total = max(rain.sum(), 1e-12)
    return RunoffRatios(windows.astype(float), ri, rp, float(ex_i.sum() / total),
                        float(ex_p.sum() / total))
