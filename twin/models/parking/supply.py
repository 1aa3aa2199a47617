"""Parking supply: kerb faces along road edges, off-street lots and garages at the city's
parking sites, and per-district pools of residential (private) and shared spaces.

Every place a car can park is one *facility* (a row of the arrays below). Facilities are kept
in Python lists because the engine touches them one at a time per car (list indexing is
several times faster than numpy scalar access) and events may append new lots mid-run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from twin.core.errors import TwinError
from twin.models.parking.params import PUBLIC, RESIDENTIAL, SHARED, ParkingParams

KERB, LOT, GARAGE, POOL = range(4)
POOL_WALK_M = 100.0  # compound gate to the flat (assumption)
LOT_WALK_M = 50.0  # lot entrance to the street


@dataclass
class Facilities:
    """Struct of lists, one entry per facility."""

    name: list[str] = field(default_factory=list)
    kind: list[int] = field(default_factory=list)
    access: list[int] = field(default_factory=list)
    district: list[int] = field(default_factory=list)
    node: list[int] = field(default_factory=list)
    edge: list[int] = field(default_factory=list)  # kerb faces: their road edge, else -1
    x: list[float] = field(default_factory=list)
    y: list[float] = field(default_factory=list)
    cap: list[int] = field(default_factory=list)  # spaces usable now (0 when closed/flooded)
    design_cap: list[int] = field(default_factory=list)  # spaces when open
    price: list[float] = field(default_factory=list)  # CNY/h in the paid hours
    walk_m: list[float] = field(default_factory=list)  # walk from its node to the door
    underground: list[bool] = field(default_factory=list)
    closed: list[bool] = field(default_factory=list)  # by an event
    cut_off: list[bool] = field(default_factory=list)  # by closed roads
    flooded: list[bool] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.name)

    def add(self, name, kind, access, district, node, x, y, cap, price, walk_m, *, edge=-1,
            underground=False) -> int:
        for lst, v in ((self.name, name), (self.kind, kind), (self.access, access),
                       (self.district, int(district)), (self.node, int(node)),
                       (self.edge, int(edge)), (self.x, float(x)), (self.y, float(y)),
                       (self.cap, int(cap)), (self.design_cap, int(cap)),
                       (self.price, float(price)), (self.walk_m, float(walk_m)),
                       (self.underground, bool(underground)), (self.closed, False),
                       (self.cut_off, False), (self.flooded, False)):
            lst.append(v)
        return len(self.name) - 1

    def index(self, name: str) -> int:
        try:
            return self.name.index(name)
        except ValueError:
            raise TwinError(f"parking: no lot named {name!r}") from None

    def refresh(self, f: int) -> None:
        """Usable capacity of facility f from its state."""
        usable = not (self.closed[f] or self.cut_off[f] or self.flooded[f])
        self.cap[f] = self.design_cap[f] if usable else 0

    def arr(self, name: str, dtype=None) -> np.ndarray:
        return np.asarray(getattr(self, name), dtype=dtype)


def district_of_points(districts, x, y) -> np.ndarray:
    """District index of points (rectangles; points outside go to the nearest centre)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    cx, cy = (districts.x0 + districts.x1) / 2, (districts.y0 + districts.y1) / 2
    inside = ((x[:, None] >= districts.x0) & (x[:, None] <= districts.x1)
              & (y[:, None] >= districts.y0) & (y[:, None] <= districts.y1))
    near = np.argmin(np.hypot(x[:, None] - cx, y[:, None] - cy), axis=1)
    return np.where(inside.any(1), inside.argmax(1), near)


def district_nodes(city) -> np.ndarray:
    """A central road node per district: the node of its median household (Morton order)."""
    h = city.households
    out = np.zeros(len(city.districts), np.int64)
    for d in range(len(city.districts)):
        idx = np.flatnonzero(h.district == d)
        out[d] = int(h.road_node[idx[len(idx) // 2]]) if len(idx) else 0
    return out


def district_index(city, name: str) -> int | None:
    """Index of a district by its English or Chinese name (None if unknown)."""
    d = city.districts
    for i, (en, zh) in enumerate(zip(d.name, d.name_zh, strict=True)):
        if name in (en, zh):
            return i
    return None


def build_supply(city, p: ParkingParams, cars_by_district: np.ndarray) -> Facilities:
    """All facilities of the city at the start of the run (deterministic: no random draws)."""
    fac = Facilities()
    roads, dists = city.roads, city.districts
    # kerb faces: both kerbs of each edge, bridges excluded
    share = np.select([roads.edge_class == 0, roads.edge_class == 1],
                      [p.kerb_usable_share, p.arterial_kerb_usable_share], 0.0)
    cap = np.floor(2.0 * roads.edge_length_m * share / p.kerb_space_m).astype(int)
    u, v = roads.edge_u, roads.edge_v
    mx, my = (roads.node_x[u] + roads.node_x[v]) / 2, (roads.node_y[u] + roads.node_y[v]) / 2
    kd = district_of_points(dists, mx, my)
    for e in np.flatnonzero(cap > 0):
        fac.add(f"K{e}", KERB, PUBLIC, kd[e], u[e], mx[e], my[e], cap[e],
                p.kerb_price_cny_per_h, roads.edge_length_m[e] / 4.0, edge=e)
    # off-street lots at the city's parking sites: bigger and underground in commercial centres
    s = city.sites
    commercial = dists.land_use[:, 1]
    mean_c = float(commercial.mean()) or 1.0
    for i in s.of_kind("parking_lot"):
        d = int(s.district[i])
        size = int(round(p.lot_spaces_mean * (0.5 + 0.5 * commercial[d] / mean_c)))
        under = commercial[d] >= p.underground_commercial_share
        fac.add(str(s.name[i]), GARAGE if under else LOT, PUBLIC, d, s.road_node[i], s.x[i],
                s.y[i], size, p.lot_price_cny_per_h, LOT_WALK_M, underground=under)
    # residential and shared pools per district at its central node
    nodes = district_nodes(city)
    for d in range(len(dists)):
        spaces = cars_by_district[d] * p.residential_spaces_per_car
        n = int(nodes[d])
        x, y = roads.node_x[n], roads.node_y[n]
        fac.add(f"RES-{dists.name[d]}", POOL, RESIDENTIAL, d, n, x, y,
                round(spaces * (1 - p.shared_share)), 0.0, POOL_WALK_M)
        fac.add(f"SH-{dists.name[d]}", POOL, SHARED, d, n, x, y, round(spaces * p.shared_share),
                p.shared_price_cny_per_h, POOL_WALK_M)
        fac.add(f"PUB-{dists.name[d]}", LOT, PUBLIC, d, n, x, y, 0, p.lot_price_cny_per_h,
                LOT_WALK_M)
        fac.add(f"GAR-{dists.name[d]}", GARAGE, PUBLIC, d, n, x, y, 0, p.lot_price_cny_per_h,
                LOT_WALK_M, underground=True)
    return fac


def pool_name(access: int, underground: bool, district_name: str) -> str:
    """The district facility that `add_spaces` grows."""
    if access == RESIDENTIAL:
        return f"RES-{district_name}"
    if access == SHARED:
        return f"SH-{district_name}"
    return f"{'GAR' if underground else 'PUB'}-{district_name}"


def split_by_population(total: int, population: np.ndarray) -> np.ndarray:
    """Integer shares of `total` proportional to population (largest remainders)."""
    w = np.asarray(population, float)
    raw = total * w / w.sum()
    out = np.floor(raw).astype(int)
    out[np.argsort(-(raw - out), kind="stable")[: total - out.sum()]] += 1
    return out


def lot_names(city) -> list[str]:
    """Names of the lots a scenario may refer to at load (sites and district pools)."""
    s = city.sites
    names = [str(n) for n in s.name[s.of_kind("parking_lot")]]
    for d in city.districts.name:
        names += [f"RES-{d}", f"SH-{d}", f"PUB-{d}", f"GAR-{d}"]
    return names
