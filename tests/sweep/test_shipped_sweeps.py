"""The shipped sweeps on the real models (small versions, as `make demo` runs them): the
store is the same in one process and on 2 local workers, and the analysis says something."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from twin.sweep.runner import run_sweep
from twin.sweep.spec import load_sweep
from twin.sweep.store import open_sweep

from .conftest import tree

SWEEPS = Path(__file__).resolve().parents[2] / "scenarios" / "sweeps"


@pytest.mark.slow
@pytest.mark.parametrize("name,small", [
    ("sorting_adoption", {"samples": 2, "replicates": 1, "max_replicates": 1}),
    ("rainstorm_waterlogging", {"samples": 1}),
    ("parking_supply", {"samples": 1, "replicates": 1, "max_replicates": 1}),
    ("gas_renewal", {"samples": 1, "replicates": 1, "max_replicates": 1}),
])
def test_shipped_sweep_is_identical_in_process_and_on_2_workers(name, small, client2,
                                                                tmp_path):
    spec = load_sweep(SWEEPS / f"{name}.toml", **small)
    one = run_sweep(spec, tmp_path / "one.zarr", workers=0, progress=False)
    two = run_sweep(spec, tmp_path / "two.zarr", client=client2, progress=False)
    assert one.failed == two.failed == 0 and two.workers == 2
    assert tree(tmp_path / "one.zarr") == tree(tmp_path / "two.zarr")
    rep = json.loads(open_sweep(tmp_path / "two.zarr").attrs["analysis"])
    assert rep["ok"] == one.n_runs and rep["differences"] and rep["sensitivity"]
    assert all("problem" not in s for s in rep["sensitivity"])
    assert rep["discovery"][0]["sentence"]
