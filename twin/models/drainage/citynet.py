"""A storm-sewer network for a twin City, written as a SWMM `.inp`.

Layout, as a drainage engineer would sketch it for a flat river city:
- one junction under every road intersection (ground = the road node's elevation);
- one subcatchment per intersection covering the land nearest to it, with imperviousness
  and roughness from its district's land-use shares;
- conduits along streets (never along bridges), forming for each bank of the river a tree
  that drains to that bank's pumping stations (shortest street distance);
- each pumping station: a wet well (storage) lifted by a pump to an outfall on the river;
  a bank without a station gets a gravity outfall at its lowest intersection;
- pipes laid from the leaves down at >= `MIN_SLOPE` with `COVER_M` of cover and sized by
  Manning for the GB 50014 design flow of their upstream area (central-city P = 3 y).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from twin.models.drainage.storms import FORMULAS, Hyetograph

COVER_M = 1.2  # cover over the pipe crown at the upstream end (typical 0.7-1.5 m)
MIN_SLOPE = 0.002  # minimum pipe slope (GB 50014: 0.002 for DN 600-ish pipes, approx.)
MANNING_PIPE = 0.013  # concrete pipe
PIPE_SIZES_M = (0.4, 0.5, 0.6, 0.8, 1.0, 1.2, 1.5, 1.8, 2.0, 2.4, 3.0)
DESIGN_P_YEARS = 5.0  # sewer design return period, megacity centre (GB 50014-2021: 3-5 y)
DESIGN_T_MIN = 15.0  # design rain duration for pipe sizing (inlet time + short flow time)
# land use -> (imperviousness %, runoff coefficient); GB 50014 table 4.1.7 style values
LAND_USE_IMPERV = {"residential": 65.0, "commercial": 85.0, "industrial": 75.0, "green": 15.0}
LAND_USE_RUNOFF = {"residential": 0.65, "commercial": 0.85, "industrial": 0.75, "green": 0.2}


@dataclass(frozen=True)
class CityNetwork:
    """What the drainage model needs to map SWMM back onto the city."""

    path: Path
    junction_road_node: dict[str, int]  # SWMM junction id -> road node index
    station_pump: dict[str, str]  # pumping-station site name -> SWMM pump id
    pump_capacity_m3_per_s: dict[str, float]
    junction_land_m2: dict[str, float]  # land draining to each junction
    junction_inlet_m3_per_s: dict[str, float]  # design capacity of the junction's own inlets


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


def _pipe(q_m3_per_s: float, slope: float) -> float:
    """Smallest standard diameter carrying q full by Manning."""
    need = (q_m3_per_s * MANNING_PIPE / ((np.pi / 4) * 0.25 ** (2 / 3) * np.sqrt(slope))) ** 0.375
    for d in PIPE_SIZES_M:
        if d >= need:
            return d
    return PIPE_SIZES_M[-1]


def build_city_network(city, folder: Path, storm: Hyetograph, start: dt.datetime,
                       horizon_s: float, *, report_step_s: int = 300,
                       pump_design_p_years: float = 20.0, name: str = "city.inp") -> CityNetwork:
    """Write `folder/name` for `city` with `storm` from `start`; returns the mapping."""
    r = city.roads
    n = r.n_nodes
    area, district = _nearest_land(city)
    ground = r.node_elev_m.astype(float)
    # street graph without bridges: pipes do not cross the river
    keep = r.edge_class != 2
    u, v, length = r.edge_u[keep], r.edge_v[keep], r.edge_length_m[keep] / 1.1
    g = sp.csr_matrix((np.r_[length, length], (np.r_[u, v], np.r_[v, u])), shape=(n, n))
    _, comp = connected_components(g, directed=False)
    sites = city.sites
    ps_idx = sites.of_kind("pumping_station")
    roots = {int(sites.road_node[i]): str(sites.name[i]) for i in ps_idx}
    for c in np.unique(comp):  # a bank without a pumping station gets a gravity outfall
        members = np.flatnonzero(comp == c)
        if not any(comp[k] == c for k in roots):
            low = int(members[np.argmin(ground[members])])
            roots[low] = ""
    root_nodes = np.array(sorted(roots))
    dist, pred, src = dijkstra(g, directed=False, indices=root_nodes, return_predecessors=True,
                               min_only=True)
    parent = np.where(np.isin(np.arange(n), root_nodes), -1, pred)
    order = np.argsort(-dist)  # leaves (far) first
    lu_names = list(LAND_USE_IMPERV)
    shares = city.districts.land_use[district]
    imperv = shares @ np.array([LAND_USE_IMPERV[k] for k in lu_names])
    runoff = shares @ np.array([LAND_USE_RUNOFF[k] for k in lu_names])
    q_design = FORMULAS["guangzhou_central"].q_l_per_s_ha(DESIGN_T_MIN, DESIGN_P_YEARS)  # L/s/ha
    # accumulate design flow and lay inverts from the leaves down
    inlet_q = runoff * area / 1e4 * q_design / 1000.0  # m3/s, each node's own inlets
    acc_q = inlet_q.copy()
    invert = ground - COVER_M - 0.5
    diam = np.zeros(n)
    for k in order:
        p = parent[k]
        if p < 0:
            continue
        acc_q[p] += acc_q[k]
    for k in order:
        p = parent[k]
        if p < 0:
            continue
        length_k = float(g[k, p])
        d = _pipe(acc_q[k], MIN_SLOPE)
        diam[k] = d
        invert[k] = min(invert[k], ground[k] - COVER_M - d)
        invert[p] = min(invert[p], invert[k] - MIN_SLOPE * max(length_k, 1.0),
                        ground[p] - COVER_M - d)
    j = lambda k: f"J{k}"  # noqa: E731
    lines: dict[str, list[str]] = {}
    end = start + dt.timedelta(seconds=horizon_s)
    fmt_d, fmt_t = (lambda x: x.strftime("%m/%d/%Y")), (lambda x: x.strftime("%H:%M:%S"))
    step = dt.timedelta(seconds=report_step_s)
    lines["TITLE"] = [f"twin city drainage network for {city.name} (generated)"]
    lines["OPTIONS"] = [
        "FLOW_UNITS CMS", "INFILTRATION HORTON", "FLOW_ROUTING DYNWAVE", "LINK_OFFSETS DEPTH",
        "ALLOW_PONDING NO", "SKIP_STEADY_STATE NO", f"START_DATE {fmt_d(start)}",
        f"START_TIME {fmt_t(start)}", f"REPORT_START_DATE {fmt_d(start)}",
        f"REPORT_START_TIME {fmt_t(start)}", f"END_DATE {fmt_d(end)}", f"END_TIME {fmt_t(end)}",
        "DRY_DAYS 0", f"REPORT_STEP {str(step)}", "WET_STEP 00:01:00", "DRY_STEP 00:10:00",
        "ROUTING_STEP 0:00:05", "INERTIAL_DAMPING PARTIAL", "NORMAL_FLOW_LIMITED BOTH",
        "VARIABLE_STEP 0.75", "MIN_SURFAREA 1.167", "LENGTHENING_STEP 0", "THREADS 1"]
    lines["EVAPORATION"] = ["CONSTANT 0.0"]
    mins = storm.step_s // 60
    lines["RAINGAGES"] = [f"RG1 INTENSITY 0:{mins:02d} 1.0 TIMESERIES STORM"] if mins < 60 else \
        [f"RG1 INTENSITY {mins // 60}:{mins % 60:02d} 1.0 TIMESERIES STORM"]
    if storm.step_s % 60:
        raise ValueError("storm step must be a whole number of minutes for SWMM")
    sub, subarea, infil = [], [], []
    linked = np.isfinite(dist) & ((parent >= 0) | np.isin(np.arange(n), root_nodes))
    for k in range(n):
        if area[k] <= 0 or not linked[k]:
            continue
        a_ha = area[k] / 1e4
        width = np.sqrt(area[k]) * 1.0
        slope_pct = 0.5
        sub.append(f"S{k} RG1 {j(k)} {a_ha:.4f} {imperv[k]:.1f} {width:.1f} {slope_pct} 0")
        subarea.append(f"S{k} 0.013 0.15 1.5 5.0 25 OUTLET")
        infil.append(f"S{k} 75 3 4 7 0")  # Horton: f0 75 mm/h, fmin 3 mm/h, decay 4 /h
    lines["SUBCATCHMENTS"], lines["SUBAREAS"], lines["INFILTRATION"] = sub, subarea, infil
    jun, out, stor, cond, xs, pumps, curves, coords = [], [], [], [], [], [], [], []
    station_pump, capacity = {}, {}
    for k in range(n):
        if k in roots or not linked[k]:
            continue
        jun.append(f"{j(k)} {invert[k]:.3f} {ground[k] - invert[k]:.3f} 0 0 0")
    for k, site in roots.items():
        river_m = float(np.min(ground)) - 2.0  # river level below the lowest street
        if site:  # pumping station: wet well + pump to the river
            ww_inv = invert[k] - 1.0
            stor.append(f"{j(k)} {ww_inv:.3f} {ground[k] - ww_inv:.3f} 0 FUNCTIONAL 0 0 300 0")
            served = np.isin(np.arange(n), _subtree(parent, k))
            qcap = float((runoff * area)[served].sum() / 1e4 * FORMULAS[
                "guangzhou_central"].q_l_per_s_ha(60.0, pump_design_p_years) / 1000.0)
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
        length_k = max(float(g[k, p]), 10.0)
        cond.append(f"C{k} {j(k)} {j(p)} {length_k:.1f} {MANNING_PIPE} 0 0 0 0")
        xs.append(f"C{k} CIRCULAR {diam[k]:.2f} 0 0 0 1")
    lines["JUNCTIONS"], lines["OUTFALLS"], lines["STORAGE"] = jun, out, stor
    lines["CONDUITS"], lines["PUMPS"], lines["XSECTIONS"] = cond, pumps, xs
    lines["CURVES"] = curves
    t0 = 0
    series = []
    for i, val in enumerate(storm.intensity_mm_per_h):
        t = t0 + i * storm.step_s
        series.append(f"STORM {t // 3600}:{(t % 3600) // 60:02d} {val:.5f}")
    series.append(f"STORM {storm.duration_s // 3600}:{(storm.duration_s % 3600) // 60:02d} 0")
    lines["TIMESERIES"] = series
    lines["REPORT"] = ["INPUT NO", "CONTROLS NO", "SUBCATCHMENTS NONE", "NODES NONE",
                       "LINKS NONE"]
    lines["COORDINATES"] = [f"{j(k)} {r.node_x[k]:.1f} {r.node_y[k]:.1f}" for k in range(n)
                            if linked[k]] + coords
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with path.open("w", encoding="utf-8") as fh:
        for sec, rows in lines.items():
            fh.write(f"[{sec}]\n" + "".join(r_ + "\n" for r_ in rows) + "\n")
    mapping = {j(k): k for k in range(n) if linked[k]}
    land = {j(k): float(area[k]) for k in range(n) if linked[k]}
    inlets = {j(k): float(inlet_q[k]) for k in range(n) if linked[k]}
    return CityNetwork(path, mapping, station_pump, capacity, land, inlets)


def _subtree(parent: np.ndarray, root: int) -> np.ndarray:
    """Nodes draining to `root` (root included)."""
    n = len(parent)
    out = np.zeros(n, bool)
    for k in range(n):
        x, hops = k, 0
        while x >= 0 and hops <= n:
            if x == root:
                out[k] = True
                break
            x = parent[x]
            hops += 1
    return np.flatnonzero(out)
