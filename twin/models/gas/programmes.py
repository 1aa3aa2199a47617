"""Programmes as levers: which segments a renewal budget buys first, where sensors go."""

from __future__ import annotations

import numpy as np

from twin.models.gas.params import MATERIALS

# worst first: cast iron, steel (corrosion), ductile iron, PE
MATERIAL_RANK = np.array([3, 1, 0, 2])[[MATERIALS.index(m) for m in MATERIALS]]


def rank_segments(rule: str, age_y, material, incidents, risk, downstream) -> np.ndarray:
    """Segment indices in renewal order under a ranking rule (ties: older first)."""
    age = np.asarray(age_y, float)
    if rule == "age":
        keys = (-age,)
    elif rule == "material":
        keys = (-age, MATERIAL_RANK[np.asarray(material)])
    elif rule == "incidents":
        keys = (-age, -np.asarray(incidents, float))
    elif rule == "consequence":
        keys = (-age, -np.asarray(downstream, float))
    elif rule == "risk":
        keys = (-age, -np.asarray(risk, float))
    else:
        raise ValueError(f"unknown ranking {rule!r}")
    return np.lexsort(keys)


def sensor_mask(risk, length_m, n_mains: int, coverage: float) -> np.ndarray:
    """Sensors on the riskiest mains (risk per km) until `coverage` of main length."""
    out = np.zeros(len(risk), bool)
    if coverage <= 0 or n_mains == 0:
        return out
    km = np.asarray(length_m[:n_mains], float)
    order = np.argsort(-np.asarray(risk[:n_mains]) / np.maximum(km, 1e-9), kind="stable")
    cum = np.cumsum(km[order])
    out[order[cum <= coverage * km.sum() + 1e-9]] = True
    return out


def add_sensors(sensor: np.ndarray, risk, length_m, n_mains: int, km: float) -> None:
    """Fit sensors (in place) on the riskiest mains per km without one, whole segments,
    until `km` more of main length is covered."""
    if km <= 0 or n_mains == 0:
        return
    length = np.asarray(length_m[:n_mains], float) / 1000.0
    free = np.flatnonzero(~sensor[:n_mains])
    order = free[np.argsort(-np.asarray(risk)[free] / np.maximum(length[free], 1e-9),
                            kind="stable")]
    pick = order[np.cumsum(length[order]) <= km + 1e-9]
    sensor[pick] = True
