"""The sweep store: one Zarr group per sweep with a flat `run` dimension.

Layout: one variable per kept output, shaped (run, *output dims), plus `status` (0 pending,
1 ok, 2 failed) and `error` (the failure's message) per run; coordinates `run`, `scenario`,
`policy`, `replicate` and one per varied parameter (named `model.param`); `design_unit`
(design_point, uncertainty) holds the unit-space design matrix the analysis needs.
Provenance is in the attributes: twin version, sweep hash, root seed and how seeds derive.

The driver is the only writer. Results are gathered by run index into in-memory buffers of
whole chunks (`chunk_runs` runs along `run`, fixed by the sweep file, never by timing), and a
chunk is written whole: every write costs about the same whatever its size, and a chunk's
bytes depend only on its runs, never on the order in which they finished. Within a flush the
outputs are written first and `status` last, so `status` is the done mask: a run marked done
has its outputs on disk (each chunk file is replaced atomically by Zarr). `--resume` reruns
exactly the runs whose status is 0.
"""

from __future__ import annotations

import json
import re
import shutil
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

import twin
from twin.core import params as P
from twin.core.errors import TwinError
from twin.core.paths import temp_beside
from twin.core.run import RESULTS_FORMAT

PENDING, OK, FAILED = 0, 1, 2
_ZARR_PARTIAL = re.compile(r".*\.[0-9a-f]{32}\.partial")  # zarr LocalStore's atomic writes
SEEDS = ("numpy SeedSequence(root_seed, spawn_key=(scenario, replicate, crc32(stream name))); "
         "the policy is not part of the seed (common random numbers)")


@dataclass(frozen=True)
class OutputTemplate:
    """Dims (after `run`), coordinates and attrs of one kept output, from the pilot run."""

    name: str
    dims: tuple[str, ...]
    shape: tuple[int, ...]
    coords: dict[str, tuple[tuple[str, ...], np.ndarray, dict]]
    attrs: dict


def coord_array(values: list) -> np.ndarray:
    """A coordinate from parameter values: numbers stay numbers, the rest become strings."""
    if values and all(isinstance(v, bool) for v in values):
        return np.asarray(values, dtype=bool)
    if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return np.asarray(values, dtype=np.int64)
    if values and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return np.asarray(values, dtype=np.float64)
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        out[i] = v if isinstance(v, str) else json.dumps(v, default=str)
    return out


def strings(values) -> np.ndarray:
    """Text values (Zarr gives numpy StringDType) as an object array of str."""
    return np.asarray(values).astype(object)


class SweepStore:
    """An open sweep store (read and write)."""

    def __init__(self, path: Path):
        import zarr

        self.path = path
        # not the consolidated metadata: it would go stale when the store grows
        self.group = zarr.open_group(str(path), mode="r+", use_consolidated=False)
        self.attrs = dict(self.group.attrs)
        self.outputs = tuple(json.loads(self.attrs["outputs_kept"]))
        self.chunk = int(self.attrs["chunk_runs"])
        self._arrays = {n: self.group[n] for n in (*self.outputs, "error", "status")}

    # -- creation and opening -------------------------------------------------------------
    @classmethod
    def create(cls, path: Path, attrs: dict, templates: list[OutputTemplate],
               coords: dict[str, np.ndarray], design_unit: np.ndarray,
               uncertainty_names: list[str], chunk: int) -> SweepStore:
        """Write the metadata and coordinates; outputs stay unwritten (read as NaN) until
        their chunk is flushed."""
        import dask.array as da

        n = len(coords["run"])
        data, enc = {}, {}
        for t in templates:
            chunks = (chunk, *t.shape)
            data[t.name] = xr.Variable(("run", *t.dims), da.full((n, *t.shape), np.nan,
                                                                 chunks=chunks), t.attrs)
            enc[t.name] = {"chunks": chunks}
        data["status"] = xr.Variable(("run",), da.zeros(n, dtype=np.int8, chunks=chunk),
                                     {"long_name": "run status", "flag_values": [0, 1, 2],
                                      "flag_meanings": "pending ok failed", "units": "1"})
        data["error"] = xr.Variable(("run",), np.full(n, "", dtype=object),
                                    {"long_name": "error of a failed run", "units": "1"})
        enc["status"] = {"chunks": (chunk,), "_FillValue": None}
        enc["error"] = {"chunks": (chunk,), "_FillValue": None}
        data["design_unit"] = xr.Variable(("design_point", "uncertainty"), design_unit,
                                          {"long_name": "design matrix in unit space",
                                           "units": "1"})
        cvars = {k: xr.Variable(("run",), v) for k, v in coords.items()}
        cvars["uncertainty"] = xr.Variable(("uncertainty",),
                                           coord_array(list(uncertainty_names)))
        for t in templates:
            for name, (dims, values, cattrs) in t.coords.items():
                cvars.setdefault(name, xr.Variable(dims, values, cattrs))
        ds = xr.Dataset(data, coords=cvars, attrs={**attrs, "complete": False,
                                                   "outputs_kept": json.dumps(
                                                       [t.name for t in templates])})
        path.parent.mkdir(parents=True, exist_ok=True)
        # laid out under a temporary name and renamed: a driver killed meanwhile leaves no
        # half store (only a hidden temporary folder) under the name --resume looks at
        tmp = temp_beside(path, "layout")
        try:
            with _quiet():
                ds.to_zarr(str(tmp), mode="w-", compute=False, consolidated=True,
                           encoding=enc)
            tmp.rename(path)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        return cls(path)

    @classmethod
    def open(cls, path: Path) -> SweepStore:
        if not (path / "zarr.json").is_file():
            raise TwinError(f"{path}: no sweep store to resume (run without --resume first)")
        try:
            attrs = json.loads((path / "zarr.json").read_text(encoding="utf-8"))["attributes"]
        except (OSError, ValueError, KeyError) as e:
            raise TwinError(f"{path}: unreadable store metadata ({e})") from None
        if attrs.get("kind") != "sweep":
            raise TwinError(f"{path}: not a sweep store")
        for tmp in path.rglob("*.partial"):  # Zarr's own, left by a driver killed in mid-write
            if _ZARR_PARTIAL.fullmatch(tmp.name) and tmp.is_file():
                tmp.unlink()
        return cls(path)

    # -- reading ----------------------------------------------------------------------------
    @property
    def n_runs(self) -> int:
        return int(self._arrays["status"].shape[0])

    def status(self) -> np.ndarray:
        return np.asarray(self._arrays["status"][:], dtype=np.int8)

    def read_region(self, start: int, stop: int) -> dict[str, np.ndarray]:
        return {n: np.asarray(a[start:stop]) for n, a in self._arrays.items()}

    # -- writing ----------------------------------------------------------------------------
    def write_region(self, start: int, values: dict[str, np.ndarray],
                     errors: bool = True) -> None:
        """Write one whole chunk: outputs and errors (unless none changed: they are written
        as "" when the store is made or grown) first, the status (done mask) last."""
        stop = start + len(values["status"])
        for name, arr in self._arrays.items():
            if name != "status" and (errors or name != "error"):
                arr[start:stop] = values[name]
        self._arrays["status"][start:stop] = values["status"]

    def set_attrs(self, **attrs: Any) -> None:
        import zarr

        self.group.attrs.update(attrs)
        self.attrs.update(attrs)
        with _quiet():
            zarr.consolidate_metadata(str(self.path))

    def grow(self, coords: dict[str, np.ndarray]) -> None:
        """Append runs (more replicates): resize every run array and write their coords."""
        import zarr

        start = self.n_runs
        n = start + len(coords["run"])
        for name in self.group.array_keys():
            arr = self.group[name]
            dims = arr.metadata.dimension_names or ()
            if dims and dims[0] == "run":
                arr.resize((n, *arr.shape[1:]))
                if name in coords:
                    arr[start:n] = coords[name]
                elif name == "error":
                    arr[start:n] = np.full(n - start, "", dtype=object)
        with _quiet():
            zarr.consolidate_metadata(str(self.path))
        self.group = zarr.open_group(str(self.path), mode="r+", use_consolidated=False)
        self._arrays = {k: self.group[k] for k in self._arrays}

    def finish(self, **attrs: Any) -> None:
        self.set_attrs(complete=True, **attrs)


class ChunkWriter:
    """Gathers finished runs by index into whole-chunk buffers and writes them.

    A chunk is written as soon as all its runs are in, and every chunk holding new results
    is written at least every `flush_s` seconds (so a killed driver loses at most that much
    finished work, and nothing that `status` marks done).
    """

    def __init__(self, store: SweepStore, flush_s: float = 1.0, clock=None):
        import time

        self.store = store
        self.flush_s = flush_s
        self._clock = clock or time.monotonic
        self._buffers: dict[int, dict[str, np.ndarray]] = {}
        self._dirty: set[int] = set()
        self._failed: set[int] = set()  # chunks whose errors must be written
        self._last = self._clock()
        self.writes = 0

    def _buffer(self, k: int) -> dict[str, np.ndarray]:
        buf = self._buffers.get(k)
        if buf is None:
            c = self.store.chunk
            buf = self.store.read_region(k * c, min((k + 1) * c, self.store.n_runs))
            buf = {n: np.array(v, copy=True) for n, v in buf.items()}
            self._buffers[k] = buf
        return buf

    def add(self, indices: np.ndarray, values: dict[str, np.ndarray], status: np.ndarray,
            errors: list[str]) -> None:
        c = self.store.chunk
        for j, r in enumerate(indices):
            k, i = divmod(int(r), c)
            buf = self._buffer(k)
            for name in self.store.outputs:
                buf[name][i] = values[name][j]
            buf["error"][i] = errors[j]
            buf["status"][i] = status[j]
            self._dirty.add(k)
            if errors[j]:
                self._failed.add(k)
        for k in sorted(self._dirty):
            if (self._buffers[k]["status"] != PENDING).all():
                self._write(k)
        if self._dirty and self._clock() - self._last >= self.flush_s:
            self.flush()

    def _write(self, k: int) -> None:
        buf = self._buffers[k]
        self.store.write_region(k * self.store.chunk, buf, errors=k in self._failed)
        self._failed.discard(k)
        self.writes += 1
        self._dirty.discard(k)
        if (buf["status"] != PENDING).all():
            del self._buffers[k]

    def flush(self) -> None:
        for k in sorted(self._dirty):
            self._write(k)
        self._last = self._clock()

    def reset(self) -> None:
        """Drop buffers (after the store grew: edge chunks are read again)."""
        self.flush()
        self._buffers.clear()


def sweep_attrs(spec, n_scen: int) -> dict:
    """Provenance and everything the analysis needs, as store attributes."""
    d = spec.design
    return {
        "twin_version": twin.__version__,
        "results_format": RESULTS_FORMAT,
        "kind": "sweep",
        "sweep": spec.name,
        "description": spec.description,
        "sweep_file": str(spec.path.name) if spec.path else "",
        "sweep_hash": spec.digest,
        "base_scenario": spec.base.name,
        "base_scenario_hash": spec.base.digest(),
        "city_spec": json.dumps(P.as_dict(spec.base.city), sort_keys=True),
        "models": ",".join(spec.base.models),
        "root_seed": spec.root_seed,
        "seeds": SEEDS,
        "design": json.dumps({"kind": d.kind, "samples": d.samples, "levels": d.levels,
                              "second_order": d.second_order, "seed": d.seed}),
        "uncertainties": json.dumps([u.key for u in spec.uncertainties]),
        "levers": json.dumps(list(spec.levers)),
        "policies": json.dumps([p.name for p in spec.policies]),
        "n_scenarios": n_scen,
        "n_policies": len(spec.policies),
        "replicates": spec.replicates,
        "chunk_runs": spec.chunk_runs,
        "run_order": "run = (replicate * n_scenarios + scenario) * n_policies + policy",
    }


def open_sweep(path: str | Path) -> xr.Dataset:
    """A sweep store as a Dataset (lazy), for analysis and dashboards."""
    path = Path(path)
    if not (path / "zarr.json").is_file():
        raise TwinError(f"{path}: no such sweep store")
    ds = xr.open_zarr(str(path), consolidated=None)
    if ds.attrs.get("kind") != "sweep":
        raise TwinError(f"{path}: not a sweep store")
    return ds


@contextmanager
def _quiet():
    """Zarr warns that consolidated metadata is not in the v3 spec yet; we know."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*[Cc]onsolidated metadata.*")
        yield
