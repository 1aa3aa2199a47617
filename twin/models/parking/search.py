"""The parking engine: drivers choose an option by a multinomial logit on price, walking and
expected search time, search on along the roads when it is full, and give up or park
illegally when their patience runs out.

One heap of departures and one time-ordered list of arrivals are processed in order by a
plain loop (`advance(t)`); the SimPy clock drives it once an hour and whenever a coupled
channel changes, so SimPy schedules events only where another model can see them. A search
is resolved at the driver's arrival (its duration, minutes, is charged as search time and
cruising distance; the space is taken at once), a stated approximation beside dwells of hours.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from twin.models.parking.choice import ChoiceTables
from twin.models.parking.params import PUBLIC, RESIDENTIAL, ParkingParams
from twin.models.parking.supply import KERB, Facilities

N_GROUPS = 3
RESIDENT = 0


@dataclass
class Tally:
    """Per-hour counters, flat lists indexed district * N_GROUPS + group."""

    n: int

    def __post_init__(self):
        k = self.n * N_GROUPS
        self.parked = [0] * k
        self.search_s = [0.0] * k
        self.cruise_m = [0.0] * k
        self.walk_m = [0.0] * k
        self.turned = [0] * k
        self.illegal = [0] * k
        self.caught = [0] * k
        self.revenue = [0.0] * self.n  # by facility district
        self.fines = [0.0] * self.n
        self.searches: list[list[float]] = [[] for _ in range(self.n)]  # search s of parkers


class Engine:
    """State of every facility and the drivers in the system."""

    def __init__(self, fac: Facilities, p: ParkingParams, n_districts: int,
                 candidates: list[list[int]], walks: list[list[float]],
                 enforcement: list[float], home_pools: list[list[int]]):
        self.fac, self.p, self.nd = fac, p, n_districts
        self.home_pools = home_pools  # per district: its residential and shared pools
        self.cand, self.walks = candidates, walks  # per destination node, nearest first
        self.enf = enforcement  # per district
        n = len(fac)
        self.occ = [0] * n
        self.area = [0.0] * n  # space-seconds this hour
        self.full_s = [0.0] * n
        self.last = [0.0] * n
        self.full_since = [-1.0] * n
        self.entries = [0] * n
        self.heap: list = []
        self.now = 0.0
        self.arr = None
        self.ai = 0
        self.events = 0
        self.tally = Tally(n_districts)
        self.at_risk = 0
        self.overstays = 0
        self.speed = p.cruise_speed_kmh / 3.6
        self.hop_s = 150.0 * p.circuity / self.speed  # a typical hop, for expectations
        self.batch_start = self.batch_end = 0
        self.clock_offset_s = 0.0  # seconds from midnight to the run's start
        self.rebuild_tables()

    def rebuild_tables(self) -> None:
        """Choice tables from the candidate lists (again after a lot opens)."""
        self.tables = ChoiceTables(self.fac, self.cand, self.walks, self.p,
                                   [pools[0] if pools else -1 for pools in self.home_pools])

    # --------------------------------------------------------------- facility state
    def grow(self) -> None:
        """Facilities were appended (a new lot): extend the state lists."""
        k = len(self.fac) - len(self.occ)
        for lst, v in ((self.occ, 0), (self.area, 0.0), (self.full_s, 0.0),
                       (self.last, self.now), (self.full_since, -1.0), (self.entries, 0)):
            lst.extend([v] * k)

    def _touch(self, f: int, t: float) -> None:
        self.area[f] += self.occ[f] * (t - self.last[f])
        self.last[f] = t

    def set_cap(self, f: int) -> None:
        """Facility f's usable capacity changed (closed, cut off, flooded, grown)."""
        t = self.now
        self._touch(f, t)
        if self.full_since[f] >= 0:
            self.full_s[f] += t - self.full_since[f]
            self.full_since[f] = -1.0
        self.fac.refresh(f)
        if 0 < self.fac.cap[f] <= self.occ[f]:
            self.full_since[f] = t

    def close_hour(self, t: float) -> None:
        """Bring every accumulator up to t (the hour's end)."""
        occ, area, last, fs = self.occ, self.area, self.last, self.full_since
        for f in range(len(occ)):
            area[f] += occ[f] * (t - last[f])
            last[f] = t
            if fs[f] >= 0:
                self.full_s[f] += t - fs[f]
                fs[f] = t

    def reset_hour(self) -> None:
        n = len(self.occ)
        self.area = [0.0] * n
        self.full_s = [0.0] * n
        self.entries = [0] * n
        self.tally = Tally(self.nd)

    # --------------------------------------------------------------- the loop
    def load(self, arrivals) -> None:
        """The next day's arrivals (time-ordered); the previous day's must be done."""
        self.arr, self.ai = arrivals, 0
        self.batch_start = self.batch_end = 0
        self.np_arr = tuple(np.asarray(x) for x in (arrivals.t, arrivals.group,
                                                    arrivals.district, arrivals.node,
                                                    arrivals.dwell_s))

    def advance(self, until: float) -> None:
        """Process every arrival and departure up to `until` (s) in time order."""
        heap, pop = self.heap, heapq.heappop
        a = self.arr
        at = a.t if a is not None else []
        i, n = self.ai, len(at)
        occ, cap, last, area, fs = self.occ, self.fac.cap, self.last, self.area, self.full_since
        ev = 0
        while True:
            ta = at[i] if i < n else math.inf
            td = heap[0][0] if heap else math.inf
            if td <= ta:
                if td > until:
                    break
                f = pop(heap)[1]
                area[f] += occ[f] * (td - last[f])
                last[f] = td
                if fs[f] >= 0:
                    self.full_s[f] += td - fs[f]
                    fs[f] = -1.0
                occ[f] -= 1
                if 0 < cap[f] <= occ[f]:  # still full (capacity cut below occupancy)
                    fs[f] = td
            else:
                if ta > until:
                    break
                self.now = ta
                self._arrive(i, ta)
                i += 1
            ev += 1
        self.ai = i
        self.events += ev
        self.now = max(self.now, until) if until < math.inf else self.now

    def _eligible(self, f: int, group: int, district: int, hour: float) -> bool:
        fac = self.fac
        acc = fac.access[f]
        if acc == PUBLIC:
            return True
        if acc == RESIDENTIAL:
            return group == RESIDENT and fac.district[f] == district
        if group == RESIDENT and fac.district[f] == district:
            return True
        w = self.p.shared_window_h
        return w[0] <= hour < w[1]

    def _arrive(self, i: int, t: float) -> None:
        if i >= self.batch_end:
            self._choose(i)
        a, p, k = self.arr, self.p, i - self.batch_start
        dwell = a.dwell_s[i]
        paid_h = self.b_paid[k]
        f = self.b_first[k]
        occ = self.occ
        if f >= 0 and occ[f] < self.fac.cap[f] and not (
                paid_h > p.kerb_time_limit_h and self.fac.kind[f] == KERB):
            # fast path: the first choice is free and no overstay to book
            self.area[f] += occ[f] * (t - self.last[f])
            self.last[f] = t
            occ[f] += 1
            if occ[f] >= self.fac.cap[f]:
                self.full_since[f] = t
            self.entries[f] += 1
            heapq.heappush(self.heap, (t + dwell, f))
            d, idx = a.district[i], a.district[i] * N_GROUPS + a.group[i]
            tally = self.tally
            tally.parked[idx] += 1
            tally.walk_m[idx] += self.b_walk[k]
            tally.searches[d].append(0.0)
            tally.revenue[self.fac.district[f]] += self.fac.price[f] * paid_h
            return
        self._search(t, a.group[i], a.district[i], a.node[i], dwell, self.b_first[k],
                     self.b_walk[k], paid_h, ((t + self.clock_offset_s) % 86_400.0) / 3600.0,
                     paid_h > p.kerb_time_limit_h, a.u[i])

    def _choose(self, i: int) -> None:
        """First choices of the drivers arriving within the next choice interval."""
        t, group, district, node, dwell = self.np_arr
        end = int(np.searchsorted(t, t[i] + self.p.choice_interval_min * 60.0, side="left"))
        end = max(end, i + 1)
        sl = slice(i, end)
        first, walk, paid = self.tables.choose(self, t[sl], group[sl], district[sl], node[sl],
                                               dwell[sl], self.arr.u[sl, 0])
        self.batch_start, self.batch_end = i, end
        self.b_first, self.b_walk, self.b_paid = first.tolist(), walk.tolist(), paid.tolist()

    def _search(self, t, g, d, node, dwell, first, walk, paid_h, hour, overstay, u) -> None:
        p, fac, occ, cap = self.p, self.fac, self.occ, self.fac.cap
        idx = d * N_GROUPS + g
        tally = self.tally
        patience = p.patience_min * 60.0
        cruise = 0.0
        f = first
        if f < 0 or occ[f] >= cap[f]:
            f = -1
            px, py = (fac.x[first], fac.y[first]) if first >= 0 else (None, None)
            for c, w in zip(self.cand[node], self.walks[node], strict=True):
                if w > p.search_radius_m or cruise / self.speed > patience:
                    break
                if c == first or cap[c] <= 0 or not self._eligible(c, g, d, hour):
                    continue
                if occ[c] >= cap[c] and fac.kind[c] != KERB:
                    continue  # a full lot's sign is seen from the road: no detour
                x, y = fac.x[c], fac.y[c]
                if px is not None:
                    cruise += p.circuity * math.hypot(x - px, y - py)
                px, py = x, y
                if fac.kind[c] == KERB:  # drive along the face looking
                    cruise += 2.0 * fac.walk_m[c]
                if occ[c] < cap[c] and cruise / self.speed <= patience:
                    f, walk = c, w
                    break
        search_s = cruise / self.speed
        tally.cruise_m[idx] += cruise
        if f < 0:
            enf = self.enf[d]
            if u[1] < p.illegal_share * (1.0 - enf):
                tally.illegal[idx] += 1
                if u[2] < enf:
                    tally.caught[idx] += 1
                    tally.fines[d] += p.fine_cny
            else:
                tally.turned[idx] += 1
            return
        self.area[f] += occ[f] * (t - self.last[f])
        self.last[f] = t
        occ[f] += 1
        if occ[f] >= cap[f]:
            self.full_since[f] = t
        self.entries[f] += 1
        heapq.heappush(self.heap, (t + dwell, f))
        tally.parked[idx] += 1
        tally.search_s[idx] += search_s
        tally.walk_m[idx] += walk
        tally.searches[d].append(search_s)
        fd = fac.district[f]
        tally.revenue[fd] += fac.price[f] * paid_h
        if overstay and fac.kind[f] == KERB:
            self.overstays += 1
            if u[2] < self.enf[fd]:
                tally.fines[fd] += p.fine_cny


def length_graph(roads) -> sp.csr_matrix:
    """Symmetric sparse matrix of road edge lengths (m)."""
    n, L = roads.n_nodes, roads.edge_length_m
    return sp.csr_matrix((np.r_[L, L], (np.r_[roads.edge_u, roads.edge_v],
                                        np.r_[roads.edge_v, roads.edge_u])), shape=(n, n))


def candidates(fac: Facilities, roads, radius_m: float, nodes=None, chunk: int = 256
               ) -> tuple[list[list[int]], list[list[float]]]:
    """For each road node, the facilities within `radius_m` along the roads, nearest first,
    with the walking distance (road metres to the facility's node + its own walk)."""
    n = roads.n_nodes
    g = length_graph(roads)
    fnode = np.asarray(fac.node)
    fwalk = np.asarray(fac.walk_m)
    pool = np.asarray(fac.access) == RESIDENTIAL  # reached from home, not by searching
    by_node: dict[int, np.ndarray] = {}
    for k in np.unique(fnode):
        by_node[int(k)] = np.flatnonzero((fnode == k) & ~pool)
    nodes = np.arange(n) if nodes is None else np.asarray(nodes)
    cand: list[list[int]] = [[] for _ in range(n)]
    walks: list[list[float]] = [[] for _ in range(n)]
    fn = np.asarray(sorted(by_node))
    for s in range(0, len(nodes), chunk):
        src = nodes[s:s + chunk]
        dist = dijkstra(g, directed=False, indices=src, limit=radius_m)[:, fn]
        for row, node in zip(dist, src, strict=True):
            ok = np.flatnonzero(np.isfinite(row))
            fs = np.concatenate([by_node[int(fn[j])] for j in ok]) if len(ok) else np.empty(0, int)
            if not len(fs):
                continue
            w = row[np.searchsorted(fn, fnode[fs])] + fwalk[fs]
            order = np.argsort(w, kind="stable")
            cand[int(node)] = fs[order].tolist()
            walks[int(node)] = w[order].tolist()
    return cand, walks
