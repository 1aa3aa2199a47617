"""Defect 5: drainage kept about 15 MB per simulated day in memory (a 10-year run would need
tens of GB). The recorder now holds rows in numpy blocks, spills full blocks to disk and the
Dataset reads them lazily (the same bits, whatever is spilled; writing the store streams
them); a base on a fixed step is one run of times; the SWMM engine process frees the stats
structs the toolkit leaks; and each model states the horizon it can run, checked at load."""

from __future__ import annotations

import numpy as np
import xarray as xr

import twin.core.recorder as R
from twin.cli import main
from twin.core.clock import Calendar
from twin.core.recorder import Recorder


def _recorder(spill_bytes: int) -> Recorder:
    import datetime as dt

    rec = Recorder(Calendar(dt.datetime(2024, 7, 1)))
    rec.spill_bytes = spill_bytes
    rec.model = "m"
    rec.coord("node", ["a", "b", "c"])
    rec.declare("depth", dims=("node",), units="m", long_name="depth")
    rec.declare("closed", dims=("node",), units="1", long_name="closed", dtype=np.int8)
    rec.declare("n", units="1", long_name="count", dtype=np.int64)
    rng = np.random.default_rng(4)
    for day in range(50):
        rec.append("depth", day * 86400.0, rng.random(3))
        rec.append("closed", day * 86400.0, rng.integers(0, 2, 3))
        rec.append("n", day * 86400.0, day)
    return rec


def test_spilled_series_are_the_same_bits_and_lazy():
    plain = _recorder(R.SPILL_BYTES).to_dataset()
    rec = _recorder(64)  # a block every few rows
    spilled = rec.to_dataset()
    assert rec._spill is not None and spilled["depth"].chunks is not None
    assert plain["depth"].chunks is None  # short series stay numpy
    xr.testing.assert_identical(plain, spilled.load())
    for v in plain.data_vars:
        assert plain[v].dtype == spilled[v].dtype


def test_the_spill_folder_lives_as_long_as_an_array_reads_it(tmp_path):
    import gc
    from pathlib import Path

    rec = _recorder(64)
    depth = rec.to_dataset()["depth"].max("day")  # lazy, derived; the Dataset is gone
    folder = Path(rec._spill_dir.path)
    del rec
    gc.collect()
    assert folder.is_dir()
    assert depth.values.shape == (3,)
    del depth
    gc.collect()
    assert not folder.exists(), "the spill folder outlived every array reading it"


def test_a_run_that_spills_stores_the_same_results(scenario, tmp_path, monkeypatch):
    p = scenario(days=40)
    assert main(["run", str(p), "--out", str(tmp_path / "a.zarr"), "--quiet"]) == 0
    monkeypatch.setattr(R, "SPILL_BYTES", 100)
    assert main(["run", str(p), "--out", str(tmp_path / "b.zarr"), "--quiet"]) == 0
    a, b = xr.open_zarr(tmp_path / "a.zarr").load(), xr.open_zarr(tmp_path / "b.zarr").load()
    xr.testing.assert_identical(a, b)


# -------------------------------------------------------------- bounded by design, not by luck
def test_a_row_costs_its_bytes_and_a_regular_base_one_run():
    """No object per row: 100,000 scalar rows hold about 8 bytes each (a per-row numpy array
    cost ~100), and the base's times, on a fixed step, are one run whatever their number."""
    import datetime as dt
    import tracemalloc

    rec = Recorder(Calendar(dt.datetime(2024, 7, 1)))
    rec.model = "m"
    rec.time_base("m_time", long_name="strides")
    rec.declare("n", units="1", long_name="count", time_dim="m_time", dtype=np.int64)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for k in range(1, 100_001):
        rec.append("n", 60.0 * k, k)
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert grown / 100_000 < 20, f"{grown / 100_000:.0f} bytes a scalar row"
    assert len(rec._bases["m_time"].times.runs) == 1
    ds = rec.to_dataset()
    assert ds["n"].values[-1] == 100_000 and ds["m_time"].size == 100_000


def test_memory_does_not_grow_with_the_rows_recorded():
    """A drainage-like series (98 nodes a row): ten times the rows, the same memory held,
    since full blocks go to the spill store and the times are one run."""
    import datetime as dt
    import tracemalloc

    def held(rows: int) -> int:
        rec = Recorder(Calendar(dt.datetime(2024, 7, 1)))
        rec.spill_bytes = 256 * 2**10
        rec.model = "m"
        rec.time_base("m_time", long_name="strides")
        rec.coord("node", [f"J{i}" for i in range(98)])
        rec.declare("depth", dims=("node",), units="m", long_name="depth", time_dim="m_time")
        row = np.linspace(0.0, 1.0, 98)
        tracemalloc.start()
        for k in range(1, rows + 1):
            rec.append("depth", 60.0 * k, row)
        size = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        assert rec._vars["depth"].spilled > 0
        return size

    short, long = held(4_000), held(40_000)
    assert long - short < 256 * 2**10, f"{(long - short) / 2**20:.1f} MiB more for 10x the rows"


def test_irregular_times_read_back_bit_for_bit():
    import datetime as dt

    rng = np.random.default_rng(7)
    steps = rng.choice([0.1, 60.0, 1 / 3], 5000) * rng.integers(1, 4, 5000)
    times = np.cumsum(steps)
    rec = Recorder(Calendar(dt.datetime(2024, 7, 1)))
    rec.model = "m"
    rec.time_base("m_time", long_name="events")
    rec.declare("x", units="1", long_name="x", time_dim="m_time")
    for t in times:
        rec.append("x", t, t)
    base = rec._bases["m_time"].times
    assert np.array_equal(base.array(), times) and base[-1] == times[-1] and base[17] == times[17]
    np.testing.assert_array_equal(rec.to_dataset()["x"].values, times)


def test_a_row_of_another_shape_is_refused_at_the_append():
    import datetime as dt

    import pytest

    from twin.core.errors import TwinError

    rec = Recorder(Calendar(dt.datetime(2024, 7, 1)))
    rec.model = "m"
    rec.coord("node", ["a", "b", "c"])
    rec.declare("depth", dims=("node",), units="m", long_name="depth")
    rec.append("depth", 0.0, [1.0, 2.0, 3.0])
    with pytest.raises(TwinError, match=r"'depth' appended with shape \(\).*shape \(3,\)"):
        rec.append("depth", 86400.0, 5.0)  # would broadcast silently into a block
    assert len(rec._bases["day"].times) == 1  # the refused row left no time behind


def test_swmm_stats_reads_free_their_memory(tmp_path):
    """The toolkit allocates a stats struct per `node_get_stats` and never frees it: 40 MB in
    5,040 reads of user1's 59 nodes before the fix, so 15-20 MB a simulated day on the city.
    The engine process now holds the same memory from the first read to the last."""
    import subprocess
    import sys

    from conftest import REPO, SHARED

    user1 = SHARED / "data" / "swmm" / "user1.inp"
    if not user1.is_file():
        import pytest

        pytest.skip("shared SWMM data missing")
    code = f"""
import tempfile
from pathlib import Path
from twin.models.drainage.engine import _Engine
from twin.models.drainage.inp import prepared_copy, read_inp
def rss_kb():
    return int(next(ln for ln in open("/proc/self/status") if ln.startswith("VmRSS")).split()[1])
tmp = Path({str(tmp_path)!r})
e = _Engine()
e.open(str(prepared_copy(read_inp({str(user1)!r}), tmp)), str(tmp / "m.rpt"), str(tmp / "m.out"), 5)
e.advance([600.0])
before, t = rss_kb(), 600.0
while not e.done:
    t += 5.0
    e.advance([t])
print(len(e.flood_nodes) * (t - 600.0) / 5.0, (rss_kb() - before) / 1024)
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                         check=True).stdout.split()
    reads, grown_mb = float(out[0]), float(out[1])
    assert reads > 250_000
    assert grown_mb < 4.0, f"the engine process grew {grown_mb:.1f} MB over {reads:,.0f} reads"


# -------------------------------------------------------------- the horizon a model can run
def _drainage(horizon: dict, **drainage):
    import datetime as dt

    return {"scenario": {"start": dt.datetime(2024, 7, 1), **horizon},
            "city": {"builtin": "demo"}, "models": {"drainage": {"storm": "design", **drainage}}}


def test_drainage_states_its_horizon_limit_and_the_way_past_it():
    from pathlib import Path

    import pytest

    from twin.core.errors import ScenarioError
    from twin.core.scenario import parse_scenario

    with pytest.raises(ScenarioError) as e:
        parse_scenario(_drainage({"horizon_days": 36500}), Path("s.toml"))
    msg = str(e.value)
    assert "scenario.horizon_days" in msg and "model 'drainage'" in msg
    assert "report_step_s" in msg and "at most 11,650 days" in msg
    with pytest.raises(ScenarioError, match=r"horizon_hours.*at most 279,620 hours"):
        parse_scenario(_drainage({"horizon_hours": 300_000}), Path("s.toml"))
    assert parse_scenario(_drainage({"horizon_days": 11650}), Path("s.toml"))
    assert parse_scenario(_drainage({"horizon_days": 36500}, report_step_s=900), Path("s.toml"))
    with pytest.raises(ScenarioError, match="report_step_s .* multiple of stride_s"):
        parse_scenario(_drainage({"horizon_days": 1}, report_step_s=90), Path("s.toml"))


def test_a_plugin_states_its_horizon_limit(counting_model, tmp_path):
    """The hook is public: a researcher's model refuses what it cannot run, at load."""
    import pytest

    from twin.core import registry
    from twin.core.errors import ScenarioError
    from twin.core.scenario import load_scenario

    class ShortCounting(counting_model):
        name = "short_counting"

        @classmethod
        def horizon_limit(cls, params, start):
            return 10 * 86400.0, "its forcing data end after ten days"

    registry.register(ShortCounting)
    p = tmp_path / "s.toml"
    p.write_text('[scenario]\nstart = 2024-07-01\nhorizon_days = 11\n[city]\nbuiltin = "small"\n'
                 "[models.short_counting]\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"s.toml: scenario.horizon_days: 11 days is longer "
                       r"than model 'short_counting' can run \(at most 10 days: its forcing "
                       r"data end after ten days\); allowed: at most 10 days"):
        load_scenario(p)
    p.write_text(p.read_text().replace("= 11", "= 10"))
    assert load_scenario(p).horizon_s == 10 * 86400.0


def test_report_step_keeps_every_stride_inside(tmp_path):
    """Rows every 5 min are the 1-min run's rows at those times, and the end-of-run figures
    (peaks, books, waterlogging) are the same bits: only what is written thins out."""
    from pathlib import Path

    from twin.core.run import run
    from twin.core.scenario import parse_scenario

    fine = run(parse_scenario(_drainage({"horizon_hours": 4}), Path("s.toml")))
    coarse = run(parse_scenario(_drainage({"horizon_hours": 4}, report_step_s=300),
                                Path("s.toml")))
    # strides end at 00:01 ... 03:59 (SWMM's last minute runs in finish), reports at 00:05 ...
    assert coarse.sizes["drainage_time"] == 47 and fine.sizes["drainage_time"] == 239
    at = fine.sel(drainage_time=coarse["drainage_time"])
    for name in coarse.data_vars:
        if "drainage_time" not in coarse[name].dims:
            np.testing.assert_array_equal(coarse[name].values, fine[name].values, err_msg=name)
        elif name == "rain_intensity":  # the mean over the report step: five 1-min means
            means = fine[name].values[:235].reshape(47, 5).mean(axis=1)
            np.testing.assert_allclose(coarse[name].values, means, rtol=1e-12)
        else:
            np.testing.assert_array_equal(coarse[name].values, at[name].values, err_msg=name)
    # the headline peaks come from every stride, not from the rows written
    from twin.models.drainage.model import DrainageModel

    assert float(coarse["peak_street_water_volume"]) == float(fine["street_water_volume"].max())
    assert DrainageModel.summarize(coarse) == DrainageModel.summarize(fine)


def test_a_report_step_past_the_horizon_is_refused_before_swmm_runs():
    from pathlib import Path

    import pytest

    from twin.core.errors import ScenarioError
    from twin.core.run import run
    from twin.core.scenario import parse_scenario

    sc = parse_scenario(_drainage({"horizon_hours": 6}, report_step_s=86400), Path("s.toml"))
    with pytest.raises(ScenarioError, match=r"models.drainage.report_step_s: 86400 s is longer "
                       r"than the scenario's horizon \(21600 s\)"):
        run(sc)


def test_a_bad_spill_folder_stops_the_run_at_its_start(monkeypatch, tmp_path):
    import pytest

    from twin.core.errors import TwinError

    for bad in (str(tmp_path / "missing"), "/proc", str(tmp_path / "file")):
        (tmp_path / "file").write_text("x")
        monkeypatch.setenv("TWIN_SPILL_DIR", bad)
        with pytest.raises(TwinError, match=r"TWIN_SPILL_DIR=.*not a folder this process can "
                           r"write"):
            _recorder(R.SPILL_BYTES)
    monkeypatch.setenv("TWIN_SPILL_DIR", str(tmp_path))
    rec = _recorder(64)
    assert rec._spill is not None and rec._spill_dir.path.startswith(str(tmp_path))


def test_a_sweep_lever_the_horizon_cannot_take_stops_at_load(tmp_path):
    import pytest

    from twin.core.errors import ScenarioError
    from twin.sweep.spec import load_sweep

    (tmp_path / "base.toml").write_text(
        '[scenario]\nstart = 2024-07-01\nhorizon_days = 11650\n[city]\nbuiltin = "demo"\n'
        '[models.drainage]\nstorm = "design"\n', encoding="utf-8")
    (tmp_path / "sweep.toml").write_text(
        '[sweep]\nname = "s"\nbase = "base.toml"\n[levers]\n"drainage.stride_s" = [60, 30]\n'
        '[outputs]\nflood = "system_flood_volume"\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"levers.drainage.stride_s\[1\]: drainage.stride_s "
                       r"= 30 on the base scenario: 11,650 days is longer than model "
                       r"'drainage' can run \(at most 5,825 days"):
        load_sweep(tmp_path / "sweep.toml")


def test_a_spilled_run_reaches_the_sweep_driver_as_numbers(scenario, monkeypatch):
    """A sweep worker's run that spilled is reduced and loaded there: its spill folder goes
    with the run, and the driver lays out its store from the first runs' outputs."""
    import gc

    from twin.core.scenario import load_scenario
    from twin.sweep.runner import RunTask, execute
    from twin.sweep.spec import Output

    monkeypatch.setattr(R, "SPILL_BYTES", 64)
    base = load_scenario(scenario(days=40))
    outputs = (Output("peak", "count", (("max", ("day",)),)), Output("total", "total"))
    got = execute(base, 3, outputs, RunTask(0, 0, 0, ()))
    gc.collect()  # the run's Dataset, and with it the spill folder, is gone
    for da in got.values():
        assert isinstance(da.data, np.ndarray)
    assert got["peak"].sizes == {"district": got["peak"].sizes["district"]}


def test_households_refuses_a_run_past_the_spring_festivals_it_knows():
    import datetime as dt
    from pathlib import Path

    import pytest

    from twin.core.errors import ScenarioError
    from twin.core.scenario import parse_scenario

    def doc(start, days, **hh):
        return {"scenario": {"start": start, "horizon_days": days},
                "city": {"builtin": "small"}, "models": {"households": hh}}

    with pytest.raises(ScenarioError, match=r"horizon_days: 3,650 days is longer than model "
                       r"'households' can run \(at most 2,191 days: the Spring Festival dates "
                       r"twin knows cover 2010-2035.*allowed: at most 2,191 days"):
        parse_scenario(doc(dt.datetime(2030, 1, 1), 3650), Path("s.toml"))
    assert parse_scenario(doc(dt.datetime(2030, 1, 1), 2191), Path("s.toml"))
    assert parse_scenario(doc(dt.datetime(2030, 1, 1), 3650, spring_festival_effect=0.0),
                          Path("s.toml"))
    with pytest.raises(ScenarioError, match=r"scenario.start: model 'households' cannot run "
                       r"from 2005-01-01 00:00"):
        parse_scenario(doc(dt.datetime(2005, 1, 1), 30), Path("s.toml"))
    # a window opening 60 days before the new year may touch the unknown 2036 festival from
    # 22 November 2035 (the new year falls on 21 January at the earliest)
    wide = {"spring_festival_days": [-60.0, 6.0]}
    with pytest.raises(ScenarioError, match=r"at most 21 days"):
        parse_scenario(doc(dt.datetime(2035, 11, 1), 31, **wide), Path("s.toml"))
    assert parse_scenario(doc(dt.datetime(2035, 11, 1), 21, **wide), Path("s.toml"))
