"""The gas network as a struct of arrays: junctions, mains (pipes), district regulators, gate
stations and one aggregated service segment (service lines + risers) per road node.

Generated on the city's roads: a medium-pressure (MP) trunk along arterials and bridges, fed by
gate stations at the trunk's extremes; a district regulator at every trunk node feeding a
low-pressure (LP) tree along local streets (each street node hangs from its nearest trunk node),
sized by the households downstream. Segment ids: `main-<k>` for mains, `service-<node>` for
the services of a road node. Topology depends on the city only (so scenario checks need no
random streams); materials, install years and sensors come from the model's stream.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, dijkstra

from twin.models.gas.params import MATERIALS

MP, LP = 0, 1
LP_DN_MM = (63.0, 90.0, 110.0, 160.0, 200.0, 250.0, 315.0, 400.0)  # PE/steel series, inner diameter approx.
ROUGHNESS_MM = (0.007, 0.05, 0.25, 0.1)  # pe, steel, cast_iron, ductile_iron (new-pipe values)
MP_DN_MM = (200.0, 250.0, 300.0, 400.0, 500.0, 600.0)
LP_PA_PER_M = 1.0  # LP design pressure gradient at the design flow (assumption)
DESIGN_M3_PER_H_PER_HOUSEHOLD = 0.15  # peak-hour design flow with simultaneity (assumption)


@dataclass
class Topology:
    """What the city alone fixes: junctions, pipes, regulators, gates."""

    j_node: np.ndarray  # road node of each junction
    j_level: np.ndarray  # MP or LP
    p_from: np.ndarray  # junction index
    p_to: np.ndarray
    p_length_m: np.ndarray
    p_level: np.ndarray
    p_edge: np.ndarray  # road edge (-1: none)
    reg_from: np.ndarray  # MP junction
    reg_to: np.ndarray  # LP junction
    gates: np.ndarray  # MP junctions fed by gate stations
    lp_junction_of_node: np.ndarray  # road node -> LP junction (-1: no gas)

    @property
    def n_pipes(self) -> int:
        return len(self.p_from)

    def segment_ids(self, blocks: np.ndarray) -> list[str]:
        """main-<k>, then service-<node>-<b> for the service blocks of each road node."""
        return [f"main-{k}" for k in range(self.n_pipes)] + [
            f"service-{n}-{b}" for n, nb in enumerate(blocks.tolist()) for b in range(nb)]


def service_blocks(households_per_node: np.ndarray, per_block: int) -> np.ndarray:
    """Service blocks per road node: one per `per_block` households of the city (all of them,
    piped or not, so the ids depend on the city only), at least one per node."""
    return np.maximum(np.ceil(np.asarray(households_per_node) / per_block), 1).astype(np.int64)


def city_topology(roads, gate_stations: int) -> Topology:
    """MP trunk on arterials (connected through local streets if needed), LP trees on the
    local streets, one regulator per trunk node."""
    n, u, v, length = roads.n_nodes, roads.edge_u, roads.edge_v, roads.edge_length_m
    trunk = roads.edge_class >= 1
    trunk = _connect(n, u, v, length, trunk)
    tnodes = np.unique(np.r_[u[trunk], v[trunk]])
    if len(tnodes) == 0:
        tnodes = np.array([0])
    local = ~trunk
    g = sp.csr_matrix((np.r_[length[local], length[local]],
                       (np.r_[u[local], v[local]], np.r_[v[local], u[local]])), shape=(n, n))
    dist, pred, _src = dijkstra(g, directed=False, indices=tnodes, min_only=True,
                                return_predecessors=True)
    mp_j = -np.ones(n, np.int64)
    mp_j[tnodes] = np.arange(len(tnodes))
    has_gas = np.isfinite(dist)
    lp_j = -np.ones(n, np.int64)
    lp_nodes = np.flatnonzero(has_gas)
    lp_j[lp_nodes] = len(tnodes) + np.arange(len(lp_nodes))
    j_node = np.r_[tnodes, lp_nodes]
    j_level = np.r_[np.full(len(tnodes), MP), np.full(len(lp_nodes), LP)]
    edge_of = {(int(a), int(b)): e for e, (a, b) in enumerate(zip(u, v, strict=True))}
    edge_of.update({(b, a): e for (a, b), e in list(edge_of.items())})
    pf, pt, pl, lev, pe = [], [], [], [], []
    for e in np.flatnonzero(trunk):
        pf.append(mp_j[u[e]]), pt.append(mp_j[v[e]]), pl.append(length[e]), lev.append(MP)
        pe.append(e)
    for node in lp_nodes:
        par = pred[node]
        if par < 0:
            continue  # a trunk node: root of its own tree
        e = edge_of[(int(par), int(node))]
        pf.append(lp_j[par]), pt.append(lp_j[node]), pl.append(length[e]), lev.append(LP)
        pe.append(e)
    gates = _spread(roads.node_x[tnodes], roads.node_y[tnodes], min(gate_stations, len(tnodes)))
    return Topology(j_node, j_level, np.array(pf, np.int64), np.array(pt, np.int64),
                    np.array(pl, float), np.array(lev, np.int8), np.array(pe, np.int64),
                    np.arange(len(tnodes)), lp_j[tnodes], gates, lp_j)


def _connect(n, u, v, length, trunk):
    """Add the shortest local-street paths that join the trunk's pieces into one."""
    trunk = trunk.copy()
    edge_of = {}
    for e, (a, b) in enumerate(zip(u.tolist(), v.tolist(), strict=True)):
        edge_of[(a, b)] = edge_of[(b, a)] = e
    g_all = sp.csr_matrix((np.r_[length, length], (np.r_[u, v], np.r_[v, u])), shape=(n, n))
    for _ in range(n):
        tt = sp.csr_matrix((np.ones(2 * trunk.sum()), (np.r_[u[trunk], v[trunk]],
                                                       np.r_[v[trunk], u[trunk]])), (n, n))
        on = np.zeros(n, bool)
        on[np.r_[u[trunk], v[trunk]]] = True
        k, lab = connected_components(tt, directed=False)
        comps = np.unique(lab[on])
        if len(comps) <= 1:
            return trunk
        main = np.bincount(lab[on]).argmax()
        src = np.flatnonzero(on & (lab == main))
        dist, pred, _ = dijkstra(g_all, indices=src, min_only=True, return_predecessors=True)
        other = np.flatnonzero(on & (lab != main))
        node = int(other[np.argmin(dist[other])])
        if not np.isfinite(dist[node]):
            return trunk  # the road graph itself is disconnected
        while pred[node] >= 0:
            trunk[edge_of[(int(pred[node]), node)]] = True
            node = int(pred[node])
    return trunk


def _spread(x, y, k: int) -> np.ndarray:
    """k points far apart (farthest-point sampling from the south-west-most)."""
    pick = [int(np.argmin(x + y))]
    d = np.hypot(x - x[pick[0]], y - y[pick[0]])
    while len(pick) < k:
        pick.append(int(np.argmax(d)))
        d = np.minimum(d, np.hypot(x - x[pick[-1]], y - y[pick[-1]]))
    return np.array(pick, np.int64)


@dataclass
class GasNetwork:
    """Topology plus per-segment attributes (segments = mains then one service per node)."""

    topo: Topology
    diameter_mm: np.ndarray  # per main
    material: np.ndarray  # per segment, index into MATERIALS
    install_year: np.ndarray  # per segment
    length_m: np.ndarray  # per segment
    level: np.ndarray  # per segment (services: LP)
    node: np.ndarray  # per segment: road node (mains: the downstream node)
    sensor: np.ndarray  # per segment, bool
    ids: list[str]
    households: np.ndarray  # per segment: piped households on it (mains: 0)
    j_xy: np.ndarray | None = None  # junction coordinates (m, city frame) of a file network
    j_feature: np.ndarray | None = None  # GeoJSON feature that made each junction

    @property
    def n_mains(self) -> int:
        return self.topo.n_pipes

    @property
    def n_segments(self) -> int:
        return len(self.length_m)


def generate(city, params, households_per_node: np.ndarray, rng: np.random.Generator,
             start_year: int) -> GasNetwork:
    """Attributes of a generated network: LP mains sized by downstream peak flow, materials
    by share with eras (cast iron oldest, PE newest), service blocks per road node."""
    topo = city_topology(city.roads, params.gate_stations)
    nn = city.roads.n_nodes
    blocks = service_blocks(np.bincount(city.households.road_node, minlength=nn),
                            params.service_block_households)
    snode = np.repeat(np.arange(nn), blocks)
    # piped households of a node spread evenly over its blocks
    first = np.r_[0, np.cumsum(blocks)[:-1]]
    shh = np.repeat(households_per_node // blocks, blocks).astype(np.int64)
    shh[first] += (households_per_node - (households_per_node // blocks) * blocks).astype(int)
    ns = len(snode)
    dn = _size_lp(topo, households_per_node)
    years = rng.uniform(params.installed_from_year, start_year - 1, topo.n_pipes + ns)
    share = np.asarray(params.material_share, float)
    share = share / share.sum() if share.sum() > 0 else np.array([1.0, 0, 0, 0])
    # oldest pipes get the old materials: sort by year and cut by cumulative share in era order
    era = np.array([MATERIALS.index(m) for m in ("cast_iron", "steel", "ductile_iron", "pe")])
    order = np.argsort(years, kind="stable")
    cuts = np.cumsum(share[era]) * len(years)
    mat = np.empty(len(years), np.int8)
    mat[order] = era[np.minimum(np.searchsorted(cuts, np.arange(len(years)), side="right"), 3)]
    mat[topo.n_pipes:][mat[topo.n_pipes:] == MATERIALS.index("cast_iron")] = \
        MATERIALS.index("steel")  # risers are galvanised steel, never cast iron
    seg_len = np.r_[topo.p_length_m, shh * params.service_m_per_household]
    node = np.r_[topo.j_node[topo.p_to], snode]
    level = np.r_[topo.p_level, np.full(ns, LP, np.int8)]
    return GasNetwork(topo, dn, mat, years.astype(np.int32), seg_len.astype(float), level,
                      node, np.zeros(len(years), bool), topo.segment_ids(blocks),
                      np.r_[np.zeros(topo.n_pipes, np.int64), shh])


def _size_lp(topo: Topology, hh: np.ndarray) -> np.ndarray:
    """DN per main: LP by the design flow downstream at <= 6 m/s and <= 1 Pa/m; the MP trunk
    one size for all, carrying half a gate station's share of the city's design flow at
    <= 15 m/s at 3 bar (at least DN200)."""
    nj = len(topo.j_node)
    load = np.zeros(nj)
    lp = topo.j_level == LP
    load[lp] = hh[topo.j_node[lp]] * DESIGN_M3_PER_H_PER_HOUSEHOLD / 3600.0
    # LP trees: children listed after parents (Dijkstra order is not guaranteed; iterate)
    lpp = np.flatnonzero(topo.p_level == 1)
    down = load.copy()
    parent = -np.ones(nj, np.int64)
    parent[topo.p_to[lpp]] = topo.p_from[lpp]
    depth = np.zeros(nj, np.int64)
    for j in range(nj):
        k, d = j, 0
        while parent[k] >= 0:
            k, d = parent[k], d + 1
        depth[j] = d
    for j in np.argsort(-depth, kind="stable"):
        if parent[j] >= 0:
            down[parent[j]] += down[j]
    q = down[topo.p_to]  # m3/s (at LP, actual ~ reference volume)
    d = np.asarray(LP_DN_MM) / 1000.0
    v = q[:, None] / (np.pi * d[None, :] ** 2 / 4.0)
    # Darcy with lambda ~0.025 and 0.75 kg/m3: <= 6 m/s and <= 1 Pa/m at the design flow
    # (1.5 kPa of LP drop over ~1.5 km of tree)
    ok = (v <= 6.0) & (0.025 * 0.75 * v ** 2 / (2.0 * d[None, :]) <= LP_PA_PER_M)
    dn = np.where(ok.any(1), d[np.argmax(ok, 1)] * 1000.0, LP_DN_MM[-1])
    q_mp = load.sum() / max(len(topo.gates), 1) / 2.0 / 4.0  # m3/s; gas ~4x denser at 3 bar
    need = np.sqrt(4.0 * q_mp / (np.pi * 15.0)) * 1000.0
    dn[topo.p_level == MP] = next((x for x in MP_DN_MM if x >= need), MP_DN_MM[-1])
    return dn
