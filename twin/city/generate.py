"""Deterministic synthetic city by seed and scale (1 k to 5 M households).

Proportions follow Chinese urban statistics: mean household size about 2.6 (2020 census:
2.62), central districts denser than outer ones, a river crossing the city with low-lying
land along it, a street grid with arterials every kilometre and a few bridges, and facility
sites sized by households (one collection point per about 400 households by default, set by
`households_per_point`).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from twin.city.model import LAND_USES, City, Districts, Households, Roads, Sites, Terrain
from twin.core.rng import RunSeed, Streams

# Household size shares 1..7 persons, shaped on the 2020 census profile (mean 2.6).
HOUSEHOLD_SIZE_P = np.array([0.254, 0.297, 0.209, 0.132, 0.062, 0.030, 0.016])
PERSONS_PER_KM2 = 9_000.0  # typical built-up density of a Chinese central city
STREET_SPACING_M = 250.0
ARTERIAL_EVERY = 4  # every 4th street is an arterial (1 km)
# Shanghai's fixed-time drop-off guideline: one point per 300-500 households (households README)
HOUSEHOLDS_PER_COLLECTION_POINT = 400  # default; a city may be built denser or sparser
COLLECTION_POINT_HOUSEHOLDS_RANGE = (100, 2000)  # from a point per building to per compound
HOUSEHOLDS_PER_PARKING_LOT = 1_500
HOUSEHOLDS_PER_TRANSFER_STATION = 100_000

DISTRICT_NAMES = (
    ("Old Town", "老城"), ("Riverside", "滨江"), ("East Gate", "东门"), ("West Lake", "西湖"),
    ("North Station", "北站"), ("South Bay", "南湾"), ("Harbour", "港区"), ("Hillside", "山麓"),
    ("New Town", "新城"), ("Garden", "花园"), ("Market", "市场"), ("University", "大学城"),
    ("Industrial Park", "工业园"), ("Airport", "空港"), ("Lakeside", "湖畔"),
    ("Bamboo Grove", "竹林"), ("Bridgehead", "桥头"), ("Orchard", "果园"),
    ("Tea Hills", "茶山"), ("Willow Bank", "柳岸"), ("Stone Wharf", "石码头"),
    ("Pine Ridge", "松岭"), ("Canal", "运河"), ("Sunrise", "朝阳"), ("Jade Spring", "玉泉"),
)


def generate_city(households: int, seed: int = 0, name: str | None = None,
                  households_per_point: int = HOUSEHOLDS_PER_COLLECTION_POINT) -> City:
    """Generate a city of `households` households; same (households, seed), same city.

    `households_per_point` sets the collection-point density (about that many households
    share a point); it changes only the collection points, never the households or roads.
    """
    if not 1_000 <= households <= 5_000_000:
        raise ValueError("households must be from 1,000 to 5,000,000")
    lo, hi = COLLECTION_POINT_HOUSEHOLDS_RANGE
    if isinstance(households_per_point, bool) or not isinstance(
            households_per_point, (int, np.integer)) or not lo <= households_per_point <= hi:
        raise ValueError(f"households_per_point must be an integer from {lo} to {hi}, "
                         f"not {households_per_point!r}")
    hpp = int(households_per_point)
    streams = Streams(RunSeed(seed))
    n = int(households)
    size_m = float(np.sqrt(n * 2.6 / PERSONS_PER_KM2) * 1000.0)
    river_xy, river_w = _river(size_m, streams.generator("city.river"))
    terrain = _terrain(size_m, river_xy, streams.generator("city.terrain"))
    k = 3 if n < 50_000 else 4 if n < 500_000 else 5
    rng = streams.generator("city.districts")
    cuts = [np.sort(np.r_[0.0, (np.arange(1, k) + rng.uniform(-0.2, 0.2, k - 1)) / k, 1.0]) * size_m
            for _ in range(2)]
    xi, yi = np.meshgrid(np.arange(k), np.arange(k))
    xi, yi = xi.ravel(), yi.ravel()
    x0, x1, y0, y1 = cuts[0][xi], cuts[0][xi + 1], cuts[1][yi], cuts[1][yi + 1]
    cx, cy = (x0 + x1) / 2 / size_m - 0.5, (y0 + y1) / 2 / size_m - 0.5
    centrality = np.exp(-np.hypot(cx, cy) / 0.35)  # 1 at the centre
    weight = (0.4 + centrality) * rng.lognormal(0.0, 0.25, k * k) * (x1 - x0) * (y1 - y0)
    land = np.column_stack([0.55 + 0.1 * rng.standard_normal(k * k), 0.1 + 0.25 * centrality,
                            0.2 * (1 - centrality), np.full(k * k, 0.1)]).clip(0.02)
    land /= land.sum(1, keepdims=True)

    hh_rng = streams.generator("city.households")
    counts = hh_rng.multinomial(n, weight / weight.sum())
    district = np.repeat(np.arange(k * k, dtype=np.uint8), counts)
    x, y = _place(hh_rng, district, x0, x1, y0, y1, river_xy, river_w)
    order = np.argsort(_morton(x, y, size_m), kind="stable")
    x, y, district = x[order], y[order], district[order]
    size = (hh_rng.choice(len(HOUSEHOLD_SIZE_P), n, p=HOUSEHOLD_SIZE_P) + 1).astype(np.uint8)

    roads, grid_node = _roads(size_m, river_xy, river_w, terrain, streams.generator("city.roads"))
    hh_node = grid_node[_nearest_grid_cell(x, y, size_m)]
    pop = np.bincount(district, weights=size, minlength=k * k).astype(np.int64)
    rank = np.empty(k * k, np.int64)
    rank[np.argsort(-centrality, kind="stable")] = np.arange(k * k)  # "Old Town" at the centre
    dists = Districts(tuple(DISTRICT_NAMES[r][0] for r in rank),
                      tuple(DISTRICT_NAMES[r][1] for r in rank), x0, y0, x1, y1, pop,
                      counts.astype(np.int64), land)
    sites, cp_of_household = _sites(x, y, district, roads, grid_node, river_xy, size_m, hpp)
    hh = Households(x.astype(np.float32), y.astype(np.float32), district, size, hh_node,
                    cp_of_household)
    default = hpp == HOUSEHOLDS_PER_COLLECTION_POINT
    return City(name or f"synthetic-{n}-s{seed}" + ("" if default else f"-p{hpp}"), seed,
                size_m, dists, roads, hh, terrain, river_xy, river_w, sites,
                meta={"generator": "twin.city.generate", "households": n, "seed": seed,
                      "households_per_point": hpp, "land_uses": list(LAND_USES)})


def _river(size_m: float, rng: np.random.Generator) -> tuple[np.ndarray, float]:
    """A meandering river crossing the city from west to east, south of the centre."""
    xs = np.linspace(0.0, size_m, 200)
    phase = rng.uniform(0, 2 * np.pi)
    ys = size_m * (0.42 + 0.06 * np.sin(2 * np.pi * 1.3 * xs / size_m + phase))
    return np.column_stack([xs, ys]), max(60.0, 0.012 * size_m)


def _river_y(river_xy: np.ndarray, x) -> np.ndarray:
    return np.interp(x, river_xy[:, 0], river_xy[:, 1])


def _terrain(size_m: float, river_xy: np.ndarray, rng: np.random.Generator) -> Terrain:
    """Ground rising away from the river, hills, and low-lying pockets near the banks."""
    cell = max(25.0, size_m / 300.0)
    m = int(np.ceil(size_m / cell))
    c = (np.arange(m) + 0.5) * cell
    gx, gy = np.meshgrid(c, c)
    d_river = np.abs(gy - _river_y(river_xy, gx))
    elev = 3.0 + 2.5 * d_river / 1000.0 + 1.5 * np.sin(2 * np.pi * gx / size_m)
    for _ in range(4):  # hills
        hx, hy = rng.uniform(0, size_m, 2)
        elev += rng.uniform(8, 25) * np.exp(-((gx - hx) ** 2 + (gy - hy) ** 2) / (0.12 * size_m) ** 2)
    for _ in range(3):  # low-lying pockets behind the banks, where storms pond
        px = rng.uniform(0.1, 0.9) * size_m
        py = _river_y(river_xy, px) + rng.choice([-1, 1]) * rng.uniform(0.05, 0.12) * size_m
        elev -= rng.uniform(2.0, 3.5) * np.exp(-((gx - px) ** 2 + (gy - py) ** 2) / (0.05 * size_m) ** 2)
    return Terrain(elev.astype(np.float32), 0.0, 0.0, cell)


def _place(rng, district, x0, x1, y0, y1, river_xy, river_w):
    """Uniform positions inside each household's district, none in the river."""
    n = len(district)
    x = np.empty(n)
    y = np.empty(n)
    todo = np.arange(n)
    while len(todo):
        d = district[todo]
        x[todo] = rng.uniform(x0[d], x1[d])
        y[todo] = rng.uniform(y0[d], y1[d])
        wet = np.abs(y[todo] - _river_y(river_xy, x[todo])) < river_w / 2 + 15.0
        todo = todo[wet]
    return x, y


def _morton(x: np.ndarray, y: np.ndarray, size_m: float) -> np.ndarray:
    """Z-order key of positions quantized to 16 bits per axis."""
    def spread(v):
        v = v.astype(np.uint64)
        for shift, mask in ((8, 0x00FF00FF), (4, 0x0F0F0F0F), (2, 0x33333333), (1, 0x55555555)):
            v = (v | (v << np.uint64(shift))) & np.uint64(mask)
        return v

    q = lambda a: np.clip(a / size_m * 65535.0, 0, 65535)  # noqa: E731
    return spread(q(x)) | (spread(q(y)) << np.uint64(1))


def _roads(size_m, river_xy, river_w, terrain, rng) -> tuple[Roads, np.ndarray]:
    """A jittered street grid; only some arterials bridge the river. Returns the roads (the
    connected part only) and, for every grid intersection, the nearest kept road node."""
    m = int(np.floor(size_m / STREET_SPACING_M)) + 1
    base = np.arange(m) * STREET_SPACING_M
    gx, gy = np.meshgrid(base, base)
    jitter = STREET_SPACING_M * 0.12
    nx_ = (gx + rng.uniform(-jitter, jitter, gx.shape)).ravel().clip(0, size_m)
    ny_ = (gy + rng.uniform(-jitter, jitter, gy.shape)).ravel().clip(0, size_m)
    idx = np.arange(m * m).reshape(m, m)
    u = np.r_[idx[:, :-1].ravel(), idx[:-1, :].ravel()]
    v = np.r_[idx[:, 1:].ravel(), idx[1:, :].ravel()]
    col = np.r_[np.tile(np.arange(m - 1), m), np.tile(np.arange(m), m - 1)]
    row = np.r_[np.repeat(np.arange(m), m - 1), np.repeat(np.arange(m - 1), m)]
    horizontal = np.r_[np.ones(m * (m - 1), bool), np.zeros(m * (m - 1), bool)]
    arterial = np.where(horizontal, row % ARTERIAL_EVERY == 0, col % ARTERIAL_EVERY == 0)
    ry_u, ry_v = _river_y(river_xy, nx_[u]), _river_y(river_xy, nx_[v])
    crosses = np.sign(ny_[u] - ry_u) != np.sign(ny_[v] - ry_v)
    bridge = crosses & ~horizontal & (col % (2 * ARTERIAL_EVERY) == 0)
    near_river = np.minimum(np.abs(ny_[u] - ry_u), np.abs(ny_[v] - ry_v)) < river_w / 2
    keep = (~crosses | bridge) & ~(near_river & ~bridge)
    u, v, arterial, bridge = u[keep], v[keep], arterial[keep], bridge[keep]
    length = np.hypot(nx_[u] - nx_[v], ny_[u] - ny_[v]) * 1.1  # street curvature
    cls = np.where(bridge, 2, arterial.astype(np.int8)).astype(np.int8)
    speed = np.select([cls == 2, cls == 1], [40.0, 40.0], 25.0)  # urban average speeds
    # keep the largest connected part (intersections in the river lose all their streets)
    graph = sp.coo_matrix((np.ones(len(u)), (u, v)), shape=(m * m, m * m))
    _, label = connected_components(graph, directed=False)
    main = np.bincount(label[u]).argmax()
    kept = np.flatnonzero(label == main)
    new_id = np.full(m * m, -1, np.int64)
    new_id[kept] = np.arange(len(kept))
    _, nearest = cKDTree(np.column_stack([gx.ravel()[kept], gy.ravel()[kept]])).query(
        np.column_stack([gx.ravel(), gy.ravel()]))
    grid_node = nearest.astype(np.int32)
    nx_, ny_ = nx_[kept], ny_[kept]
    roads = Roads(nx_, ny_, terrain.at(nx_, ny_).astype(np.float32),
                  new_id[u].astype(np.int32), new_id[v].astype(np.int32), length, speed, cls)
    return roads, grid_node


def _nearest_grid_cell(x, y, size_m) -> np.ndarray:
    """Index of the nearest street-grid intersection (before jitter) of each position."""
    m = int(np.floor(size_m / STREET_SPACING_M)) + 1
    j = np.clip(np.rint(x / STREET_SPACING_M), 0, m - 1).astype(np.int64)
    i = np.clip(np.rint(y / STREET_SPACING_M), 0, m - 1).astype(np.int64)
    return i * m + j


def _block_sites(x, y, per: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split Morton-ordered households into blocks of `per`; a site at each block's median
    household. Returns site x, y and each household's block index."""
    n = len(x)
    nb = max(1, int(round(n / per)))
    block = (np.arange(n, dtype=np.int64) * nb // n).astype(np.int32)
    mid = (np.arange(nb) * n // nb + np.arange(1, nb + 1) * n // nb) // 2
    return x[mid].astype(float), y[mid].astype(float), block


def _sites(x, y, district, roads, grid_node, river_xy, size_m, households_per_point):
    kinds, names, sx, sy = [], [], [], []

    def add(kind, prefix, xs, ys):
        for i, (a, b) in enumerate(zip(xs, ys, strict=True)):
            kinds.append(kind)
            names.append(f"{prefix}{i + 1:0{max(2, len(str(len(xs))))}d}")
            sx.append(float(a))
            sy.append(float(b))

    cpx, cpy, cp_of = _block_sites(x, y, households_per_point)
    add("collection_point", "CP", cpx, cpy)
    n_ts = max(2, int(round(len(x) / HOUSEHOLDS_PER_TRANSFER_STATION)))
    tx, ty, _ = _block_sites(x, y, -(-len(x) // n_ts))
    add("transfer_station", "TS", tx, ty)
    edge = 0.97 * size_m  # plants on the eastern outskirts, downstream
    for kind, prefix, fy in (("incineration_plant", "INC", 0.75), ("digestion_plant", "AD", 0.65),
                             ("recycling_plant", "REC", 0.85), ("landfill", "LF", 0.15)):
        add(kind, prefix, [edge], [fy * size_m])
    # pumping stations at the lowest road nodes along the river, spread along it
    ry = _river_y(river_xy, roads.node_x)
    bank = np.flatnonzero(np.abs(roads.node_y - ry) < 2 * STREET_SPACING_M)
    n_ps = max(3, int(round(size_m / 2500.0)))
    slots = np.minimum((roads.node_x[bank] / size_m * n_ps).astype(int), n_ps - 1)
    ps = [bank[slots == s][np.argmin(roads.node_elev_m[bank[slots == s]])]
          for s in range(n_ps) if np.any(slots == s)]
    add("pumping_station", "PS", roads.node_x[ps], roads.node_y[ps])
    lx, ly, _ = _block_sites(x, y, HOUSEHOLDS_PER_PARKING_LOT)
    add("parking_lot", "PL", lx, ly)
    sx, sy = np.asarray(sx), np.asarray(sy)
    node = grid_node[_nearest_grid_cell(sx, sy, size_m)]
    node[np.asarray(kinds) == "pumping_station"] = np.asarray(ps, dtype=np.int32)
    dist = _district_of(sx, sy, x, y, district)
    return Sites(np.asarray(kinds), np.asarray(names), sx, sy, dist, node), cp_of


def _district_of(sx, sy, x, y, district) -> np.ndarray:
    """District of each site: that of the nearest household."""
    _, nearest = cKDTree(np.column_stack([x, y])).query(np.column_stack([sx, sy]))
    return district[nearest].astype(np.uint8)
