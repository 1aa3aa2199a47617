"""Defect 5: drainage kept about 15 MB per simulated day in memory (a 10-year run would need
tens of GB). The recorder now spills long time series to disk in blocks and the Dataset reads
them lazily: the same bits, whatever is spilled; writing the store streams them."""

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
