"""Gas network safety on the run's SimPy clock: pandapipes hydraulics hourly and after every
leak or valve operation, daily incident draws, detection, crews, isolation and restoration,
renewal and other programmes (see README.md)."""

from __future__ import annotations

import math

import numpy as np

from twin.core.clock import DAY_S, HOUR_S
from twin.core.errors import TwinError
from twin.core.model import TwinModel
from twin.coupling import Channel
from twin.models.gas import hydraulics as H
from twin.models.gas import incidents as I
from twin.models.gas import kpis
from twin.models.gas.cuts import cut_structure
from twin.models.gas.network import (
    LP,
    ROUGHNESS_MM,
    GasNetwork,
    city_topology,
    generate,
    service_blocks,
)
from twin.models.gas.params import (
    CAUSES,
    MATERIALS,
    SIZES,
    Construction,
    GasParams,
    Isolate,
    Leak,
    LpgConversion,
    Renewal,
    Sensors,
    SourceOutage,
)
from twin.models.gas.programmes import add_sensors, rank_segments, sensor_mask
from twin.models.gas.reserves import Reserves
from twin.models.gas.response import Crews, detection_delay_s

# hourly demand shape (cooking peaks at 07, 11-12, 18-19), mean 1; month factors (water
# heating in winter), mean ~1 -- assumption, shaped on GB 50028's peak-hour factors 2.2-3.2
HOUR_FACTOR = np.array([0.2, 0.15, 0.1, 0.1, 0.15, 0.4, 1.2, 2.2, 1.4, 0.9, 1.3, 2.6, 2.0,
                        0.8, 0.6, 0.6, 0.9, 1.8, 2.8, 2.0, 1.2, 0.8, 0.5, 0.3])
HOUR_FACTOR = HOUR_FACTOR / HOUR_FACTOR.mean()
MONTH_FACTOR = np.array([1.35, 1.3, 1.15, 1.0, 0.9, 0.8, 0.75, 0.75, 0.85, 0.95, 1.05, 1.2])
PROGRAMME_EVENTS = {"renewal": "_renewal_event", "sensors": "_sensors_event",
                    "lpg_conversion": "_lpg_event", "source_outage": "_outage_event"}
FILE_TRAVEL_S = 1200.0  # crews' travel on a network file without road geometry
PE = MATERIALS.index("pe")


class GasModel(TwinModel):
    """Mains, regulators and services of the city's piped gas, their leaks and the crews."""

    name = "gas"
    Params = GasParams
    events = {"leak": Leak, "isolate": Isolate, "construction": Construction,
              "renewal": Renewal, "sensors": Sensors, "lpg_conversion": LpgConversion,
              "source_outage": SourceOutage}
    uses = ("households", "drainage")
    publishes = (Channel("gas_interrupted_customers", units="1",
                         doc="piped households without gas now (gas model, on each solve)"),)
    reads = ("population", "closed_roads")

    # ------------------------------------------------------------------ checks
    @classmethod
    def check_event(cls, kind, payload, params, city):
        if kind in ("leak", "isolate"):
            ids = _segment_ids(params, city)
            if payload.segment not in ids:
                n_main = sum(s.startswith("main-") for s in ids)
                yield ("segment", f"unknown segment {payload.segment!r}; allowed: main-0.."
                       f"main-{n_main - 1} or service-<road node>-<block>, e.g. "
                       f"{ids[n_main] if len(ids) > n_main else 'none'}..{ids[-1]}")
        if kind == "construction" and payload.district and \
                payload.district not in city.districts.name:
            yield ("district", f"unknown district {payload.district!r}; allowed: '' or "
                   + ", ".join(city.districts.name))

    @classmethod
    def check_params(cls, params, city):
        """The parameters against the city, before any run: district factors one per district,
        a network file that reads and lies on the city's roads. Yields (field, message)."""
        n, names = len(city.districts), ", ".join(city.districts.name)
        if params.district_construction and len(params.district_construction) != n:
            yield ("district_construction", f"got {len(params.district_construction)} "
                   f"values; allowed: empty or {n}, one per district in order ({names})")
        if params.network is not None:
            from twin.models.gas.network_files import read_network, road_nodes

            try:
                road_nodes(read_network(params.network, 1.0)[0], city.roads, params.network)
            except TwinError as e:
                yield ("network", str(e))

    # ------------------------------------------------------------------ set-up
    def start(self) -> None:
        ctx, p, city = self.ctx, self.params, self.ctx.city
        env = ctx.clock.env
        self.year0 = ctx.calendar.start.year + ctx.calendar.start.timetuple().tm_yday / 365.25
        self._supply(city)
        if p.network is None:
            gn = generate(city, p, self.hh_node.astype(float), ctx.streams.generator(
                "gas.network"), ctx.calendar.start.year)
            self.node_district = _node_district(city)
            self.road_of = np.arange(city.roads.n_nodes)  # the network's nodes are road nodes
        else:
            from twin.models.gas.network_files import read_network, road_nodes

            gn, self.hh_node = read_network(p.network, self._kg_s_per_household())
            self.road_of = road_nodes(gn, city.roads, p.network)  # None: no geometry
            self.node_district = (_node_district(city)[self.road_of] if self.road_of is not None
                                  else np.zeros(len(self.hh_node), np.int64))
            self.piped = np.ones(int(self.hh_node.sum()), bool)
        self.gn: GasNetwork = gn
        t = gn.topo
        self.nj = len(t.j_node)
        self.cuts = cut_structure(self.nj, np.r_[t.p_from, t.reg_from], np.r_[t.p_to, t.reg_to],
                                  t.gates, gn.n_mains)
        self.net = H.build_net(gn, p.mp_bar, p.lp_bar)
        self.pipe_open = np.ones(gn.n_mains, bool)
        self.leak_kg_s = np.zeros(self.nj)
        self.node_shut = np.zeros(len(self.hh_node), np.int64)  # indoor faults per node
        self.open_leaks = 0
        self.version = 0
        self._cache: dict = {}
        self.rng_inc = ctx.streams.generator("gas.incidents")
        self.rng_det = ctx.streams.generator("gas.detection")
        self.rng_rep = ctx.streams.generator("gas.repair")
        self.rng_lpg = ctx.streams.generator("gas.lpg")
        self.rng_cyl = ctx.streams.generator("gas.lpg_delivery")
        self.reserves = Reserves(float(self.hh_node.sum()) * self._kg_s_per_household(),
                                 p.storage_hours_of_demand, p.storage_refill_days)
        self.patrol_phase = ctx.streams.generator("gas.patrol").uniform(
            0, p.patrol_days * DAY_S, gn.n_segments)
        self.district_factor = np.ones(len(city.districts))
        if p.district_construction:
            for fld, msg in self.check_params(GasParams(district_construction=p.
                                                        district_construction), city):
                raise TwinError(f"models.gas.{fld}: {msg}")
            self.district_factor[:] = p.district_construction
        self.incidents = np.zeros(gn.n_segments)
        self.down_hh = self._downstream_households()
        gn.sensor[:] = sensor_mask(self._risk(), gn.length_m, gn.n_mains, p.sensor_coverage)
        self.crews = Crews(env, p.crews)
        self.depots = None if self.road_of is None else self.road_of[t.j_node[t.gates]]
        self._travel_cache = (None, None)
        nd = len(city.districts)
        self.day = {k: np.zeros(s) for k, s in (
            ("leaks", (nd, 3)), ("leaks_mat", (4, 3)), ("g1", nd), ("g30", nd), ("ch", nd),
            ("peak", nd), ("pmin", nd), ("cyl", ()))}
        self.day["pmin"][:] = np.inf
        self.renew_budget_km = [0.0, 0.0]  # mains, services
        self.renewed_km = 0.0
        self.risk_removed = 0.0
        self.lpg_budget = 0.0
        self.interrupted_node = np.zeros(len(self.hh_node))
        self.node_ch = np.zeros(len(self.hh_node))  # customer-hours lost per node, whole run
        self.closed_h = np.zeros(gn.n_mains)  # hours each main's valves were closed
        self.j_min_bar = np.full(self.nj, np.inf)  # lowest pressure per junction, whole run
        self.t_last = 0.0
        self.day_t0 = None
        self.state = None
        kind = np.where(gn.level == LP, "low-pressure main", "medium-pressure main")
        kind[gn.n_mains:] = "service block"
        kpis.declare(ctx.recorder, city.districts.name, gn.ids, kind.tolist(),
                     *self._segment_xy(city))
        ctx.clock.every(p.hydraulics_stride_h * HOUR_S, self._hour_solve)
        if p.hydraulics_stride_h != 1.0:
            ctx.clock.every(HOUR_S, lambda _t: self._record_hour())
        ctx.clock.every(DAY_S, self._new_day)

    def _supply(self, city) -> None:
        """Piped households per road node, from the households model or the piped share."""
        pop = self.read("population", None)
        if pop is not None and len(pop) == len(city.households):
            piped = np.asarray(pop.piped_gas, bool).copy()
        else:
            piped = self.ctx.streams.generator("gas.supply").random(len(city.households)) \
                < self.params.piped_share
        self.piped = piped
        self.hh_node = np.bincount(city.households.road_node[piped],
                                   minlength=city.roads.n_nodes).astype(np.int64)

    def _segment_xy(self, city):
        """(x, y) of each segment's downstream end and (x0, y0) of its upstream end (mains:
        the from-junction; services: the same point), in the city frame."""
        gn, t = self.gn, self.gn.topo
        up = gn.node.copy()
        up[:gn.n_mains] = t.p_from if self.params.network is not None else t.j_node[t.p_from]
        if self.params.network is None:
            x, y = city.roads.node_x.astype(float), city.roads.node_y.astype(float)
        elif gn.j_xy is not None:
            x, y = gn.j_xy[:, 0], gn.j_xy[:, 1]
        else:
            x = y = np.zeros(self.nj)
        return x[gn.node], y[gn.node], x[up], y[up]

    def _downstream_households(self) -> np.ndarray:
        """Households cut off by isolating each segment (services: their own node)."""
        t, gn = self.gn.topo, self.gn
        hh_j = np.zeros(self.nj)
        ok = t.lp_junction_of_node >= 0
        np.add.at(hh_j, t.lp_junction_of_node[ok], self.hh_node[ok])
        out = np.zeros(gn.n_segments)
        for k in np.flatnonzero(self.cuts.child >= 0):
            out[k] = hh_j[self.cuts.downstream(k)].sum()
        out[gn.n_mains:] = gn.households[gn.n_mains:]
        return out

    # ------------------------------------------------------------------ hazards
    def _age(self) -> np.ndarray:
        now = self.year0 + self.ctx.clock.now_s / I.YEAR_S
        return np.maximum(now - self.gn.install_year, 0.0)

    def _expected(self, dt_y: float) -> np.ndarray:
        """Expected incidents per segment and cause in the next dt_y years [segment, cause]."""
        gn, p = self.gn, self.params
        km = gn.length_m / 1000.0
        is_main = np.arange(gn.n_segments) < gn.n_mains
        out = np.zeros((gn.n_segments, 3))
        out[:, 0] = I.ageing_expected(km, self._age(), gn.material, p, dt_y)
        out[:, 1] = I.third_party_expected(km, self.district_factor[self.node_district[gn.node]],
                                           is_main, p, dt_y)
        out[:, 2] = I.indoor_expected(gn.households, p, dt_y)
        return out

    def _rate(self) -> np.ndarray:
        """Expected network incidents a year per segment (ageing + third party)."""
        return self._expected(1.0)[:, :2].sum(1)

    def _risk(self) -> np.ndarray:
        """Incidents a year weighted by consequence (1 + households cut off by isolation)."""
        return self._rate() * (1.0 + self.down_hh)

    # ------------------------------------------------------------------ daily
    def _new_day(self, t: float) -> None:
        if self.day_t0 is not None:
            self._book_day(t)
        self.day_t0 = t
        self._programmes()
        lam = self._expected(1.0 / 365.25)
        n = self.rng_inc.poisson(lam)
        for seg, cause in zip(*np.nonzero(n), strict=True):
            for _ in range(int(n[seg, cause])):
                at = t + float(self.rng_inc.uniform(0.0, DAY_S))
                size = self._draw_size(int(cause))
                self.ctx.clock.at(at, lambda _t, s=int(seg), z=size, c=int(cause):
                                  self._start_leak(s, z, c))

    def _draw_size(self, cause: int) -> int:
        if cause == 2:
            return 1
        share = np.asarray(self.params.size_share_ageing if cause == 0 else
                           self.params.size_share_third_party, float)
        return int(self.rng_inc.choice(4, p=share / share.sum()))

    def _programmes(self) -> None:
        p, gn = self.params, self.gn
        mains = np.arange(gn.n_segments) < gn.n_mains
        for i, (rate, which) in enumerate(((p.renewal_km_per_year, mains),
                                           (p.renewal_services_km_per_year, ~mains))):
            if rate > 0:
                self.renew_budget_km[i] += rate / 365.25
                self._renew(i, which)
        self.lpg_budget += p.lpg_to_piped_per_year / 365.25
        self.lpg_budget -= self._connect_lpg(int(self.lpg_budget))
        lpg_hh = float((~self.piped).sum())
        self.day["cyl"] += self.rng_cyl.poisson(lpg_hh * p.lpg_cylinders_per_household_month
                                                * 12.0 / 365.25)

    def _connect_lpg(self, n: int) -> int:
        """Connect up to n random LPG households to piped gas; how many were."""
        lpg = np.flatnonzero(~self.piped)
        k = min(n, len(lpg))
        if k <= 0 or self.params.network is not None:
            return 0
        pick = self.rng_lpg.choice(lpg, k, replace=False)
        self.piped[pick] = True
        nodes = self.ctx.city.households.road_node[pick]
        np.add.at(self.hh_node, nodes, 1)
        first = np.searchsorted(self.gn.node[self.gn.n_mains:], nodes) + self.gn.n_mains
        np.add.at(self.gn.households, first, 1)  # joins the node's first block
        return k

    def _renew(self, i: int, which: np.ndarray) -> None:
        """Renew the first segments of the ranking (whole segments) the budget pays for."""
        p, gn = self.params, self.gn
        age = self._age()
        order = rank_segments(p.renewal_ranking, age, gn.material, self.incidents,
                              self._risk(), self.down_hh)
        order = order[which[order] & ~((gn.material[order] == PE) & (age[order] < 1.0))
                      & (gn.length_m[order] > 0)]
        before = self._rate().sum()
        year = int(self.year0 + self.ctx.clock.now_s / I.YEAR_S)
        for k in order:
            km = gn.length_m[k] / 1000.0
            if km > self.renew_budget_km[i]:
                break
            self.renew_budget_km[i] -= km
            self.renewed_km += km
            gn.material[k], gn.install_year[k] = PE, year
            if k < gn.n_mains:
                self.net.pipe.loc[self.net.pipe.index[k], "k_mm"] = ROUGHNESS_MM[PE]
                self.version += 1
        self.risk_removed += before - self._rate().sum()

    def _book_day(self, t: float) -> None:
        """Append the KPIs of the day that started at day_t0 (booked at its end)."""
        self._accumulate(t)
        r, d = self.ctx.recorder, self.day
        tb, self.day_t0 = self.day_t0, None
        r.append("gas_leaks", tb, d["leaks"])
        r.append("gas_leaks_by_material", tb, d["leaks_mat"])
        r.append("gas_grade1_made_safe", tb, d["g1"])
        r.append("gas_grade1_within_30min", tb, d["g30"])
        r.append("gas_customer_hours_lost", tb, d["ch"])
        r.append("gas_peak_interrupted", tb, d["peak"])
        r.append("gas_lowest_pressure_bar", tb, np.where(np.isinf(d["pmin"]), np.nan, d["pmin"]))
        r.append("gas_renewed_km", tb, self.renewed_km)
        r.append("gas_risk_removed", tb, self.risk_removed)
        r.append("gas_lpg_households", tb, float((~self.piped).sum()))
        r.append("gas_lpg_cylinders", tb, float(d["cyl"]))
        for v in d.values():
            v[...] = 0.0
        d["pmin"][:] = np.inf
        self.renewed_km = self.risk_removed = 0.0

    # ------------------------------------------------------------------ hydraulics
    def demand_kg_s(self, t: float) -> np.ndarray:
        """Customer demand per junction at time t (hourly and monthly profile)."""
        when = self.ctx.calendar.datetime(t)
        f = HOUR_FACTOR[when.hour] * MONTH_FACTOR[when.month - 1]
        per_hh = self._kg_s_per_household() * f
        lpj = self.gn.topo.lp_junction_of_node
        ok = lpj >= 0
        return np.bincount(lpj[ok], (self.hh_node[ok] - self.node_shut[ok]) * per_hh,
                           minlength=self.nj)

    def _kg_s_per_household(self) -> float:
        p = self.params
        return p.m3_per_household_year * p.gas_density_kg_per_m3 / (8760 * 3600)

    def resolve(self, t: float):
        """Solve the current state (cached by network version and demand); no gas at all
        while the sources are out and the storage is empty."""
        self._accumulate(t)
        dem = self.demand_kg_s(t)
        self.reserves.advance(t)
        key = (self.version, hash(dem.tobytes()), hash(self.leak_kg_s.tobytes()))
        st = self._cache.get(key)
        if self.reserves.no_gas(t):
            st = H.State(False, np.full(self.nj, np.nan), 0.0, 0.0, float(dem.sum()))
        elif st is None:
            st = H.solve(self.net, dem, self.leak_kg_s, self.pipe_open)
            scale = 0.5
            while not st.converged and self.leak_kg_s.any() and scale > 0.1:
                # a leak the network cannot feed at its design outflow: it takes what it gets
                st2 = H.solve(self.net, dem, self.leak_kg_s * scale, self.pipe_open)
                if st2.converged:
                    st = H.State(False, st2.p_bar, st2.supply_kg_s, st2.delivered_kg_s,
                                 st.demand_kg_s)
                    break
                scale /= 2
            if len(self._cache) > 512:
                self._cache.clear()
            self._cache[key] = st
        self.state = st
        self.reserves.draw_kg_s = st.supply_kg_s
        self._interruptions(st)
        self.publish("gas_interrupted_customers", float(self.interrupted_node.sum()))
        return st

    def _interruptions(self, st) -> None:
        p, lpj = self.params, self.gn.topo.lp_junction_of_node
        # below 0 bar gauge (a leak the network cannot feed) is no gas: report 0
        pj = np.where(lpj >= 0, np.maximum(st.p_bar[np.maximum(lpj, 0)], 0.0), np.nan)
        low = ~(pj >= p.min_customer_bar)  # NaN (no gas) counts as low
        np.fmin(self.j_min_bar, np.nan_to_num(np.maximum(st.p_bar, 0.0), nan=0.0),
                out=self.j_min_bar)
        self.interrupted_node = np.where(low, self.hh_node, self.node_shut).astype(float)
        served = (self.hh_node > 0) & ~np.isnan(pj)
        nd = self.day["pmin"]
        if served.any():
            np.minimum.at(nd, self.node_district[served], pj[served])
        per_d = np.bincount(self.node_district, self.interrupted_node, len(nd))
        self.day["peak"] = np.maximum(self.day["peak"], per_d)

    def _accumulate(self, t: float) -> None:
        """Customer-hours lost since the last state change."""
        dt_h = (t - self.t_last) / HOUR_S
        if dt_h > 0:
            self.day["ch"] += np.bincount(self.node_district, self.interrupted_node,
                                          len(self.day["ch"])) * dt_h
            self.node_ch += self.interrupted_node * dt_h
            self.closed_h += ~self.pipe_open * dt_h
        self.t_last = t

    def _hour_solve(self, t: float) -> None:
        self.resolve(t)
        if self.params.hydraulics_stride_h == 1.0:
            self._record_hour()

    def _record_hour(self) -> None:
        st, r, t = self.state, self.ctx.recorder, self.ctx.clock.now_s
        lpj = self.gn.topo.lp_junction_of_node
        has = (self.hh_node > 0) & (lpj >= 0)
        pj = np.maximum(st.p_bar[lpj[has]], 0.0) if has.any() else np.array([np.nan])
        r.append("gas_supply_kg_s", t, st.supply_kg_s)
        r.append("gas_mass_balance_kg_s", t, st.balance_kg_s)
        r.append("gas_lowest_customer_bar", t, np.nanmin(pj) if np.isfinite(pj).any()
                 else np.nan)
        r.append("gas_interrupted_customers", t, self.interrupted_node.sum())
        r.append("gas_supply_failure", t, 0.0 if st.converged else 1.0)
        r.append("gas_open_leaks", t, float(self.open_leaks))
        customers = float(self.demand_kg_s(t).sum())  # leaks are not what storage is for
        r.append("gas_storage_cover_h", t, min(self.reserves.cover_h(customers), 1e6))

    # ------------------------------------------------------------------ leaks
    def _start_leak(self, seg: int, size: int, cause: int) -> None:
        gn, p, env = self.gn, self.params, self.ctx.clock.env
        t = env.now
        self.incidents[seg] += 1
        dist = int(self.node_district[gn.node[seg]])
        self.day["leaks"][dist, cause] += 1
        self.day["leaks_mat"][gn.material[seg], cause] += 1
        level = int(gn.level[seg])
        g = I.grade(size, cause, level)
        j = self._junction(seg)
        flow = 0.0
        if cause != 2 and j >= 0:
            hole = p.hole_mm[size] or (gn.diameter_mm[seg] if seg < gn.n_mains else 25.0)
            flow = I.outflow_kg_s(hole, p.lp_bar if level == LP else p.mp_bar)
            self.leak_kg_s[j] += flow
            self.version += 1
        self.open_leaks += 1
        self.resolve(t)
        delay = detection_delay_s(self.rng_det, sensored=bool(gn.sensor[seg]), size=size,
                                  cause=cause, t_s=t, patrol_phase_s=self.patrol_phase[seg],
                                  params=p)
        if math.isfinite(delay):
            env.process(self._respond(seg, size, cause, g, j, flow, t, delay, dist))

    def _junction(self, seg: int) -> int:
        gn = self.gn
        if seg < gn.n_mains:
            return int(gn.topo.p_to[seg])
        return int(gn.topo.lp_junction_of_node[gn.node[seg]])

    def _travel_s(self, seg: int) -> float:
        if self.depots is None:
            return FILE_TRAVEL_S
        closed = frozenset(self.read("closed_roads", frozenset()))
        if self._travel_cache[0] != closed:
            tt = self.ctx.city.roads.travel_times_s(self.depots, closed).min(0)
            self._travel_cache = (closed, tt)
        t = self._travel_cache[1][self.road_of[self.gn.node[seg]]] / self.params.crew_speed_factor
        return float(t) if np.isfinite(t) else 6 * HOUR_S  # cut off by water: walk in

    def _respond(self, seg, size, cause, g, j, flow, t0, delay, dist):
        """Detection, first visit (travel, make safe: valves or meter shut, then repair),
        second visit (reopen and relight the customers cut off)."""
        env, p, gn = self.ctx.clock.env, self.params, self.gn
        yield env.timeout(delay)
        node = int(gn.node[seg])
        isolate = seg < gn.n_mains and size >= p.isolate_sizes_from
        shut = 1 if cause == 2 else (int(gn.households[seg]) if seg >= gn.n_mains and
                                     size >= p.isolate_sizes_from else 0)

        def first_visit():
            yield env.timeout(self._travel_s(seg) + p.make_safe_min * 60.0)
            if flow and j >= 0:
                self.leak_kg_s[j] = max(self.leak_kg_s[j] - flow, 0.0)
            if isolate:
                self.pipe_open[seg] = False
            self.node_shut[node] += shut
            self.version += 1
            self.open_leaks -= 1
            if g == 1:
                self.day["g1"][dist] += 1
                self.day["g30"][dist] += (env.now - t0) <= 1800.0
            self.resolve(env.now)
            yield env.timeout(self.rng_rep.exponential(p.repair_h[size] * HOUR_S))

        def second_visit():
            n = self.down_hh[seg] if isolate else shut
            yield env.timeout(self._travel_s(seg) + n * p.relight_min_per_customer * 60.0
                              / p.relight_fitters)
            if isolate:
                self.pipe_open[seg] = True
            self.node_shut[node] = max(self.node_shut[node] - shut, 0)
            self.version += 1
            self.resolve(env.now)

        yield from self.crews.job(g, first_visit)
        if isolate or shut:
            yield from self.crews.job(3, second_visit)

    # ------------------------------------------------------------------ events
    def handle(self, kind, payload) -> None:
        if kind == "construction":
            names = list(self.ctx.city.districts.name)
            if payload.district:
                self.district_factor[names.index(payload.district)] = payload.factor
            else:
                self.district_factor[:] = payload.factor
            return
        if kind in PROGRAMME_EVENTS:
            getattr(self, PROGRAMME_EVENTS[kind])(payload)
            return
        seg = self.gn.ids.index(payload.segment)
        if kind == "leak":
            self._start_leak(seg, SIZES.index(payload.size), CAUSES.index(payload.cause))
        elif kind == "isolate":
            self.ctx.clock.env.process(self._isolate(seg, payload.hours))

    def _renewal_event(self, ev: Renewal) -> None:
        mains = np.arange(self.gn.n_segments) < self.gn.n_mains
        for i, (km, which) in enumerate(((ev.mains_km, mains), (ev.services_km, ~mains))):
            if km > 0:
                self.renew_budget_km[i] += km
                self._renew(i, which)

    def _sensors_event(self, ev: Sensors) -> None:
        add_sensors(self.gn.sensor, self._risk(), self.gn.length_m, self.gn.n_mains, ev.km)

    def _lpg_event(self, ev: LpgConversion) -> None:
        self._connect_lpg(ev.households)

    def _outage_event(self, ev: SourceOutage) -> None:
        env, res = self.ctx.clock.env, self.reserves
        now = env.now
        res.outage(now, ev.hours)
        self.resolve(now)  # the draw at the outage's start sets when the storage runs dry
        for at in (res.empty_at_s(now), now + ev.hours * HOUR_S):
            if now < at < self.ctx.horizon_s:
                self.ctx.clock.at(at, self.resolve)

    def _isolate(self, seg: int, hours: float):
        env, gn = self.ctx.clock.env, self.gn
        node = gn.node[seg]
        if seg < gn.n_mains:
            self.pipe_open[seg] = False
        else:
            self.node_shut[node] += gn.households[seg]
        self.version += 1
        self.resolve(env.now)
        yield env.timeout(hours * HOUR_S)
        if seg < gn.n_mains:
            self.pipe_open[seg] = True
        else:
            self.node_shut[node] = max(self.node_shut[node] - gn.households[seg], 0)
        self.version += 1
        self.resolve(env.now)

    def finish(self) -> None:
        r, gn = self.ctx.recorder, self.gn
        if self.day_t0 is not None:
            self._book_day(self.ctx.horizon_s)
        r.set("gas_km", np.bincount(gn.material, gn.length_m / 1000.0, minlength=4))
        r.set("gas_risk_per_year", self._rate())
        r.set("gas_customers_downstream", self.down_hh)
        r.set("gas_incidents", self.incidents)
        r.set("gas_sensor", gn.sensor.astype(float))
        r.set("gas_third_party_share_grade1", I.third_party_share_grade1(
            self._expected(1.0), gn.level, self.params))
        kpis.record_map(r, gn, self.node_ch, self.closed_h, self.j_min_bar)

    @classmethod
    def summarize(cls, ds):
        return kpis.summarize(ds)


def _segment_ids(params, city) -> list[str]:
    if params.network is None:
        blocks = service_blocks(np.bincount(city.households.road_node,
                                            minlength=city.roads.n_nodes),
                                params.service_block_households)
        return city_topology(city.roads, params.gate_stations).segment_ids(blocks)
    from twin.models.gas.network_files import read_network

    return read_network(params.network, 1.0)[0].ids


def _node_district(city) -> np.ndarray:
    d, r = city.districts, city.roads
    x, y = r.node_x[:, None], r.node_y[:, None]
    inside = (x >= d.x0) & (x <= d.x1) & (y >= d.y0) & (y <= d.y1)
    cx, cy = (d.x0 + d.x1) / 2, (d.y0 + d.y1) / 2
    near = np.argmin(np.hypot(x - cx, y - cy), axis=1)
    return np.where(inside.any(1), inside.argmax(1), near).astype(np.int64)
