"""Save and load a city: numeric tables in `city.zarr`, names and metadata in `city.json`,
and `city.geojson` (local metres) for GIS tools and the dashboards' offline maps."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import xarray as xr

from twin.city.builtin import builtin_city
from twin.city.generate import HOUSEHOLDS_PER_COLLECTION_POINT, generate_city
from twin.city.model import City, Districts, Households, Roads, Sites, Terrain
from twin.core.errors import TwinError

FORMAT = 1
_TABLES = {"households": Households, "roads": Roads}


def save_city(city: City, folder: str | Path) -> Path:
    """Write the city to `folder` (created); returns the folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    store = folder / "city.zarr"
    for group, obj in (("households", city.households), ("roads", city.roads)):
        ds = xr.Dataset({f: (f"{group}_{_dim(f)}", getattr(obj, f))
                         for f in obj.__dataclass_fields__})
        ds.to_zarr(store, group=group, mode="w" if group == "households" else "a",
                   consolidated=False)
    t = city.terrain
    xr.Dataset({"elevation_m": (("row", "col"), t.elevation_m)}).to_zarr(
        store, group="terrain", mode="a", consolidated=False)
    d, s = city.districts, city.sites
    meta = {"format": FORMAT, "name": city.name, "seed": city.seed, "size_m": city.size_m,
            "river_xy": city.river_xy.tolist(), "river_width_m": city.river_width_m,
            "meta": city.meta, "terrain": {"x0": t.x0, "y0": t.y0, "cell_m": t.cell_m},
            "districts": {"name": list(d.name), "name_zh": list(d.name_zh),
                          **{f: getattr(d, f).tolist() for f in
                             ("x0", "y0", "x1", "y1", "population", "households", "land_use")}},
            "sites": {f: getattr(s, f).tolist() for f in s.__dataclass_fields__}}
    (folder / "city.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    (folder / "city.geojson").write_text(json.dumps(to_geojson(city), ensure_ascii=False),
                                         encoding="utf-8")
    return folder


def _dim(field: str) -> str:
    return "edge" if field.startswith("edge_") else "node" if field.startswith("node_") else "row"


def load_city(folder: str | Path) -> City:
    """Read a city written by `save_city`."""
    folder = Path(folder)
    meta_path = folder / "city.json"
    if not meta_path.is_file():
        raise TwinError(f"{folder}: not a saved city (city.json missing)")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise TwinError(f"{meta_path}: unreadable city metadata ({e})") from None
    if meta.get("format") != FORMAT:
        raise TwinError(f"{meta_path}: city format {meta.get('format')!r}, this twin reads "
                        f"format {FORMAT}")
    store = folder / "city.zarr"
    tables = {}
    for group, cls in _TABLES.items():
        with xr.open_zarr(store, group=group, consolidated=False) as ds:
            tables[group] = cls(**{f: ds[f].values for f in cls.__dataclass_fields__})
    with xr.open_zarr(store, group="terrain", consolidated=False) as ds:
        terrain = Terrain(ds["elevation_m"].values, **meta["terrain"])
    dm = meta["districts"]
    districts = Districts(tuple(dm["name"]), tuple(dm["name_zh"]),
                          *(np.asarray(dm[f]) for f in ("x0", "y0", "x1", "y1")),
                          np.asarray(dm["population"], np.int64),
                          np.asarray(dm["households"], np.int64), np.asarray(dm["land_use"]))
    sm = meta["sites"]
    sites = Sites(np.asarray(sm["kind"]), np.asarray(sm["name"]), np.asarray(sm["x"], float),
                  np.asarray(sm["y"], float), np.asarray(sm["district"], np.uint8),
                  np.asarray(sm["road_node"], np.int32))
    return City(meta["name"], meta["seed"], meta["size_m"], districts, tables["roads"],
                tables["households"], terrain, np.asarray(meta["river_xy"]),
                meta["river_width_m"], sites, meta["meta"])


def to_geojson(city: City) -> dict:
    """Districts, roads, river and sites as GeoJSON features in local metres."""
    feats = []
    d = city.districts
    for i in range(len(d)):
        feats.append({"type": "Feature", "geometry": {"type": "Polygon",
                                                      "coordinates": [d.polygon(i)]},
                      "properties": {"layer": "district", "id": i, "name": d.name[i],
                                     "name_zh": d.name_zh[i],
                                     "population": int(d.population[i])}})
    r = city.roads
    for e in range(r.n_edges):
        u, v = int(r.edge_u[e]), int(r.edge_v[e])
        feats.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": [
            [float(r.node_x[u]), float(r.node_y[u])], [float(r.node_x[v]), float(r.node_y[v])]]},
            "properties": {"layer": "road", "id": e, "class": int(r.edge_class[e])}})
    feats.append({"type": "Feature", "geometry": {"type": "LineString",
                                                  "coordinates": city.river_xy.tolist()},
                  "properties": {"layer": "river", "width_m": city.river_width_m}})
    s = city.sites
    for i in range(len(s)):
        feats.append({"type": "Feature", "geometry": {"type": "Point",
                                                      "coordinates": [float(s.x[i]), float(s.y[i])]},
                      "properties": {"layer": "site", "kind": str(s.kind[i]),
                                     "name": str(s.name[i])}})
    return {"type": "FeatureCollection", "name": city.name,
            "crs_note": "local plane, metres from the south-west corner", "features": feats}


@lru_cache(maxsize=4)
def _cached(builtin: str | None, households: int | None, seed: int, path: str | None,
            households_per_point: int | None) -> City:
    if path:
        return load_city(path)
    if builtin:
        return builtin_city(builtin, households_per_point)
    return generate_city(households, seed, households_per_point=households_per_point)


def open_city(spec) -> City:
    """The city a scenario names (a CitySpec); generated or loaded once per process and
    collection-point density (a saved city keeps its own points)."""
    hpp = None if spec.path else (getattr(spec, "households_per_point", None)
                                  or HOUSEHOLDS_PER_COLLECTION_POINT)
    return _cached(spec.builtin, spec.households, spec.seed,
                   str(spec.path) if spec.path else None, hpp)
