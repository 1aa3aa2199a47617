"""Soak (slow): a sweep of 240 runs on a local Dask cluster whose driver is killed again and
again at random moments (its workers too, now and then), resumed each time; the store it ends
with must equal an undisturbed one bit for bit: no run lost, none computed wrong (issue 21)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import psutil
import pytest

from twin.core.paths import lock_path
from twin.sweep.runner import run_sweep
from twin.sweep.spec import load_sweep

TESTS = Path(__file__).resolve().parents[1]
DRIVER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {tests!r})
    from pathlib import Path
    from sweep.toy_model import ToyStorm
    from twin.core import registry
    from twin.core.paths import lock_path
    from twin.sweep.runner import run_sweep
    from twin.sweep.spec import load_sweep
    registry.register(ToyStorm)
    if __name__ == "__main__":  # Dask's spawned workers import this file too
        out = Path({out!r})
        resume = out.exists() or lock_path(out).exists()
        run_sweep(load_sweep({sweep!r}), out, workers=2, progress=False, flush_s=0.0,
                  task_s=0.2, resume=resume)
""")


def _tree(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*"))
            if p.is_file()}


@pytest.mark.slow
def test_a_sweep_killed_at_random_ends_equal_to_an_undisturbed_one(write_sweep, tmp_path):
    from sweep.conftest import SWEEP

    path = write_sweep(SWEEP.format(extra="").replace("samples = 6", "samples = 60"),
                       work_ms=30)
    ref = tmp_path / "ref.zarr"
    n = run_sweep(load_sweep(path), ref, workers=0, progress=False).n_runs
    assert n == 240
    out = tmp_path / "soak.zarr"
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER.format(tests=str(TESTS), sweep=str(path), out=str(out)))
    rng = np.random.default_rng(2026)
    kills = {"driver": 0, "worker": 0, "startup": 0}
    for attempt in range(40):
        proc = subprocess.Popen([sys.executable, str(driver)], start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        calm = attempt >= 15  # after that, let it finish
        deadline = time.monotonic() + (600 if calm else rng.uniform(2.0, 12.0))
        worker_kill_at = time.monotonic() + rng.uniform(1.5, 10.0) if rng.random() < 0.5 \
            else None
        while proc.poll() is None and time.monotonic() < deadline:
            if not calm and worker_kill_at and time.monotonic() > worker_kill_at:
                worker_kill_at = None
                kids = [c for c in psutil.Process(proc.pid).children(recursive=True)
                        if not c.children()]  # leaves: the worker processes
                if kids:
                    kids[int(rng.integers(len(kids)))].kill()
                    kills["worker"] += 1
            time.sleep(0.05)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            kills["driver"] += 1
            continue
        err = proc.stderr.read().decode(errors="replace")
        if proc.returncode != 0 and not calm and "failed to start" in err:
            kills["startup"] += 1  # a worker killed while the local cluster started
            continue
        assert proc.returncode == 0, err[-3000:]
        break
    else:
        pytest.fail("the sweep never finished")
    assert not lock_path(out).exists()
    assert _tree(out) == _tree(ref)
    print(f"\nsoak: {n} runs, {kills['driver']} driver kills, {kills['worker']} worker "
          f"kills ({kills['startup']} during cluster start), {attempt + 1} drivers; 0 runs lost (store equal to the undisturbed one)")
