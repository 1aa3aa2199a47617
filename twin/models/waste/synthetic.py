"""A collection day at any number of points without a city: the benchmark's workload.

Points are uniform in a square (at the demo city's density of points), numbered in Morton
order like the generator's; stations sit on a regular grid (one per 400 points, about one
per 160 k people); legs are straight lines x 1.3 at 25 km/h. Rounds come from the `sfc`
planner. The same day runs on SimPy or on the plain heapq loop (`kernel.py`), so the two can
be timed and compared on identical work.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.models.waste.kernel import freeze_setup, thaw_setup
from twin.models.waste.kpis import Ledger
from twin.models.waste.params import HAZARDOUS, STREAMS, WasteParams
from twin.models.waste.points import Containers
from twin.models.waste.routing import attach_round_legs, plan_sfc
from twin.models.waste.stations import Station
from twin.models.waste.trucks import Collector

KM2_PER_POINT = 0.116  # the demo city: 5.8 km2, 50 points
POINTS_PER_STATION = 400
SPLIT = np.array([0.35, 0.15, 0.002, 0.498])  # food, recyclable, hazardous, residual


def _morton_order(x, y, size):
    q = lambda a: np.clip(a / size * 65535, 0, 65535).astype(np.uint64)  # noqa: E731

    def spread(v):
        for shift, mask in ((8, 0x00FF00FF), (4, 0x0F0F0F0F), (2, 0x33333333), (1, 0x55555555)):
            v = (v | (v << np.uint64(shift))) & np.uint64(mask)
        return v

    return np.argsort(spread(q(x)) | (spread(q(y)) << np.uint64(1)), kind="stable")


@dataclass
class SyntheticDay:
    """Points, stations, deliveries and planned rounds; `run(kernel)` simulates the day."""

    params: WasteParams
    deliveries: np.ndarray  # [point, stream] t
    rounds: list
    n_gates: int
    seed: int = 0

    def run(self, k) -> dict:
        """Simulate the collection day on kernel k; returns totals to compare kernels."""
        return self.prepare(k)()

    def prepare(self, k):
        """Set the day up on kernel k; returns a function that simulates it (timed part)."""
        p = self.params
        n = len(self.deliveries)
        cont = Containers(n, p, np.ones(n, bool))
        # steady state: yesterday's rounds emptied the bins at the same time of day
        cont.new_day(-86_400.0, self.deliveries)
        for s in range(len(STREAMS)):
            cont.last[s][:] = [cont.share(p.round_start_h[s] * 3600.0)] * n
        cont.new_day(0.0, self.deliveries)
        ledger = Ledger()
        gates = [Station(k, f"G{g}", bridges=p.weighbridges, bays=p.tipping_bays,
                         weigh_s=p.weigh_min * 60, tip_s=p.tip_min * 60,
                         deliver=lambda s, t: ledger.move("trucks", None, t),
                         fcfs=p.station_queues == "fcfs")
                 for g in range(self.n_gates)]
        col = Collector(k, cont, gates,
                        capacity_t=[p.truck_capacity_eff_t(s) for s in range(len(STREAMS))],
                        fixed_s=[60.0 * m for m in p.stop_fixed_min],
                        per_t_s=[60.0 * p.service_min_per_m3[s] / p.bin_density_t_per_m3[s]
                                 for s in range(len(STREAMS))], ledger=ledger,
                        rng=np.random.default_rng(self.seed))

        def simulate() -> dict:
            col.start_all(self.rounds, 0.0)
            k.run()
            thaw_setup()
            return totals(col.pop_day())

        def totals(stats) -> dict:
            return {"collected_t": float(sum(ledger.collected)),
                    "unloaded_t": ledger.cum_unloaded,
                    "truck_hours": sum(s.hours for s in stats),
                    "truck_km": sum(s.km for s in stats),
                    "rounds": sum(s.rounds for s in stats),
                    "stops": sum(s.stops for s in stats),
                    "unloads": sum(s.unload_trips for s in stats), "end_s": float(k.now),
                    "station_wait_s": sum(g.wait_s for g in gates),
                    "bridge_waited": sum(g.bridge_waited for g in gates)}

        freeze_setup()  # as the model does at the end of start() (untimed set-up)
        return simulate


def synthetic_day(n_points: int, seed: int = 0, params: WasteParams | None = None) -> SyntheticDay:
    """Build the workload of one collection day at n_points points."""
    p = params or WasteParams()
    rng = np.random.default_rng(seed)
    size = float(np.sqrt(n_points * KM2_PER_POINT) * 1000.0)
    x, y = rng.uniform(0, size, n_points), rng.uniform(0, size, n_points)
    order = _morton_order(x, y, size)
    x, y = x[order], y[order]
    m = max(1, int(round(np.sqrt(n_points / POINTS_PER_STATION))))
    g = (np.arange(m) + 0.5) * size / m
    gx, gy = (a.ravel() for a in np.meshgrid(g, g))
    px, py = np.r_[x, gx], np.r_[y, gy]  # places: points, then gates

    def legs(a, b):
        d = 1.3 * np.hypot(px[a] - px[b], py[a] - py[b])
        return d / (25.0 / 3.6), d

    deliveries = 1.05 * SPLIT[None, :] * rng.gamma(44.4, 1 / 44.4, (n_points, len(STREAMS)))
    near = np.floor(x / size * m).astype(int).clip(0, m - 1) + m * np.floor(
        y / size * m).astype(int).clip(0, m - 1)
    rounds = []
    unload_s = 60.0 * (p.weigh_min + p.tip_min)
    for s in range(len(STREAMS)):
        if s == HAZARDOUS:
            continue  # weekly: not part of an ordinary day
        cap = p.truck_capacity_eff_t(s)
        load = deliveries[:, s] * p.route_margin
        service = 60.0 * (p.stop_fixed_min[s] + p.service_min_per_m3[s] * load
                          / p.bin_density_t_per_m3[s])
        for gate in range(m * m):
            pts = np.flatnonzero(near == gate)
            rs = plan_sfc(pts, n_points + gate, legs, load[pts], service[pts], capacity_t=cap,
                          shift_s=p.shift_h * 3600, unload_s=unload_s, stream=s,
                          start_tod_s=p.round_start_h[s] * 3600)
            for r in rs:
                r.depot = gate
            attach_round_legs(rs, n_points + gate, legs)
            rounds.extend(rs)
    return SyntheticDay(p, deliveries, rounds, m * m, seed)
