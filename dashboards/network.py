"""Where the drainage nodes and pipes of a drill lie on the map.

A network generated for the city is rebuilt from the city (a fast, deterministic layout,
~30 ms) and read back through its `.inp` COORDINATES and CONDUITS; a user network is read
from its file. Coordinates recorded in the store (`node_x_m`, `node_y_m`) win when present.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from dashboards.data import params_of


@dataclass
class Network:
    """Node positions (in the store's node order), pipes as segments, node -> road node."""

    x: np.ndarray
    y: np.ndarray
    pipes_xs: list
    pipes_ys: list
    road_node: np.ndarray  # -1 where a node is not under a road intersection
    on_city: bool  # drawn over the city's geometry


def _read(inp) -> tuple[dict, list]:
    coords = {r.fields[0]: (float(r.fields[1]), float(r.fields[2]))
              for r in inp.rows("COORDINATES") if len(r.fields) >= 3}
    links = [(r.fields[1], r.fields[2]) for sec in ("CONDUITS", "PUMPS")
             for r in inp.rows(sec) if len(r.fields) >= 3]
    return coords, links


def drainage_network(ds: xr.Dataset, city) -> Network:
    from twin.models.drainage.inp import read_inp

    nodes = [str(n) for n in np.asarray(ds["node"].values)]
    p = params_of(ds, "drainage")
    coords, links, on_city = {}, [], False
    if p.get("network") in (None, "None") and city is not None:
        from twin.models.drainage import storms as S
        from twin.models.drainage.citynet import build_city_network

        storm = S.design_storm("guangzhou_central", 2.0, 60.0, 0.4, 60)
        with tempfile.TemporaryDirectory(prefix="twin-map-") as tmp:
            net = build_city_network(city, Path(tmp), storm, dt.datetime(2024, 1, 1), 3600.0)
            coords, links = _read(read_inp(net.path))
        on_city = True
    elif p.get("network") and Path(p["network"]).is_file():
        coords, links = _read(read_inp(Path(p["network"])))
    if "node_x_m" in ds.coords and "node_y_m" in ds.coords:
        x = np.asarray(ds["node_x_m"].values, dtype=float)
        y = np.asarray(ds["node_y_m"].values, dtype=float)
        coords.update({n: (x[i], y[i]) for i, n in enumerate(nodes)})
    nan = (np.nan, np.nan)
    x = np.array([coords.get(n, nan)[0] for n in nodes])
    y = np.array([coords.get(n, nan)[1] for n in nodes])
    xs, ys = [], []
    for a, b in links:
        if a in coords and b in coords:
            xs.append([coords[a][0], coords[b][0]])
            ys.append([coords[a][1], coords[b][1]])
    road = np.array([int(n[1:]) if on_city and n[:1] == "J" and n[1:].isdigit() else -1
                     for n in nodes])
    return Network(x, y, xs, ys, road, on_city)


def edges_at(city, road_node: np.ndarray) -> list[np.ndarray]:
    """Road edges meeting at each node's intersection (the roads a waterlogging point
    closes, as the drainage model closes them)."""
    if city is None:
        return [np.zeros(0, np.int64)] * len(road_node)
    r = city.roads
    return [np.flatnonzero((r.edge_u == k) | (r.edge_v == k)) if k >= 0
            else np.zeros(0, np.int64) for k in road_node]
