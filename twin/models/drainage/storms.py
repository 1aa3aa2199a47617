"""Design and historical storms as hyetographs (rain intensity per fixed step).

Design storms follow Chinese practice (GB 50014-2021, Code for design of outdoor wastewater
engineering, 4.1.9): the storm-intensity formula

    q = A (1 + C lg P) / (t + b)^n        [L/(s*ha)],  A = 167 A1

turned into a Chicago hyetograph (Keifer & Chu 1957) with peak position r. The Chicago storm
is built from its cumulative mass curve, so every duration window around the peak holds
exactly the formula's depth, and the whole storm holds exactly H(T) = i(T) * T.

Historical presets are *reconstructions* from published totals (the shape within the total is
ours and says so in its label); they are not observed hyetographs.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from twin.core.errors import ScenarioError

# 1 L/(s*ha) = 1e-7 m/s = 0.006 mm/min; GB 50014 rounds the inverse to 167.
MM_PER_MIN_PER_LSHA = 0.006


@dataclass(frozen=True)
class IntensityFormula:
    """GB 50014 storm-intensity formula q = A (1 + C lg P) / (t + b)^n, q in L/(s*ha)."""

    name: str
    A: float  # already includes the 167 of q = 167 A1 (...)
    C: float
    b: float
    n: float
    source: str

    def q_l_per_s_ha(self, t_min, return_period_years: float):
        """Mean intensity over a duration t (min) for return period P (years), L/(s*ha)."""
        t = np.asarray(t_min, dtype=float)
        return self.A * (1.0 + self.C * math.log10(return_period_years)) / (t + self.b) ** self.n

    def intensity_mm_per_min(self, t_min, return_period_years: float):
        """Mean intensity over duration t, mm/min."""
        return self.q_l_per_s_ha(t_min, return_period_years) * MM_PER_MIN_PER_LSHA

    def depth_mm(self, t_min, return_period_years: float):
        """Depth of the most intense window of duration t: H(t) = i(t) * t, mm."""
        return self.intensity_mm_per_min(t_min, return_period_years) * np.asarray(t_min, float)


FORMULAS: dict[str, IntensityFormula] = {f.name: f for f in (
    IntensityFormula("guangzhou_central", 13290.6, 0.607, 39.12, 0.956,
                     "Guangzhou central urban area, 2021 Guangzhou storm-intensity formula "
                     "report (as quoted in the twin issue tracker, issue 5)"),
    IntensityFormula("beijing_zone1", 2001.0, 0.811, 8.0, 0.711,
                     "Beijing zone I, DB11/685-2013 Standard of design for urban drainage "
                     "(t <= 120 min); check against the current local standard"),
    IntensityFormula("shanghai", 1600.0, 0.846, 7.0, 0.656,
                     "Shanghai, DB31/T 1043-2017 storm-intensity formula; check against the "
                     "current local standard"),
)}


@dataclass(frozen=True)
class Hyetograph:
    """Rain intensity (mm/h) in consecutive steps of `step_s` from the storm's start."""

    step_s: int
    intensity_mm_per_h: np.ndarray
    label: str
    reconstruction: bool = False

    @property
    def depth_mm(self) -> float:
        return float(self.intensity_mm_per_h.sum() * self.step_s / 3600.0)

    @property
    def duration_s(self) -> int:
        return self.step_s * len(self.intensity_mm_per_h)

    def scaled(self, factor: float) -> Hyetograph:
        return Hyetograph(self.step_s, self.intensity_mm_per_h * factor,
                          f"{self.label} x{factor:g}", self.reconstruction)


def chicago_mass_curve(formula: IntensityFormula, return_period_years: float,
                       duration_min: float, peak_position: float, t_min) -> np.ndarray:
    """Cumulative depth (mm) of a Chicago storm at times t (min from its start).

    Before the peak at t_p = r T the depth still to fall until the peak is r H((t_p - t)/r);
    after it, the depth fallen since the peak is (1 - r) H((t - t_p)/(1 - r)), with H(d) the
    formula's depth for duration d. Differentiating gives Keifer and Chu's intensities.
    """
    r = float(peak_position)
    if not 0.0 < r < 1.0:
        raise ValueError("peak_position must be strictly between 0 and 1")
    big_t = float(duration_min)
    tp = r * big_t
    t = np.clip(np.asarray(t_min, dtype=float), 0.0, big_t)
    depth = lambda d: formula.depth_mm(d, return_period_years)  # noqa: E731
    before = r * depth(big_t) - r * depth(np.maximum(tp - t, 0.0) / r)
    after = r * depth(big_t) + (1.0 - r) * depth(np.maximum(t - tp, 0.0) / (1.0 - r))
    return np.where(t <= tp, before, after)


def chicago_intensity_mm_per_min(formula: IntensityFormula, return_period_years: float,
                                 duration_min: float, peak_position: float, t_min):
    """Keifer and Chu's instantaneous intensity at time t (min), for checking the mass curve:
    i(tau) = a ((1 - n) tau + b) / (tau + b)^(1 + n), tau = time to/from the peak scaled by
    r or 1 - r."""
    r = float(peak_position)
    tp = r * float(duration_min)
    t = np.asarray(t_min, dtype=float)
    tau = np.where(t <= tp, (tp - t) / r, (t - tp) / (1.0 - r))
    a = formula.intensity_mm_per_min(0.0, return_period_years) * formula.b ** formula.n
    return a * ((1.0 - formula.n) * tau + formula.b) / (tau + formula.b) ** (1.0 + formula.n)


def design_storm(formula: IntensityFormula | str, return_period_years: float,
                 duration_min: float, peak_position: float = 0.4,
                 step_s: int = 60) -> Hyetograph:
    """A Chicago design storm of the formula, in blocks of `step_s` (depth exactly H(T))."""
    f = FORMULAS[formula] if isinstance(formula, str) else formula
    n_steps = int(round(duration_min * 60.0 / step_s))
    if n_steps < 1 or abs(n_steps * step_s - duration_min * 60.0) > 1e-6:
        raise ValueError(f"duration {duration_min} min is not a whole number of {step_s} s steps")
    edges = np.arange(n_steps + 1) * step_s / 60.0
    mass = chicago_mass_curve(f, return_period_years, duration_min, peak_position, edges)
    intensity = np.diff(mass) * 3600.0 / step_s
    label = (f"design storm {f.name} P={return_period_years:g} y, {duration_min:g} min, "
             f"Chicago r={peak_position:g}")
    return Hyetograph(step_s, intensity, label)


def _shaped(total_mm: float, duration_min: float, peak_position: float, step_s: int,
            label: str) -> Hyetograph:
    """A Chicago-shaped block holding `total_mm` (shape of the Guangzhou formula, scaled)."""
    h = design_storm("guangzhou_central", 1.0, duration_min, peak_position, step_s)
    return Hyetograph(step_s, h.intensity_mm_per_h * (total_mm / h.depth_mm), label, True)


# Published totals behind the presets (sources beside each figure).
ZHENGZHOU_2021_PEAK_HOUR_MM = 201.9  # Zhengzhou station, 16:00-17:00 20 July 2021 (CMA)
WUHAN_2016_WEEK_MM = 560.0  # Wuhan, 30 June - 6 July 2016, about 560 mm (Hubei Met. Bureau)


def preset_storm(name: str, step_s: int = 60) -> Hyetograph:
    """A historical storm reconstructed from its published total (labelled as such)."""
    if name == "zhengzhou_2021_peak_hour":
        return _shaped(ZHENGZHOU_2021_PEAK_HOUR_MM, 60.0, 0.5, step_s,
                       "RECONSTRUCTION of the Zhengzhou 20 July 2021 peak hour: published "
                       "201.9 mm in 16:00-17:00 (China Meteorological Administration); "
                       "within-hour shape is a Chicago hyetograph (r=0.5), not observed")
    if name == "wuhan_2016_week":
        day = _shaped(WUHAN_2016_WEEK_MM / 7.0, 1440.0, 0.4, max(step_s, 300), "")
        rain = np.tile(day.intensity_mm_per_h, 7)
        return Hyetograph(day.step_s, rain,
                          "RECONSTRUCTION of Wuhan 30 June - 6 July 2016: published total about "
                          "560 mm in the week (Hubei Meteorological Bureau); spread as seven "
                          "equal daily Chicago storms (r=0.4), not observed", True)
    raise KeyError(f"unknown storm preset {name!r}; presets: {', '.join(PRESETS)}")


PRESETS = ("zhengzhou_2021_peak_hour", "wuhan_2016_week")


def gauge_storm(path: str | Path, start: dt.datetime | None = None) -> Hyetograph:
    """Rain from a gauge CSV: a header row, then `minutes,rain_mm` (depth in the interval
    ending at that minute) or `datetime,rain_mm` (ISO date-times). Steps must be regular."""
    path = Path(path)
    if not path.is_file():
        raise ScenarioError(path, None, "rain gauge file not found")
    times, depths = [], []
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    if not rows or len(rows[0]) < 2 or rows[0][1].strip() != "rain_mm":
        raise ScenarioError(path, "line 1", "header must be 'minutes,rain_mm' or "
                            "'datetime,rain_mm'")
    iso = rows[0][0].strip() == "datetime"
    for lineno, row in enumerate(rows[1:], start=2):
        if not row or not "".join(row).strip():
            continue
        try:
            t = (dt.datetime.fromisoformat(row[0].strip()) if iso else float(row[0]))
            d = float(row[1])
        except (ValueError, IndexError):
            raise ScenarioError(path, f"line {lineno}", f"cannot read {','.join(row)!r}; "
                                "expected a time and a depth in mm") from None
        if d < 0 or not math.isfinite(d):
            raise ScenarioError(path, f"line {lineno}", f"rain depth {d} must be >= 0")
        times.append(t)
        depths.append(d)
    if len(times) < 2:
        raise ScenarioError(path, None, "need at least two rows of rain")
    if iso:  # minutes since the scenario start (or since the step before the first row)
        t0 = start or times[0] - (times[1] - times[0])
        minutes = np.array([(t - t0).total_seconds() / 60.0 for t in times])
    else:
        minutes = np.asarray(times, float)
    step = float(minutes[1] - minutes[0])
    if step <= 0 or np.any(np.abs(np.diff(minutes) - step) > 1e-6):
        raise ScenarioError(path, None, "times must be regular and increasing (each row is "
                            "the depth of the step ending at its time)")
    step_s = int(round(step * 60.0))
    if step_s % 60 or abs(step_s - step * 60.0) > 1e-6:
        raise ScenarioError(path, None, f"time step {step:g} min; allowed: whole minutes")
    lead = (minutes[0] - step) / step  # whole steps of no rain before the first row
    if lead < -1e-6 or abs(lead - round(lead)) > 1e-6:
        raise ScenarioError(path, "line 2", "the first row must end a whole number of steps "
                            "after the scenario start (rain before the start cannot be used)")
    depths = [0.0] * int(round(lead)) + depths
    return Hyetograph(step_s, np.asarray(depths) * 3600.0 / step_s, f"gauge {path.name}")
