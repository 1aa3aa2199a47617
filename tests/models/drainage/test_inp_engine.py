"""Input checking and the SWMM worker process: errors name the file and line, a dead or hung
engine becomes an EngineError for that run only."""

from __future__ import annotations

import pytest
from conftest import SHARED

from twin.core.errors import EngineError, TwinError
from twin.models.drainage.engine import SteppedRun, Worker, run_plain
from twin.models.drainage.inp import InpError, read_inp

USER1 = SHARED / "data" / "swmm" / "user1.inp"
needs_data = pytest.mark.skipif(not USER1.is_file(), reason="shared SWMM data missing")


def _broken(tmp_path, old: str, new: str):
    text = USER1.read_text()
    assert old in text
    bad = tmp_path / "bad.inp"
    bad.write_text(text.replace(old, new, 1))
    lineno = text[: text.index(old)].count("\n") + 1
    return bad, lineno


def test_missing_file_names_the_path(tmp_path):
    missing = tmp_path / "nowhere" / "net.inp"
    with pytest.raises(InpError, match=str(missing)):
        read_inp(missing)
    assert issubclass(InpError, TwinError)


@needs_data
@pytest.mark.parametrize(("old", "new", "what"), [
    ("[CONDUITS]", "[CONDUIT]", "unknown section"),
    ("05y33            05y32", "05y33            NOPE", "undefined node 'NOPE'"),
    ("05y33            05y32            135.0", "05y33            05y32            abc",
     "must be a number"),
])
def test_malformed_inp_names_the_line(tmp_path, old, new, what):
    bad, lineno = _broken(tmp_path, old, new)
    with pytest.raises(InpError) as err:
        read_inp(bad)
    assert f"{bad}:{lineno}:" in str(err.value)
    assert what in str(err.value)


@needs_data
def test_swmm_error_in_worker_becomes_engine_error(tmp_path):
    # a cross-section shape SWMM rejects (our checks pass it through): SWMM's own message
    bad, _ = _broken(tmp_path, "CIRCULAR", "OVAL")
    # SWMM's own message, pointing at the user's file and line
    with pytest.raises(EngineError, match=r"bad.inp: SWMM refused the network: ERROR 205"
                       r".*OVAL at .*bad.inp:\d+ \(\[XSECTIONS\]"):
        run_plain(bad)


def test_crash_in_engine_process_is_an_engine_error():
    w = Worker("crash-test", timeout_s=60)
    try:
        with pytest.raises(EngineError, match=r"died during 'crash'.*SIGSEGV"):
            w.call("crash")
    finally:
        w.close()


def test_hung_engine_times_out_and_is_killed():
    w = Worker("hang-test", timeout_s=60)
    try:
        with pytest.raises(EngineError, match="did not answer 'sleep' within 1 s"):
            w.call("sleep", 30.0, timeout_s=1.0)
        assert not w.alive()
    finally:
        w.close()


@needs_data
def test_rain_scaling_and_threads_in_the_run_copy(tmp_path):
    run = SteppedRun(USER1, stride_s=60, rain_scale=2.0, keep_files=True)
    try:
        copy = read_inp(run.tmp / "model.inp")
        assert copy.option("THREADS") == "1"
        orig = {ln.fields[-1] for ln in read_inp(USER1).rows("TIMESERIES") if ln.fields}
        scaled = {ln.fields[-1] for ln in copy.rows("TIMESERIES") if ln.fields}
        assert orig != scaled
    finally:
        run.close()
        import shutil

        shutil.rmtree(run.tmp, ignore_errors=True)


@needs_data
def test_abandoned_run_leaves_no_engine_process():
    """A run that fails between open and finish (an error elsewhere in the model) must not
    leave its SWMM process or its temporary files behind once it is dropped."""
    import gc

    run = SteppedRun(USER1, stride_s=60)
    run.advance(600)
    proc, tmp = run.worker.proc, run.tmp
    del run
    gc.collect()
    assert proc.wait(10) is not None
    assert not tmp.exists()


def test_unknown_station_or_node_in_a_drill_is_a_clear_error():
    import gc

    from twin.core.run import run
    from twin.models.drainage.drills import drill_scenario

    s = drill_scenario(pump_outages=[("P_PS01", 60, None)], duration_min=60)
    bad = s.events[0].payload.__class__("P_NOPE")
    import dataclasses

    s = dataclasses.replace(s, events=(dataclasses.replace(s.events[0], payload=bad),))
    with pytest.raises(TwinError, match="unknown pumping station 'P_NOPE'; allowed: PS01"):
        run(s)
    gc.collect()
    with pytest.raises(TwinError, match="unknown node 'J999'"):
        run(drill_scenario(inlet_blockages=[(999, 30, 0.5)], duration_min=60))


@needs_data
def test_running_ahead_gives_the_lockstep_states_and_refuses_late_commands():
    """A run that computes strides ahead returns, stride by stride, exactly the states of a
    run advanced one stride per call; a command while states are still ahead is refused."""
    import numpy as np

    with SteppedRun(USER1, stride_s=60) as a, SteppedRun(USER1, stride_s=60) as b:
        for t in range(60, 3601, 60):
            sa, sb = a.advance(t), b.advance(t, ahead_s=900)
            assert sa["t_s"] == sb["t_s"] == t
            for key in ("depth_m", "flood_m3_per_s", "pump_flow_m3_per_s", "pump_setting"):
                np.testing.assert_array_equal(sa[key], sb[key])
        b.advance(3660, ahead_s=600)
        with pytest.raises(EngineError, match="has run ahead to"):
            b.set_flow_limit("1", 0.1)
        with pytest.raises(EngineError, match="after the engine ran ahead"):
            b.advance(3690)
