"""What the apps read from stores: the city a run was made on, units and labels of
variables, and small selections (never a whole sweep)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import xarray as xr

from dashboards.stores import StoreInfo
from twin.city import City
from twin.core.recorder import time_dims


def city_of(ds: xr.Dataset) -> City | None:
    """The run's city from its `city_spec` attribute (generated or loaded once per
    process), or None if it cannot be rebuilt here."""
    from twin.city.io import open_city

    try:
        spec = json.loads(ds.attrs.get("city_spec", "{}"))
        return open_city(SimpleNamespace(builtin=spec.get("builtin"),
                                         households=spec.get("households"),
                                         seed=int(spec.get("seed", 0)), path=spec.get("path")))
    except Exception:  # noqa: BLE001 - a city saved elsewhere: the apps draw without it
        return None


def params_of(ds: xr.Dataset, model: str) -> dict:
    """A model's parameters as recorded in a run store's attributes."""
    return json.loads(ds.attrs.get("parameters", "{}")).get(model, {})


def label(da: xr.DataArray, name: str | None = None) -> str:
    """'long name (units)' for an axis; units '1' read as a share."""
    units = str(da.attrs.get("units", ""))
    text = name or str(da.name)
    return f"{text} ({units})" if units and units != "1" else text


def unit(da: xr.DataArray) -> str:
    u = str(da.attrs.get("units", ""))
    return "" if u == "1" else u


def times(ds: xr.Dataset | xr.DataArray, dim: str | None = None) -> pd.DatetimeIndex:
    """The datetimes of time base `dim` (default: the only time base of `ds`)."""
    if dim is None:
        dims = time_dims(ds)
        if len(dims) != 1:
            raise ValueError(f"{getattr(ds, 'name', '')}: name a time base of {dims}")
        dim = dims[0]
    return pd.DatetimeIndex(np.asarray(ds[dim].values))


def time_dim(da: xr.DataArray) -> str | None:
    """The variable's time base (None for a static value)."""
    dims = time_dims(da)
    return dims[0] if dims else None


def with_models(stores: list[StoreInfo], *models: str, kind: str = "run") -> list[StoreInfo]:
    """Stores of one kind holding results of any of `models`."""
    return [s for s in stores if s.kind == kind and (not models or set(models) & set(s.models))]


def options(stores: list[StoreInfo]) -> dict[str, str]:
    """Select options: 'name (folder/file)' -> path."""
    return {f"{s.name} ({s.path.parent.name}/{s.path.name})": str(s.path) for s in stores}


def frame_csv(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False).encode("utf-8")
