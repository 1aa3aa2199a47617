"""Runs for a calibration: parameter sets in, predicted observations out (numpy).

A worker gets a batch of parameter sets for one place (one base scenario), runs each with
the same seed (common random numbers: every particle sees the same households and the same
daily noise, so distances differ by the parameters, not by luck) and returns one row of
predictions per set. Batches go to this process or to a Dask cluster made by the sweep
runner's `local_cluster` (one thread per worker process, loopback), or to `--scheduler`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from twin.core import registry
from twin.core.scenario import Scenario

TASK_RUNS_MIN = 1


@dataclass(frozen=True)
class RowCalc:
    """How to compute one observation from a run (from the spec's quantity and row)."""

    var: str
    select: tuple[tuple[str, Any], ...]
    sum: tuple[str, ...]
    mean: tuple[str, ...]
    window: str
    start: np.datetime64
    end: np.datetime64
    population: float | None  # scale to this population (None: `factor` only)
    factor: float = 1.0


@dataclass(frozen=True)
class SimBatch:
    base: Scenario
    seed: int
    models: tuple[type, ...]
    rows: tuple[RowCalc, ...]
    changes: tuple[tuple[tuple[str, Any], ...], ...]


def predict(ds, rows: tuple[RowCalc, ...], city_population: float) -> np.ndarray:
    """Each row's figure from one run's Dataset."""
    out = np.empty(len(rows))
    for i, r in enumerate(rows):
        da = ds[r.var]
        if r.select:
            da = da.sel(dict(r.select))
        if r.sum:
            da = da.sum(list(r.sum))
        if r.mean:
            da = da.mean(list(r.mean))
        if da.ndim:
            tdim = da.dims[0]  # "time" or "day": read, never assumed
            if da.ndim != 1:
                raise ValueError(f"{r.var}: dims {da.dims} left after select and sum; sum "
                                 "or average every dim but time")
            da = da.sel({tdim: slice(r.start, r.end)})
            if da.size == 0:
                raise ValueError(f"{r.var}: no time in {r.start}..{r.end}")
            da = da.isel({tdim: -1}) if r.window == "last" else getattr(da, r.window)()
        k = r.factor * (r.population / city_population if r.population else 1.0)
        out[i] = float(da) * k
    return out


def simulate_batch(b: SimBatch) -> np.ndarray:
    """Predictions (sets, rows) for a batch; a run that raises gives a row of NaN."""
    from twin.city.io import open_city
    from twin.core.run import run

    for cls in b.models:
        registry.register(cls)
    city = open_city(b.base.city)
    pop = float(city.population)
    out = np.full((len(b.changes), len(b.rows)), np.nan)
    for j, changes in enumerate(b.changes):
        sc = b.base
        by_model: dict[str, dict] = {}
        for key, value in changes:
            model, _, name = key.partition(".")
            by_model.setdefault(model, {})[name] = value
        try:
            for model, ch in by_model.items():
                sc = sc.with_params(model, **ch)
            out[j] = predict(run(sc, root_seed=b.seed, city=city), b.rows, pop)
        except Exception:  # noqa: BLE001 - an impossible parameter set is a rejected particle
            pass
    return out


class Simulator:
    """Maps parameter sets to predictions, in this process (`workers=0`) or on Dask."""

    def __init__(self, *, workers: int | None = None, scheduler: str | None = None,
                 client=None):
        self.client = None
        self._cluster = None
        self._own = False
        if client is not None:
            self.client = client
        elif scheduler:
            from twin.sweep.runner import DaskExecutor

            self.client = DaskExecutor(scheduler=scheduler).client
            self._own = True
        elif workers != 0:
            from twin.sweep.runner import local_client, local_cluster

            self._cluster = local_cluster(workers or 2)
            self.client = local_client(self._cluster)
            self._own = True
        self.runs = 0
        self.run_s = 0.0  # measured seconds per run (for batch sizes)

    @property
    def n_workers(self) -> int:
        if self.client is None:
            return 1
        info = self.client.scheduler_info(n_workers=-1)["workers"]
        return max(1, sum(w.get("nthreads", 1) for w in info.values()))

    def map(self, base: Scenario, seed: int, rows: tuple[RowCalc, ...],
            changes: list[tuple[tuple[str, Any], ...]]) -> np.ndarray:
        """Predictions for every parameter set, in the order given (whatever the workers)."""
        import time

        models = tuple(registry.get(m) for m in base.models)
        if not changes:
            return np.zeros((0, len(rows)))
        t0 = time.perf_counter()
        if self.client is None:
            out = simulate_batch(SimBatch(base, seed, models, rows, tuple(changes)))
        else:
            # tasks of about a second (each costs the driver a few ms), at least 4 per worker
            per = max(1, min(math.ceil(1.0 / max(self.run_s, 1e-3)),
                             math.ceil(len(changes) / (4 * self.n_workers))))
            batches = [SimBatch(base, seed, models, rows, tuple(changes[i:i + per]))
                       for i in range(0, len(changes), per)]
            futs = self.client.map(simulate_batch, batches, pure=False)
            out = np.concatenate(self.client.gather(futs))
        dt_s = time.perf_counter() - t0
        self.runs += len(changes)
        self.run_s = dt_s * self.n_workers / len(changes)
        return out

    def close(self) -> None:
        if self._own and self.client is not None:
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()
