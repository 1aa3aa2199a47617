"""Defect 1: a new sweep onto an existing store deleted it before its first runs succeeded;
when they failed, every finished run was gone. Now the old store stays until the new sweep
is complete, and is swapped out only then."""

from __future__ import annotations

import pytest

from twin.core.errors import TwinError
from twin.core.paths import staging
from twin.sweep.runner import run_sweep
from twin.sweep.spec import load_sweep

from .conftest import tree


def test_a_failing_new_sweep_leaves_the_finished_store_intact(write_sweep, tmp_path):
    out = tmp_path / "s.zarr"
    run_sweep(load_sweep(write_sweep()), out, workers=0, progress=False)
    before = tree(out)
    base = tmp_path / "base.toml"  # every run of the new sweep fails
    base.write_text(base.read_text() + "fail_above_mm_per_h = 0.0\n")
    with pytest.raises(TwinError, match="the first runs failed"):
        run_sweep(load_sweep(tmp_path / "sweep.toml"), out, workers=0, progress=False)
    assert tree(out) == before, "the finished sweep store was touched"
    assert not staging(out).exists()


def test_the_old_store_is_there_until_the_new_sweep_is_complete(write_sweep, tmp_path):
    out = tmp_path / "s.zarr"
    run_sweep(load_sweep(write_sweep()), out, workers=0, progress=False)
    before = tree(out)
    seen = []

    def check(_n, _total):
        seen.append(tree(out) == before)

    spec = load_sweep(write_sweep(), replicates=1)
    s = run_sweep(spec, out, workers=0, progress=False, on_progress=check)
    assert seen and all(seen), "the old store changed while the new sweep ran"
    assert s.n_runs == 12 and tree(out) != before
    assert not staging(out).exists()
    assert any("kept until this one is complete" in n for n in s.notes)


def test_overwrite_false_refuses_a_finished_sweep(write_sweep, tmp_path):
    out = tmp_path / "s.zarr"
    spec = load_sweep(write_sweep())
    run_sweep(spec, out, workers=0, progress=False)
    with pytest.raises(TwinError, match="pass --overwrite to replace it"):
        run_sweep(spec, out, workers=0, progress=False, overwrite=False)


def test_a_sweep_never_replaces_a_run_store_or_a_user_folder(write_sweep, tmp_path,
                                                             scenario):
    from twin.cli import main

    run_store = tmp_path / "run.zarr"
    assert main(["run", str(scenario()), "--out", str(run_store), "--quiet"]) == 0
    spec = load_sweep(write_sweep())
    with pytest.raises(TwinError, match="is a run store; a sweep never replaces it"):
        run_sweep(spec, run_store, workers=0, progress=False)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep")
    with pytest.raises(TwinError, match="not a twin store"):
        run_sweep(spec, mine, workers=0, progress=False)
    assert (mine / "notes.txt").read_text() == "keep"
