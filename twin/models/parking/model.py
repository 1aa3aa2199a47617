"""The parking model in a run: supply from the city, a day of drivers at a time, the engine
advanced by the SimPy clock once an hour and whenever closed roads or street water change,
SFpark reviews, and hourly KPIs per district (see README.md)."""

from __future__ import annotations

import heapq

import numpy as np

from twin.core.clock import DAY_S, HOUR_S
from twin.core.errors import TwinError
from twin.core.model import TwinModel
from twin.coupling import Channel
from twin.models.parking import kpis
from twin.models.parking.demand import Demand
from twin.models.parking.facility_output import FacilityOutput
from twin.models.parking.params import (
    ACCESS,
    PUBLIC,
    RESIDENTIAL,
    SHARED,
    AddSpaces,
    CloseLot,
    Enforcement,
    OpenLot,
    ParkingParams,
    SetPrice,
)
from twin.models.parking.pricing import demand_factor, sfpark_step
from twin.models.parking.search import Engine, candidates
from twin.models.parking.supply import (
    GARAGE,
    KERB,
    LOT,
    LOT_WALK_M,
    POOL,
    build_supply,
    district_index,
    district_nodes,
    lot_names,
    pool_name,
    split_by_population,
)

FIRST_LEAVE_H = 6.0  # earliest morning departure of a resident car parked at midnight


class ParkingModel(TwinModel):
    """Kerb faces, lots, garages and residential/shared pools; residents, commuters and
    visitors choosing, searching, parking (or not) and paying."""

    name = "parking"
    Params = ParkingParams
    events = {"add_spaces": AddSpaces, "open_lot": OpenLot, "close_lot": CloseLot,
              "enforcement": Enforcement, "set_price": SetPrice}
    uses = ("households", "drainage")
    reads = ("population", "closed_roads", "street_water_depth")
    publishes = (
        Channel("parking_occupancy", "1", "Time-mean occupied share of public and shared "
                "parking spaces per district (float array [district]) over the past hour; "
                "published hourly."),
        Channel("cruising_vkm", "km/h", "Vehicle-km driven searching for parking per district "
                "(float array [district]) over the past hour; published hourly."),
    )

    @classmethod
    def check_event(cls, kind, payload, params, city):
        names = lot_names(city)
        allowed = ", ".join(city.districts.name)
        district = getattr(payload, "district", "")
        if district and district_index(city, district) is None:
            yield "district", f"unknown district {district!r}; allowed: {allowed} (or empty)"
        if kind == "open_lot":
            if not payload.name:
                yield "name", "a new lot needs a name"
            elif payload.name in names:
                yield "name", f"{payload.name!r} already exists; choose a new name"
            if not district:
                yield "district", f"a new lot needs a district; allowed: {allowed}"
        if kind in ("close_lot", "set_price"):
            lot = payload.lot
            if lot and lot not in names:
                yield "lot", f"unknown lot {lot!r}; allowed: {', '.join(names)}"
            if kind == "close_lot" and not lot:
                yield "lot", f"name the lot to close; allowed: {', '.join(names)}"
        if kind == "add_spaces" and payload.spaces <= 0:
            yield "spaces", "must be a positive number of spaces"

    # ------------------------------------------------------------------ set-up
    def start(self) -> None:
        ctx, p, city = self.ctx, self.params, self.ctx.city
        pop = self.read("population")
        h = city.households
        nd = len(city.districts)
        if pop is not None:
            car = np.asarray(pop.car, bool)
        else:  # without the households model: cars drawn at the stated share
            u = ctx.streams.generator("parking.cars").random(len(h))
            car = u < p.car_ownership_share
        self.cars = np.bincount(h.district[car], minlength=nd).astype(float)
        self.fac = fac = build_supply(city, p, self.cars)
        for acc, n in ((PUBLIC, p.added_public_spaces), (SHARED, p.added_shared_spaces),
                       (RESIDENTIAL, p.added_residential_spaces)):
            for d, k in enumerate(split_by_population(n, city.districts.population)):
                f = fac.index(pool_name(acc, False, city.districts.name[d]))
                fac.design_cap[f] += int(k)
                fac.refresh(f)
        homes = [h.road_node[(h.district == d) & car] for d in range(nd)]
        homes = [x if len(x) else h.road_node[h.district == d][:1] for d, x in enumerate(homes)]
        self.cand, self.walks = candidates(fac, city.roads, max(p.max_walk_m, p.search_radius_m))
        self.dnode = district_nodes(city)
        self.engine = Engine(fac, p, nd, self.cand, self.walks, [p.enforcement_level] * nd,
                             self._pools())
        start = ctx.calendar.start
        self.offset = (start - start.replace(hour=0, minute=0, second=0, microsecond=0)
                       ).total_seconds()
        self.engine.clock_offset_s = self.offset
        self.demand = Demand(p, city, self.cars, homes, ctx.streams.generator("parking.demand"))
        self._incident = self._node_edges(city.roads)
        self.engine.last = [-self.offset] * len(fac)  # the state starts at the midnight
        self._initial_residents(car)
        self.paid_area = np.zeros(len(fac))
        self.paid_s = 0.0
        self.run_search = np.zeros(2)  # search s and drivers parked since the start
        kpis.declare(ctx.recorder, city)
        self.lot_output = FacilityOutput(fac, city)
        self.lot_output.declare(ctx.recorder)
        self.hour_t0 = None
        ctx.clock.every(HOUR_S, self._tick)
        first_midnight = (DAY_S - self.offset) % DAY_S
        if first_midnight:  # a run starting after midnight: warm up from that midnight
            self._load_day(-self.offset)
            eng = self.engine
            eng.advance(0.0)
            eng.close_hour(0.0)
            eng.reset_hour()
        ctx.clock.every(DAY_S, self._new_day, offset_s=first_midnight)
        self.subscribe("closed_roads", lambda v, t: self._roads(v))
        self.subscribe("street_water_depth", lambda v, t: self._water(v))
        closed, water = self.read("closed_roads"), self.read("street_water_depth")
        if closed:  # published before this model started
            self._roads(closed)
        if water is not None:
            self._water(water)

    def _pools(self) -> list[list[int]]:
        fac = self.fac
        out = [[] for _ in range(len(self.ctx.city.districts))]
        for f in range(len(fac)):
            if fac.kind[f] == POOL:
                out[fac.district[f]].append(f)
        return out

    @staticmethod
    def _node_edges(roads) -> list[list[int]]:
        inc = [[] for _ in range(roads.n_nodes)]
        for e, (a, b) in enumerate(zip(roads.edge_u.tolist(), roads.edge_v.tolist(),
                                       strict=True)):
            inc[a].append(e)
            inc[b].append(e)
        return inc

    def _initial_residents(self, car: np.ndarray) -> None:
        """Resident cars parked at midnight: those driven daily leave between 06:00 and 10:00
        (normal around 08:00), the others stay beyond the horizon. None returns before 06:00
        of the first day (`_load_day`): every car is already at home."""
        p, eng = self.params, self.engine
        rng = self.ctx.streams.generator("parking.initial")
        n = self.cars.astype(int)
        for d in range(len(n)):
            daily = rng.random(n[d]) < p.resident_daily_use_share
            leave = np.where(daily, np.clip(rng.normal(8.0, 1.0, n[d]), FIRST_LEAVE_H, 10.0)
                             * HOUR_S
                             - self.offset, self.ctx.horizon_s + DAY_S)
            self.demand_initial(d, leave.tolist(), eng)
        heapq.heapify(eng.heap)
        for f in range(len(eng.occ)):
            if 0 < self.fac.cap[f] <= eng.occ[f]:
                eng.full_since[f] = -self.offset

    def demand_initial(self, d: int, leaves: list[float], eng: Engine) -> None:
        """Put a district's parked resident cars into its pools, then the nearest kerbs/lots."""
        fac, occ = self.fac, eng.occ
        order = eng.home_pools[d] + [f for f in self.cand[int(self.dnode[d])]
                                     if fac.access[f] != RESIDENTIAL]
        k = 0
        for t in leaves:
            while k < len(order) and occ[order[k]] >= fac.cap[order[k]]:
                k += 1
            if k == len(order):
                break
            occ[order[k]] += 1
            if t < self.ctx.horizon_s:  # the others stay the whole run: no departure event
                eng.heap.append((t, order[k]))  # heapified once all are in

    # ------------------------------------------------------------------ the clock
    def _tick(self, t: float) -> None:
        eng = self.engine
        eng.advance(t)
        if self.hour_t0 is not None:
            self._close_hour(t)
        self.hour_t0 = t

    def _new_day(self, t: float) -> None:
        """At midnight (and at the start): SFpark review, then the day's drivers."""
        self.engine.advance(t)
        day = int(round((t + self.offset) / DAY_S))
        if self.params.pricing == "performance" and t > 0 and day % self.params.review_days == 0:
            self._review()
        self._load_day(t)

    def _load_day(self, t: float) -> None:
        weekend = self.ctx.calendar.date(t).weekday() >= 5
        midnight = t - (t + self.offset) % DAY_S
        first = midnight <= -self.offset  # the day the run (or its warm-up) starts
        self.engine.load(self.demand.day(
            midnight, weekend, self._price_factor(), t_min_s=t,
            resident_from_s=midnight + FIRST_LEAVE_H * HOUR_S if first else -np.inf))

    def _close_hour(self, t: float) -> None:
        eng, p = self.engine, self.params
        eng.close_hour(t)
        h = ((self.hour_t0 + self.offset) % DAY_S) / HOUR_S
        if p.paid_hours_h[0] <= h < p.paid_hours_h[1]:
            a = np.zeros(len(self.fac))
            a[:len(eng.area)] = eng.area
            if len(a) > len(self.paid_area):
                self.paid_area = np.r_[self.paid_area, np.zeros(len(a) - len(self.paid_area))]
            self.paid_area += a
            self.paid_s += HOUR_S
        kpis.record_hour(self, self.hour_t0)
        eng.reset_hour()

    def finish(self) -> None:
        t = self.ctx.horizon_s
        self.engine.advance(t)
        if self.hour_t0 is not None and t > self.hour_t0:
            self._close_hour(t)

    def _priced(self, f: int) -> bool:
        fac = self.fac
        return fac.access[f] == PUBLIC and fac.kind[f] in (KERB, LOT, GARAGE)

    def _review(self) -> None:
        """SFpark: each priced facility's paid-hours occupancy since the last review."""
        p, fac = self.params, self.fac
        if self.paid_s <= 0:
            return
        for f in range(len(fac)):
            if self._priced(f) and fac.design_cap[f] > 0 and fac.cap[f] > 0:
                occ = self.paid_area[f] / self.paid_s / fac.design_cap[f]
                fac.price[f] = sfpark_step(fac.price[f], occ, tuple(p.band),
                                           p.price_step_cny_per_h, p.price_min_cny_per_h,
                                           p.price_max_cny_per_h)
        self.paid_area[:] = 0.0
        self.paid_s = 0.0

    def _price_factor(self) -> np.ndarray:
        """Commuter and visitor demand by district at today's capacity-weighted price."""
        p, fac = self.params, self.fac
        nd = len(self.ctx.city.districts)
        num, den = np.zeros(nd), np.zeros(nd)
        for f in range(len(fac)):
            if self._priced(f) and fac.design_cap[f] > 0:
                num[fac.district[f]] += fac.price[f] * fac.design_cap[f]
                den[fac.district[f]] += fac.design_cap[f]
        price = np.divide(num, den, out=np.full(nd, p.reference_price_cny_per_h), where=den > 0)
        return np.array([demand_factor(x, p.reference_price_cny_per_h, p.elasticity)
                         for x in price])

    # ------------------------------------------------------------------ coupling
    def _roads(self, closed) -> None:
        """Kerb faces on closed edges and lots whose every street is closed are cut off."""
        self.engine.advance(self.ctx.clock.now_s)
        closed = frozenset(int(e) for e in closed)
        fac = self.fac
        for f in range(len(fac)):
            if fac.kind[f] == KERB:
                cut = fac.edge[f] in closed
            else:
                inc = self._incident[fac.node[f]]
                cut = bool(inc) and all(e in closed for e in inc)
            if cut != fac.cut_off[f]:
                fac.cut_off[f] = cut
                self.engine.set_cap(f)

    def _water(self, depth) -> None:
        """Underground garages flood when the water at their entrance exceeds the threshold."""
        self.engine.advance(self.ctx.clock.now_s)
        depth = np.asarray(depth, float)
        if depth.shape != (self.ctx.city.roads.n_nodes,):
            raise TwinError(f"parking: street_water_depth has shape {depth.shape}, expected "
                            f"({self.ctx.city.roads.n_nodes},) [road node]")
        fac, eng = self.fac, self.engine
        for f in range(len(fac)):
            if not fac.underground[f] or fac.design_cap[f] <= 0:
                continue
            wet = bool(depth[fac.node[f]] > self.params.garage_flood_depth_m)
            if wet and not fac.flooded[f]:
                eng.at_risk += eng.occ[f]
            if wet != fac.flooded[f]:
                fac.flooded[f] = wet
                eng.set_cap(f)

    # ------------------------------------------------------------------ events
    def handle(self, kind, payload) -> None:
        eng, fac, city = self.engine, self.fac, self.ctx.city
        eng.advance(self.ctx.clock.now_s)
        names = city.districts.name
        if kind == "add_spaces":
            acc = ACCESS.index(payload.access)
            if payload.district:
                shares = {district_index(city, payload.district): payload.spaces}
            else:
                shares = dict(enumerate(split_by_population(payload.spaces,
                                                            city.districts.population)))
            for d, n in shares.items():
                f = fac.index(pool_name(acc, payload.underground, names[d]))
                fac.design_cap[f] += int(n)
                eng.set_cap(f)
        elif kind == "open_lot":
            d = district_index(city, payload.district)
            n = int(self.dnode[d])
            acc = ACCESS.index(payload.access)
            price = payload.price_cny_per_h if payload.price_cny_per_h >= 0 else (
                self.params.shared_price_cny_per_h if acc == SHARED
                else self.params.lot_price_cny_per_h)
            f = fac.add(payload.name, GARAGE if payload.underground else LOT, acc, d, n,
                        city.roads.node_x[n], city.roads.node_y[n], payload.spaces, price,
                        LOT_WALK_M, underground=payload.underground)
            eng.grow()
            self._place(f)
            eng.rebuild_tables()
        elif kind == "close_lot":
            f = fac.index(payload.lot)
            fac.closed[f] = True
            eng.set_cap(f)
        elif kind == "enforcement":
            ds = [district_index(city, payload.district)] if payload.district else \
                range(len(names))
            for d in ds:
                eng.enf[d] = payload.level
        elif kind == "set_price":
            if payload.lot:
                fac.price[fac.index(payload.lot)] = payload.price_cny_per_h
            else:
                d = district_index(city, payload.district) if payload.district else None
                want = (KERB,) if payload.kind == "kerb" else (LOT, GARAGE)
                for f in range(len(fac)):
                    if fac.kind[f] in want and fac.access[f] == PUBLIC and \
                            (d is None or fac.district[f] == d):
                        fac.price[f] = payload.price_cny_per_h
        else:
            super().handle(kind, payload)

    def _place(self, f: int) -> None:
        """Insert a new facility into the candidate lists of the nodes near it."""
        fac = self.fac
        if fac.access[f] == RESIDENTIAL:
            self.engine.home_pools[fac.district[f]].append(f)
            return
        from scipy.sparse.csgraph import dijkstra

        from twin.models.parking.search import length_graph

        roads = self.ctx.city.roads
        r = max(self.params.max_walk_m, self.params.search_radius_m)
        dist = dijkstra(length_graph(roads), directed=False, indices=[fac.node[f]], limit=r)[0]
        for node in np.flatnonzero(np.isfinite(dist)).tolist():
            w = float(dist[node]) + fac.walk_m[f]
            ws = self.walks[node]
            k = int(np.searchsorted(ws, w)) if ws else 0
            ws.insert(k, w)
            self.cand[node].insert(k, f)

    @classmethod
    def summarize(cls, ds):
        return kpis.summarize(ds)
