"""Incident hazards: Weibull (power-law) ageing per material, third-party damage proportional to
construction activity, indoor faults per household; leak sizes, grades and outflow.

Ageing: the rate per km-year at age a is r50 (a / 50)^(beta - 1), so the expected count on L km
between ages a0 and a1 is L r50 50 / beta [(a1 / 50)^beta - (a0 / 50)^beta] (closed form, used
both to draw daily counts and in the validation test)."""

from __future__ import annotations

import numpy as np

from twin.models.gas.network import LP

YEAR_S = 365.25 * 86400.0
REF_AGE_Y = 50.0
GAMMA = 1.31  # natural gas heat-capacity ratio
R_SPECIFIC = 8314.0 / 17.5  # J/(kg K), H-gas molar mass ~17.5 g/mol
CD = 0.6  # discharge coefficient of a sharp hole


def cumulative_ageing(age_y, rate_at_50, shape):
    """Expected ageing leaks per km from age 0 to `age_y` (Weibull cumulative hazard)."""
    a = np.maximum(np.asarray(age_y, float), 0.0) / REF_AGE_Y
    return np.asarray(rate_at_50) * REF_AGE_Y / np.asarray(shape) * a ** np.asarray(shape)


def ageing_expected(length_km, age_y, material, params, dt_y: float) -> np.ndarray:
    """Expected ageing leaks per segment in the next `dt_y` years."""
    r = np.asarray(params.ageing_per_km_year_at_50y)[material]
    b = np.asarray(params.weibull_shape)[material]
    return length_km * (cumulative_ageing(age_y + dt_y, r, b) - cumulative_ageing(age_y, r, b))


def third_party_expected(length_km, district_factor, is_main, params, dt_y: float):
    """Expected third-party strikes per segment (mains only: services sit inside blocks)."""
    rate = params.third_party_per_km_year * params.construction_intensity
    return (length_km * rate * district_factor * (1.0 - params.enforcement) * dt_y
            * is_main)


def indoor_expected(households, params, dt_y: float):
    return households * params.indoor_per_household_year * dt_y


def grade(size: int, cause: int, level: int) -> int:
    """1 hazardous (make safe now), 2 repair soon, 3 monitor: medium/rupture, indoor leaks and
    medium-pressure small leaks are grade 1, other small leaks grade 2, pinholes grade 3."""
    if size >= 2 or cause == 2 or (size == 1 and level != LP):
        return 1
    return 2 if size == 1 else 3


def third_party_share_grade1(expected, level, params) -> float:
    """Expected share of third-party strikes among grade-1 network leaks (indoor faults
    excluded), from the expected counts per segment and cause [segment, cause] and the size
    shares: the model's counterpart of the share of pipe-network accidents by cause."""
    mp = np.asarray(level) != LP
    g1 = []
    for cause, share in ((0, params.size_share_ageing), (1, params.size_share_third_party)):
        s = np.asarray(share, float) / max(float(np.sum(share)), 1e-12)
        p1 = s[2] + s[3] + np.where(mp, s[1], 0.0)  # medium, rupture; small on MP
        g1.append(float((expected[:, cause] * p1).sum()))
    total = g1[0] + g1[1]
    return g1[1] / total if total > 0 else float("nan")


def outflow_kg_s(hole_mm: float, p_gauge_bar: float) -> float:
    """Gas escaping through a hole at the pipe's pressure (choked above the critical ratio)."""
    if hole_mm <= 0 or p_gauge_bar <= 0:
        return 0.0
    area = np.pi * (hole_mm / 2000.0) ** 2
    p0, pa, t = (p_gauge_bar + 1.01325) * 1e5, 1.01325e5, 288.15
    crit = (2.0 / (GAMMA + 1.0)) ** (GAMMA / (GAMMA - 1.0))
    if pa / p0 <= crit:
        k = GAMMA / (R_SPECIFIC * t) * (2.0 / (GAMMA + 1.0)) ** ((GAMMA + 1) / (GAMMA - 1))
        return float(CD * area * p0 * np.sqrt(k))
    rho = p0 / (R_SPECIFIC * t)
    return float(CD * area * np.sqrt(2.0 * rho * (p0 - pa)))
