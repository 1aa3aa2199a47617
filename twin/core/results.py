"""Results on disk: one Zarr store per run (or per sweep), readable lazily."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import dask
import numpy as np
import xarray as xr

from twin.core.errors import TwinError
from twin.core.paths import store_kind, swap_in, temp_beside


def write_results(ds: xr.Dataset, path: str | Path, *, overwrite: bool = True) -> Path:
    """Write a results Dataset to a Zarr store, losing nothing by accident: the store is
    written whole under a project-owned temporary name beside `path` and swapped in only
    when complete (a failed write leaves the earlier store as it was); an existing run store
    is replaced only with `overwrite`; a sweep or calibration store, or anything that is not
    a twin store, is never replaced."""
    path = Path(path)
    check_replace(path, overwrite=overwrite)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_beside(path)
    try:
        with warnings.catch_warnings():  # consolidated metadata is not in the v3 spec yet
            warnings.filterwarnings("ignore", message=".*[Cc]onsolidated metadata.*")
            # one chunk in flight: a long run's spilled series stream through in constant memory
            with dask.config.set(scheduler="synchronous"):
                _times_as_written(ds).to_zarr(tmp, mode="w-", consolidated=True)
        check_replace(path, overwrite=overwrite)  # appeared while this one was written?
        swap_in(tmp, path)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return path


EPOCH_NS = "nanoseconds since 1970-01-01"


def _times_as_written(ds: xr.Dataset) -> xr.Dataset:
    """Datetime coordinates handed to the store as their int64 nanoseconds since the epoch:
    a view, no copy (xarray's own encoding makes three or four, 140 MB for a decade of 60 s
    rows); readers decode them back to the same datetimes."""
    times = {n: xr.Variable(c.dims, c.values.view(np.int64),
                            {**c.attrs, "units": EPOCH_NS, "calendar": "proleptic_gregorian"})
             for n, c in ds.coords.items() if c.dtype == np.dtype("datetime64[ns]")}
    return ds.assign_coords(times) if times else ds


def check_replace(path: Path, *, overwrite: bool, flag: str = "--out") -> None:
    """Refuse to put a run store where it would destroy something (see write_results)."""
    if not path.exists() and not path.is_symlink():
        return
    kind = store_kind(path)
    if kind is None:
        raise TwinError(f"{path} exists and is not a twin results store; refusing to replace "
                        f"it (choose another {flag})")
    if kind != "run":
        raise TwinError(f"{path} is a {kind} store; a single run never replaces it (choose "
                        f"another {flag})")
    if not overwrite:
        raise TwinError(f"{path} exists (a results store); pass --overwrite to replace it, or "
                        f"choose another {flag}")


def open_results(path: str | Path) -> xr.Dataset:
    """Open a results store lazily (nothing is read until used)."""
    path = Path(path)
    if not path.exists():
        raise TwinError(f"{path}: no such results store")
    try:
        return xr.open_zarr(path, consolidated=None)
    except Exception as e:  # a folder that is not a Zarr store, or a damaged one
        raise TwinError(f"{path}: not a readable results store ({e})") from None
