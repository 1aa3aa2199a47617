"""Results on disk: one Zarr store per run (or per sweep), readable lazily."""

from __future__ import annotations

import shutil
from pathlib import Path

import xarray as xr

from twin.core.errors import TwinError


def write_results(ds: xr.Dataset, path: str | Path, *, overwrite: bool = True) -> Path:
    """Write a results Dataset to a Zarr store; a temporary name first, so a failed write
    never leaves a half store under the final name."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise TwinError(f"{path} exists; choose another --out or remove it")
    if path.exists() and not is_twin_store(path):
        raise TwinError(f"{path} exists and is not a twin results store; refusing to replace it")
    tmp = path.with_name(path.name + ".partial")
    if tmp.exists():
        shutil.rmtree(tmp)
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.to_zarr(tmp, mode="w", consolidated=True)
    if path.exists():
        shutil.rmtree(path)
    tmp.rename(path)
    return path


def is_twin_store(path: Path) -> bool:
    """True for a Zarr store written by twin (so it may be replaced)."""
    meta = path / "zarr.json"
    return path.is_dir() and meta.is_file() and "twin_version" in meta.read_text(errors="ignore")


def open_results(path: str | Path) -> xr.Dataset:
    """Open a results store lazily (nothing is read until used)."""
    path = Path(path)
    if not path.exists():
        raise TwinError(f"{path}: no such results store")
    try:
        return xr.open_zarr(path, consolidated=None)
    except Exception as e:  # a folder that is not a Zarr store, or a damaged one
        raise TwinError(f"{path}: not a readable results store ({e})") from None
