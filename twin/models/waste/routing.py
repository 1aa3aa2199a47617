"""Fixed collection rounds: travel legs on the city's road graph and the vehicle-routing plan.

Cities run fixed rounds (the same truck calls at the same points in the same order every
collection day) and redesign them when volumes shift or roads change, so rounds are planned
once per configuration and re-planned only then (see `WasteModel`).

Two planners, both multi-trip (a truck unloads at its depot station when full and goes on):
- PyVRP (hybrid genetic search, Wouda, Lan & Kool 2024) with reload depots and a shift limit;
  a large fixed cost per truck makes it minimise the fleet first, then distance. It runs a
  fixed number of iterations from a seed of the run, so the same run gives the same rounds.
- `sfc`: route-first, cluster-second along a space-filling curve (Bartholdi & Platzman 1982).
  Collection points are numbered in Morton (Z-curve) order by the city generator, so the
  curve order is the index order; the giant tour is cut greedily into trips (capacity) and
  rounds (shift length). Used above `pyvrp_max_points` and in the 20 k-point benchmark.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from twin.models.waste.trucks import Round, attach_legs

DETOUR = 1.3  # road distance / straight line, used where two places share a road node
ACCESS_KMH = 20.0  # speed on such short access legs
FIXED_COST_PER_TRUCK = 200_000  # in metres of driving: one truck more is worth 200 km more


class Network:
    """Travel time (s) and distance (m) between places (sites) over the road graph.

    Time is that of the fastest path; distance is the shortest road distance (computed on a
    second graph), a close stand-in for the fastest path's length on an urban grid."""

    def __init__(self, roads, node: np.ndarray, x: np.ndarray, y: np.ndarray,
                 closed_edges=frozenset()):
        closed = sorted(int(e) for e in closed_edges)
        self.time_graph = roads.travel_time_matrix(closed)
        keep = np.ones(roads.n_edges, bool)
        keep[np.asarray(closed, dtype=np.int64)] = False
        u, v, w = roads.edge_u[keep], roads.edge_v[keep], roads.edge_length_m[keep]
        n = roads.n_nodes
        self.len_graph = sp.csr_matrix((np.r_[w, w], (np.r_[u, v], np.r_[v, u])), shape=(n, n))
        self.node = np.asarray(node, dtype=np.int64)
        self.x, self.y = np.asarray(x, float), np.asarray(y, float)

    def _fix(self, a, b, t, d) -> tuple[np.ndarray, np.ndarray]:
        """Short legs between places on one node (or cut off by closures) by straight line."""
        straight = DETOUR * np.hypot(self.x[a] - self.x[b], self.y[a] - self.y[b])
        bad = ~np.isfinite(t) | ~np.isfinite(d)
        short = bad | (d < straight)
        d = np.where(bad, 3.0 * straight, np.maximum(d, straight))
        t = np.where(short, np.maximum(np.where(bad, 0.0, t), d / (ACCESS_KMH / 3.6)), t)
        return t, d

    def pairs(self, a, b, chunk: int = 256) -> tuple[np.ndarray, np.ndarray]:
        """Time and distance from place a[i] to place b[i], for all i."""
        a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
        t = np.empty(len(a))
        d = np.empty(len(a))
        src = self.node[a]
        uniq, inv = np.unique(src, return_inverse=True)
        for lo in range(0, len(uniq), chunk):
            rows = uniq[lo:lo + chunk]
            tt = dijkstra(self.time_graph, directed=False, indices=rows)
            dd = dijkstra(self.len_graph, directed=False, indices=rows)
            sel = np.flatnonzero((inv >= lo) & (inv < lo + chunk))
            t[sel] = tt[inv[sel] - lo, self.node[b[sel]]]
            d[sel] = dd[inv[sel] - lo, self.node[b[sel]]]
        return self._fix(a, b, t, d)

    def matrix(self, idx) -> tuple[np.ndarray, np.ndarray]:
        """Full time and distance matrices among the places idx."""
        idx = np.asarray(idx, np.int64)
        a = np.repeat(idx, len(idx))
        b = np.tile(idx, len(idx))
        t, d = self.pairs(a, b)
        k = len(idx)
        t, d = t.reshape(k, k), d.reshape(k, k)
        np.fill_diagonal(t, 0.0)
        np.fill_diagonal(d, 0.0)
        return t, d


def plan_pyvrp(points, depot, net: Network, load_t, service_s, *, capacity_t, shift_s,
               unload_s, stream, start_tod_s, iterations, seed) -> list[Round] | None:
    """Multi-trip rounds by PyVRP; None if it finds no feasible plan."""
    from pyvrp import Model
    from pyvrp.stop import MaxIterations

    places = np.r_[depot, points]
    tm, dm = net.matrix(places)
    m = Model()
    locs = [m.add_location(float(net.x[i]), float(net.y[i])) for i in places]
    dep = m.add_depot(locs[0], service_duration=int(round(unload_s)))
    cap_kg = int(capacity_t * 1000)
    for j in range(len(points)):
        m.add_client(locs[j + 1], pickup=[min(cap_kg, int(np.ceil(load_t[j] * 1000)))],
                     service_duration=int(round(service_s[j])))
    m.add_vehicle_type(num_available=len(points), capacity=[cap_kg], start_depot=dep,
                       end_depot=dep, reload_depots=[dep], shift_duration=int(shift_s),
                       fixed_cost=FIXED_COST_PER_TRUCK, unit_distance_cost=1)
    ti, di = np.rint(tm).astype(np.int64), np.rint(dm).astype(np.int64)
    for a in range(len(places)):
        for b in range(len(places)):
            if a != b:
                m.add_edge(locs[a], locs[b], distance=int(di[a, b]), duration=int(ti[a, b]))
    res = m.solve(stop=MaxIterations(iterations), seed=int(seed), display=False,
                  collect_stats=False)
    if not res.is_feasible():
        return None
    rounds = []
    for route in res.best.routes():
        visits = [(a.idx, a.trip) for a in route.schedule() if a.is_client()]  # client number
        if not visits:
            continue
        stops = np.array([points[j] for j, _ in visits], dtype=np.int64)
        trips = np.array([tr for _, tr in visits])
        trip_end = np.r_[trips[1:] != trips[:-1], True]
        rounds.append(Round(stream, -1, stops, trip_end, start_tod_s))
    return rounds


def plan_sfc(points, depot, legs, load_t, service_s, *, capacity_t, shift_s, unload_s,
             stream, start_tod_s) -> list[Round]:
    """Greedy cut of the curve-ordered tour into trips (capacity) and rounds (shift).

    `legs(a, b)` gives (time, distance) arrays for place pairs."""
    order = np.asarray(points, np.int64)
    n = len(order)
    if n == 0:
        return []
    pp_t, _ = legs(order[:-1], order[1:])
    to_t, _ = legs(order, np.full(n, depot))
    from_t, _ = legs(np.full(n, depot), order)
    rounds, stops, ends = [], [], []
    t_used = load = 0.0
    for i in range(n):
        first = not stops
        new_trip = first or ends[-1]
        drive = from_t[i] if new_trip else pp_t[i - 1]
        if not first and not new_trip and load + load_t[i] > capacity_t:
            ends[-1] = True  # unload before this point
            t_used += to_t[i - 1] + unload_s
            load, drive = 0.0, from_t[i]
        step = drive + service_s[i]
        if not first and t_used + step + to_t[i] + unload_s > shift_s:
            ends[-1] = True
            rounds.append(Round(stream, -1, np.array(stops), np.array(ends), start_tod_s))
            stops, ends, t_used, load = [], [], 0.0, 0.0
            step = from_t[i] + service_s[i]
        stops.append(order[i])
        ends.append(False)
        t_used += step
        load += load_t[i]
    ends[-1] = True
    rounds.append(Round(stream, -1, np.array(stops), np.array(ends), start_tod_s))
    return rounds


def attach_round_legs(rounds: list[Round], depot_place: int, legs) -> None:
    """Travel legs of each round (consecutive stops, stop <-> depot) as plain lists."""
    for r in rounds:
        st = np.asarray(r.stops, np.int64)
        n = len(st)
        pp_t, pp_m = legs(np.r_[st[:1], st[:-1]], st)
        to_t, to_m = legs(st, np.full(n, depot_place))
        fr_t, fr_m = legs(np.full(n, depot_place), st)
        attach_legs(r, pp_t, pp_m, to_t, to_m, fr_t, fr_m)
