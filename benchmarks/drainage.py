"""Drainage: the SWMM flood surrogate's speed against SWMM (goal >= 100x) and the coupling
overhead of a stepped SWMM run (60 s strides, state read every stride, driven from the parent
process) over a plain SWMM run of the same network (goal <= 10%). Both measured in this run;
SWMM times are the engine calls only (the worker process start-up is reported apart)."""

from __future__ import annotations

import time
from pathlib import Path

from twin.models.drainage.engine import SteppedRun, run_plain
from twin.models.drainage.surrogate import calibrate

SWMM = Path(__file__).resolve().parents[2] / "shared" / "data" / "swmm"


def _stepped(path: Path, stride_s: int = 60) -> float:
    with SteppedRun(path, stride_s=stride_s) as run:
        t = stride_s
        while not run.done:
            run.advance(t)
            t += stride_s
        return run.finish().wall_s


def run(quick: bool = False) -> list[dict]:
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
    plain, stepped = [], []
    for _ in range(1 if quick else 2):  # interleaved, best of each (shared, noisy machine)
        t0 = time.perf_counter()
        plain.append(run_plain(net).wall_s)
        spawn_s = time.perf_counter() - t0 - plain[-1]
        stepped.append(_stepped(net))
    p, s = min(plain), min(stepped)
    return [
        row("surrogate_speedup_vs_swmm", round(swmm_s / sur_s, 1), "x"),
        row("surrogate_eval_s", sur_s, "s"),
        row("swmm_user1_run_s", round(swmm_s, 4), "s"),
        row("stepped_overhead_pct", round(100.0 * (s - p) / p, 2), "%"),
        row(f"plain_{net.stem}_s", round(p, 3), "s"),
        row(f"stepped_{net.stem}_s", round(s, 3), "s"),
        row("engine_process_start_s", round(spawn_s, 3), "s"),
    ]
