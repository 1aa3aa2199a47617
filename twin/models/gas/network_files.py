"""Gas networks from files: a pandapipes JSON net, or a GeoJSON of pipes and points with the
columns stated below. Anything that is not one connected gas network fed by a gate station is
refused with one line naming the file and the element.

GeoJSON (a FeatureCollection, metres in any plane frame):
- LineString features are mains: `pressure_class` "mp" (medium pressure) or "lp" (low;
  `pressure` is read as an alias), `diameter_mm` > 0, `material` (pe, steel, cast_iron,
  ductile_iron), `install_year`; optional `sensor` (true/false). Ends closer than 0.5 m on
  one pressure level are one junction.
- Point features: `kind` = "gate" (an MP junction fed at `mp_bar`), "regulator" (joins the
  MP and LP junctions at the point) or "customers" (`households` >= 0 at the nearest LP
  junction, or the nearest junction when the network has no LP).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from twin.core.errors import TwinError
from twin.models.gas.network import LP, MP, GasNetwork, Topology
from twin.models.gas.params import MATERIALS

SNAP_M = 0.5
ROAD_SNAP_M = 250.0  # a junction farther from every road node is not on the city's roads


def read_network(path, kg_s_per_household: float) -> tuple[GasNetwork, np.ndarray]:
    """(network, households per junction) from a .json (pandapipes) or .geojson file."""
    path = Path(path)
    if path.suffix.lower() == ".geojson":
        return read_geojson(path)
    gn, sink_kg_s = read_pandapipes_json(path)
    return gn, np.maximum(np.round(sink_kg_s / kg_s_per_household), 0).astype(np.int64)


def _check_connected(where, nj: int, a, b, names) -> None:
    k, lab = connected_components(sp.csr_matrix((np.ones(len(a)), (a, b)), (nj, nj)),
                                  directed=False)
    if k > 1:
        lone = np.flatnonzero(lab != np.bincount(lab).argmax())[:5]
        raise TwinError(f"{where}: junction: the network is not connected ({k} pieces; e.g. "
                        f"junctions {[names[i] for i in lone]} are cut off)")


def _assemble(level, pf, pt, length_m, dn, rf, rt, gates, material, year, sensor,
              households) -> GasNetwork:
    """Segments: the mains, then one service segment per junction."""
    nj, np_ = len(level), len(pf)
    topo = Topology(np.arange(nj), level, pf, pt, length_m, level[pt],
                    -np.ones(np_, np.int64), rf, rt, gates, np.arange(nj))
    return GasNetwork(topo, dn, np.r_[material, np.zeros(nj, np.int8)].astype(np.int8),
                      np.r_[year, np.full(nj, int(np.median(year)) if np_ else 2000)
                            ].astype(np.int32),
                      np.r_[length_m, households * 3.0], np.r_[level[pt], level],
                      np.r_[pt, np.arange(nj)], np.r_[sensor, np.zeros(nj, bool)],
                      topo.segment_ids(np.ones(nj, np.int64)),
                      np.r_[np.zeros(np_, np.int64), households])


def read_pandapipes_json(path) -> tuple[GasNetwork, np.ndarray]:
    """Junctions, pipes, ext grids (gates), pressure controls (regulators); sink flow per
    junction (kg/s) is returned beside the network."""
    import pandapipes as pp

    try:
        net = pp.from_json(str(path))
    except Exception as e:  # noqa: BLE001 - any parse failure is the user's file
        raise TwinError(f"{path}: not a pandapipes JSON network ({type(e).__name__}: {e})") \
            from None
    if getattr(net, "fluid", None) is None or not net.fluid.is_gas:
        raise TwinError(f"{path}: fluid: the network's fluid is not a gas (set e.g. 'hgas')")
    if len(net.junction) == 0 or len(net.pipe) == 0:
        raise TwinError(f"{path}: junction/pipe: the network has no junctions or pipes")
    if len(net.ext_grid) == 0:
        raise TwinError(f"{path}: ext_grid: the network has no external grid (gate station)")
    jidx = {int(j): i for i, j in enumerate(net.junction.index)}

    def ids(col) -> np.ndarray:
        try:
            return np.array([jidx[int(j)] for j in col], np.int64)
        except KeyError as e:
            raise TwinError(f"{path}: an element names junction {e}, which does not exist") \
                from None

    pf, pt = ids(net.pipe.from_junction), ids(net.pipe.to_junction)
    pc = getattr(net, "pressure_control", None)
    rf = ids(pc.from_junction) if pc is not None else np.zeros(0, np.int64)
    rt = ids(pc.to_junction) if pc is not None else np.zeros(0, np.int64)
    nj = len(jidx)
    _check_connected(path, nj, np.r_[pf, rf], np.r_[pt, rt], [int(j) for j in net.junction.index])
    level = np.where(net.junction.pn_bar.to_numpy() > 0.1, MP, LP).astype(np.int8)
    d = net.pipe.get("inner_diameter_mm")
    dn = d.to_numpy(float) if d is not None else net.pipe.diameter_m.to_numpy(float) * 1000
    sink = np.zeros(nj)
    if len(net.sink):
        np.add.at(sink, ids(net.sink.junction), net.sink.mdot_kg_per_s.to_numpy(float))
    np_ = len(pf)
    gn = _assemble(level, pf, pt, net.pipe.length_km.to_numpy() * 1000.0, dn, rf, rt,
                   ids(net.ext_grid.junction), np.zeros(np_), np.full(np_, 2000),
                   np.zeros(np_, bool), np.zeros(nj, np.int64))
    return gn, sink


def read_geojson(path: Path) -> tuple[GasNetwork, np.ndarray]:
    """Mains, gates, regulators and customers from a GeoJSON (columns in the module doc)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        feats = doc["features"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise TwinError(f"{path}: not a GeoJSON FeatureCollection ({e})") from None
    keys: dict[tuple, int] = {}
    jx, jy, jl, jf = [], [], [], []
    i = 0

    def junction(xy, lev: int) -> int:
        key = (round(xy[0] / SNAP_M), round(xy[1] / SNAP_M), lev)
        if key not in keys:
            keys[key] = len(jx)
            jx.append(float(xy[0])), jy.append(float(xy[1])), jl.append(lev), jf.append(i)
        return keys[key]

    pipes, points = [], []
    for i, f in enumerate(feats):  # noqa: B007 - `junction` reads the feature index
        where = f"{path}: features[{i}]"
        geom, prop = (f or {}).get("geometry") or {}, (f or {}).get("properties") or {}
        kind = geom.get("type")
        if kind == "LineString":
            pipes.append(_pipe(where, geom.get("coordinates"), prop, junction))
        elif kind == "Point":
            points.append((where, geom.get("coordinates"), prop))
        else:
            raise TwinError(f"{where}.geometry.type: got {kind!r}; allowed: LineString (a "
                            "main) or Point (gate, regulator, customers)")
    if not pipes:
        raise TwinError(f"{path}: features: no LineString mains")
    jx_a, jy_a, level = np.array(jx), np.array(jy), np.array(jl, np.int8)
    rf, rt, gates, hh = [], [], [], np.zeros(len(jx), np.int64)
    for where, xy, prop in points:
        kind = prop.get("kind")
        d = np.hypot(jx_a - xy[0], jy_a - xy[1])
        near = lambda lev, d=d: int(np.argmin(np.where(level == lev, d, np.inf)))  # noqa: E731
        if kind == "gate":
            if not (level == MP).any():
                raise TwinError(f"{where}: a gate needs medium-pressure mains")
            gates.append(near(MP))
        elif kind == "regulator":
            a, b = near(MP), near(LP)
            if not ((level == MP).any() and (level == LP).any()) or max(d[a], d[b]) > 1.0:
                raise TwinError(f"{where}: a regulator must sit on an MP and an LP junction "
                                "(within 1 m)")
            rf.append(a), rt.append(b)
        elif kind == "customers":
            n = prop.get("households")
            if isinstance(n, bool) or not isinstance(n, int) or n < 0:
                raise TwinError(f"{where}.properties.households: got {n!r}; allowed: an "
                                "integer >= 0")
            hh[near(LP) if (level == LP).any() else int(np.argmin(d))] += n
        else:
            raise TwinError(f"{where}.properties.kind: got {kind!r}; allowed: gate, regulator, "
                            "customers")
    if not gates:
        raise TwinError(f"{path}: features: no gate (a Point with kind = 'gate')")
    pf, pt, length, dn, mat, year, sensor = (np.array(c) for c in zip(*pipes, strict=True))
    rf, rt = np.array(rf, np.int64), np.array(rt, np.int64)
    _check_connected(path, len(jx), np.r_[pf, rf], np.r_[pt, rt],
                     [f"({x:.1f}, {y:.1f})" for x, y in zip(jx, jy, strict=True)])
    gn = _assemble(level, pf.astype(np.int64), pt.astype(np.int64), length.astype(float),
                   dn.astype(float), rf, rt, np.array(gates, np.int64), mat, year,
                   sensor.astype(bool), hh)
    gn.j_xy, gn.j_feature = np.c_[jx, jy], np.array(jf, np.int64)
    return gn, hh


def road_nodes(gn: GasNetwork, roads, path) -> np.ndarray | None:
    """The city road node of each junction of a GeoJSON network (crews travel on the roads,
    KPIs fall in the node's district); None for a network without coordinates. A junction
    farther than ROAD_SNAP_M from every road node is refused naming its feature."""
    if gn.j_xy is None:
        return None
    rx, ry = np.asarray(roads.node_x, float), np.asarray(roads.node_y, float)
    d = np.hypot(gn.j_xy[:, :1] - rx[None, :], gn.j_xy[:, 1:] - ry[None, :])
    near = d.argmin(1)
    far = np.flatnonzero(d[np.arange(len(near)), near] > ROAD_SNAP_M)
    if len(far):
        j = far[0]
        x, y = gn.j_xy[j]
        raise TwinError(f"{path}: features[{gn.j_feature[j]}].geometry.coordinates: the point "
                        f"({x:.0f}, {y:.0f}) is {d[j, near[j]]:.0f} m from the nearest road of "
                        f"the city; allowed: within {ROAD_SNAP_M:.0f} m (coordinates in metres "
                        "in the city's frame)")
    return near


def _pipe(where, coords, prop, junction):
    """(from, to, length m, DN, material, year, sensor) of one LineString main."""
    cls = prop.get("pressure_class", prop.get("pressure"))
    lev = {"mp": MP, "lp": LP}.get(cls)
    if lev is None:
        raise TwinError(f"{where}.properties.pressure_class: got {cls!r}; allowed: 'mp' "
                        "(medium pressure) or 'lp' (low pressure)")
    dn = prop.get("diameter_mm")
    if isinstance(dn, bool) or not isinstance(dn, (int, float)) or dn <= 0:
        raise TwinError(f"{where}.properties.diameter_mm: got {dn!r}; allowed: a number > 0")
    mat = prop.get("material")
    if mat not in MATERIALS:
        raise TwinError(f"{where}.properties.material: got {mat!r}; allowed: "
                        + ", ".join(MATERIALS))
    year = prop.get("install_year")
    if isinstance(year, bool) or not isinstance(year, int) or not 1850 <= year <= 2100:
        raise TwinError(f"{where}.properties.install_year: got {year!r}; allowed: a year")
    try:
        xy = np.asarray(coords, float)[:, :2]
    except (TypeError, ValueError, IndexError):
        raise TwinError(f"{where}.geometry.coordinates: not a list of [x, y]") from None
    length = float(np.hypot(*np.diff(xy, axis=0).T).sum()) if len(xy) > 1 else 0.0
    if length <= 0:
        raise TwinError(f"{where}.geometry.coordinates: a main needs a length > 0")
    return (junction(xy[0], lev), junction(xy[-1], lev), length, float(dn),
            MATERIALS.index(mat), year, bool(prop.get("sensor", False)))
