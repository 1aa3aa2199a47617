"""Run a sweep: in this process, on a local Dask cluster, or on an existing one.

Workers receive batches of runs and return numpy arrays (never Datasets: gathering is
2-3x cheaper); the driver is the single writer of the store. Runs are batched so each
Dask task lasts about `task_s` (1 s by default, >= 100 ms; sized from the first runs)
because every task costs the driver several ms of CPU (scheduling, gathering). A run that
raises is recorded with its error and does not sink its batch; a batch whose worker dies is
retried by Dask (allowed-failures), and if it keeps killing workers it is split so that
only the guilty run is recorded as failed.
Results are placed by run index, never by completion order, so the store is the same
whatever the number of workers or the order in which they finish.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import logging
import math
import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from twin.core import registry
from twin.core.errors import TwinError
from twin.core.recorder import time_dims
from twin.core.scenario import Scenario, ScheduledEvent
from twin.sweep import designs
from twin.sweep.spec import Output, SweepSpec
from twin.sweep.store import FAILED, OK, ChunkWriter, OutputTemplate, SweepStore, coord_array

log = logging.getLogger(__name__)
EventSets = dict[str, dict[Any, tuple[ScheduledEvent, ...]]]  # name -> label -> events
MAX_ERROR_CHARS = 500


# --------------------------------------------------------------------------------------
# What runs on workers
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RunTask:
    """One run: its index in the store, its seed coordinates and its parameter changes."""

    index: int
    scenario: int
    replicate: int
    changes: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Batch:
    """What a worker needs for a batch of runs (model classes travel by reference, so a
    model registered in the driver is registered on the worker too)."""

    base: Scenario
    root_seed: int
    outputs: tuple[Output, ...]
    shapes: dict[str, tuple[int, ...]]
    models: tuple[type, ...]
    runs: tuple[RunTask, ...]
    event_sets: EventSets = field(default_factory=dict)


@dataclass
class BatchResult:
    indices: np.ndarray
    values: dict[str, np.ndarray]
    status: np.ndarray
    errors: list[str]
    seconds: float = 0.0


def _register(models: tuple[type, ...]) -> None:
    for cls in models:
        registry.register(cls)


def scenario_of(base: Scenario, changes, event_sets: EventSets | None = None) -> Scenario:
    """The base scenario with a run's changes: model parameters (checked again by the
    model's params dataclass), event payload fields and added event sets."""
    by_model: dict[str, dict] = {}
    fields: dict[str, dict] = {}
    extra: list[ScheduledEvent] = []
    for key, value in changes:
        if event_sets and key in event_sets:
            extra.extend(event_sets[key][value])
        elif key.startswith("events."):
            _, kind, name = key.split(".")
            fields.setdefault(kind, {})[name] = value
        else:
            model, _, name = key.partition(".")
            by_model.setdefault(model, {})[name] = value
    sc = base
    for model, ch in by_model.items():
        sc = sc.with_params(model, **ch)
    if fields or extra:
        events = [dataclasses.replace(e, payload=dataclasses.replace(e.payload, **fields[e.kind]))
                  if e.kind in fields else e for e in sc.events]
        events = sorted(events + extra, key=lambda e: e.at_s)  # stable: base events first
        sc = dataclasses.replace(sc, events=tuple(events))
    return sc


def reduce_outputs(ds, outputs: tuple[Output, ...]) -> dict:
    """The kept outputs of one run's Dataset as small DataArrays."""
    out = {}
    for o in outputs:
        if o.var not in ds:
            raise KeyError(f"output {o.name!r}: variable {o.var!r} is not in the results; "
                           "available: " + ", ".join(map(str, ds.data_vars)))
        da = ds[o.var]
        for op, over in o.steps:
            dims = over if over is not None else da.dims
            dims = tuple(_time_alias(da, d) for d in dims)
            missing = [d for d in dims if d not in da.dims]
            if missing:
                raise KeyError(f"output {o.name!r}: {o.var!r} has no dim {missing[0]!r} left "
                               f"to reduce; its dims: {', '.join(da.dims) or 'none'}")
            if op in ("first", "last"):
                da = da.isel({d: 0 if op == "first" else -1 for d in dims})
            else:
                units = da.attrs.get("units", "")
                steps = [d for d in dims if d in time_dims(da)]
                da = getattr(da, op)(dim=list(dims), keep_attrs=True)
                if op == "sum" and steps:
                    da.attrs["units"] = _summed_units(units, steps)
        out[o.name] = da
    return out


# a rate per time step, summed over that time base, is an amount over the run
_PER_STEP = {"day": ("/day", "/d"), "hour": ("/h", "/hour")}


def _summed_units(units: str, bases: list[str]) -> str:
    """'1/day' summed over `day` is a count over the run ('1'), 'h/day' hours, 't/d' tonnes."""
    for base in bases:
        for suffix in _PER_STEP.get(base, ()):
            if units.endswith(suffix):
                return units[: -len(suffix)] or "1"
    return units


def _time_alias(da, dim: str) -> str:
    """`time` in an output's reduction names the variable's own time base (`day`,
    `drainage_time`, ...), so a sweep file reads the same whatever base a model records on."""
    if dim != "time" or "time" in da.dims:
        return dim
    bases = time_dims(da)
    return bases[0] if len(bases) == 1 else dim


def execute(base: Scenario, root_seed: int, outputs, task: RunTask,
            event_sets: EventSets | None = None) -> dict:
    from twin.core.run import run

    ds = run(scenario_of(base, task.changes, event_sets), scenario_index=task.scenario,
             replicate=task.replicate, root_seed=root_seed)
    # loaded here: a long series spilled to this worker's disk is gone with `ds`, and the
    # reduced outputs travel to the driver
    return {name: da.load() for name, da in reduce_outputs(ds, outputs).items()}


def _message(e: BaseException) -> str:
    msg = f"{type(e).__name__}: {e}"
    return msg if len(msg) <= MAX_ERROR_CHARS else msg[:MAX_ERROR_CHARS - 3] + "..."


def run_batch(batch: Batch) -> BatchResult:
    """Run every run of a batch; a run that raises is recorded, the others go on."""
    t0 = time.perf_counter()
    _register(batch.models)
    n = len(batch.runs)
    values = {o.name: np.full((n, *batch.shapes[o.name]), np.nan) for o in batch.outputs}
    status = np.full(n, OK, dtype=np.int8)
    errors = [""] * n
    for j, task in enumerate(batch.runs):
        try:
            got = execute(batch.base, batch.root_seed, batch.outputs, task, batch.event_sets)
            for name, da in got.items():
                arr = np.asarray(da.values, dtype=np.float64)
                if arr.shape != batch.shapes[name]:
                    raise ValueError(f"output {name!r} has shape {arr.shape}, but the pilot "
                                     f"run gave {batch.shapes[name]}")
                values[name][j] = arr
        except Exception as e:  # noqa: BLE001 - a failing run is a result, not a crash
            for v in values.values():
                v[j] = np.nan
            status[j] = FAILED
            errors[j] = _message(e)
    return BatchResult(np.array([t.index for t in batch.runs], dtype=np.int64), values,
                       status, errors, time.perf_counter() - t0)


def _first_runs(batch: Batch) -> list[tuple[dict, float] | str]:
    """Each run's reduced outputs (the first success lays out the store) and duration, or
    its error message."""
    _register(batch.models)
    out: list[tuple[dict, float] | str] = []
    for task in batch.runs:
        t0 = time.perf_counter()
        try:
            got = execute(batch.base, batch.root_seed, batch.outputs, task, batch.event_sets)
        except Exception as e:  # noqa: BLE001 - the caller tries the next runs
            out.append(_message(e))
            continue
        out.append((got, time.perf_counter() - t0))
    return out


def _prepare_worker(city_spec, models: tuple[type, ...]) -> dict:
    """Runs once on every worker: register models, build the city, report versions."""
    import twin
    from twin.city.io import open_city

    _register(models)
    open_city(city_spec)
    return {"twin": twin.__version__, "numpy": np.__version__}


# --------------------------------------------------------------------------------------
# The plan: every run of the sweep, by index
# --------------------------------------------------------------------------------------
class Plan:
    """Scenarios, policies and the run order of a sweep (deterministic from the spec)."""

    def __init__(self, spec: SweepSpec):
        self.spec = spec
        self.unit = designs.unit_design(spec.design, spec.uncertainties)
        self.values = designs.scenario_values(spec, self.unit)
        self.n_scen = len(self.values)
        self.n_pol = len(spec.policies)
        self.models = tuple(registry.get(name) for name in spec.base.models)
        self.event_sets = {u.key: dict(zip(u.values, u.event_sets, strict=True))
                           for u in spec.uncertainties if u.event_sets is not None}

    def n_runs(self, replicates: int) -> int:
        return replicates * self.n_scen * self.n_pol

    def task(self, r: int) -> RunTask:
        rep, s, p = designs.run_position(r, self.n_scen, self.n_pol)
        changes = tuple(self.values[s].items()) + self.spec.policies[p].settings
        return RunTask(r, s, rep, changes)

    def coords(self, start: int, stop: int) -> dict[str, np.ndarray]:
        """Run coordinates for runs start..stop."""
        pos = [designs.run_position(r, self.n_scen, self.n_pol) for r in range(start, stop)]
        out = {"run": np.arange(start, stop, dtype=np.int64),
               "scenario": np.array([s for _, s, _ in pos], dtype=np.int64),
               "policy": coord_array([self.spec.policies[p].name for _, _, p in pos]),
               "replicate": np.array([r for r, _, _ in pos], dtype=np.int64)}
        for u in self.spec.uncertainties:
            out[u.key] = coord_array([self.values[s][u.key] for _, s, _ in pos])
        for key in self.spec.levers:
            out[key] = coord_array([dict(self.spec.policies[p].settings)[key]
                                    for _, _, p in pos])
        return out

    def batch(self, indices, shapes) -> Batch:
        return Batch(self.spec.base, self.spec.root_seed, self.spec.outputs, shapes,
                     self.models, tuple(self.task(int(r)) for r in indices), self.event_sets)


def _templates(reduced: dict) -> list[OutputTemplate]:
    out = []
    for name, da in reduced.items():
        coords = {}
        for cname, c in da.coords.items():
            if c.dims and set(c.dims) <= set(da.dims):
                coords[str(cname)] = (tuple(c.dims), np.asarray(c.values), dict(c.attrs))
        attrs = {k: v for k, v in da.attrs.items() if k in ("units", "long_name", "model", "bad")}
        attrs.setdefault("units", "1")
        attrs.setdefault("long_name", name)
        out.append(OutputTemplate(name, tuple(map(str, da.dims)), tuple(da.shape), coords,
                                  attrs))
    return out


# --------------------------------------------------------------------------------------
# Executors: where batches run
# --------------------------------------------------------------------------------------
class InProcess:
    """Runs batches one after the other in this process (`--workers 0`)."""

    n_workers = 1

    def prepare(self, city_spec, models) -> None:
        from twin.city.io import open_city

        _register(models)
        open_city(city_spec)  # so that the pilot times runs, not the city's generation

    def first(self, plan: Plan, groups: list[list[int]]) -> dict[int, tuple[dict, float] | str]:
        return {r: got for g in groups
                for r, got in zip(g, _first_runs(plan.batch(g, {})), strict=True)}

    def map(self, batches: list[Batch]) -> Iterator[BatchResult]:
        for b in batches:
            yield run_batch(b)

    def close(self) -> None:
        pass


# Diagnostics a sweep never reads, made rarer or switched off: the worker's statistical
# profiler samples the running task's stack every 10 ms (the deep SimPy/Mesa stacks of a run
# pay for it); the system monitors (scheduler, nannies, workers) read /proc every 500 ms and
# the nannies' memory monitors every 100 ms, in the driver's event loop, which shares the
# cores with the workers; the event-loop health tick runs every 20 ms in each server. The
# benchmark `sweep` reports what the driver still takes (`driver_cpu_share_2_workers`).
# Memory limits still hold: the nanny checks once a second.
CLUSTER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.admin.system-monitor.disk": False,
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.admin.tick.interval": "500ms",
}


def local_cluster(n_workers: int):
    """A local Dask cluster for sweeps: worker processes of one thread each, every listener
    (the dashboard too) on loopback, diagnostics turned down (`CLUSTER_CONFIG`)."""
    import dask
    import distributed

    with dask.config.set(CLUSTER_CONFIG):
        return distributed.LocalCluster(
            n_workers=n_workers, threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)


def local_client(cluster):
    """A client of a `local_cluster` that fetches results straight from the workers (through
    the scheduler, both in this process, every result would be sent twice)."""
    import distributed

    return distributed.Client(cluster, set_as_default=False, direct_to_workers=True)


class DaskExecutor:
    """Runs batches on a Dask cluster: a local one (processes, one thread each, loopback)
    or the one at `scheduler`."""

    def __init__(self, *, workers: int | None = None, scheduler: str | None = None,
                 client=None, connect_timeout_s: float = 10.0):
        import distributed

        self._own_cluster = None
        self._own_client = client is None
        self.address = scheduler
        if client is not None:
            self.client = client
        elif scheduler:
            try:
                self.client = distributed.Client(scheduler, timeout=connect_timeout_s,
                                                 set_as_default=False)
            except Exception as e:  # noqa: BLE001 - any failure to connect is the user's to fix
                raise TwinError(f"cannot reach the Dask scheduler at {scheduler} within "
                                f"{connect_timeout_s:g} s ({type(e).__name__}: {e}); is "
                                "`dask scheduler` running there and reachable?") from None
            try:
                self.client.wait_for_workers(1, timeout=connect_timeout_s)
            except Exception:  # noqa: BLE001
                self.client.close()
                raise TwinError(f"the Dask scheduler at {scheduler} has no workers (waited "
                                f"{connect_timeout_s:g} s); start some with `dask worker "
                                f"{scheduler}`") from None
        else:
            try:
                self._own_cluster = local_cluster(workers or os.cpu_count() or 1)
            except Exception as e:  # noqa: BLE001 - a worker that died while starting
                raise TwinError(f"could not start the local Dask cluster ({e}); try again, or "
                                "run in this process with --workers 0") from None
            self.client = local_client(self._own_cluster)
        self.prefix = f"twin-sweep-{uuid.uuid4().hex[:8]}"

    @property
    def n_workers(self) -> int:
        info = self.client.scheduler_info(n_workers=-1)["workers"]
        return max(1, sum(w.get("nthreads", 1) for w in info.values()))

    def prepare(self, city_spec, models) -> None:
        """Build the city and register models on every worker; refuse a version mismatch
        (identical results need identical code)."""
        import twin

        infos = self.client.run(_prepare_worker, city_spec, models, on_error="return")
        mine = {"twin": twin.__version__, "numpy": np.__version__}
        for addr, info in infos.items():
            if isinstance(info, Exception):  # a worker lost meanwhile, or a broken one:
                log.warning("preparing worker %s failed: %s", addr, info)  # tasks will say
                continue
            if info != mine:
                raise TwinError(f"worker {addr} runs {info}, this driver {mine}; install the "
                                "same versions on every worker")

    def first(self, plan: Plan, groups: list[list[int]]) -> dict[int, tuple[dict, float] | str]:
        """A task per group of runs, all at once (one per worker): each run's reduced
        outputs (to lay out the store) and duration, or its error message."""
        from distributed.scheduler import KilledWorker

        futs = [self.client.submit(_first_runs, plan.batch(g, {}),
                                   key=f"{self.prefix}-first-{g[0]}") for g in groups]
        out: dict[int, tuple[dict, float] | str] = {}
        for g, fut in zip(groups, futs, strict=True):
            try:
                got = fut.result()
            except KilledWorker:
                got = ["a run killed its worker process (KilledWorker)"] * len(g)
            except Exception as e:  # noqa: BLE001 - the caller tries the next runs
                got = [_message(e)] * len(g)
            finally:
                fut.release()
            out.update(zip(g, got, strict=True))
        return out

    def map(self, batches: list[Batch]) -> Iterator[BatchResult]:
        """Submits every batch now (the workers start while the caller does other work)
        and returns their results as they finish."""
        from distributed import as_completed

        pending: dict = {}  # key -> (future, batch)

        def submit(bs: list[Batch]) -> list:
            """One message to the scheduler for all of them; zero-padded keys keep the
            submission order, which the scheduler follows among equal priorities."""
            keys = [f"{self.prefix}-{b.runs[0].index:09d}-{b.runs[-1].index:09d}" for b in bs]
            futs = self.client.map(run_batch, bs, key=keys, retries=0)
            pending.update((f.key, (f, b)) for f, b in zip(futs, bs, strict=True))
            return futs

        ac = as_completed(submit(batches), loop=self.client.loop)
        return self._results(ac, pending, submit)

    def _results(self, ac, pending: dict, submit) -> Iterator[BatchResult]:
        from distributed.scheduler import KilledWorker

        try:
            for fut in ac:
                _, b = pending.pop(fut.key)
                try:
                    res = fut.result()
                except KilledWorker:
                    if len(b.runs) > 1:  # find the run that kills its worker
                        ac.update(submit([_replace_runs(b, (t,)) for t in b.runs]))
                        continue
                    res = _failed(b, "the run killed its worker process every time it was "
                                  "tried (KilledWorker); it was given up")
                except Exception as e:  # noqa: BLE001
                    if _lost_cluster(e):
                        raise TwinError(f"lost the Dask cluster ({type(e).__name__}: {e}); "
                                        "finished runs are in the store: continue with "
                                        "--resume") from None
                    raise TwinError(f"a batch failed on a worker outside any run "
                                    f"({_message(e)}); are twin and the models installed "
                                    "the same way on every worker?") from None
                finally:
                    fut.release()
                yield res
        finally:
            if pending:  # stopped early (error or interrupt): free the cluster
                self.client.cancel([f for f, _ in pending.values()], force=True)

    def close(self) -> None:
        if self._own_client:
            self.client.close()
        if self._own_cluster is not None:
            self._own_cluster.close()


def _replace_runs(b: Batch, runs) -> Batch:
    return dataclasses.replace(b, runs=tuple(runs))


def _failed(b: Batch, message: str) -> BatchResult:
    n = len(b.runs)
    return BatchResult(np.array([t.index for t in b.runs], dtype=np.int64),
                       {o.name: np.full((n, *b.shapes[o.name]), np.nan) for o in b.outputs},
                       np.full(n, FAILED, dtype=np.int8), [message] * n)


def _lost_cluster(e: BaseException) -> bool:
    from asyncio import CancelledError

    from distributed.comm.core import CommClosedError

    return isinstance(e, (CancelledError, CommClosedError, OSError, TimeoutError))


# --------------------------------------------------------------------------------------
# The driver
# --------------------------------------------------------------------------------------
@dataclass
class SweepSummary:
    """What a call to `run_sweep` did."""

    path: Path
    n_runs: int
    computed: int = 0  # runs computed by this call
    failed: int = 0  # failed runs in the whole store
    already_done: int = 0  # runs found done in the store (resume)
    replicates: int = 0
    batch_runs: int = 0
    pilot_s: float = 0.0
    elapsed_s: float = 0.0
    workers: int = 0
    writes: int = 0
    busy_s: float = 0.0  # seconds workers spent in batches of this call
    notes: list[str] = field(default_factory=list)


def batch_size(pilot_s: float, pending: int, n_workers: int, task_s: float) -> int:
    """Runs per task: enough for `task_s` of work, but at least 4 tasks per worker."""
    want = max(1, math.ceil(task_s / max(pilot_s, 1e-6)))
    return max(1, min(want, pending // (4 * n_workers)))


def batch_sizes(n: int, b: int, n_workers: int) -> list[int]:
    """Runs per task in submission order: `b` each, then shrinking over the last
    2 x n_workers x b runs (guided scheduling) so that the workers finish together instead
    of one idling while the other works through a last full batch."""
    sizes = []
    while n > 0:
        size = b if n > 2 * n_workers * b else min(b, math.ceil(n / (2 * n_workers)))
        sizes.append(size)
        n -= size
    return sizes


def run_sweep(spec: SweepSpec, out: str | Path, *, workers: int | None = None,
              scheduler: str | None = None, client=None, resume: bool = False,
              progress: bool = True, connect_timeout_s: float = 10.0, task_s: float = 1.0,
              flush_s: float = 1.0, on_progress: Callable[[int, int], None] | None = None,
              overwrite: bool = True) -> SweepSummary:
    """Run (or resume) a sweep into the store at `out`, holding its lock (one driver per
    store: a second one gets one line naming the first; a killed one's lock is taken over).

    A finished sweep store at `out` is replaced (unless `overwrite` is False) only once the
    new sweep is complete: until then it is built beside it (`twin.core.paths.staging`),
    where `--resume` finds it.
    """
    from twin.core.paths import StoreLock, check_out

    out = check_out(out)
    with StoreLock(out, "sweep") as lock:
        return _run_sweep(spec, out, lock, workers=workers, scheduler=scheduler,
                          client=client, resume=resume, progress=progress,
                          connect_timeout_s=connect_timeout_s, task_s=task_s,
                          flush_s=flush_s, on_progress=on_progress, overwrite=overwrite)


def _run_sweep(spec: SweepSpec, out: Path, lock, *, workers, scheduler, client, resume,
               progress, connect_timeout_s, task_s, flush_s, on_progress, overwrite
               ) -> SweepSummary:
    """The body of `run_sweep`, under the store's lock.

    `workers=0` runs in this process; otherwise a local cluster of `workers` processes
    (default: one per core), the cluster at `scheduler`, or an existing `client`.
    `task_s` is the work a task aims at: each task also costs the driver (which hosts a
    local cluster's scheduler) several ms of CPU that the workers lose, so tasks of a
    second keep that to a few per cent (benchmark `sweep`, `driver_cpu_share_2_workers`),
    while shrinking batches at the end keep the workers finishing together.
    """
    t0 = time.perf_counter()
    out = Path(out)
    plan = Plan(spec)
    summary = SweepSummary(out, 0)
    store, target = _open_or_refuse(out, spec, resume, lock, overwrite, summary.notes)
    if workers == 0 and not scheduler and client is None:
        executor = InProcess()
    else:
        executor = DaskExecutor(workers=workers, scheduler=scheduler, client=client,
                                connect_timeout_s=connect_timeout_s)
    try:
        executor.prepare(spec.base.city, plan.models)
        summary.workers = executor.n_workers
        started: Iterator[BatchResult] = iter(())
        if store is None:
            store, started = _create(target, spec, plan, summary, executor, task_s)
        replicates = int(store.attrs["replicates"])
        status = store.status()
        summary.already_done = int((status != 0).sum()) - summary.computed
        writer = ChunkWriter(store, flush_s=flush_s)
        bar = _bar(spec.name, store.n_runs, int((status != 0).sum()), progress)
        shapes = {n: tuple(store.group[n].shape[1:]) for n in store.outputs}

        def take(res: BatchResult) -> None:
            writer.add(res.indices, res.values, res.status, res.errors)
            summary.computed += len(res.indices)
            summary.busy_s += res.seconds
            _tick(bar, len(res.indices), res, on_progress, store.n_runs)

        for res in started:  # the batches that ran while the store was laid out
            take(res)
        timed = summary.pilot_s > 0  # by the first runs; not when resuming
        while True:
            pending = np.flatnonzero(store.status() == 0)
            if len(pending) and not timed:  # resuming: time single runs, all workers at once
                timed = True
                probe = [plan.batch([r], shapes) for r in pending[:max(3, executor.n_workers)]]
                times = []
                for res in executor.map(probe):
                    take(res)
                    times.append(res.seconds)
                summary.pilot_s = min(times)  # a process's first run pays for imports
                pending = pending[len(probe):]
            if len(pending):
                for res in executor.map(_batches(plan, pending, shapes, summary,
                                                 executor.n_workers, task_s)):
                    take(res)
            writer.flush()
            more = _replicates_needed(spec, store, replicates)
            if more <= replicates:
                break
            summary.notes.append(f"precision not reached with {replicates} replicates; "
                                 f"adding replicates up to {more}")
            writer.reset()
            store.grow(plan.coords(plan.n_runs(replicates), plan.n_runs(more)))
            store.set_attrs(replicates=more)
            replicates = more
            if bar is not None:
                bar.total = store.n_runs
                bar.refresh()
        status = store.status()
        summary.failed = int((status == FAILED).sum())
        summary.n_runs = store.n_runs
        summary.replicates = replicates
        summary.writes = writer.writes
        if bar is not None:
            bar.close()
        store.finish(failed_runs=summary.failed, analysis=_analysis(spec, target))
    finally:
        executor.close()
    if target != out:  # a complete replacement: only now is the old store given up
        from twin.core.paths import swap_in

        swap_in(target, out)
    summary.elapsed_s = time.perf_counter() - t0
    return summary


def _open_or_refuse(out: Path, spec: SweepSpec, resume: bool, lock, overwrite: bool,
                    notes: list[str]) -> tuple[SweepStore | None, Path]:
    """The store to resume (or None to create one) and where the sweep is written: `out`,
    or beside it while a finished store there is being replaced. Never loses finished
    results: an unfinished store is only resumed, a finished one only replaced when the
    new sweep is complete, anything else is refused."""
    from twin.core.paths import staging, store_kind

    new = staging(out)
    if resume:
        for path in (new, out):
            if (path / "zarr.json").is_file():
                return _resumable(path, out, spec), path
        if lock.took_over is not None:  # a driver killed before it laid the store out
            notes.append("the interrupted driver had not laid out the store yet; its first "
                         "runs are run again (same seeds, same results)")
            return None, out
        raise TwinError(f"{out}: nothing to resume (no store); run without --resume")
    if (new / "zarr.json").is_file():
        raise TwinError(f"{out}: an unfinished replacement of this store is in {new}; "
                        "continue it with --resume, or delete that folder to start again")
    if not out.exists():
        return None, out
    kind = store_kind(out)
    if kind is None:
        raise TwinError(f"{out} exists and is not a twin store; refusing to replace it")
    if kind != "sweep":
        raise TwinError(f"{out} is a {kind} store; a sweep never replaces it (choose "
                        "another --out)")
    attrs = json.loads((out / "zarr.json").read_text(encoding="utf-8")).get("attributes", {})
    if not attrs.get("complete", True):
        raise TwinError(f"{out} holds an unfinished sweep; continue it with --resume, or "
                        "choose another --out (or delete it) to start again")
    if not overwrite:
        raise TwinError(f"{out} holds a finished sweep; pass --overwrite to replace it, or "
                        "choose another --out")
    notes.append(f"the finished sweep in {out} is kept until this one is complete")
    return None, new


def _resumable(path: Path, out: Path, spec: SweepSpec) -> SweepStore:
    store = SweepStore.open(path)
    if store.attrs.get("sweep_hash") != spec.digest:
        raise TwinError(f"{out} was made from a different sweep (hash "
                        f"{store.attrs.get('sweep_hash')}, this sweep {spec.digest}): the "
                        "sweep file, its base scenario or --samples/--replicates changed; "
                        "restore them, or run without --resume into another --out")
    return store


def _batches(plan: Plan, pending: np.ndarray, shapes: dict, summary: SweepSummary,
             n_workers: int, task_s: float) -> list[Batch]:
    """The pending runs in batches sized by the pilot time (`batch_size`, `batch_sizes`)."""
    b = batch_size(summary.pilot_s, len(pending), n_workers, task_s)
    summary.batch_runs = b
    bounds = np.cumsum([0, *batch_sizes(len(pending), b, n_workers)])
    return [plan.batch(pending[i:j], shapes) for i, j in itertools.pairwise(bounds)]


def _create(out: Path, spec: SweepSpec, plan: Plan, summary: SweepSummary, executor,
            task_s: float) -> tuple[SweepStore, Iterator[BatchResult]]:
    """Build the store from the outputs of the first run that succeeds (of the first 5, or
    of two per worker if more), keep the successes, and hand out the other runs.

    Two runs per worker go at once, so no worker waits while the layout is found, and the
    second run of each is timed warm: the fastest run is the pilot that sizes the batches,
    with no serial probe. The lowest-numbered success lays the store out (the same one
    whatever the worker count). The other runs are handed out before the store is written,
    so no worker waits for that either; their results are the returned iterator."""
    from twin.sweep.store import sweep_attrs

    n = plan.n_runs(spec.replicates)
    width = max(1, min(executor.n_workers, n))  # tasks (of up to two runs) per round
    first_error, ok = "", []
    for start in range(0, min(max(5, 2 * width), n), 2 * width):
        runs = range(start, min(start + 2 * width, n))
        got = executor.first(plan, [list(runs[k::width]) for k in range(width)
                                    if runs[k::width]])
        ok = [(r, got[r]) for r in runs if not isinstance(got[r], str)]
        first_error = first_error or next((got[r] for r in runs if isinstance(got[r], str)), "")
        if ok:
            break
    if not ok:
        t = plan.task(0)
        raise TwinError(f"{spec.path or spec.name}: the first runs failed, so the outputs "
                        f"cannot be laid out; run 0 (scenario {t.scenario}, policy "
                        f"{spec.policies[0].name!r}, replicate 0): {first_error}")
    templates = _templates(ok[0][1][0])
    shapes = {t.name: t.shape for t in templates}
    summary.pilot_s = min(s for _, (_, s) in ok)
    kept = []
    for r, (reduced, seconds) in ok:
        vals = {k: np.asarray(da.values, dtype=np.float64)[None] for k, da in reduced.items()}
        # a run whose shapes differ stays pending: its batch records the mismatch
        if all(v.shape[1:] == shapes[k] for k, v in vals.items()):
            kept.append((r, vals, seconds))
    pending = np.setdiff1d(np.arange(n), [r for r, _, _ in kept])
    started = executor.map(_batches(plan, pending, shapes, summary, executor.n_workers,
                                    task_s)) if len(pending) else iter(())
    store = SweepStore.create(out, sweep_attrs(spec, plan.n_scen), templates,
                              plan.coords(0, n), plan.unit,
                              [u.key for u in spec.uncertainties], spec.chunk_runs)
    w = ChunkWriter(store, flush_s=0.0)
    for r, vals, seconds in kept:
        w.add(np.array([r]), vals, np.array([OK], dtype=np.int8), [""])
        summary.computed += 1
        summary.busy_s += seconds
    w.flush()
    return store, started


def _replicates_needed(spec: SweepSpec, store: SweepStore, replicates: int) -> int:
    c = spec.compare
    if c is None or replicates >= c.max_replicates or (c.half_width is None
                                                       and c.relative_half_width is None):
        return replicates
    from twin.sweep.paired import replicates_needed
    from twin.sweep.store import open_sweep

    return min(spec.compare.max_replicates,
               replicates_needed(open_sweep(store.path), spec.compare, replicates))


def _analysis(spec: SweepSpec, out: Path) -> str:
    """The analysis the sweep file asks for, as JSON for the store's `analysis` attribute
    (dashboards show it without SALib); a failed analysis never loses the results."""
    from twin.sweep.analysis import analyze
    from twin.sweep.store import open_sweep

    try:
        rep = analyze(open_sweep(out).load(), spec)
    except Exception as e:  # noqa: BLE001 - the runs are safe; say what went wrong
        log.exception("analysis of %s failed", out)
        rep = {"sweep": spec.name, "problem": _message(e)}
    return json.dumps(rep, default=str, sort_keys=True)


def _bar(name: str, total: int, initial: int, show: bool):
    if not show:
        return None
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, desc=name, unit="run", disable=None,
                leave=False, dynamic_ncols=True)


def _tick(bar, n: int, res: BatchResult, on_progress, total: int) -> None:
    if bar is not None:
        bar.update(n)
        failed = int((res.status == FAILED).sum())
        if failed:
            bar.set_postfix_str(f"{failed} failed in last batch")
    if on_progress is not None:
        on_progress(n, total)
