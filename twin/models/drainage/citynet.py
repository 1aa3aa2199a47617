"""A storm-sewer network for a twin City, written as a SWMM `.inp`, sized by the standard it
claims (GB 50014-2021).

Layout, as a drainage engineer would sketch it for a flat river city:
- one junction under every road intersection (ground = the road node's elevation);
- one subcatchment per intersection covering the land nearest to it, with imperviousness
  from its district's land-use shares;
- conduits along streets (never along bridges), forming for each bank of the river a tree
  that drains to that bank's pumping stations (shortest street distance);
- each pumping station: a wet well (storage) lifted by a pump to an outfall on the river;
  a bank without a station gets a gravity outfall at its lowest intersection.

Sizing (`NetworkDesign`): the rational method Q = C q(t, P) A of GB 50014-2021 (4.2.1,
4.2.9) with the pipe design return period P a parameter (3-5 y for central areas), the
intensity formula of the scenario's city, the time of concentration t = t1 + t2 (inlet time
t1 plus the full-bore travel time along the pipes, GB 50014-2021 4.2.10) and a runoff
coefficient C taken from the same surface model SWMM then runs (`runoff.py`). Sections
grow past the largest pipe into box culverts and parallel barrels (`sizing.py`): no cap.
Each pumping station lifts the design inflow of its trunk (GB 50014-2021 6.1.3: a storm
pumping station's design flow is that of the sewer entering it), times a lever.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from twin.models.drainage.runoff import SURFACE, runoff_ratios
from twin.models.drainage.sizing import MANNING_PIPE, Section, section_for
from twin.models.drainage.storms import FORMULAS, Hyetograph, design_storm
from twin.models.drainage.swmm_lid import lid_sections

COVER_M = 1.2  # cover over the pipe crown at the upstream end (typical 0.7-1.5 m)
MIN_SLOPE = 0.002  # minimum pipe slope (GB 50014: 0.002 for DN 600-ish pipes, approx.)
BANK_REACH_M = 150.0  # intersections this close to the river centreline drain over the bank
LOW_POINT_DEPTH_M = 0.15  # a depression deeper than the lane limit makes a low point
TANK_DEPTH_M = 5.0  # working depth of a regulating tank below the trunk invert
WET_WELL_AREA_M2 = 300.0  # plan area of a wet well without regulating storage
# land use -> imperviousness %
LAND_USE_IMPERV = {"residential": 65.0, "commercial": 85.0, "industrial": 75.0, "green": 15.0}


@dataclass(frozen=True)
class NetworkDesign:
    """The design basis of a generated network (from `DrainageParams`)."""

    pipe_p_years: float = 5.0
    formula: str = "guangzhou_central"
    inlet_time_min: float = 10.0  # GB 50014-2021 4.2.10: 5-15 min
    pump_scale: float = 1.0  # lever on the design capacity of every station
    pump_scale_by_station: tuple[tuple[str, float], ...] = ()
    renewal_km: float = 0.0  # km of trunk pipes rebuilt to `renewal_p_years`
    renewal_p_years: float = 20.0
    lid_share: float = 0.0  # share of each subcatchment under sponge-city LID
    lid_kind: str = "bioretention"
    # "model": peak inflow at the station in a SWMM run of the pipe design storm with ample
    # pumps (GB 50014-2021 4.2.1: model method above 2 km2); "rational": Q = C q A at the
    # station's time of concentration
    pump_criterion: str = "model"
    # regulating storage ahead of each station, m3 per ha of land it drains (0: a wet well
    # only); with storage, the "model" criterion sizes the pumps to the smallest capacity
    # whose routed design inflow never overfills the tank
    station_storage_m3_per_ha: float = 0.0


@dataclass(frozen=True)
class CityNetwork:
    """What the drainage model needs to map SWMM back onto the city, and the design report."""

    path: Path
    junction_road_node: dict[str, int]  # SWMM junction id -> road node index
    station_pump: dict[str, str]  # pumping-station site name -> SWMM pump id
    pump_capacity_m3_per_s: dict[str, float]
    junction_land_m2: dict[str, float]  # land draining to each junction
    junction_inlet_m3_per_s: dict[str, float]  # design capacity of the junction's own inlets
    low_points: tuple[str, ...] = ()  # junctions lower than every street neighbour
    bank_points: tuple[str, ...] = ()  # junctions whose street spills over the river bank
    report: dict = field(default_factory=dict)  # design figures (sizes, C, tc, pumping)


def _nearest_land(city) -> tuple[np.ndarray, np.ndarray]:
    """Area (m2) of land nearest to each road node, and each node's district."""
    t = city.terrain
    ny, nx = t.elevation_m.shape
    cx = t.x0 + (np.arange(nx) + 0.5) * t.cell_m
    cy = t.y0 + (np.arange(ny) + 0.5) * t.cell_m
    gx, gy = np.meshgrid(cx, cy)
    gx, gy = gx.ravel(), gy.ravel()
    ry = np.interp(gx, city.river_xy[:, 0], city.river_xy[:, 1])
    land = np.abs(gy - ry) > city.river_width_m / 2
    r = city.roads
    _, near = cKDTree(np.column_stack([r.node_x, r.node_y])).query(
        np.column_stack([gx[land], gy[land]]))
    area = np.bincount(near, minlength=r.n_nodes) * t.cell_m**2
    d = city.districts
    px, py = r.node_x, r.node_y
    dist = np.zeros(r.n_nodes, np.int64)
    for i in range(len(d)):
        inside = (px >= d.x0[i]) & (px <= d.x1[i]) & (py >= d.y0[i]) & (py <= d.y1[i])
        dist[inside] = i
    return area, dist


def _size_tree(order, parent, length, ca_m2, imperv, design: NetworkDesign, p_years):
    """Rational-method sections from the leaves down: returns (section per node's outgoing
    pipe, design flow, time of concentration at each node, C at each node)."""
    formula = FORMULAS[design.formula]
    ratios = runoff_ratios(design_storm(formula, p_years, 120.0, 0.4))
    n = len(parent)
    tc = np.full(n, design.inlet_time_min)
    area = ca_m2.copy()
    imp_area = ca_m2 * imperv
    for k in order:
        if parent[k] >= 0:
            area[parent[k]] += area[k]
            imp_area[parent[k]] += imp_area[k]
    share = imp_area / np.maximum(area, 1e-9)
    q, c = np.zeros(n), np.zeros(n)
    sec: list[Section | None] = [None] * n
    for k in order:
        c[k] = float(ratios.coefficient(share[k], tc[k]))
        q[k] = c[k] * float(formula.q_l_per_s_ha(tc[k], p_years)) * area[k] / 1e4 / 1000.0
        p = parent[k]
        if p < 0:
            continue
        s = section_for(q[k], MIN_SLOPE)
        sec[k] = s
        travel = max(length[k], 10.0) / s.full_velocity_m_per_s(MIN_SLOPE) / 60.0
        tc[p] = max(tc[p], tc[k] + travel)
    return sec, q, tc, c


def _tree(city, g, ground):
    """Roots (pumping stations, or a gravity outfall per bank without one) and the
    shortest-path drainage tree to them."""
    n = g.shape[0]
    _, comp = connected_components(g, directed=False)
    sites = city.sites
    roots = {int(sites.road_node[i]): str(sites.name[i])
             for i in sites.of_kind("pumping_station")}
    for c in np.unique(comp):  # a bank without a pumping station gets a gravity outfall
        members = np.flatnonzero(comp == c)
        if not any(comp[k] == c for k in roots):
            roots[int(members[np.argmin(ground[members])])] = ""
    root_nodes = np.array(sorted(roots))
    dist, pred = dijkstra(g, directed=False, indices=root_nodes, return_predecessors=True,
                          min_only=True)[:2]
    parent = np.where(np.isin(np.arange(n), root_nodes), -1, pred)
    return roots, root_nodes, dist, parent


def _renew(order, parent, length, area, sec, q_renew, renewal_km):
    """Rebuild the trunks (largest upstream area first) to the renewal standard until
    `renewal_km` of pipe has been renewed; returns the renewed length, km."""
    done = 0.0
    acc = area.copy()
    for k in order:
        if parent[k] >= 0:
            acc[parent[k]] += acc[k]
    for k in sorted((k for k in range(len(parent)) if parent[k] >= 0), key=lambda k: -acc[k]):
        if done >= renewal_km * 1000.0 - 1e-6:
            break
        s = section_for(q_renew[k], MIN_SLOPE)
        if s.full_flow_m3_per_s(MIN_SLOPE) > sec[k].full_flow_m3_per_s(MIN_SLOPE):
            sec[k] = s
        done += max(length[k], 10.0)
    return done / 1000.0


def build_city_network(city, folder: Path, storm: Hyetograph, start: dt.datetime,
                       horizon_s: float, *, report_step_s: int = 300,
                       design: NetworkDesign | None = None,
                       name: str = "city.inp") -> CityNetwork:
    """Write `folder/name` for `city` with `storm` from `start`; returns the mapping."""
    design = design or NetworkDesign()
    r = city.roads
    n = r.n_nodes
    area, district = _nearest_land(city)
    ground = r.node_elev_m.astype(float)
    keep = r.edge_class != 2  # street graph without bridges: pipes do not cross the river
    u, v, elen = r.edge_u[keep], r.edge_v[keep], r.edge_length_m[keep] / 1.1
    g = sp.csr_matrix((np.r_[elen, elen], (np.r_[u, v], np.r_[v, u])), shape=(n, n))
    roots, root_nodes, dist, parent = _tree(city, g, ground)
    order = np.argsort(-dist)  # leaves (far) first
    lu_names = list(LAND_USE_IMPERV)
    imperv = city.districts.land_use[district] @ np.array([LAND_USE_IMPERV[k] for k in lu_names])
    length = np.array([float(g[k, parent[k]]) if parent[k] >= 0 else 0.0 for k in range(n)])
    sec, q, tc, c_run = _size_tree(order, parent, length, area, imperv / 100.0, design,
                                   design.pipe_p_years)
    renewed_km = 0.0
    if design.renewal_km > 0:
        sec_r, q_r = _size_tree(order, parent, length, area, imperv / 100.0, design,
                                design.renewal_p_years)[:2]
        renewed_km = _renew(order, parent, length, area, sec, q_r, design.renewal_km)
    formula = FORMULAS[design.formula]
    c_own = runoff_ratios(design_storm(formula, design.pipe_p_years, 120.0, 0.4)).coefficient(
        imperv / 100.0, design.inlet_time_min)
    inlet_q = c_own * area / 1e4 * formula.q_l_per_s_ha(design.inlet_time_min,
                                                        design.pipe_p_years) / 1000.0
    invert = ground - COVER_M - 0.5
    for k in order:
        p = parent[k]
        if p < 0:
            continue
        h = sec[k].height_m
        invert[k] = min(invert[k], ground[k] - COVER_M - h)
        invert[p] = min(invert[p], invert[k] - MIN_SLOPE * max(length[k], 1.0),
                        ground[p] - COVER_M - h)
    j = lambda k: f"J{k}"  # noqa: E731
    storage_m3 = {site: design.station_storage_m3_per_ha * ha
                  for site, ha in _station_land_ha(roots, parent, area, order).items()
                  if design.station_storage_m3_per_ha > 0}
    linked = np.isfinite(dist) & ((parent >= 0) | np.isin(np.arange(n), root_nodes))

    def write(storm_, horizon_, name_, qcap_of, tanks=True):
        lines = _options(city, storm_, start, horizon_, report_step_s)
        sub, subarea, infil = [], [], []
        for k in range(n):
            if area[k] <= 0 or not linked[k]:
                continue
            s_id = f"S{k}"
            width = np.sqrt(area[k])
            sub.append(f"{s_id} RG1 {j(k)} {area[k] / 1e4:.4f} {imperv[k]:.1f} {width:.1f} 0.5 0")
            subarea.append(SURFACE.subarea_row(s_id))
            infil.append(SURFACE.infiltration_row(s_id))
        lines["SUBCATCHMENTS"], lines["SUBAREAS"], lines["INFILTRATION"] = sub, subarea, infil
        if design.lid_share > 0:
            subs = [(f"S{k}", float(area[k]), float(imperv[k])) for k in range(n)
                    if area[k] > 0 and linked[k]]
            lines.update(lid_sections(subs, design.lid_share, design.lid_kind))
        jun, out, stor, cond, xs, pumps, curves, coords = [], [], [], [], [], [], [], []
        station_pump, capacity = {}, {}
        river_m = float(np.min(ground)) - 2.0  # river level below the lowest street
        for k in range(n):
            if k in roots or not linked[k]:
                continue
            jun.append(f"{j(k)} {invert[k]:.3f} {ground[k] - invert[k]:.3f} 0 0 0")
        for k, site in roots.items():
            if site:  # pumping station: wet well (or regulating tank) + pump to the river
                vol = storage_m3.get(site, 0.0) if tanks else 0.0
                ww_inv = invert[k] - (TANK_DEPTH_M if vol > 0 else 1.0)
                well = max(WET_WELL_AREA_M2, vol / TANK_DEPTH_M)
                stor.append(f"{j(k)} {ww_inv:.3f} {ground[k] - ww_inv:.3f} 0 FUNCTIONAL 0 0 "
                            f"{well:.1f} 0")
                qcap = qcap_of[site]
                pid = f"P_{site}"
                curves += [f"PC_{site} PUMP2 0.0 0", f"PC_{site} 0.5 {qcap / 2:.4f}",
                           f"PC_{site} 1.0 {qcap:.4f}"]
                out.append(f"OF_{site} {min(river_m, ww_inv):.3f} FREE NO")
                pumps.append(f"{pid} {j(k)} OF_{site} PC_{site} ON 0 0")
                coords.append(f"OF_{site} {r.node_x[k]:.1f} {r.node_y[k] - 30:.1f}")
                station_pump[site], capacity[pid] = pid, qcap
            else:
                out.append(f"{j(k)} {invert[k]:.3f} FREE NO")
        for k in range(n):
            p = parent[k]
            if p < 0 or not np.isfinite(dist[k]):
                continue
            cond.append(f"C{k} {j(k)} {j(p)} {max(length[k], 10.0):.1f} {MANNING_PIPE} 0 0 0 0")
            xs.append(sec[k].xsection_row(f"C{k}"))
        lines["JUNCTIONS"], lines["OUTFALLS"], lines["STORAGE"] = jun, out, stor
        lines["CONDUITS"], lines["PUMPS"], lines["XSECTIONS"] = cond, pumps, xs
        lines["CURVES"] = curves
        lines["TIMESERIES"] = _series(storm_)
        lines["REPORT"] = ["INPUT NO", "CONTROLS NO", "SUBCATCHMENTS NONE", "NODES NONE",
                           "LINKS NONE"]
        lines["COORDINATES"] = [f"{j(k)} {r.node_x[k]:.1f} {r.node_y[k]:.1f}" for k in range(n)
                                if linked[k]] + coords
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name_
        order_sec = ("TITLE", "OPTIONS", "EVAPORATION", "RAINGAGES", "SUBCATCHMENTS", "SUBAREAS",
                     "INFILTRATION", "LID_CONTROLS", "LID_USAGE")
        with path.open("w", encoding="utf-8") as fh:
            for sec_name in [*order_sec, *(s for s in lines if s not in order_sec)]:
                if sec_name in lines:
                    fh.write(f"[{sec_name}]\n" + "".join(x + "\n" for x in lines[sec_name]) + "\n")
        return path, station_pump, capacity

    sites = [s_ for s_ in roots.values() if s_]
    design_q = {roots[k]: float(q[k]) for k in roots if roots[k]}
    peak_q = dict(design_q)
    if design.pump_criterion == "model":
        peak_q, inflow = _model_station_inflow(write, design, {roots[k]: j(k) for k in roots
                                                                if roots[k]}, design_q)
        design_q = {st: _pump_for_storage(inflow[st], 60.0, storage_m3[st])
                    if st in storage_m3 else q_ for st, q_ in peak_q.items()}
    scale_by = dict(design.pump_scale_by_station)
    qcap = {s_: design_q[s_] * design.pump_scale * scale_by.get(s_, 1.0) for s_ in sites}
    path, station_pump, capacity = write(storm, horizon_s, name, qcap)
    ids = [k for k in range(n) if linked[k]]
    low, bank = _low_and_bank_points(city, ids, roots, keep)
    land_km2 = float(area[linked].sum()) / 1e6
    sizes = [s for s in sec if s is not None]
    report = {
        "pipe_design_return_period_years": design.pipe_p_years, "formula": design.formula,
        "inlet_time_min": design.inlet_time_min, "land_km2": land_km2,
        "runoff_coefficient_mean": float(np.average(c_own[linked], weights=area[linked])),
        "time_of_concentration_min": {roots[k] or j(k): float(tc[k]) for k in roots},
        "pump_criterion": design.pump_criterion,
        "station_design_inflow_m3_per_s": peak_q,
        "station_storage_m3": storage_m3,
        "station_design_capacity_m3_per_s": design_q,
        "pumping_m3_per_s_per_km2": sum(capacity.values()) / max(land_km2, 1e-9),
        "largest_section": max(sizes, key=lambda s: s.area_m2).label if sizes else "",
        "n_box_culverts": sum(s.shape == "RECT_CLOSED" for s in sizes),
        "n_multi_barrel": sum(s.barrels > 1 for s in sizes),
        "renewed_km": renewed_km, "pipe_km": float(sum(max(length[k], 10.0) for k in ids
                                                        if parent[k] >= 0)) / 1000.0}
    return CityNetwork(path, {j(k): k for k in ids}, station_pump, capacity,
                       {j(k): float(area[k]) for k in ids},
                       {j(k): float(inlet_q[k]) for k in ids},
                       tuple(j(k) for k in low), tuple(j(k) for k in bank), report)


def _model_station_inflow(write, design, wells: dict[str, str], rational_q: dict[str, float]
                          ) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """Peak inflow into every station's wet well (`wells`: station -> node id) in SWMM under
    the pipe design storm (2 h Chicago, r = 0.4) with pumps of three times the rational
    design flow, so that they never limit it; with regulating storage asked for, also each
    station's inflow hydrograph (its pump's flow, 1-min strides: a small well and ample
    pumps pass the inflow on)."""
    from twin.models.drainage.engine import SteppedRun, run_plain

    storm = design_storm(design.formula, design.pipe_p_years, 120.0, 0.4)
    horizon = 4 * 3600.0
    path = write(storm, horizon, "_pump_design.inp",
                 {st: 3.0 * q for st, q in rational_q.items()}, tanks=False)[0]
    hydro: dict[str, np.ndarray] = {}
    try:
        if design.station_storage_m3_per_ha <= 0:
            s = run_plain(path)
        else:
            with SteppedRun(path, stride_s=60) as run:
                flows = np.array([run.advance(float(t), ahead_s=float(min(1800.0, horizon - t)))
                                  ["pump_flow_m3_per_s"].copy()
                                  for t in np.arange(60.0, horizon + 1.0, 60.0)])
                hydro = {st: flows[:, run.pump_ids.index(f"P_{st}")] for st in wells}
                s = run.finish()
    finally:
        path.unlink(missing_ok=True)
    peak = {st: float(s.node_peak_inflow_m3_per_s[s.node_ids.index(node)])
            for st, node in wells.items()}
    return peak, hydro


def _pump_for_storage(inflow_m3_per_s: np.ndarray, dt_s: float, volume_m3: float) -> float:
    """Smallest constant pumping rate whose tank, fed by the inflow hydrograph and pumped
    from empty, never holds more than `volume_m3` (reservoir routing, bisection)."""
    q_in = np.asarray(inflow_m3_per_s, float)

    def peak_store(q: float) -> float:
        s = top = 0.0
        for x in q_in:
            s = max(0.0, s + (x - q) * dt_s)
            top = max(top, s)
        return top

    lo, hi = 0.0, float(q_in.max())
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if peak_store(mid) <= volume_m3 else (mid, hi)
    return hi


def _station_land_ha(roots, parent, area_m2, order) -> dict[str, float]:
    """Land (ha) draining to each pumping station: the subtree of its root."""
    acc = np.asarray(area_m2, float).copy()
    for k in order:
        if parent[k] >= 0:
            acc[parent[k]] += acc[k]
    return {site: float(acc[k]) / 1e4 for k, site in roots.items() if site}


def _low_and_bank_points(city, ids, roots, keep) -> tuple[list[int], list[int]]:
    """Intersections by the river (where street water spills over the bank) and low points:
    intersections in a street depression deeper than LOW_POINT_DEPTH_M, i.e. whose water
    can reach a bank point overland only over ground that much higher (priority flood over
    the street graph from the bank points: Barnes, Lehman and Mulla 2014)."""
    import heapq

    r = city.roads
    ground = r.node_elev_m.astype(float)
    ry = np.interp(r.node_x, city.river_xy[:, 0], city.river_xy[:, 1])
    by_river = np.abs(r.node_y - ry) < BANK_REACH_M
    nbrs: dict[int, list[int]] = {}
    for u, v in zip(r.edge_u[keep], r.edge_v[keep], strict=True):
        nbrs.setdefault(int(u), []).append(int(v))
        nbrs.setdefault(int(v), []).append(int(u))
    spill = np.full(r.n_nodes, np.inf)
    heap = [(ground[k], k) for k in ids if by_river[k]]
    for lev, k in heap:
        spill[k] = lev
    heapq.heapify(heap)
    while heap:
        lev, k = heapq.heappop(heap)
        if lev > spill[k]:
            continue
        for m in nbrs.get(k, ()):
            new = max(ground[m], lev)
            if new < spill[m]:
                spill[m] = new
                heapq.heappush(heap, (new, m))
    low = [k for k in ids if spill[k] - ground[k] > LOW_POINT_DEPTH_M]
    return low, [k for k in ids if by_river[k]]


def _options(city, storm: Hyetograph, start, horizon_s, report_step_s) -> dict[str, list[str]]:
    end = start + dt.timedelta(seconds=horizon_s)
    fmt_d, fmt_t = (lambda x: x.strftime("%m/%d/%Y")), (lambda x: x.strftime("%H:%M:%S"))
    step = dt.timedelta(seconds=report_step_s)
    if storm.step_s % 60:
        raise ValueError("storm step must be a whole number of minutes for SWMM")
    mins = storm.step_s // 60
    return {
        "TITLE": [f"twin city drainage network for {city.name} (generated)"],
        "OPTIONS": [
            "FLOW_UNITS CMS", "INFILTRATION HORTON", "FLOW_ROUTING DYNWAVE",
            "LINK_OFFSETS DEPTH", "ALLOW_PONDING NO", "SKIP_STEADY_STATE NO",
            f"START_DATE {fmt_d(start)}", f"START_TIME {fmt_t(start)}",
            f"REPORT_START_DATE {fmt_d(start)}", f"REPORT_START_TIME {fmt_t(start)}",
            f"END_DATE {fmt_d(end)}", f"END_TIME {fmt_t(end)}", "DRY_DAYS 0",
            f"REPORT_STEP {str(step)}", "WET_STEP 00:01:00", "DRY_STEP 00:10:00",
            "ROUTING_STEP 0:00:05", "INERTIAL_DAMPING PARTIAL", "NORMAL_FLOW_LIMITED BOTH",
            "VARIABLE_STEP 0.75", "MIN_SURFAREA 1.167", "LENGTHENING_STEP 0", "THREADS 1"],
        "EVAPORATION": ["CONSTANT 0.0"],
        "RAINGAGES": [f"RG1 INTENSITY {mins // 60}:{mins % 60:02d} 1.0 TIMESERIES STORM"]}


def _series(storm: Hyetograph) -> list[str]:
    rows = []
    for i, val in enumerate(storm.intensity_mm_per_h):
        t = i * storm.step_s
        rows.append(f"STORM {t // 3600}:{(t % 3600) // 60:02d} {val:.5f}")
    rows.append(f"STORM {storm.duration_s // 3600}:{(storm.duration_s % 3600) // 60:02d} 0")
    return rows
