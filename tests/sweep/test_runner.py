"""The runner and the store: same store whatever the execution, failures recorded, lost
workers survived, interrupted sweeps resumed without recomputing finished runs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from twin.core.errors import TwinError
from twin.sweep.runner import batch_size, batch_sizes, run_sweep
from twin.sweep.spec import load_sweep
from twin.sweep.store import open_sweep

from .conftest import SWEEP, tree

TESTS = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.fixture
def reference(write_sweep, tmp_path):
    """The toy sweep run in this process (no Dask): the store every other way must equal."""
    spec = load_sweep(write_sweep(work_ms=2))
    out = tmp_path / "ref.zarr"
    s = run_sweep(spec, out, workers=0, progress=False)
    return spec, out, s


def test_store_layout_coords_and_provenance(reference):
    spec, out, s = reference
    assert s.n_runs == s.computed == 6 * 2 * 2 and s.failed == 0
    ds = open_sweep(out)
    assert ds.sizes["run"] == 24 and ds["flood"].dims == ("run",)
    assert ds["level"].dims == ("run", "hour") and ds["load"].dims == ("run", "district")
    for c in ("scenario", "policy", "replicate", "toystorm.rain_mm_per_h", "toystorm.pumps",
              "toystorm.mode", "toystorm.storage_m3"):
        assert ds[c].dims == ("run",)
    assert ds["flood"].attrs["units"] == "m3" and ds["flood"].encoding["chunks"] == (8,)
    a = ds.attrs
    assert a["kind"] == "sweep" and a["complete"] and a["sweep_hash"] == spec.digest
    assert a["root_seed"] == 42 and "policy is not part of the seed" in a["seeds"]
    assert a["twin_version"] and a["results_format"] == 2
    assert (ds["status"].values == 1).all()


def test_common_random_numbers_across_policies(reference):
    """Seeds come from (scenario, replicate): both policies see the same storm."""
    ds = open_sweep(reference[1]).load()
    lvl = ds["level"].values.reshape(2, 6, 2, -1)  # replicate, scenario, policy, time
    assert np.array_equal(lvl[:, :, 0], lvl[:, :, 1])
    assert not np.array_equal(lvl[0], lvl[1])  # replicates differ


def test_identical_store_on_local_clusters_of_1_and_2_workers(reference, client2, tmp_path):
    spec, ref, _ = reference
    s2 = run_sweep(spec, tmp_path / "w2.zarr", client=client2, progress=False, task_s=0.01)
    assert s2.workers == 2 and s2.batch_runs >= 1
    assert tree(tmp_path / "w2.zarr") == tree(ref)
    run_sweep(spec, tmp_path / "w1.zarr", workers=1, progress=False)
    assert tree(tmp_path / "w1.zarr") == tree(ref)


def test_identical_store_on_an_external_scheduler_and_worker(reference, tmp_path):
    spec, ref, _ = reference
    sched_file = tmp_path / "scheduler.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get(
        "PYTHONPATH", "")])}
    procs = [subprocess.Popen(
        [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0",
         "--dashboard-address", "127.0.0.1:0", "--scheduler-file", str(sched_file)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        procs.append(subprocess.Popen(
            [str(BIN / "dask"), "worker", "--host", "127.0.0.1", "--nthreads", "1",
             "--dashboard-address", "127.0.0.1:0", "--scheduler-file", str(sched_file)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        deadline = time.monotonic() + 60
        while not sched_file.is_file() and time.monotonic() < deadline:
            time.sleep(0.1)
        import json

        address = json.loads(sched_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        s = run_sweep(spec, tmp_path / "ext.zarr", scheduler=address, progress=False,
                      connect_timeout_s=60)
        assert s.workers == 1
        assert tree(tmp_path / "ext.zarr") == tree(ref)
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


def test_a_failing_run_is_recorded_and_does_not_sink_its_batch(write_sweep, tmp_path):
    path = write_sweep()
    base = path.parent / "base.toml"
    base.write_text(base.read_text() + "fail_above_mm_per_h = 150.0\n")
    spec = load_sweep(path)
    s = run_sweep(spec, tmp_path / "f.zarr", workers=0, progress=False)
    ds = open_sweep(tmp_path / "f.zarr").load()
    rain = ds["toystorm.rain_mm_per_h"].values
    bad = rain > 150
    assert bad.any() and (~bad).any() and s.failed == bad.sum()
    assert (ds["status"].values[bad] == 2).all() and (ds["status"].values[~bad] == 1).all()
    assert np.isnan(ds["flood"].values[bad]).all() and np.isfinite(ds["flood"].values[~bad]).all()
    assert all("RuntimeError: rain" in e and "too much" in e
               for e in ds["error"].values[bad].astype(object))


def test_failing_first_runs_on_a_cluster_give_the_same_store(write_sweep, client2, tmp_path):
    """The first runs go two per worker at once; when the first of them fail, the layout
    comes from the lowest-numbered success and the store is the one made in one process."""
    from twin.sweep.runner import Plan

    path = write_sweep()
    rain = [v["toystorm.rain_mm_per_h"] for v in Plan(load_sweep(path)).values]
    base = path.parent / "base.toml"  # scenario 0 (runs 0 and 1, both policies) fails
    base.write_text(base.read_text() + f"fail_above_mm_per_h = {rain[0] - 1e-6!r}\n")
    spec = load_sweep(path)
    run_sweep(spec, tmp_path / "one.zarr", workers=0, progress=False)
    status = open_sweep(tmp_path / "one.zarr")["status"].values
    assert (status[:2] == 2).all() and (status[2:] == 1).any()  # the case under test
    run_sweep(spec, tmp_path / "two.zarr", client=client2, progress=False)
    assert tree(tmp_path / "two.zarr") == tree(tmp_path / "one.zarr")


def test_pilot_failure_and_missing_output_are_clear(write_sweep, tmp_path):
    path = write_sweep(extra="").parent / "sweep.toml"
    text = path.read_text().replace('flood = "flood_m3"', 'flood = "flood_volume"')
    spec = load_sweep(write_sweep(text))
    with pytest.raises(TwinError, match="the first runs failed, so the outputs cannot be laid "
                       "out; run 0 .* 'flood_volume' is not in the results; "
                       "available: level_m, load, flood_m3"):
        run_sweep(spec, tmp_path / "x.zarr", workers=0, progress=False)


def test_killed_worker_still_completes_every_run(reference, client2, tmp_path):
    spec, ref, _ = reference
    pids = list(client2.run(os.getpid).values())
    killed = []

    seen = []

    def kill_one(done, total):  # after the pilot runs: mid-sweep
        seen.append(done)
        if len(seen) == 7 and not killed:
            os.kill(pids[0], signal.SIGKILL)
            killed.append(pids[0])

    slow = load_sweep(spec.path.parent / "sweep.toml")  # same sweep; batches of 1
    s = run_sweep(slow, tmp_path / "k.zarr", client=client2, progress=False, task_s=1e-9,
                  on_progress=kill_one)
    assert killed and s.failed == 0 and s.computed == 24
    assert tree(tmp_path / "k.zarr") == tree(ref)
    client2.wait_for_workers(2, timeout=60)


DRIVER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {tests!r})
    from sweep.toy_model import ToyStorm
    from twin.core import registry
    registry.register(ToyStorm)
    from twin.sweep.runner import run_sweep
    from twin.sweep.spec import load_sweep
    if __name__ == "__main__":  # a local cluster of 2 workers, killed with the driver
        run_sweep(load_sweep({sweep!r}), {out!r}, workers=2, progress=False, flush_s=0.0,
                  task_s=0.05)
""")


def test_killed_driver_resumes_to_an_identical_store_without_recomputing(
        write_sweep, tmp_path, capsys):
    path = write_sweep(work_ms=40)
    spec = load_sweep(path)
    ref = tmp_path / "ref.zarr"
    run_sweep(spec, ref, workers=0, progress=False)
    out = tmp_path / "killed.zarr"
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER.format(tests=str(TESTS), sweep=str(path), out=str(out)))
    proc = subprocess.Popen([sys.executable, str(driver)], start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        done = 0
        while time.monotonic() < deadline and proc.poll() is None:
            if (out / "status" / "c").is_dir():
                try:
                    done = int((xr.open_zarr(out, consolidated=False)["status"].values
                                != 0).sum())
                except Exception:  # noqa: BLE001 - caught mid-write; look again
                    done = 0
            if done >= 6:
                break
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the driver finished before it was killed"
    before = int((xr.open_zarr(out, consolidated=False)["status"].values != 0).sum())
    assert 6 <= before < 24
    with pytest.raises(TwinError, match="unfinished sweep; continue it with --resume"):
        run_sweep(spec, out, workers=0, progress=False)
    from twin.cli import main

    capsys.readouterr()
    assert main(["sweep", str(path), "--out", str(out), "--resume", "--workers", "0",
                 "--quiet"]) == 0
    assert (f"toy: 24 runs ({before} already done, {24 - before} run now, 0 failed)"
            in capsys.readouterr().out)
    assert tree(out) == tree(ref)


def test_resume_refuses_a_changed_sweep(reference, write_sweep):
    spec, out, _ = reference
    changed = load_sweep(write_sweep(), replicates=3)
    with pytest.raises(TwinError, match="made from a different sweep .* sweep file, its base "
                       "scenario or --samples/--replicates changed"):
        run_sweep(changed, out, resume=True, workers=0, progress=False)
    with pytest.raises(TwinError, match="nothing to resume"):
        run_sweep(spec, out.parent / "none.zarr", resume=True, workers=0, progress=False)


def test_unreachable_scheduler_gives_a_clear_error_quickly(reference, tmp_path):
    spec = reference[0]
    t0 = time.monotonic()
    with pytest.raises(TwinError, match=r"cannot reach the Dask scheduler at "
                       r"tcp://127.0.0.1:9 within 2 s"):
        run_sweep(spec, tmp_path / "u.zarr", scheduler="tcp://127.0.0.1:9", progress=False,
                  connect_timeout_s=2)
    assert time.monotonic() - t0 < 30


def test_batch_size_targets_task_time_with_enough_tasks():
    assert batch_size(0.01, 10_000, 2, 0.2) == 20
    assert batch_size(0.5, 10_000, 2, 0.2) == 1
    assert batch_size(0.001, 40, 2, 0.2) == 5  # at least 4 tasks per worker


def test_batch_sizes_cover_every_run_and_shrink_at_the_end():
    sizes = batch_sizes(1_000, 20, 2)
    assert sum(sizes) == 1_000 and max(sizes) == 20
    assert sizes[-4:] == sorted(sizes[-4:], reverse=True) and sizes[-1] == 1
    assert batch_sizes(3, 5, 2) == [1, 1, 1]
    assert batch_sizes(0, 5, 2) == []


def test_event_faults_are_swept_and_stored_as_numeric_coords(write_sweep, tmp_path):
    from .test_spec import write_event_sweep

    spec = load_sweep(write_event_sweep(write_sweep))
    run_sweep(spec, tmp_path / "ev.zarr", workers=0, progress=False)
    ds = open_sweep(tmp_path / "ev.zarr").load()
    assert ds["pumps_working"].dtype == np.int64 and ds["participation"].dims == ("run",)
    flood = {(float(c), int(p)): float(f) for c, p, f in zip(
        ds["events.clog.fraction"].values, ds["pumps_working"].values, ds["flood"].values,
        strict=True)}
    # toy: flood = 2000 (1 + 2 clog) - 900 pumps - 500 + noise (sd 50), at least 0
    assert flood[(0.0, 1)] > flood[(0.0, 3)] + 400 and flood[(1.0, 3)] > flood[(0.0, 3)] + 2000


def test_replicates_are_added_until_the_difference_is_precise(write_sweep, tmp_path):
    """[compare] grows the store replicate by replicate group; the runs equal those of a
    sweep asked for that many replicates from the start (run order is replicate-major)."""
    text = compare_sweep("half_width = 1.0", 4)
    spec = load_sweep(write_sweep(text, name="cmp.toml"))
    s = run_sweep(spec, tmp_path / "grow.zarr", workers=0, progress=False)
    assert s.replicates == 4 and s.n_runs == 6 * 2 * 4 and "adding replicates" in s.notes[0]
    grown = open_sweep(tmp_path / "grow.zarr").load()
    fixed_spec = load_sweep(write_sweep(text.replace("replicates = 2", "replicates = 4")
                                        .replace("half_width = 1.0", "half_width = 1e9"),
                                        name="fixed.toml"))
    run_sweep(fixed_spec, tmp_path / "fixed.zarr", workers=0, progress=False)
    fixed = open_sweep(tmp_path / "fixed.zarr").load()
    for v in ("flood", "level", "replicate", "scenario", "policy"):
        assert np.array_equal(grown[v].values, fixed[v].values)
    rep = json.loads(grown.attrs["analysis"])
    d, = rep["differences"]
    assert d["n"] == 24 and d["half_width"] > 1.0  # not reached: stopped at max_replicates
    # a reachable target stops early
    loose = load_sweep(write_sweep(compare_sweep("relative_half_width = 5.0", 4),
                                   name="loose.toml"))
    assert run_sweep(loose, tmp_path / "loose.zarr", workers=0, progress=False).replicates == 2


def test_store_holds_the_analysis_for_dashboards(reference):
    spec, out, _ = reference
    rep = json.loads(open_sweep(out).attrs["analysis"])
    assert rep["runs"] == 24 and rep["ok"] == 24
    assert {o["output"] for o in rep["outputs"]} == {"flood", "peak_level"}
    d = rep["differences"][0]
    assert d["policy"] == "storage_m3=2000" and d["reference"] == "storage_m3=0"
    assert d["low"] <= d["mean"] <= d["high"] and "paired runs" in d["sentence"]


def compare_sweep(target: str, maxr: int) -> str:
    return SWEEP.format(extra=f"[compare]\noutput = \"flood\"\n{target}\n"
                              f"max_replicates = {maxr}\n")
