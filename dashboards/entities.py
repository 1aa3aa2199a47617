"""Where a variable's entities lie on the city map, found from the store and the city alone
(so a plugin's variables are mapped without the dashboards knowing the plugin):

- `road_edge`: the city's road edges (the dim's values are edge indices);
- a dim with coordinates `<prefix>x_m` and `<prefix>y_m` along it (drainage `node` with
  `node_x_m`/`node_y_m`, `collection_point` with `point_x_m`/`point_y_m`, gas segments...);
- a dim whose labels are city site names (collection points, pumping stations, parking lots);
- a dim whose labels are the city's district names: the district polygons.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr


@dataclass
class Layer:
    """One dim's geometry: `kind` is "points" (x, y), "edges" or "areas" (xs, ys lists)."""

    dim: str
    kind: str
    labels: list[str]
    x: np.ndarray | None = None
    y: np.ndarray | None = None
    xs: list | None = None
    ys: list | None = None


def _xy_coords(ds: xr.Dataset, dim: str) -> tuple[str, str] | None:
    on_dim = [c for c in ds.coords if ds[c].dims == (dim,) and str(c).endswith("x_m")]
    for cx in on_dim:
        cy = str(cx)[:-3] + "y_m"
        if cy in ds.coords and ds[cy].dims == (dim,):
            return str(cx), cy
    return None


def locate(ds: xr.Dataset, dim: str, city) -> Layer | None:
    """The map geometry of `dim`, or None when it has no place on the map."""
    if dim not in ds.dims:
        return None
    values = np.asarray(ds[dim].values) if dim in ds.coords else np.arange(ds.sizes[dim])
    labels = [str(v) for v in values]
    if dim == "road_edge" and city is not None:
        r, e = city.roads, values.astype(np.int64)
        if len(e) and (e.min() < 0 or e.max() >= r.n_edges):
            return None
        return Layer(dim, "edges", [f"edge {k}" for k in e],
                     xs=[[float(r.node_x[r.edge_u[k]]), float(r.node_x[r.edge_v[k]])] for k in e],
                     ys=[[float(r.node_y[r.edge_u[k]]), float(r.node_y[r.edge_v[k]])] for k in e])
    xy = _xy_coords(ds, dim)
    if xy is not None:
        return Layer(dim, "points", labels, x=np.asarray(ds[xy[0]].values, dtype=float),
                     y=np.asarray(ds[xy[1]].values, dtype=float))
    if city is None or not labels:
        return None
    sites = {str(n): i for i, n in enumerate(city.sites.name)}
    if all(s in sites for s in labels):
        k = np.array([sites[s] for s in labels])
        return Layer(dim, "points", labels, x=np.asarray(city.sites.x, dtype=float)[k],
                     y=np.asarray(city.sites.y, dtype=float)[k])
    d = city.districts
    names = {str(n): i for i, n in enumerate(d.name)}
    if all(s in names for s in labels):
        polys = [np.asarray(d.polygon(names[s])) for s in labels]
        return Layer(dim, "areas", [f"{s} {d.name_zh[names[s]]}" for s in labels],
                     xs=[p[:, 0].tolist() for p in polys], ys=[p[:, 1].tolist() for p in polys])
    return None


def map_dim(ds: xr.Dataset, da: xr.DataArray, city) -> Layer | None:
    """The first of the variable's non-time dims that has a place on the map."""
    from twin.core.recorder import time_dims

    for dim in da.dims:
        if dim not in time_dims(da):
            layer = locate(ds, str(dim), city)
            if layer is not None:
                return layer
    return None
