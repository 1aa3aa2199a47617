"""Small synthetic supplies for validation and benchmarks: one lot (M/G/c/c), a street of
kerb faces (search), and stationary Poisson arrivals with a chosen dwell distribution."""

from __future__ import annotations

import dataclasses

import numpy as np

from twin.models.parking.demand import Arrivals
from twin.models.parking.params import PUBLIC, ParkingParams
from twin.models.parking.search import Engine
from twin.models.parking.supply import KERB, LOT, Facilities

VISITOR = 2
FREE = dict(paid_hours_h=(0.0, 0.0), illegal_share=0.0)  # no prices, no illegal parking


def single_lot(spaces: int, p: ParkingParams | None = None) -> Engine:
    """One public lot, every driver's only option; a driver who finds it full leaves."""
    p = dataclasses.replace(p or ParkingParams(), patience_min=0.0, **FREE)
    fac = Facilities()
    fac.add("LOT", LOT, PUBLIC, 0, 0, 0.0, 0.0, spaces, 0.0, 0.0)
    return Engine(fac, p, 1, [[0]], [[0.0]], [0.0], [[]])


def kerb_street(faces: int, spaces: int, spacing_m: float = 100.0,
                p: ParkingParams | None = None) -> Engine:
    """A street of `faces` kerb faces `spacing_m` apart (node i at x = i * spacing): a driver
    heading for node i tries the faces nearest first and searches on outwards."""
    p = dataclasses.replace(p or ParkingParams(), circuity=1.0, **FREE)
    fac = Facilities()
    for i in range(faces):
        fac.add(f"K{i}", KERB, PUBLIC, 0, i, i * spacing_m, 0.0, spaces, 0.0, spacing_m / 4)
    cand, walks = [], []
    for i in range(faces):
        d = np.abs(np.arange(faces) - i) * spacing_m
        order = np.argsort(d, kind="stable")
        cand.append(order.tolist())
        walks.append((d[order] + spacing_m / 4).tolist())
    return Engine(fac, p, 1, cand, walks, [0.0], [[]])


def poisson_arrivals(rate_per_h: float, hours: float, dwell_s: np.ndarray | callable,
                     rng: np.random.Generator, nodes: int = 1) -> Arrivals:
    """Stationary Poisson arrivals over [0, hours) with dwell drawn by `dwell_s(rng, n)`."""
    n = rng.poisson(rate_per_h * hours)
    t = np.sort(rng.uniform(0.0, hours * 3600.0, n))
    dwell = dwell_s(rng, n)
    node = rng.integers(0, nodes, n)
    return Arrivals(t.tolist(), [VISITOR] * n, [0] * n, node.tolist(), dwell.tolist(),
                    rng.random((n, 3)))


DWELLS = {  # mean 1 h each
    "exponential": lambda rng, n: rng.exponential(3600.0, n),
    "lognormal": lambda rng, n: rng.lognormal(np.log(3600.0) - 0.5 * 0.8 ** 2, 0.8, n),
    "deterministic": lambda rng, n: np.full(n, 3600.0),
}


def run_stationary(eng: Engine, arrivals: Arrivals, warmup_h: float, hours: float) -> dict:
    """Run, and measure after the warm-up: arrivals, turned away, time-mean occupancy and
    the mean search time of parkers (min)."""
    eng.load(arrivals)
    eng.advance(warmup_h * 3600.0)
    eng.close_hour(warmup_h * 3600.0)
    eng.reset_hour()
    eng.advance(hours * 3600.0)
    eng.close_hour(hours * 3600.0)
    t = eng.tally
    span = (hours - warmup_h) * 3600.0
    cap = sum(eng.fac.cap)
    parked, turned = sum(t.parked), sum(t.turned)
    return {"arrivals": parked + turned, "turned": turned, "parked": parked,
            "blocking": turned / max(1, parked + turned),
            "occupied": sum(eng.area) / span, "occupancy": sum(eng.area) / span / cap,
            "search_min": sum(t.search_s) / max(1, parked) / 60.0}
