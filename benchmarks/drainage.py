"""Drainage: the SWMM flood surrogate's speed against SWMM (goal >= 100x) and the coupling
overhead of a stepped SWMM run over a plain one (goal <= 10%), all measured in this run.

- `surrogate_speedup_vs_swmm`: one SWMM run of user1 (engine calls only, the fastest of the
  eight calibration runs) over one surrogate evaluation (a dashboard slider move).
- `stepped_overhead_pct`: the whole twin run of a network (SimPy clock, SWMM advanced and
  node/pump state read every 60 s, street water, recorder, Dataset) over a plain SWMM run of
  the same network, both end to end with their engine process (user3; user1 with --quick).
  The twin run lets SWMM compute ahead to the next event (`lookahead_s`, see the model's
  README), so most strides cost no round trip to the engine process.
- `engine_stepped_overhead_pct`: the engine level in lockstep (one call and one read per
  60 s stride from a bare loop, no lookahead) vs one stride, engine calls only.
Overheads are ratios of CPU time (this process plus its finished engine processes, from
`getrusage`): on a machine shared with other jobs wall time mostly measures waiting for a
core. Wall-time ratios are reported beside them (`*_wall_pct`). The runs are interleaved in
rounds (plain, twin, engine, then the reverse order) and each overhead is the median over
rounds of the ratio within a round, so a change of load between rounds cancels; absolute
times are the best of each.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

import numpy as np

from benchmarks import shared_dir
from twin.models.drainage.engine import SteppedRun, run_plain
from twin.models.drainage.surrogate import calibrate

SWMM = shared_dir() / "data" / "swmm"
START = {"user1.inp": "2003-10-01T00:00:00", "user3.inp": "1999-01-01T01:00:00"}


def _cpu() -> float:
    """CPU seconds of this process and of its finished (waited-for) child processes."""
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + c.ru_utime + c.ru_stime


def _timed(fn, *args) -> tuple[float, float]:
    """(wall s, CPU s) of fn(*args), engine process included."""
    c0, t0 = _cpu(), time.perf_counter()
    fn(*args)
    return time.perf_counter() - t0, _cpu() - c0


def _stepped_engine(path: Path, stride_s: int = 60) -> None:
    with SteppedRun(path, stride_s=stride_s) as run:
        t = stride_s
        while not run.done:
            run.advance(t)
            t += stride_s
        run.finish()


def _twin_run(path: Path, city) -> None:
    import datetime as dt

    from twin.core.run import run
    from twin.core.scenario import parse_scenario

    doc = {"scenario": {"start": dt.datetime.fromisoformat(START[path.name]),
                        "horizon_hours": 6}, "models": {"drainage": {"network": str(path)}}}
    run(parse_scenario(doc, None), city=city)


def run(quick: bool = False) -> list[dict]:
    from twin.city.io import open_city
    from twin.core.scenario import CitySpec

    row = lambda fig, v, u: {"benchmark": "drainage", "figure": fig, "value": v, "unit": u}  # noqa: E731
    user1 = SWMM / "user1.inp"
    sur, runs = calibrate(user1)
    swmm_s = min(r.wall_s for r in runs)
    reps = 2000
    t0 = time.perf_counter()
    for k in range(reps):
        sur.predict_total(0.75 + 1.25 * k / reps)
    sur_s = (time.perf_counter() - t0) / reps
    net = user1 if quick else SWMM / "user3.inp"
    city = open_city(CitySpec(builtin="demo"))  # not used by a network run; kept out of timing
    times: dict[str, list[tuple[float, float]]] = {"plain": [], "twin": [], "engine": []}
    jobs = {"plain": (run_plain, net), "twin": (_twin_run, net, city),
            "engine": (_stepped_engine, net)}
    for i in range(1 if quick else 6):
        for k in (jobs if i % 2 == 0 else reversed(jobs)):  # ABBA: a steady drift cancels
            fn, *args = jobs[k]
            times[k].append(_timed(fn, *args))
    wall = {k: min(w for w, _ in v) for k, v in times.items()}
    cpu = {k: min(c for _, c in v) for k, v in times.items()}

    def pct(k: str, i: int) -> float:  # median over rounds of the within-round ratio
        r = [b[i] / a[i] for a, b in zip(times["plain"], times[k], strict=True)]
        return round(100.0 * (float(np.median(r)) - 1.0), 2)

    return [
        row("surrogate_speedup_vs_swmm", round(swmm_s / sur_s, 1), "x"),
        row("surrogate_eval_s", sur_s, "s"),
        row("swmm_user1_run_s", round(swmm_s, 4), "s"),
        row("stepped_overhead_pct", pct("twin", 1), "%"),
        row("stepped_overhead_wall_pct", pct("twin", 0), "%"),
        row("engine_stepped_overhead_pct", pct("engine", 1), "%"),
        row("engine_stepped_overhead_wall_pct", pct("engine", 0), "%"),
        row(f"plain_{net.stem}_cpu_s", round(cpu["plain"], 3), "s"),
        row(f"twin_run_{net.stem}_cpu_s", round(cpu["twin"], 3), "s"),
        row(f"plain_{net.stem}_wall_s", round(wall["plain"], 3), "s"),
        row(f"twin_run_{net.stem}_wall_s", round(wall["twin"], 3), "s"),
    ]
