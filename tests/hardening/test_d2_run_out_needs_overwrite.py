"""Defect 2: `twin run --out` silently replaced any store, a sweep store included. Now an
existing run store is replaced only with --overwrite, a sweep, calibration or user folder
never, and a failed write leaves the earlier store as it was."""

from __future__ import annotations

import pytest
import xarray as xr

from twin.cli import main
from twin.sweep.runner import run_sweep
from twin.sweep.spec import load_sweep

from .conftest import tree


def _err(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err


def test_an_existing_store_needs_overwrite(scenario, tmp_path, capsys):
    out = tmp_path / "r.zarr"
    assert main(["run", str(scenario()), "--out", str(out), "--quiet"]) == 0
    before = tree(out)
    capsys.readouterr()
    assert main(["run", str(scenario()), "--out", str(out), "--quiet"]) == 2
    assert "exists (a results store); pass --overwrite" in _err(capsys)
    assert tree(out) == before
    assert main(["run", str(scenario()), "--out", str(out), "--quiet", "--seed", "9",
                 "--overwrite"]) == 0
    assert xr.open_zarr(out).attrs["seed_root"] == 9


def test_a_sweep_store_is_never_replaced_by_a_run(scenario, write_sweep, tmp_path, capsys):
    out = tmp_path / "sweep.zarr"
    run_sweep(load_sweep(write_sweep()), out, workers=0, progress=False)
    before = tree(out)
    capsys.readouterr()
    assert main(["run", str(scenario()), "--out", str(out), "--quiet", "--overwrite"]) == 2
    assert "is a sweep store; a single run never replaces it" in _err(capsys)
    assert tree(out) == before


def test_a_failed_write_leaves_the_earlier_store(scenario, tmp_path, capsys, monkeypatch):
    out = tmp_path / "r.zarr"
    assert main(["run", str(scenario()), "--out", str(out), "--quiet"]) == 0
    before = tree(out)
    real = xr.Dataset.to_zarr

    def half_then_fail(self, store, *a, **k):
        real(self.isel({d: slice(0, 1) for d in self.dims}), store, *a, **k)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(xr.Dataset, "to_zarr", half_then_fail)
    with pytest.raises(OSError, match="No space left"):
        main(["run", str(scenario()), "--out", str(out), "--quiet", "--overwrite"])
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.zarr", "s.toml"], \
        "the temporary store was left behind"
