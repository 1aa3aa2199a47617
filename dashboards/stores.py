"""Finding and opening results stores for the dashboards, lazily and with clear refusals
(missing, empty, still being written, from an incompatible twin)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import xarray as xr

from twin.core.errors import TwinError
from twin.core.run import RESULTS_FORMAT


@dataclass(frozen=True)
class StoreInfo:
    """A results store the dashboards can show."""

    path: Path
    kind: str  # "run" or "sweep"
    name: str
    models: tuple[str, ...]

    def open(self) -> xr.Dataset:
        """The store's Dataset, lazily (dask-backed; nothing read until used)."""
        return xr.open_zarr(self.path, consolidated=None, chunks={})


def inspect_store(path: str | Path) -> StoreInfo:
    """Check that `path` is a complete, compatible twin store; say clearly why not."""
    path = Path(path)
    if path.name.endswith(".partial"):
        raise TwinError(f"{path}: still being written (a run is storing its results)")
    if not path.exists():
        raise TwinError(f"{path}: no such results store")
    meta = path / "zarr.json"
    if not meta.is_file():
        raise TwinError(f"{path}: not a Zarr results store (no zarr.json)")
    try:
        attrs = json.loads(meta.read_text(encoding="utf-8")).get("attributes", {})
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise TwinError(f"{path}: damaged store metadata ({e})") from None
    if "twin_version" not in attrs:
        raise TwinError(f"{path}: not written by twin (no twin_version attribute)")
    fmt = attrs.get("results_format")
    if fmt != RESULTS_FORMAT:
        raise TwinError(f"{path}: written by twin {attrs['twin_version']} in results format "
                        f"{fmt}; this twin reads format {RESULTS_FORMAT}; rerun it")
    kind = "sweep" if attrs.get("kind") == "sweep" else "run"
    if kind == "sweep" and not attrs.get("complete", True):
        raise TwinError(f"{path}: sweep still being written (or interrupted: "
                        "`twin sweep ... --resume` finishes it)")
    try:
        ds = xr.open_zarr(path, consolidated=None)
    except Exception as e:  # a damaged store
        raise TwinError(f"{path}: unreadable results store ({e})") from None
    if not ds.data_vars:
        raise TwinError(f"{path}: empty results store (no variables)")
    models = tuple(m for m in str(attrs.get("models", "")).split(",") if m)
    name = str(attrs.get("scenario") or attrs.get("sweep") or path.stem)
    return StoreInfo(path, kind, name, models)


def discover(paths: list[str | Path], results_dir: str | Path = "results"
             ) -> tuple[list[StoreInfo], list[str]]:
    """Stores named on the command line, else those in the results folder; with the
    reasons the others were left out."""
    candidates = [Path(p) for p in paths] or sorted(Path(results_dir).glob("**/*.zarr"))
    stores, problems = [], []
    for p in candidates:
        try:
            stores.append(inspect_store(p))
        except TwinError as e:
            problems.append(str(e))
    return stores, problems


def missing_chunks(path: str | Path, names) -> list[str]:
    """Of the variables `names`, those whose store holds fewer chunks than its grid needs.
    zarr reads a missing chunk as the fill value, so a lost chunk file would show as dry
    streets or zeros. Only arrays filled with NaN can be checked: zarr does not write a chunk
    that is all fill value, so a missing chunk of a 0-filled integer array may be all zeros
    (and one of a NaN-filled array all NaN: only name variables that are never NaN)."""
    import math

    import zarr

    try:
        group = zarr.open_group(str(path), mode="r")
    except Exception:  # noqa: BLE001 - not checkable: xarray's own errors follow
        return []
    out = []
    for name in names:
        try:
            arr = group[name]
            fill = arr.fill_value
            if not (isinstance(fill, float) or hasattr(fill, "dtype")) or not math.isnan(fill):
                continue
            if arr.nchunks_initialized < arr.nchunks:
                out.append(f"{name} ({arr.nchunks - arr.nchunks_initialized} of {arr.nchunks})")
        except (TypeError, ValueError):
            continue  # a fill value that is not a number: not checkable
        except Exception:  # noqa: BLE001 - a damaged array is named, never a traceback
            out.append(f"{name} (unreadable)")
    return out
