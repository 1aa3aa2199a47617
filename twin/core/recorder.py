"""Turns what models observe into one `xarray.Dataset`: every variable declared once with its
dims, units and long name; time series appended as the clock runs, static values set once.

Each model records on the time base it lives on, so one Dataset holds a daily households
model, a minute-stepped drainage model and event-driven trucks side by side:

- `day`: shared, one row per day since the start, appended at t = 0, 1 d, 2 d, ...;
- `hour`: shared, one row per hour, appended at t = 0, 1 h, 2 h, ...;
- a model's own base (`time_base("drainage_time", ...)`): any increasing times, owned by the
  model that declares it; every variable on it is appended at the same times.

A variable may be appended late (waste books a day at the next midnight), but never out of
order: the row it appends must be at the base's next time for that variable.

A clash (another model's base, a time off the base's grid, a variable that skipped a tick)
raises `TwinError` at the declare or append that causes it, naming the model, the variable and
the fix, instead of failing when the Dataset is assembled after the run.

Memory is bounded by design: rows go into one growing numpy block per variable (no object
per row: a scalar row costs its 8 bytes, not ~100), and a block whose rows pass `SPILL_BYTES`
is moved to a Zarr spill store in a temporary folder (`TWIN_SPILL_DIR`, else the system's),
from which the Dataset reads it lazily (writing the results store then streams it chunk by
chunk). A drainage run at 60 s strides records about 14 MB per simulated day, so a ten-year
run would otherwise need about 50 GB; short runs never spill and stay plain numpy. Values are
the same bits either way. A base's times are held as runs of equal steps, so a base on a
fixed stride (every shared one, a drainage stride) costs the same for a day or ten years.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from twin.core.clock import DAY_S, HOUR_S, Calendar
from twin.core.errors import TwinError

SPILL_BYTES = 2**20  # per variable: rows held in memory before a block goes to disk
READ_CHUNKS = 1024  # at most this many chunks per series read back and stored: a decade of
# 1 MiB blocks would make a task graph larger than the data in flight; a year stays at 1 MiB
SHARED_BASES = {"day": (DAY_S, "day since the scenario's start (its first instant)"),
                "hour": (HOUR_S, "hour since the scenario's start (its first instant)")}


class _Times:
    """Increasing times held as runs `(first, step, count)`: a regular base is one run
    whatever its length; a time that does not extend the last run exactly (same float bits)
    starts a new one, so the times read back are the ones appended."""

    def __init__(self):
        self.runs: list[list[float]] = []  # [first, step, count]
        self.n = 0

    def __len__(self) -> int:
        return self.n

    def append(self, t: float) -> None:
        last = self.runs[-1] if self.runs else None
        if last is not None and last[2] == 1:
            last[1], last[2] = t - last[0], 2
            if last[0] + last[1] != t:  # the step does not give t back: a run of its own
                last[1], last[2] = 0.0, 1
                self.runs.append([t, 0.0, 1])
        elif last is not None and last[0] + last[1] * last[2] == t:
            last[2] += 1
        else:
            self.runs.append([t, 0.0, 1])
        self.n += 1

    def __getitem__(self, i: int) -> float:
        i = i + self.n if i < 0 else i
        if not 0 <= i < self.n:
            raise IndexError(i)
        end = self.n  # from the last run back: appends read the newest times
        for first, step, count in reversed(self.runs):
            end -= int(count)
            if i >= end:
                return first + step * (i - end)
        raise IndexError(i)

    def array(self) -> np.ndarray:
        if not self.runs:
            return np.zeros(0)
        return np.concatenate([first + step * np.arange(int(count), dtype=np.float64)
                               for first, step, count in self.runs])


@dataclass
class _Base:
    owner: str | None  # None: shared by all models
    period_s: float | None
    long_name: str
    times: _Times = field(default_factory=lambda: _Times())


@dataclass
class _Var:
    model: str
    dims: tuple[str, ...]
    units: str
    long_name: str
    time_dim: str | None
    dtype: np.dtype
    attrs: dict
    block: np.ndarray | None = None  # rows in memory: the first `held` of this block
    held: int = 0
    value: np.ndarray | None = None
    spilled: int = 0  # rows already moved to the spill store
    spill_rows: int = 0  # rows per spilled block (0: not yet known; -1: never spills)

    @property
    def n(self) -> int:
        return self.spilled + self.held

    def rows(self) -> np.ndarray:
        """The rows in memory (a view of the block)."""
        return self.block[:self.held]

    def add(self, row: np.ndarray) -> None:
        """Copy one row into the block, doubling it when full (up to one spill block)."""
        if self.block is None:
            cap = 16 if self.spill_rows < 0 else min(16, self.spill_rows)
            self.block = np.empty((cap, *row.shape), self.dtype)
        elif self.held == len(self.block):
            cap = 2 * len(self.block)
            if self.spill_rows > 0:
                cap = min(cap, self.spill_rows)
            grown = np.empty((cap, *row.shape), self.dtype)
            grown[:self.held] = self.block
            self.block = grown
        self.block[self.held] = row
        self.held += 1


class Recorder:
    """Collects a run's outputs; `to_dataset` assembles them with coordinates and units.

    The kernel sets `model` to the model being built or started, so every variable and time
    base knows its owner; appends need no owner (they name the variable)."""

    def __init__(self, calendar: Calendar):
        self.calendar = calendar
        self.model = "?"
        self._vars: dict[str, _Var] = {}
        self._coords: dict[str, tuple[tuple[str, ...], np.ndarray, dict]] = {}
        self._bases: dict[str, _Base] = {n: _Base(None, p, ln) for n, (p, ln)
                                         in SHARED_BASES.items()}
        self.spill_bytes = SPILL_BYTES
        spill_folder()  # a bad TWIN_SPILL_DIR stops the run now, not when it first spills
        self._spill = None  # zarr group, made at the first spill
        self._spill_dir: _SpillDir | None = None

    def coord(self, name: str, values: Sequence, *, dim: str | None = None,
              units: str | None = None, long_name: str | None = None) -> None:
        """Declare a coordinate (an entity dim's labels, or an extra label along a dim)."""
        arr = np.asarray(values)
        attrs = {k: v for k, v in (("units", units), ("long_name", long_name)) if v}
        if name in self._bases:
            raise TwinError(f"model {self.model!r}: {name!r} is a time base; choose another "
                            "coordinate name")
        prev = self._coords.get(name)
        if prev is not None and not np.array_equal(prev[1], arr):
            raise TwinError(f"model {self.model!r}: coordinate {name!r} was declared with "
                            "other values before (by another model?); give yours its own name")
        self._coords[name] = ((dim or name,), arr, attrs)

    def time_base(self, name: str, *, long_name: str) -> None:
        """Declare a time base of this model's own (any increasing times)."""
        prev = self._bases.get(name)
        if prev is not None:
            who = "shared by all models" if prev.owner is None else f"owned by {prev.owner!r}"
            raise TwinError(f"model {self.model!r}: time base {name!r} exists ({who}); record "
                            f"on it, or name yours e.g. {self.model + '_time'!r}")
        if name in self._coords:
            raise TwinError(f"model {self.model!r}: {name!r} is a coordinate; choose another "
                            "time base name")
        self._bases[name] = _Base(self.model, None, long_name)

    def declare(self, name: str, *, dims: Sequence[str] = (), units: str, long_name: str,
                coords: Mapping[str, Sequence] | None = None, time_dim: str | None = "day",
                dtype=np.float64, **attrs) -> None:
        """Declare a variable on a time base (`day`, `hour` or the model's own), or
        `time_dim=None` for a static (end-of-run) value."""
        if name in self._vars:
            raise TwinError(f"model {self.model!r}: results variable {name!r} was already "
                            f"declared by model {self._vars[name].model!r}; names are shared "
                            f"by all models of a run, so prefix yours (e.g. "
                            f"{self.model + '_' + name!r})")
        if time_dim is not None:
            base = self._bases.get(time_dim)
            if base is None:
                raise TwinError(f"model {self.model!r}: variable {name!r} is on time base "
                                f"{time_dim!r}, which is not declared; use 'day' or 'hour', or "
                                f"declare it first with recorder.time_base({time_dim!r}, ...)")
            if base.owner is not None and base.owner != self.model:
                raise TwinError(f"model {self.model!r}: variable {name!r} is on time base "
                                f"{time_dim!r}, owned by model {base.owner!r}; declare a base "
                                "of your own with recorder.time_base(...) or use 'day'/'hour'")
        for c, vals in (coords or {}).items():
            self.coord(c, vals)
        self._vars[name] = _Var(self.model, tuple(dims), units, long_name, time_dim,
                                np.dtype(dtype), attrs)

    def append(self, name: str, t_s: float, values) -> None:
        """Add the value of a time-series variable at time `t_s` (seconds since start)."""
        v = self._vars[name]
        if v.time_dim is None:
            raise TwinError(f"model {v.model!r}: {name!r} is static; use set()")
        t_s = float(t_s)
        base, n = self._bases[v.time_dim], v.n
        if n < len(base.times):
            if base.times[n] != t_s:
                self._clash(v, name, t_s, f"the other variables on it have row {n} at "
                            f"{self._when(base.times[n])}")
        else:
            if base.period_s is not None and t_s != n * base.period_s:
                self._clash(v, name, t_s, f"row {n} of this shared base is at "
                            f"{self._when(n * base.period_s)}")
            if base.times and t_s <= base.times[-1]:
                self._clash(v, name, t_s, "times must increase")
        row = np.asarray(values, dtype=v.dtype)  # copied into the block: buffers may be reused
        if v.spill_rows == 0:
            v.spill_rows = -1 if row.nbytes == 0 or row.dtype.kind not in "biuf" else max(
                1, self.spill_bytes // row.nbytes)
        elif row.shape != v.block.shape[1:]:
            raise TwinError(f"model {v.model!r}: {name!r} appended with shape {row.shape} at "
                            f"{self._when(t_s)}, but its earlier rows have shape "
                            f"{v.block.shape[1:]}; every row of a variable has the shape of "
                            f"its dims {v.dims}")
        if n >= len(base.times):
            base.times.append(t_s)
        v.add(row)
        if v.spill_rows > 0 and v.held >= v.spill_rows:
            self._spill_rows(name, v)

    def _spill_rows(self, name: str, v: _Var) -> None:
        """Move a variable's rows in memory to the spill store (one block, one chunk)."""
        import zarr

        if self._spill is None:
            self._spill_dir = _SpillDir()
            self._spill = zarr.open_group(self._spill_dir.path, mode="w")
        block = v.rows()
        if name not in self._spill:
            self._spill.create_array(name, shape=(0, *block.shape[1:]), dtype=block.dtype,
                                     chunks=(v.spill_rows, *block.shape[1:]),
                                     fill_value=0, overwrite=True)
        self._spill[name].append(block, axis=0)
        v.spilled += v.held
        v.held = 0

    def _clash(self, v: _Var, name: str, t_s: float, why: str) -> None:
        raise TwinError(f"model {v.model!r}: {name!r} appended at {self._when(t_s)} on time "
                        f"base {v.time_dim!r}, but {why}; append every variable of a base at "
                        "each of its times, or give the variable a time base of its own "
                        "(recorder.time_base)")

    def _when(self, t_s: float) -> str:
        return f"t = {t_s:g} s ({self.calendar.datetime(t_s):%Y-%m-%d %H:%M:%S})"

    def set(self, name: str, values) -> None:
        """Set a static variable's value."""
        v = self._vars[name]
        if v.time_dim is not None:
            raise TwinError(f"model {v.model!r}: {name!r} is a time series; use append()")
        v.value = np.asarray(values, dtype=v.dtype)

    def owners(self) -> dict[str, str]:
        """Variable name -> the model that declared it."""
        return {n: v.model for n, v in self._vars.items()}

    def to_dataset(self, attrs: Mapping | None = None) -> xr.Dataset:
        """All declared variables with units, long names and datetime time coordinates."""
        data = {}
        for name, v in self._vars.items():
            if v.time_dim is None:
                if v.value is None:
                    continue
                arr, dims = v.value, v.dims
            else:
                times = self._bases[v.time_dim].times
                if v.n != len(times):
                    raise TwinError(f"model {v.model!r}: {name!r} has {v.n} values on "
                                    f"time base {v.time_dim!r}, which has {len(times)} times; "
                                    "append it at the last time too (e.g. in finish())")
                shape = tuple(len(self._coords[d][1]) for d in v.dims if d in self._coords)
                if v.spilled:
                    import dask.array as dsa

                    if v.held:
                        self._spill_rows(name, v)
                    blocks = -(-v.spilled // (v.spill_rows * READ_CHUNKS))  # per chunk, ceil
                    arr = dsa.from_array(_Spilled(self._spill[name], self._spill_dir),
                                         chunks=(v.spill_rows * max(1, blocks), *shape),
                                         asarray=True,
                                         lock=False, name=f"twin-spill-{name}-{id(self):x}")
                else:
                    arr = v.rows().copy() if v.held else np.zeros((0, *shape), v.dtype)
                dims = (v.time_dim, *v.dims)
            data[name] = xr.Variable(dims, arr, {"units": v.units, "long_name": v.long_name,
                                                 "model": v.model, **v.attrs})
        coords = {n: xr.Variable(d, a, at) for n, (d, a, at) in self._coords.items()}
        start = np.datetime64(self.calendar.start, "ns")
        for dim, base in self._bases.items():
            t = base.times.array()
            t *= 1e9  # in place: a decade of 60 s rows is 42 MB a copy
            ns = t.astype(np.int64)
            del t
            ns += start.astype(np.int64)
            coords[dim] = xr.Variable(dim, ns.view("datetime64[ns]"),
                                      {"long_name": base.long_name, "time_base": "1"})
        used = {d for var in data.values() for d in var.dims}
        coords = {n: c for n, c in coords.items() if set(c.dims) <= used}
        return xr.Dataset(data, coords=coords, attrs=dict(attrs or {}))


def spill_folder() -> str | None:
    """TWIN_SPILL_DIR when set (checked: an existing folder this process may write), else
    None (the system's temporary folder)."""
    folder = os.environ.get("TWIN_SPILL_DIR") or None
    if folder is None:
        return None
    try:  # a real probe: permission bits do not tell (root, /proc, read-only mounts)
        os.rmdir(tempfile.mkdtemp(prefix="twin-spill-probe-", dir=folder))
    except OSError as e:
        raise TwinError(f"TWIN_SPILL_DIR={folder}: not a folder this process can write "
                        f"({e.strerror}); allowed: an existing, writable folder for long "
                        "series spilled during a run, or unset for the system's temporary "
                        "folder") from None
    return folder


class _SpillDir:
    """A temporary folder deleted when the last array reading it is gone (or at exit)."""

    def __init__(self):
        self.path = tempfile.mkdtemp(prefix="twin-spill-", dir=spill_folder())
        weakref.finalize(self, shutil.rmtree, self.path, True)  # also runs at exit


class _Spilled:
    """A spilled Zarr array that keeps its folder alive (dask reads it through this)."""

    def __init__(self, arr, owner: _SpillDir):
        self.arr, self.owner = arr, owner
        self.shape, self.dtype, self.ndim = arr.shape, arr.dtype, len(arr.shape)

    def __getitem__(self, key):
        return self.arr[key]


def time_dims(ds: xr.Dataset | xr.DataArray) -> list[str]:
    """The time bases present in a results Dataset or on a variable (datetime dims)."""
    return [d for d in ds.dims if d in ds.coords and np.issubdtype(ds[d].dtype, np.datetime64)]
