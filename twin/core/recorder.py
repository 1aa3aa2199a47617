"""Turns what models observe into one `xarray.Dataset`: every variable declared once with its
dims, units and long name; time series appended as the clock runs, static values set once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from twin.core.clock import Calendar


@dataclass
class _Var:
    dims: tuple[str, ...]
    units: str
    long_name: str
    time_dim: str | None
    dtype: np.dtype
    attrs: dict
    rows: list = field(default_factory=list)
    times: list = field(default_factory=list)
    value: np.ndarray | None = None


class Recorder:
    """Collects a run's outputs; `to_dataset` assembles them with coordinates and units."""

    def __init__(self, calendar: Calendar):
        self.calendar = calendar
        self._vars: dict[str, _Var] = {}
        self._coords: dict[str, tuple[tuple[str, ...], np.ndarray, dict]] = {}

    def coord(self, name: str, values: Sequence, *, dim: str | None = None,
              units: str | None = None, long_name: str | None = None) -> None:
        """Declare a coordinate (an entity dim's labels, or an extra label along a dim)."""
        arr = np.asarray(values)
        attrs = {k: v for k, v in (("units", units), ("long_name", long_name)) if v}
        prev = self._coords.get(name)
        if prev is not None and not np.array_equal(prev[1], arr):
            raise ValueError(f"coordinate {name!r} declared twice with different values")
        self._coords[name] = ((dim or name,), arr, attrs)

    def declare(self, name: str, *, dims: Sequence[str] = (), units: str, long_name: str,
                coords: Mapping[str, Sequence] | None = None, time_dim: str | None = "time",
                dtype=np.float64, **attrs) -> None:
        """Declare a variable; `time_dim=None` for a static (end-of-run) value."""
        if name in self._vars:
            raise ValueError(f"results variable {name!r} declared twice")
        for c, vals in (coords or {}).items():
            self.coord(c, vals)
        self._vars[name] = _Var(tuple(dims), units, long_name, time_dim, np.dtype(dtype), attrs)

    def append(self, name: str, t_s: float, values) -> None:
        """Add the value of a time-series variable at time `t_s` (seconds since start)."""
        v = self._vars[name]
        if v.time_dim is None:
            raise ValueError(f"{name!r} is static; use set()")
        v.rows.append(np.array(values, dtype=v.dtype))  # a copy: models reuse their buffers
        v.times.append(float(t_s))

    def set(self, name: str, values) -> None:
        """Set a static variable's value."""
        v = self._vars[name]
        if v.time_dim is not None:
            raise ValueError(f"{name!r} is a time series; use append()")
        v.value = np.asarray(values, dtype=v.dtype)

    def to_dataset(self, attrs: Mapping | None = None) -> xr.Dataset:
        """All declared variables with units, long names and datetime time coordinates."""
        data, times = {}, {}
        for name, v in self._vars.items():
            if v.time_dim is None:
                if v.value is None:
                    continue
                arr, dims = v.value, v.dims
            else:
                t = np.asarray(v.times)
                prev = times.setdefault(v.time_dim, t)
                if not np.array_equal(prev, t):
                    raise ValueError(f"{name!r} was recorded at other times than the other "
                                     f"variables on {v.time_dim!r}")
                shape = tuple(len(self._coords[d][1]) for d in v.dims if d in self._coords)
                arr = np.stack(v.rows) if v.rows else np.zeros((0, *shape), v.dtype)
                dims = (v.time_dim, *v.dims)
            data[name] = xr.Variable(dims, arr, {"units": v.units, "long_name": v.long_name,
                                                 **v.attrs})
        coords = {n: xr.Variable(d, a, at) for n, (d, a, at) in self._coords.items()}
        start = np.datetime64(self.calendar.start, "ns")
        for dim, t in times.items():
            coords[dim] = xr.Variable(dim, start + (t * 1e9).astype("timedelta64[ns]"),
                                      {"long_name": "simulated time"})
        used = {d for var in data.values() for d in var.dims}
        coords = {n: c for n, c in coords.items() if set(c.dims) <= used}
        return xr.Dataset(data, coords=coords, attrs=dict(attrs or {}))
