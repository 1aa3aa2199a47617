"""The drainage model: EPA SWMM stepped from the master clock, plus storms, faults, street
water, road closures and mobile pumps as discrete events. See README.md."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import weakref
from bisect import bisect_left, insort
from pathlib import Path

import numpy as np

from twin.core.errors import ScenarioError, TwinError
from twin.core.model import TwinModel
from twin.core.scenario import HORIZON_LIMIT_DAYS
from twin.coupling import Channel
from twin.models.drainage import storms as S
from twin.models.drainage.dual import DualDrainage, network_design
from twin.models.drainage.engine import SteppedRun
from twin.models.drainage.inp import Inp, full_flow_m3_per_s, read_inp
from twin.models.drainage.operations import MobilePumps, Street
from twin.models.drainage.params import (
    DrainageParams,
    InletBlockage,
    MobilePumpDispatch,
    PumpCapacity,
    PumpOutage,
    PumpRestore,
)
from twin.models.drainage.surface import apply_surface

MAX_REPORT_ROWS = 2**24  # rows of drainage_time a run may record: 128 MiB of index times


def choose_storm(p: DrainageParams, start: dt.datetime) -> S.Hyetograph | None:
    """The hyetograph a run uses, or None to keep the network file's own rain."""
    kind = p.storm
    if kind == "auto":
        kind = "network" if p.network is not None else "design"
    step = 60 * p.storm_step_min
    if kind == "network":
        return None
    if kind == "design":
        h = S.design_storm(p.city_formula, p.return_period_years, p.duration_min,
                           p.peak_position, step)
    elif kind == "preset":
        h = S.preset_storm(p.preset, step)
    else:
        return S.gauge_storm(p.gauge_csv, start)
    dry = int(round(p.storm_start_h * 3600.0 / step))
    if dry == 0:
        return h
    return S.Hyetograph(step, np.r_[np.zeros(dry), h.intensity_mm_per_h],
                        f"{h.label}, from +{p.storm_start_h:g} h", h.reconstruction)


def replace_rain(inp: Inp, storm: S.Hyetograph) -> None:
    """Point every rain gauge of a user network at `storm` (intensity, mm/h or in/h)."""
    mins = storm.step_s // 60
    if storm.step_s % 60:
        raise ScenarioError(inp.path, None, "storm step must be whole minutes for SWMM")
    factor = 1 / 25.4 if inp.us_units else 1.0
    rows = [r.text for r in inp.rows("TIMESERIES") if r.fields and r.fields[0] != "TWIN_STORM"]
    for i, v in enumerate(storm.intensity_mm_per_h):
        t = i * storm.step_s
        rows.append(f"TWIN_STORM {t // 3600}:{(t % 3600) // 60:02d} {v * factor:.6f}")
    t = storm.duration_s
    rows.append(f"TWIN_STORM {t // 3600}:{(t % 3600) // 60:02d} 0")
    inp.set_rows("TIMESERIES", rows)
    gauges = [f"{r.fields[0]} INTENSITY {mins // 60}:{mins % 60:02d} 1.0 TIMESERIES TWIN_STORM"
              for r in inp.rows("RAINGAGES") if r.fields]
    inp.set_rows("RAINGAGES", gauges)


# end-of-run outcomes whose larger value is worse (comparison apps colour and rank by it)
BAD_HIGH = {"node_flood_volume", "node_flood_hours", "node_peak_flooding_rate",
            "max_ponded_depth", "waterlogging_point", "system_flood_volume",
            "runoff_continuity_error", "routing_continuity_error"}


class DrainageModel(DualDrainage, TwinModel):
    """Storm-sewer hydraulics by EPA SWMM with twin's storms, faults and responses."""

    name = "drainage"
    Params = DrainageParams
    events = {"pump_outage": PumpOutage, "pump_restore": PumpRestore,
              "inlet_blockage": InletBlockage, "mobile_pumps": MobilePumpDispatch,
              "pump_capacity": PumpCapacity}
    publishes = (
        Channel("closed_roads", "road edge ids",
                "City road edges closed because water on the street exceeds the lane limit: a "
                "frozenset of edge indices, republished whenever it changes (generated "
                "networks only; empty for a user's .inp)."),
        Channel("street_water_depth", "m",
                "Water on the street at each city road node: float64 array [road_node], 0 "
                "where the node has no waterlogging point; republished every stride."),
    )

    @classmethod
    def check_event(cls, kind, payload, params, city):
        """Stations and nodes named in events exist in the network the run will use."""
        if kind in ("pump_outage", "pump_restore", "pump_capacity") and payload.station:
            allowed = _event_names(params, city)[0]
            if payload.station not in allowed:
                yield "station", (f"unknown pumping station or pump {payload.station!r}; "
                                  "allowed: '' (all) or " + ", ".join(allowed))
        elif kind == "inlet_blockage":
            nodes = _event_names(params, city)[1]
            if payload.node not in nodes:
                yield "node", (f"unknown node {payload.node!r}; allowed: a node of the network "
                               f"({len(nodes)} nodes, e.g. {', '.join(sorted(nodes)[:8])})")

    # ------------------------------------------------------------------ setup
    def start(self) -> None:
        if self.report_step_s > self.ctx.horizon_s:
            key = "report_step_s" if self.params.report_step_s else "stride_s"
            raise ScenarioError(None, f"models.drainage.{key}", f"{self.report_step_s} s is "
                                f"longer than the scenario's horizon ({self.ctx.horizon_s:g} s):"
                                " the run would record no state; allowed: at most the horizon")
        ctx, p = self.ctx, self.params
        self.tmp = Path(tempfile.mkdtemp(prefix="twin-drainage-"))
        weakref.finalize(self, shutil.rmtree, self.tmp, ignore_errors=True)  # also on failure
        self.storm = choose_storm(p, ctx.calendar.start)
        self.road_node: dict[str, int] = {}
        self.land_m2: dict[str, float] = {}
        self.inlet_m3_per_s: dict[str, float] = {}
        self.station_pump: dict[str, str] = {}
        net = None
        if p.network is None:
            from twin.models.drainage.citynet import build_city_network

            storm = self.storm
            net = build_city_network(ctx.city, self.tmp, storm, ctx.calendar.start, ctx.horizon_s,
                                     design=network_design(p))
            self.road_node, self.station_pump = net.junction_road_node, net.station_pump
            self.land_m2, self.inlet_m3_per_s = net.junction_land_m2, net.junction_inlet_m3_per_s
            self.inp = read_inp(net.path)
            self.network_label = f"generated for city {ctx.city.name}"
        else:
            self.inp = read_inp(p.network)
            swmm_start = self.inp.start_end()[0]
            if swmm_start != ctx.calendar.start:
                raise ScenarioError(None, "scenario.start", f"{ctx.calendar.start:%Y-%m-%d %H:%M}"
                                    f" differs from the start of {p.network.name} "
                                    f"({swmm_start:%Y-%m-%d %H:%M}, [OPTIONS] START_DATE/"
                                    "START_TIME); set it equal so that times line up")
            if self.storm is not None:
                replace_rain(self.inp, self.storm)
            self.network_label = str(p.network)
        self._calibrate_surface()
        self.run = SteppedRun(self.inp, stride_s=p.stride_s, rain_scale=p.rain_scale,
                              timeout_s=p.engine_timeout_s)
        ids, kinds = self.run.meta["node_ids"], self.run.meta["node_kind"]
        self.keep = np.array([i for i, k in enumerate(kinds) if k != "outfall"], dtype=np.int64)
        self.nodes = [ids[i] for i in self.keep]
        self.pumps = list(self.run.pump_ids)
        n = len(self.nodes)
        area = np.array([max(self.land_m2.get(k, 0.0) * p.street_share_of_land, 100.0)
                         if self.land_m2 else p.street_area_m2 for k in self.nodes])
        drain = np.array([self.inlet_m3_per_s.get(k, p.street_drain_m3_per_s)
                          for k in self.nodes])
        self.street = Street(n, area, drain,
                             p.road_closure_depth_m, p.road_reopen_depth_m)
        self.max_ponded = np.zeros(n)
        # road edges at each point (generated network only)
        self.point_edges: list[np.ndarray] = [np.zeros(0, np.int64)] * n
        if self.road_node:
            r = ctx.city.roads
            for i, nid in enumerate(self.nodes):
                k = self.road_node.get(nid)
                if k is not None:
                    self.point_edges[i] = np.flatnonzero((r.edge_u == k) | (r.edge_v == k))
        if self.road_node:
            r = ctx.city.roads
            point = {self.road_node[nid]: i for i, nid in enumerate(self.nodes)
                     if nid in self.road_node}
            streets = [(point[u], point[v]) for u, v, c in zip(r.edge_u, r.edge_v, r.edge_class,
                                                               strict=True)
                       if c != 2 and u in point and v in point]  # no water over bridges
            a, b = np.array(streets, np.int64).reshape(-1, 2).T
            self.street.connect(a, b, r.node_elev_m[[self.road_node[nid] for nid in self.nodes]])
        self.closed_edges: frozenset[int] = frozenset()
        self._setup_dual(net)
        self._declare()
        self.publish("closed_roads", self.closed_edges)
        self._water_nodes = np.array([self.road_node.get(nid, -1) for nid in self.nodes], np.int64)
        self.trucks = MobilePumps(ctx.clock.env, self.street,
                                  rate_m3_per_s=p.mobile_pump_rate_m3_per_s,
                                  setup_s=60.0 * p.mobile_pump_setup_min,
                                  travel_s=self._travel_s, depot=-1,
                                  trigger_m=p.road_closure_depth_m)
        if p.mobile_pumps:
            self.trucks.add(p.mobile_pumps)
        self.t_prev = 0.0
        self.event_times_s: list[float] = []  # filled by `expect` (after start)
        self._declare_street()
        ctx.clock.every(p.stride_s, self._stride, offset_s=p.stride_s)

    def _calibrate_surface(self) -> None:
        """Imperviousness, roughness and depression storage into the run's copy."""
        p = self.params
        if (p.imperviousness_scale, p.roughness_scale, p.depression_storage_mm) == (1.0, 1.0,
                                                                                   None):
            return
        if not self.inp.rows("SUBCATCHMENTS") or not self.inp.rows("SUBAREAS"):
            raise ScenarioError(None, "models.drainage.imperviousness_scale",
                                f"{self.network_label}: the network has no [SUBCATCHMENTS] "
                                "and [SUBAREAS] to calibrate; allowed: the defaults "
                                "(imperviousness_scale = 1, roughness_scale = 1, no "
                                "depression_storage_mm)")
        apply_surface(self.inp, imperviousness_scale=p.imperviousness_scale,
                      roughness_scale=p.roughness_scale,
                      depression_storage_mm=p.depression_storage_mm)

    def _coords(self) -> None:
        """Node, pump and road-edge coordinates, so results can be drawn on a map."""
        rec, ctx = self.ctx.recorder, self.ctx
        rec.coord("node", self.nodes, long_name="SWMM node id (J<road node> on a generated "
                  "network); each node's street is a potential waterlogging point")
        rec.coord("pump", self.pumps, long_name="SWMM pump id")
        if self.road_node:
            r = ctx.city.roads
            k = np.array([self.road_node[nid] for nid in self.nodes])
            x, y, where = r.node_x[k], r.node_y[k], "city metres (road intersection)"
            rec.coord("node_road_node", k, dim="node", long_name="city road node under the node")
            sites = ctx.city.sites
            by_name = {str(sites.name[i]): i for i in sites.of_kind("pumping_station")}
            station = {pid: st for st, pid in self.station_pump.items()}
            rec.coord("pump_station", [station.get(pid, "") for pid in self.pumps], dim="pump",
                      long_name="pumping station (city site) the pump belongs to")
            for axis, vals in (("x", sites.x), ("y", sites.y)):
                rec.coord(f"pump_{axis}_m", [float(vals[by_name[station[pid]]])
                                             if pid in station else np.nan for pid in self.pumps],
                          dim="pump", units="m", long_name=f"pumping station {axis}, city metres")
            rec.coord("road_edge", np.arange(r.n_edges), long_name="city road edge id "
                      "(index into city.roads.edge_u / edge_v)")
        else:
            xy, metric = self.inp.coordinates_m()
            x = np.array([xy.get(nid, (np.nan, np.nan))[0] for nid in self.nodes])
            y = np.array([xy.get(nid, (np.nan, np.nan))[1] for nid in self.nodes])
            where = ("map metres from the .inp [COORDINATES]" if metric else
                     "map coordinates from the .inp [COORDINATES] (file map units not metres)")
        for axis, vals in (("x", x), ("y", y)):
            rec.coord(f"node_{axis}_m", np.asarray(vals, float), dim="node", units="m",
                      long_name=f"node {axis}, {where}")

    def _declare(self) -> None:
        self._coords()
        rec = self.ctx.recorder
        rec.time_base("drainage_time", long_name="drainage report times (every report_step_s, "
                      "else every stride_s)")
        rec.declare("node_depth", dims=("node",), units="m",
                    time_dim="drainage_time",
                    long_name="water depth in the node above its invert (SWMM)")
        rec.declare("node_flooding_rate", bad="high", dims=("node",), units="m3/s",
                    time_dim="drainage_time",
                    long_name="flow overflowing the node onto the street (SWMM)")
        rec.declare("ponded_depth", bad="high", dims=("node",), units="m",
                    time_dim="drainage_time",
                    long_name="water on the street at the node's waterlogging point")
        rec.declare("road_closed", bad="high", dims=("node",), units="1", dtype=np.int8,
                    time_dim="drainage_time",
                    long_name="street at the point closed (water above the lane limit)")
        rec.declare("mobile_pumps_at_node", dims=("node",), units="1",
                    dtype=np.int64, time_dim="drainage_time",
                    long_name="mobile pump trucks pumping at the point")
        rec.declare("pump_setting", dims=("pump",), units="1",
                    time_dim="drainage_time",
                    long_name="pump setting (0 off, 1 on)")
        rec.declare("pump_flow", dims=("pump",), units="m3/s",
                    time_dim="drainage_time",
                    long_name="pump flow (SWMM)")
        if self.road_node:
            rec.declare("road_edge_closed", bad="high", dims=("road_edge",), units="1",
                        dtype=np.int8,
                        time_dim="drainage_time",
                    long_name="city road edge closed by water on the street above the "
                        "lane limit (published on channel closed_roads)")
        rec.declare("n_closed_road_edges", bad="high", units="1", dtype=np.int64,
                    time_dim="drainage_time",
                    long_name="road edges closed by waterlogging")
        rec.declare("mobile_pumps_on_site", units="1", dtype=np.int64,
                    time_dim="drainage_time",
                    long_name="mobile pump trucks pumping")
        if self.storm is not None:
            rec.declare("rain_intensity", units="mm/h", time_dim="drainage_time",
                    long_name="mean rain intensity over the report step before ("
                        + self.storm.label + ")",
                        reconstruction=int(self.storm.reconstruction))
        for name, dims, units, long in (
                ("node_flood_volume", ("node",), "m3", "flood volume per node over the SWMM run"),
                ("node_flood_hours", ("node",), "h", "hours the node floods"),
                ("node_peak_flooding_rate", ("node",), "m3/s", "peak flooding rate per node"),
                ("max_ponded_depth", ("node",), "m", "deepest street water at the point"),
                ("waterlogging_point", ("node",), "1", "1 where street water ever exceeded "
                                                       "the lane limit (a waterlogging point)"),
                ("system_flood_volume", (), "m3", "system flooding loss (SWMM routing totals)"),
                ("system_outflow", (), "m3", "outflow at outfalls (SWMM routing totals)"),
                ("runoff_continuity_error", (), "%", "SWMM runoff continuity error (report)"),
                ("routing_continuity_error", (), "%", "SWMM flow routing continuity error "
                                                      "(report)"),
                ("pump_volume", ("pump",), "m3", "volume pumped per pump"),
                ("mobile_pumped_volume", (), "m3", "street water removed by mobile pumps"),
                ("storm_depth", (), "mm", "depth of the storm given to SWMM (before rain_scale)"
                 + (f": {self.storm.label}" if self.storm is not None else ""))):
            rec.declare(name, dims=dims, units=units, long_name=long, time_dim=None,
                        dtype=np.int8 if name == "waterlogging_point" else np.float64,
                        **({"bad": "high"} if name in BAD_HIGH else {}))

    # ------------------------------------------------------------------ stepping
    def expect(self, at_s: float) -> None:
        insort(self.event_times_s, float(at_s))

    def _stride(self, now_s: float) -> None:
        if now_s <= self.t_prev:  # already advanced to now by an event at this time
            return
        # SWMM may compute ahead only up to the next event that can command it (every
        # command of this model comes from an event, at its time or after it); the street,
        # closures and trucks still follow the SimPy clock stride by stride
        ahead = min(self._lookahead_s(), self.ctx.horizon_s - now_s)
        i = bisect_left(self.event_times_s, now_s)
        if i < len(self.event_times_s):
            ahead = min(ahead, self.event_times_s[i] - now_s)
        st = self.run.advance(now_s, ahead_s=max(ahead, 0.0))
        dt_s = now_s - self.t_prev
        self.t_prev = now_s
        flood, changed = self._street_step(st, now_s, dt_s)
        if changed:
            self._publish_closures()
        np.maximum(self.max_ponded, self.street.depth_m, out=self.max_ponded)
        self._publish_water()
        if not self.reporting(now_s):
            return
        rec = self.ctx.recorder
        rec.append("node_depth", now_s, st["depth_m"][self.keep])
        rec.append("node_flooding_rate", now_s, flood)
        rec.append("ponded_depth", now_s, self.street.depth_m)
        rec.append("road_closed", now_s, self.street.closed)
        trucks = self.street.trucks_at.copy()  # the recorder keeps the array it is given
        rec.append("mobile_pumps_at_node", now_s, trucks)
        rec.append("pump_setting", now_s, st["pump_setting"])
        rec.append("pump_flow", now_s, st["pump_flow_m3_per_s"])
        if self.road_node:
            edges = np.zeros(self.ctx.city.roads.n_edges, np.int8)
            edges[list(self.closed_edges)] = 1
            rec.append("road_edge_closed", now_s, edges)
        if self.storm is not None:
            rec.append("rain_intensity", now_s,
                       self._rain_mm_per_h(max(now_s - self.report_step_s, 0.0), now_s))
        rec.append("n_closed_road_edges", now_s, len(self.closed_edges))
        rec.append("mobile_pumps_on_site", now_s, int(trucks.sum()))

    @property
    def report_step_s(self) -> int:
        return self.params.report_step_s or self.params.stride_s

    def reporting(self, now_s: float) -> bool:
        """Whether the time series get a row at this stride (every report step)."""
        return now_s % self.report_step_s == 0

    def _rain_mm_per_h(self, t0_s: float, t1_s: float) -> float:
        """Mean storm intensity (times rain_scale) over [t0, t1]."""
        h = self.storm
        edges = np.arange(len(h.intensity_mm_per_h) + 1) * float(h.step_s)
        mass = np.r_[0.0, np.cumsum(h.intensity_mm_per_h * h.step_s / 3600.0)]
        depth = np.diff(np.interp([t0_s, t1_s], edges, mass))[0]
        return float(depth * 3600.0 / (t1_s - t0_s) * self.params.rain_scale)

    def _publish_closures(self) -> None:
        idx = np.flatnonzero(self.street.closed)
        edges = frozenset(int(e) for i in idx for e in self.point_edges[i])
        if edges != self.closed_edges:
            self.closed_edges = edges
            self.publish("closed_roads", edges)

    def _publish_water(self) -> None:
        on = self._water_nodes >= 0
        water = np.zeros(self.ctx.city.roads.n_nodes)
        water[self._water_nodes[on]] = self.street.depth_m[on]
        self.publish("street_water_depth", water)

    def _travel_s(self, src: int, dst: int) -> float:
        """Truck travel time between points (src -1 = depot) over open roads."""
        if not self.road_node:
            return 60.0 * self.params.mobile_pump_travel_min
        roads = self.ctx.city.roads
        target = self.road_node[self.nodes[dst]]
        if src < 0:
            sites = self.ctx.city.sites
            sources = sites.road_node[sites.of_kind("pumping_station")]
        else:
            sources = [self.road_node[self.nodes[src]]]
        closed = self.closed_edges - set(self.point_edges[dst].tolist())
        t = roads.travel_times_s(sources, closed)[:, target].min()
        if not np.isfinite(t):  # cut off by closures: drive through slowly
            t = roads.travel_times_s(sources)[:, target].min() * 2.0
        return float(t)

    # ------------------------------------------------------------------ events
    def _pumps_of(self, station: str) -> list[str]:
        if not station:
            return list(self.pumps)
        if station in self.station_pump:
            return [self.station_pump[station]]
        if station in self.pumps:
            return [station]
        # TwinError, not ScenarioError: SimPy re-creates an exception raised in a process from
        # its args, which ScenarioError's signature does not allow
        raise TwinError(f"drainage event: unknown pumping station {station!r}; "
                            "allowed: " + ", ".join([*self.station_pump, *self.pumps]))

    def handle(self, kind: str, payload) -> None:
        clock = self.ctx.clock
        if clock.now_s > self.t_prev and clock.now_s % self.params.stride_s == 0:
            self._stride(clock.now_s)  # bring SWMM up to the event's time first
        if kind == "pump_outage":
            self._set_pumps(payload.station, on=False)
            if payload.restore_after_h > 0:
                at_s = clock.now_s + 3600.0 * payload.restore_after_h
                self.expect(at_s)
                clock.at(at_s, lambda _t: self.handle("pump_restore", PumpRestore(payload.station)))
        elif kind == "pump_restore":
            self._set_pumps(payload.station, on=True)
        elif kind == "pump_capacity":
            self._add_capacity(payload.station, payload.added_m3_per_s)
        elif kind == "inlet_blockage":
            self._block(payload.node, payload.capacity_fraction)
            if payload.clear_after_h > 0:
                at_s = clock.now_s + 3600.0 * payload.clear_after_h
                self.expect(at_s)
                clock.at(at_s, lambda _t: self._block(payload.node, None))
        elif kind == "mobile_pumps":
            self.trucks.add(payload.trucks)
        else:
            super().handle(kind, payload)

    def _block(self, node: str, fraction: float | None) -> None:
        if node not in self.nodes:
            raise TwinError(f"event inlet_blockage: unknown node {node!r} in the network; "
                            f"nodes: {', '.join(self.nodes[:12])}, ...")
        links = [r.fields[0] for r in self.inp.rows("CONDUITS") if r.fields and r.fields[1] == node]
        for link in links:
            q = 0.0 if fraction is None else max(fraction * full_flow_m3_per_s(self.inp, link),
                                                 1e-6)
            self.run.set_flow_limit(link, q)  # SWMM: a limit of 0 means no limit

    # ------------------------------------------------------------------ end
    def finish(self) -> None:
        try:
            s = self.run.finish()
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)
        order = [s.node_ids.index(n) for n in self.nodes]
        self._finish_books(s)
        rec = self.ctx.recorder
        rec.set("node_flood_volume", s.node_flood_volume_m3[order])
        rec.set("node_flood_hours", s.node_flood_hours[order])
        rec.set("node_peak_flooding_rate", s.node_peak_flood_rate_m3_per_s[order])
        rec.set("max_ponded_depth", self.max_ponded)
        rec.set("waterlogging_point", self.max_ponded > self.params.road_closure_depth_m)
        rec.set("system_flood_volume", s.system_flood_volume_m3)
        rec.set("system_outflow", s.system_outflow_m3)
        nan = float("nan")
        rec.set("runoff_continuity_error", nan if s.runoff_continuity_error_pct is None
                else s.runoff_continuity_error_pct)
        rec.set("routing_continuity_error", nan if s.routing_continuity_error_pct is None
                else s.routing_continuity_error_pct)
        rec.set("pump_volume", s.pump_volume_m3)
        rec.set("mobile_pumped_volume", self.street.pumped_m3)
        rec.set("storm_depth", nan if self.storm is None else self.storm.depth_mm)

    @classmethod
    def horizon_limit(cls, params: DrainageParams, start: dt.datetime) -> tuple[float, str]:
        step = params.report_step_s or params.stride_s
        return MAX_REPORT_ROWS * step, (
            f"a row every {step} s (report_step_s, else stride_s) passes {MAX_REPORT_ROWS:,} "
            "rows of drainage_time, whose times the results' index holds in memory in the run "
            "and in every reader (8 bytes each); set models.drainage.report_step_s to a larger "
            f"multiple of stride_s (900 s allows "
            f"{min(MAX_REPORT_ROWS * 900 // 86400, HORIZON_LIMIT_DAYS):,} days)")

    @classmethod
    def summarize(cls, ds) -> list[tuple[str, float, str]]:
        out = [("sewer flood volume (SWMM; water that floods again after draining back "
                "counts again)", float(ds["system_flood_volume"]), "m3"),
               ("flooded nodes", float((ds["node_flood_volume"] > 0).sum()), ""),
               ("routing continuity error", float(ds["routing_continuity_error"]), "%")]
        out.append(("runoff continuity error", float(ds["runoff_continuity_error"]), "%"))
        out.append(("waterlogging points (> lane limit)", float(ds["waterlogging_point"].sum()),
                    ""))
        if "road_edge_closed" in ds:
            out.append(("road edges closed at the worst time",
                        float(ds["peak_closed_road_edges"]), ""))
        out.append(("street water removed by mobile pumps", float(ds["mobile_pumped_volume"]),
                    "m3"))
        if "water_balance_error" in ds:
            out += [("peak street water", float(ds["peak_street_water_volume"]), "m3"),
                    ("road-edge hours closed", float(ds["road_edge_hours_closed"]), "h"),
                    ("waterlogging points (> lane limit, long)",
                     float(ds["n_waterlogging_points"]), ""),
                    ("time to drain after the storm", float(ds["time_to_drain"]), "h"),
                    ("surface + sewer water balance error", float(ds["water_balance_error"]),
                     "%")]
        return out


def _event_names(params: DrainageParams, city) -> tuple[list[str], set[str]]:
    """(stations and pump ids, node ids) that events may name, without running SWMM."""
    if params.network is None:
        stations = [str(n) for n in city.sites.name[city.sites.of_kind("pumping_station")]]
        return [*stations, *(f"P_{s}" for s in stations)], {f"J{k}" for k in
                                                             range(city.roads.n_nodes)}
    inp = read_inp(params.network)
    return inp.names("PUMPS"), set(inp.node_names())
