"""The City: districts, road graph, households, terrain, river and facility sites.

Households are a struct of arrays numbered in spatial-locality (Morton) order, so that
neighbours in space are neighbours in memory and slices of the arrays are compact areas.
Coordinates are metres in a local plane (x east, y north), origin at the south-west corner.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

LAND_USES = ("residential", "commercial", "industrial", "green")
SITE_KINDS = ("collection_point", "transfer_station", "incineration_plant",
              "digestion_plant", "recycling_plant", "landfill", "pumping_station",
              "parking_lot")


@dataclass(frozen=True)
class Districts:
    """Administrative districts (rectangles) with population, area and land-use shares."""

    name: tuple[str, ...]
    name_zh: tuple[str, ...]
    x0: np.ndarray
    y0: np.ndarray
    x1: np.ndarray
    y1: np.ndarray
    population: np.ndarray
    households: np.ndarray
    land_use: np.ndarray  # [district, LAND_USES] shares summing to 1

    def __len__(self) -> int:
        return len(self.name)

    @property
    def area_km2(self) -> np.ndarray:
        return (self.x1 - self.x0) * (self.y1 - self.y0) / 1e6

    def polygon(self, i: int) -> list[tuple[float, float]]:
        x0, y0, x1, y1 = (float(a[i]) for a in (self.x0, self.y0, self.x1, self.y1))
        return [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]


@dataclass(frozen=True)
class Roads:
    """Road graph: nodes with position and ground elevation, undirected edges with length,
    speed and class (0 local street, 1 arterial, 2 bridge)."""

    node_x: np.ndarray
    node_y: np.ndarray
    node_elev_m: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_length_m: np.ndarray
    edge_speed_kmh: np.ndarray
    edge_class: np.ndarray

    @property
    def n_nodes(self) -> int:
        return len(self.node_x)

    @property
    def n_edges(self) -> int:
        return len(self.edge_u)

    def travel_time_matrix(self, closed_edges=()) -> sp.csr_matrix:
        """Sparse symmetric matrix of edge travel times (s), closed edges removed."""
        t = self.edge_length_m / (self.edge_speed_kmh / 3.6)
        keep = np.ones(self.n_edges, bool)
        keep[np.asarray(list(closed_edges), dtype=np.int64)] = False
        u, v, t = self.edge_u[keep], self.edge_v[keep], t[keep]
        n = self.n_nodes
        return sp.csr_matrix((np.r_[t, t], (np.r_[u, v], np.r_[v, u])), shape=(n, n))

    def travel_times_s(self, sources, closed_edges=()) -> np.ndarray:
        """Shortest travel time (s) from each source node to every node [source, node]."""
        return dijkstra(self.travel_time_matrix(closed_edges), directed=False,
                        indices=np.asarray(sources, dtype=np.int64))

    def to_networkx(self):
        """The graph as networkx (for analysis; the models use the sparse form)."""
        import networkx as nx

        g = nx.Graph()
        for i in range(self.n_nodes):
            g.add_node(i, x=float(self.node_x[i]), y=float(self.node_y[i]),
                       elevation_m=float(self.node_elev_m[i]))
        for e in range(self.n_edges):
            g.add_edge(int(self.edge_u[e]), int(self.edge_v[e]), id=e,
                       length_m=float(self.edge_length_m[e]),
                       speed_kmh=float(self.edge_speed_kmh[e]))
        return g


@dataclass(frozen=True)
class Households:
    """Household locations (Morton order), district, size and nearest road node / point."""

    x_m: np.ndarray  # float32
    y_m: np.ndarray  # float32
    district: np.ndarray  # uint8
    size: np.ndarray  # uint8, persons
    road_node: np.ndarray  # int32
    collection_point: np.ndarray  # int32, index into the collection_point sites

    def __len__(self) -> int:
        return len(self.x_m)

    @property
    def nbytes(self) -> int:
        return sum(getattr(self, f).nbytes for f in self.__dataclass_fields__)


@dataclass(frozen=True)
class Terrain:
    """Ground elevation (m above datum) on a regular grid; cell (i, j) centred at
    (x0 + (j + .5) cell_m, y0 + (i + .5) cell_m)."""

    elevation_m: np.ndarray
    x0: float
    y0: float
    cell_m: float

    def at(self, x, y) -> np.ndarray:
        """Elevation at points (nearest cell)."""
        ny, nx = self.elevation_m.shape
        j = np.clip(((np.asarray(x) - self.x0) / self.cell_m).astype(np.int64), 0, nx - 1)
        i = np.clip(((np.asarray(y) - self.y0) / self.cell_m).astype(np.int64), 0, ny - 1)
        return self.elevation_m[i, j]


@dataclass(frozen=True)
class Sites:
    """Facility sites: collection points, transfer stations, plants, pumping stations, lots."""

    kind: np.ndarray  # str
    name: np.ndarray  # str
    x: np.ndarray
    y: np.ndarray
    district: np.ndarray
    road_node: np.ndarray

    def __len__(self) -> int:
        return len(self.kind)

    def of_kind(self, kind: str) -> np.ndarray:
        """Indices of the sites of one kind, in their numbering order."""
        if kind not in SITE_KINDS:
            raise KeyError(f"unknown site kind {kind!r}; kinds: {', '.join(SITE_KINDS)}")
        return np.flatnonzero(self.kind == kind)


@dataclass(frozen=True)
class City:
    """One city shared by all subsystems of a run; immutable (run state lives in models)."""

    name: str
    seed: int
    size_m: float
    districts: Districts
    roads: Roads
    households: Households
    terrain: Terrain
    river_xy: np.ndarray  # [k, 2] centre line, west to east
    river_width_m: float
    sites: Sites
    meta: dict = field(default_factory=dict)

    @property
    def population(self) -> int:
        return int(self.households.size.sum(dtype=np.int64))

    def summary(self) -> dict:
        """Headline numbers for the CLI and the docs."""
        h = self.households
        return {"name": self.name, "households": len(h), "population": self.population,
                "mean_household_size": round(float(h.size.mean()), 3),
                "districts": len(self.districts), "area_km2": round(self.size_m ** 2 / 1e6, 1),
                "road_nodes": self.roads.n_nodes, "road_edges": self.roads.n_edges,
                **{f"{k}s": int((self.sites.kind == k).sum()) for k in
                   ("collection_point", "transfer_station", "pumping_station", "parking_lot")}}
