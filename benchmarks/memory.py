"""Memory over the horizon: peak resident memory of a drainage run on the demo city at a long
horizon over the same run at one day (goal about 1: memory does not grow with the horizon).

Each run is `twin run` in its own process (a 20-year design storm, then dry weather, 60 s
strides and reports, results written to a store), sampled every 0.2 s with its SWMM engine
process: `driver_ratio` and `engine_ratio` are the peaks of the long run over those of the
one-day run. The long horizon is 90 days (7 with --quick); `TWIN_BENCH_MEMORY_DAYS` sets
another (the drainage README reports a 10-year run). Peaks are not timing: host load does
not move them much, so one round each.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCENARIO = """[scenario]
name = "memory-{days}d"
start = 2024-07-01T00:00:00
horizon_days = {days}
seed = 1
[city]
builtin = "demo"
[models.drainage]
storm = "design"
return_period_years = 20.0
duration_min = 120.0
"""
RUN = "import sys; from twin.cli import main; sys.exit(main(sys.argv[1:]))"


def peak_mb(days: float, folder: Path) -> dict[str, float]:
    """Peak RSS (MB) of the driver and of its SWMM engine process over one run."""
    import psutil

    scn = folder / f"s{days:g}.toml"
    scn.write_text(SCENARIO.format(days=days), encoding="utf-8")
    env = dict(os.environ, TWIN_SPILL_DIR=str(folder))
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", RUN, "run", str(scn), "--out",
                             str(folder / f"o{days:g}.zarr"), "--quiet"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    me, driver, engine = psutil.Process(proc.pid), 0, 0
    while proc.poll() is None:
        try:
            driver = max(driver, me.memory_info().rss)
            for c in me.children(recursive=True):
                if "_child_main" in " ".join(c.cmdline()):
                    engine = max(engine, c.memory_info().rss)
        except psutil.Error:  # a process ended between the listing and the read
            pass
        time.sleep(0.2)
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if proc.returncode:
        raise RuntimeError(f"the {days:g}-day run failed: {err.strip()[-400:]}")
    return {"driver": driver / 2**20, "engine": engine / 2**20,
            "wall": time.perf_counter() - t0}


def run(quick: bool = False) -> list[dict]:
    row = lambda fig, v, u: {"benchmark": "memory", "figure": fig, "value": v, "unit": u}  # noqa: E731
    days = float(os.environ.get("TWIN_BENCH_MEMORY_DAYS", 7 if quick else 90))
    with tempfile.TemporaryDirectory(prefix="twin-bench-memory-") as tmp:
        short, long = peak_mb(1, Path(tmp)), peak_mb(days, Path(tmp))
    n = f"{days:g}d"
    return [row(f"driver_ratio_{n}_over_1d", round(long["driver"] / short["driver"], 3), "x"),
            row(f"engine_ratio_{n}_over_1d", round(long["engine"] / short["engine"], 3), "x"),
            row("driver_peak_1d_mb", round(short["driver"], 1), "MB"),
            row(f"driver_peak_{n}_mb", round(long["driver"], 1), "MB"),
            row("engine_peak_1d_mb", round(short["engine"], 1), "MB"),
            row(f"engine_peak_{n}_mb", round(long["engine"], 1), "MB"),
            row(f"wall_{n}_s", round(long["wall"], 1), "s")]
