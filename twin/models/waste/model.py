"""Waste collection logistics on the run's SimPy clock: collection points, truck rounds,
transfer stations, plants and the daily KPIs (see README.md)."""

from __future__ import annotations

import dataclasses

import numpy as np

from twin.core.clock import DAY_S, HOUR_S
from twin.core.errors import TwinError
from twin.core.model import TwinModel
from twin.models.waste.availability import Availability
from twin.models.waste.headline import report_window, run_intervals
from twin.models.waste.headline import rows as headline_rows
from twin.models.waste.kernel import SimpyKernel
from twin.models.waste.kpis import COST_ITEMS, FLEETS, STOCKS, Ledger
from twin.models.waste.params import (
    DESTINATIONS,
    DIGESTION,
    HAZARDOUS,
    HAZARDOUS_TREATMENT,
    INCINERATION,
    LANDFILL,
    RECYCLABLE,
    RECYCLING,
    RESIDUAL,
    STREAM_DESTINATION,
    STREAMS,
    WasteParams,
)
from twin.models.waste.plan_cities import load_plan_city
from twin.models.waste.plants import Plants
from twin.models.waste.points import Containers, sorting_mask
from twin.models.waste.routing import Network, attach_round_legs, plan_pyvrp, plan_sfc
from twin.models.waste.stations import Station, TransferYard
from twin.models.waste.trucks import Collector

PLANTS = DESTINATIONS[:LANDFILL]  # every destination but landfill is a plant
PLANT_KINDS = {INCINERATION: "incineration_plant", DIGESTION: "digestion_plant",
               RECYCLING: "recycling_plant"}


class WasteModel(TwinModel):
    """Collection of the four sorted streams from collection points to treatment or landfill.

    Each day at 00:00 it reads the tonnes households put into each point's containers
    (`waste_deliveries`), starts one process per truck round for the streams due that day,
    and at the next 00:00 books the day's KPIs."""

    name = "waste"
    Params = WasteParams
    requires = ("households",)
    uses = ("drainage",)
    reads = ("waste_deliveries", "closed_roads")

    # ------------------------------------------------------------------ set-up
    def start(self) -> None:
        ctx, city = self.ctx, self.ctx.city
        self.plan = load_plan_city(self.params.plan_city) if self.params.plan_city else None
        if self.plan is not None and self.params.plan_projects:
            n_ts = len(city.sites.of_kind("transfer_station"))
            self.params = dataclasses.replace(self.params,
                                              **self.plan.project_overrides(n_ts))
        p = self.params
        sites = city.sites
        self.cp = sites.of_kind("collection_point")
        self.ts = sites.of_kind("transfer_station")
        if len(self.cp) == 0 or len(self.ts) == 0:
            raise TwinError(f"city {city.name!r} has no collection points or transfer stations")
        plant_site = {d: sites.of_kind(k) for d, k in PLANT_KINDS.items()}
        for d, idx in plant_site.items():
            if len(idx) == 0:
                raise TwinError(f"city {city.name!r} has no {PLANT_KINDS[d]}")
        self.n = n = len(self.cp)
        # places: points 0..n-1, transfer stations, the hazardous gate (at the incinerator),
        # then the plants
        hz_site = plant_site[INCINERATION][0]
        place_sites = np.r_[self.cp, self.ts, hz_site, [plant_site[d][0] for d in PLANT_KINDS]]
        self.place_sites = place_sites
        self.gate_place = n + np.arange(len(self.ts) + 1)
        self.plant_place = {d: n + len(self.ts) + 1 + i for i, d in enumerate(PLANT_KINDS)}
        self.k = k = SimpyKernel(ctx.clock.env)
        pop = city.population
        self.containers = Containers(n, p, sorting_mask(n, pop, p,
                                                        ctx.streams.generator("waste.points")))
        self.ledger = ledger = Ledger()
        self.plants = Plants({INCINERATION: p.incineration_kg_per_person_day * pop / 1000.0,
                              DIGESTION: p.digestion_kg_per_person_day * pop / 1000.0,
                              RECYCLING: p.recycling_kg_per_person_day * pop / 1000.0},
                             residue_share=p.digestion_residue_share,
                             reject_share=p.recycling_reject_share, ledger=ledger,
                             bunker_days=dict(zip(PLANT_KINDS, p.bunker_days, strict=True)),
                             ash_share=p.ash_share)
        self.availability = Availability(
            dict(zip(PLANT_KINDS, p.plant_lines, strict=True)), maintenance_days=p.maintenance_days_per_year,
            breakdowns_per_year=p.breakdowns_per_line_year, repair_days=p.repair_days,
            rng=ctx.streams.generator("waste.plants"))
        self.closed = self.plan_closed = frozenset(self.read("closed_roads", frozenset()))
        self.net = self._network()
        n_up = int(round(p.upgraded_station_share * len(self.ts)))
        self.gates, self.yards = [], []
        for j, site in enumerate(self.ts):
            up = j < n_up  # stations are numbered in Morton order; upgrade the first ones
            yard = TransferYard(k, trucks=p.transfer_trucks_per_station,
                                capacity_t=p.transfer_truck_capacity_t,
                                haul_s=self._haul(j, 0), haul_m=self._haul(j, 1),
                                handling_s=p.transfer_handling_min * 60.0,
                                arrive=self._arrive, ledger=ledger)
            self.yards.append(yard)
            self.gates.append(Station(
                k, str(sites.name[site]), bridges=p.upgraded_weighbridges if up else p.weighbridges,
                bays=p.upgraded_tipping_bays if up else p.tipping_bays,
                weigh_s=(p.upgraded_weigh_min if up else p.weigh_min) * 60.0,
                tip_s=p.tip_min * 60.0, deliver=yard.receive, fcfs=p.station_queues == "fcfs"))
        self.gates.append(Station(k, "hazardous gate", bridges=1, bays=1, weigh_s=p.weigh_min * 60,
                                  tip_s=p.tip_min * 60.0, deliver=self._hazardous,
                                  fcfs=p.station_queues == "fcfs"))
        cap = [p.truck_capacity_eff_t(s) for s in range(len(STREAMS))]
        per_t = [60.0 * p.service_min_per_m3[s] / p.bin_density_t_per_m3[s]
                 for s in range(len(STREAMS))]
        self.collector = Collector(k, self.containers, self.gates, capacity_t=cap,
                                   fixed_s=[60.0 * m for m in p.stop_fixed_min], per_t_s=per_t,
                                   ledger=ledger, rng=ctx.streams.generator("waste.service"),
                                   sync=ctx.exchange.delivers("closed_roads"))
        self.rounds: dict[int, list] = {}
        self.planned_t = [0.0] * len(STREAMS)  # daily tonnes each stream's rounds were made for
        self.mean_t = [0.0] * len(STREAMS)  # smoothed daily tonnes (7-day EWMA)
        self.plans = 0
        self.day_start = None
        self.day_index = -1
        self.fleet_max = np.zeros(len(FLEETS))
        self.overflow_total = np.zeros(n)
        self.reroutes = 0  # times trucks were re-routed around changed road closures
        self._declare()
        if ctx.exchange.delivers("closed_roads"):
            self.subscribe("closed_roads", self._reroute)
        ctx.clock.every(DAY_S, self._new_day)
        ctx.clock.every(DAY_S, self._clear, offset_s=p.station_clear_h * HOUR_S)

    def _network(self) -> Network:
        s = self.ctx.city.sites
        ps = self.place_sites
        return Network(self.ctx.city.roads, s.road_node[ps], s.x[ps], s.y[ps], self.closed)

    def _haul(self, j: int, which: int):
        """Station j -> plant of the stream: one-way time (which=0) or distance (1)."""
        cache: dict[int, float] = {}

        def f(stream: int) -> float:
            if stream not in cache:
                dest = STREAM_DESTINATION.get(stream, INCINERATION)
                dest = INCINERATION if dest == HAZARDOUS_TREATMENT else dest
                t, d = self.net.pairs([self.gate_place[j]], [self.plant_place[dest]])
                cache[stream] = float((t, d)[which][0])
            return cache[stream]

        return f

    def _arrive(self, stream: int, tonnes: float) -> None:
        self.plants.receive(stream, STREAM_DESTINATION[stream], tonnes, self.k.now)

    def _hazardous(self, stream: int, tonnes: float) -> None:
        self.ledger.move("trucks", None, tonnes)
        self.plants.receive(stream, HAZARDOUS_TREATMENT, tonnes, self.k.now)

    # ------------------------------------------------------------------ outputs
    def _declare(self) -> None:
        r, s = self.ctx.recorder, self.ctx.city.sites
        r.coord("stream", list(STREAMS), long_name="waste stream (container)")
        r.coord("destination", list(DESTINATIONS), long_name="where a tonne ended")
        r.coord("collection_point", [str(x) for x in s.name[self.cp]])
        r.coord("point_x_m", s.x[self.cp].astype(float), dim="collection_point", units="m",
                long_name="collection point easting (city frame)")
        r.coord("point_y_m", s.y[self.cp].astype(float), dim="collection_point", units="m",
                long_name="collection point northing (city frame)")
        r.coord("transfer_station", [str(x) for x in s.name[self.ts]])
        r.coord("station_x_m", s.x[self.ts].astype(float), dim="transfer_station", units="m",
                long_name="transfer station easting (city frame)")
        r.coord("station_y_m", s.y[self.ts].astype(float), dim="transfer_station", units="m",
                long_name="transfer station northing (city frame)")
        r.coord("fleet", list(FLEETS), long_name="truck fleet (collection per stream, transfer)")
        r.coord("cost_item", list(COST_ITEMS))
        r.coord("plant", list(PLANTS), long_name="treatment plant (by kind)")
        r.coord("stock", list(STOCKS), long_name="where waste waits")
        d = r.declare
        d("generated_t", dims=("stream",), units="t/day",
          long_name="tonnes put into containers (legacy points: all as residual)")
        d("collected_t", dims=("stream",), units="t/day", long_name="tonnes collected by trucks")
        d("tonnes_by_destination", dims=("stream", "destination"), units="t/day",
          long_name="tonnes treated or landfilled, by stream and final destination")
        d("landfill_tonnes", units="t/day", bad="high", long_name="raw waste landfilled")
        d("plant_offered_t", dims=("plant",), units="t/day", long_name="tonnes arriving at each "
          "plant, accepted or turned away to landfill (the capacity it would need)")
        d("plant_capacity_t", dims=("plant",), units="t/day", time_dim=None,
          long_name="daily treatment capacity of each plant (NaN: unlimited)")
        d("plant_load_t", dims=("plant",), units="t/day", long_name="input each plant "
          "treated that day (from arrivals and its bunker)")
        d("plant_available_t", dims=("plant",), units="t/day", long_name="capacity available "
          "that day after planned maintenance and breakdowns (NaN: unlimited)")
        d("bunker_t", dims=("plant",), units="t", long_name="waste waiting in each plant's "
          "bunker at the day's end")
        d("ash_t", units="t/day", long_name="bottom and fly ash left by incineration (a "
          "residue, not raw waste)")
        d("informal_t", units="t/day", long_name="recyclables taken by informal collectors "
          "before the formal round")
        d("recycling_rate", units="1", bad="low", long_name="recycling and reuse rate: recyclables "
          "recovered (formal, net of rejects, plus informal) and food waste digested (net of "
          "residue), over waste generated")
        d("spinup_days", units="day", time_dim=None, long_name="days left out of the "
          "summary (spin-up from empty containers and bunkers)")
        d("plan_scale", units="1", time_dim=None, long_name="population of the plan city / "
          "population of this city (multiply t/day by it to read them at plan scale)")
        d("zero_landfill", units="1", long_name="1 if no raw waste was landfilled that day")
        d("overflow_events", dims=("collection_point",), units="1/day", bad="high",
          long_name="containers filled beyond capacity before being emptied")
        d("overflow_events_total", dims=("collection_point",), units="1", time_dim=None,
          bad="high",
          long_name="overflow events at each point over the run (hot spots: map with "
          "point_x_m, point_y_m)")
        d("truck_km", dims=("fleet",), units="km/day", long_name="truck kilometres")
        d("truck_hours", dims=("fleet",), units="h/day", long_name="truck hours in service")
        d("trucks_in_service", dims=("fleet",), units="1", long_name="trucks used that day")
        d("stops_missed", dims=("stream",), units="1/day", bad="high", long_name="collection stops passed "
          "by because the point's street was closed by water (collected on a later round)")
        d("tonnes_per_truck_day", units="t", long_name="tonnes collected per collection "
          "truck-day")
        d("tonnes_per_point_day", units="t", long_name="tonnes collected per collection point")
        d("station_wait_min", dims=("transfer_station",), units="min", bad="high",
          long_name="mean queue wait of collection trucks at weighbridge and bays")
        d("station_trucks", dims=("transfer_station",), units="1/day",
          long_name="collection trucks unloaded at the station")
        d("fuel_l", units="L/day", long_name="diesel burnt by all trucks")
        d("cost_cny", dims=("cost_item",), units="CNY/day", bad="high",
          long_name="cost: diesel, crews, gate fees")
        d("co2_t", units="t/day", bad="high", long_name="CO2 from truck diesel (2.68 kg/L)")
        d("stock_t", dims=("stock",), units="t", long_name="waste waiting at the day's end")
        d("mass_balance_residual_t", units="t", long_name="generated - (waiting + treated + "
          "landfilled), cumulative; 0 up to rounding")
        d("fleet_size", dims=("fleet",), units="1", time_dim=None,
          long_name="largest number of trucks used on one day")
        d("truck_reroutes", units="1", time_dim=None, long_name="times trucks on their rounds "
          "were re-routed because roads closed or reopened (channel closed_roads)")
        d("sorting_point", dims=("collection_point",), units="1", time_dim=None,
          long_name="1 if the point is a sorting house with four containers")

    # ------------------------------------------------------------------ the day
    def _new_day(self, t: float) -> None:
        if self.day_start is not None:
            self.containers.end_day()
            self._close(self.day_start)
        deliveries = self.read("waste_deliveries")
        if deliveries is None:
            raise TwinError("waste: no 'waste_deliveries' published at the start of the day; "
                            "the households model must run in the same scenario")
        deliveries = np.asarray(deliveries, dtype=np.float64)
        if deliveries.shape != (self.n, len(STREAMS)):
            raise TwinError(f"waste: waste_deliveries has shape {deliveries.shape}, expected "
                            f"({self.n}, {len(STREAMS)}) [collection_point, stream]")
        d = self.containers.mix(deliveries)
        self.ledger.add_generated(d.sum(axis=0))
        # informal collectors buy or pick the saleable recyclables before the formal round
        informal = d[:, RECYCLABLE] * self.params.informal_recyclable_share
        d[:, RECYCLABLE] -= informal
        self.ledger.informal_collect(float(informal.sum()))
        self.containers.new_day(t, d)
        doy = self.ctx.calendar.date(t).timetuple().tm_yday - 1
        self.plants.new_day(int(round(t / DAY_S)), self.availability.share(doy))
        self.day_start = t
        self.day_index += 1
        self._maybe_replan(d)
        due = [rnd for s, rounds in self.rounds.items() for rnd in rounds
               if not self.day_index % max(1, int(round(self.params.collection_interval_days[s])))]
        self.collector.start_all(due, t)

    def _reroute(self, closed, _t_s) -> None:
        """Roads closed or reopened during the day: trucks on their rounds drive around the
        closures from their next stop on (a point cut off is reached by a slow detour)."""
        closed = frozenset(closed)
        if closed == self.closed:
            return
        self.closed = closed
        self.net = self._network()
        self.reroutes += 1
        r = self.ctx.city.roads
        edges = np.fromiter(closed, np.int64, len(closed))
        wet = np.zeros(r.n_nodes, bool)
        wet[r.edge_u[edges]] = wet[r.edge_v[edges]] = True
        self.collector.flooded[:] = wet[self.ctx.city.sites.road_node[self.cp]].tolist()
        for rounds in self.rounds.values():
            for rnd in rounds:
                attach_round_legs([rnd], self.gate_place[rnd.depot], self.net.pairs)

    def _clear(self, _t: float) -> None:
        for yard in self.yards:
            yard.clear()

    def _maybe_replan(self, d: np.ndarray) -> None:
        """Plan rounds on the first day; re-plan a stream when its smoothed daily tonnes move
        by more than `replan_change`, and all streams when closed roads change."""
        closed = frozenset(self.read("closed_roads", frozenset()))
        if closed != self.plan_closed:
            self.closed = self.plan_closed = closed
            self.net = self._network()
            self.rounds = {}
        tot = d.sum(axis=0)
        for s in range(len(STREAMS)):
            self.mean_t[s] = tot[s] if self.day_index == 0 else (
                self.mean_t[s] + (tot[s] - self.mean_t[s]) / 7.0)
            planned = self.planned_t[s]
            if s in self.rounds and planned > 0 and \
                    abs(self.mean_t[s] / planned - 1.0) <= self.params.replan_change:
                continue
            if s in self.rounds and planned == 0 and self.mean_t[s] == 0:
                continue
            scale = self.mean_t[s] / tot[s] if tot[s] > 0 else 0.0
            self.rounds[s] = self._plan_stream(s, d[:, s] * scale)
            self.planned_t[s] = self.mean_t[s]

    def _plan_stream(self, s: int, daily_t: np.ndarray) -> list:
        p = self.params
        # residual bins stand at every point; the other containers at sorting houses only
        served = (np.arange(self.n) if s == RESIDUAL
                  else np.flatnonzero(self.containers.sorting))
        if len(served) == 0:
            return []
        gates = self.gate_place
        if s == HAZARDOUS:
            depot_of = np.full(len(served), len(gates) - 1)
        else:
            tt, _ = self.net.pairs(np.repeat(served, len(gates) - 1),
                                   np.tile(gates[:-1], len(served)))
            depot_of = tt.reshape(len(served), len(gates) - 1).argmin(axis=1)
        cap = p.truck_capacity_eff_t(s)
        load = daily_t[served] * p.collection_interval_days[s] * p.route_margin
        service = 60.0 * (p.stop_fixed_min[s] + p.service_min_per_m3[s] * load
                          / p.bin_density_t_per_m3[s])
        unload_s = 60.0 * (p.weigh_min + p.tip_min)
        start = p.round_start_h[s] * HOUR_S
        out = []
        for g in np.unique(depot_of):
            sel = depot_of == g
            pts, ld, sv = served[sel], load[sel], service[sel]
            rounds = None
            use_vrp = p.routing == "pyvrp" or (p.routing == "auto"
                                               and len(pts) <= p.pyvrp_max_points)
            if use_vrp:
                self.plans += 1
                rounds = plan_pyvrp(pts, gates[g], self.net, ld, sv, capacity_t=cap,
                                    shift_s=p.shift_h * HOUR_S, unload_s=unload_s, stream=s,
                                    start_tod_s=start, iterations=p.vrp_iterations,
                                    seed=self.ctx.streams.int_seed(f"waste.vrp.{s}.{g}"))
            if rounds is None:
                rounds = plan_sfc(pts, gates[g], self.net.pairs, ld, sv, capacity_t=cap,
                                  shift_s=p.shift_h * HOUR_S, unload_s=unload_s, stream=s,
                                  start_tod_s=start)
            for r in rounds:
                r.depot = int(g)
            attach_round_legs(rounds, gates[g], self.net.pairs)
            out.extend(rounds)
        return out

    def _close(self, t_day: float) -> None:
        """Book the day that started at t_day."""
        r = self.ctx.recorder
        stats = self.collector.pop_day()
        used_transfer = min(self.ledger.transfer_trips,
                            self.params.transfer_trucks_per_station * len(self.yards))
        kpi = self.ledger.close_day(self.params, stats, self.containers.content_t(self.k.now),
                                    self.n, used_transfer)
        for name, value in kpi.items():
            r.append(name, t_day, value)
        overflow = self.containers.pop_overflow()
        self.overflow_total += overflow
        r.append("overflow_events", t_day, overflow)
        r.append("plant_offered_t", t_day, self.plants.pop_offered()[:len(PLANTS)])
        treated, available, ash = self.plants.pop_day()
        r.append("plant_load_t", t_day, treated[:len(PLANTS)])
        r.append("plant_available_t", t_day,
                 np.where(np.isfinite(available), available, np.nan)[:len(PLANTS)])
        r.append("bunker_t", t_day, self.plants.bunker_t()[:len(PLANTS)])
        r.append("ash_t", t_day, ash)
        waits = [g.pop_day() for g in self.gates]
        r.append("station_trucks", t_day, [w[0] for w in waits[:-1]])
        r.append("station_wait_min", t_day,
                 [w[1] / w[0] / 60.0 if w[0] else np.nan for w in waits[:-1]])
        self.fleet_max = np.maximum(self.fleet_max, kpi["trucks_in_service"])

    def finish(self) -> None:
        if self.day_start is not None:
            if self.k.now >= self.day_start + DAY_S - 1e-6:
                self.containers.end_day()
            self._close(self.day_start)
        r = self.ctx.recorder
        r.set("fleet_size", self.fleet_max)
        r.set("overflow_events_total", self.overflow_total)
        cap = self.plants.capacities()[:len(PLANTS)]
        r.set("plant_capacity_t", np.where(np.isfinite(cap), cap, np.nan))
        plan_pop = self.plan.population if self.plan else self.params.plan_population_m * 1e6
        r.set("plan_scale", plan_pop / self.ctx.city.population)
        r.set("sorting_point", self.containers.sorting.astype(float))
        r.set("truck_reroutes", self.reroutes)
        r.set("spinup_days", self.params.spinup_days)

    @classmethod
    def summarize(cls, ds) -> list[tuple[str, float, str]]:
        """The plan question's answer: landfill, the treatment capacity it would take to reach
        zero landfill (on this city and at plan scale), fleet, service, cost and CO2, with
        95% intervals from weekly batch means. The spin-up days are left out: the run starts
        with empty containers and bunkers."""
        if "landfill_tonnes" not in ds:
            return []
        full = ds
        ds = report_window(ds)
        treat = ["incineration", "digestion"]
        cap = float(ds["plant_capacity_t"].sel(plant=treat).sum())
        need = float(ds["plant_offered_t"].sel(plant=treat).max("day").sum())
        scale = float(ds["plan_scale"])
        return [
            ("days reported (after spin-up)", float(ds.sizes["day"]), "days"),
            ("waste collected", float(ds["collected_t"].sum("stream").mean()), "t/day"),
            *headline_rows(run_intervals(full), "weekly batches"),
            ("treatment capacity (incineration + digestion)", cap, "t/day"),
            ("  needed for zero landfill (busiest day per plant)", need, "t/day"),
            ("  capacity at plan scale", cap * scale, "t/day"),
            ("  needed at plan scale", need * scale, "t/day"),
            ("collection trucks", float(ds["fleet_size"][:-1].sum()), "trucks"),
            ("tonnes per truck-day", float(ds["tonnes_per_truck_day"].mean()), "t"),
            ("tonnes per point-day", float(ds["tonnes_per_point_day"].mean()), "t"),
            ("container overflow events", float(ds["overflow_events"].sum("collection_point")
                                                .mean()), "per day"),
            ("mean wait at transfer stations", float(ds["station_wait_min"].mean()), "min"),
            ("ash from incineration (residue)", float(ds["ash_t"].mean()), "t/day"),
            ("recyclables taken by informal collectors", float(ds["informal_t"].mean()),
             "t/day"),
        ] + cls._storm_rows(full)

    @staticmethod
    def _storm_rows(ds) -> list[tuple[str, float, str]]:
        """What closed roads did to collection (only when roads closed during the run)."""
        if "truck_reroutes" not in ds or int(ds["truck_reroutes"]) == 0:
            return []
        missed = ds["stops_missed"].sum("stream")
        return [("truck re-routes around roads closed by water", int(ds["truck_reroutes"]), ""),
                ("collection stops missed (street under water), whole run",
                 float(missed.sum()), "stops"),
                ("  on the worst day", float(missed.max()), "stops"),
                ("truck-km, whole run", float(ds["truck_km"].sum()), "km")]
