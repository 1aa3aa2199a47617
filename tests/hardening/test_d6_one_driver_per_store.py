"""Defect 6: nothing stopped two drivers on one store (two fresh drivers gave a raw
FileExistsError, a --resume beside a running driver computed runs twice) and a driver killed
before the store was laid out lost the runs it had finished. Now sweeps and calibrations
lock their store: a second driver gets one line naming the first (pid, host, started), a
killed driver's lock is taken over with a note, and --resume after a kill before layout
starts the sweep again to the same store."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from twin.cli import main
from twin.core.errors import TwinError
from twin.core.paths import StoreLock, lock_path
from twin.sweep.runner import run_sweep
from twin.sweep.spec import load_sweep

TESTS = Path(__file__).resolve().parents[1]
HOLD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from twin.core.paths import StoreLock
    with StoreLock(Path(sys.argv[1]), "sweep"):
        print("locked", flush=True)
        time.sleep(600)
""")


@pytest.fixture
def holder(tmp_path):
    """A live process holding the lock of tmp_path/s.zarr."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path / "s.zarr")],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    yield proc
    proc.kill()
    proc.wait()


def test_a_second_driver_gets_one_line_naming_the_first(write_sweep, holder, tmp_path,
                                                        capsys):
    path = write_sweep()
    for extra in ([], ["--resume"]):
        assert main(["sweep", str(path), "--workers", "0", "--out", str(tmp_path / "s.zarr"),
                     "--quiet", *extra]) == 2
        err = capsys.readouterr().err
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
        assert f"another sweep driver is writing it (pid {holder.pid} on host " \
               f"{socket.gethostname()}, started 20" in err
    assert not (tmp_path / "s.zarr").exists()


def test_a_calibration_is_locked_too(holder, tmp_path):
    from twin.calibrate.command import calibrate

    with pytest.raises(TwinError, match=f"another calibration driver is writing it \\(pid "
                       f"{holder.pid}"):
        calibrate(None, tmp_path / "s.zarr", workers=0, quiet=True)


def test_the_lock_of_a_killed_driver_is_taken_over_with_a_note(write_sweep, holder, tmp_path,
                                                               capsys):
    holder.kill()
    holder.wait()
    assert lock_path(tmp_path / "s.zarr").is_file()  # left behind by the killed driver
    capsys.readouterr()
    assert main(["sweep", str(write_sweep()), "--workers", "0", "--out",
                 str(tmp_path / "s.zarr"), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert f"took over the lock of a sweep driver that is no longer running (pid {holder.pid}" \
        in err
    assert not lock_path(tmp_path / "s.zarr").exists(), "the lock outlived its driver"


def test_the_lock_is_released_on_errors_and_says_nothing_when_clean(tmp_path, capsys):
    store = tmp_path / "x.zarr"
    with pytest.raises(RuntimeError), StoreLock(store):
        raise RuntimeError("boom")
    with StoreLock(store) as lock:
        assert lock.took_over is None
        doc = json.loads(lock_path(store).read_text())
        assert doc["pid"] == os.getpid() and doc["host"] == socket.gethostname()
    assert capsys.readouterr().err == ""


DRIVER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {tests!r})
    from sweep.toy_model import ToyStorm
    from twin.core import registry
    from twin.sweep.runner import run_sweep
    from twin.sweep.spec import load_sweep
    registry.register(ToyStorm)
    run_sweep(load_sweep({sweep!r}), {out!r}, workers=0, progress=False, flush_s=0.0)
""")


def test_a_driver_killed_before_layout_resumes_to_the_same_store(write_sweep, tmp_path):
    path = write_sweep(work_ms=400)  # the first five runs take two seconds
    ref = tmp_path / "ref.zarr"
    run_sweep(load_sweep(path), ref, workers=0, progress=False)
    out = tmp_path / "killed.zarr"
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER.format(tests=str(TESTS), sweep=str(path), out=str(out)))
    proc = subprocess.Popen([sys.executable, str(driver)], start_new_session=True)
    try:
        while proc.poll() is None and not lock_path(out).exists():
            time.sleep(0.02)
        time.sleep(0.3)  # inside the first runs, before the store is laid out
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert not out.exists(), "the store was laid out before the kill; nothing tested"
    s = run_sweep(load_sweep(path), out, workers=0, progress=False, resume=True)
    assert any("had not laid out the store yet" in n for n in s.notes)
    from sweep.conftest import tree

    assert tree(out) == tree(ref)
