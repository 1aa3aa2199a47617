"""`twin sweep`: help, a run and its report, resume, and one clear line for user mistakes."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from twin.cli import main

TWIN = Path(sys.executable).parent / "twin"


def test_help_lists_the_options():
    out = subprocess.run([str(TWIN), "sweep", "--help"], capture_output=True, text=True,
                         check=True).stdout
    for opt in ("--scheduler ADDRESS", "--resume", "--out", "--workers", "--samples",
                "--replicates", "--quiet"):
        assert opt in out


def test_run_report_resume_and_changed_file(write_sweep, tmp_path, capsys):
    path = write_sweep()
    out = tmp_path / "cli.zarr"
    assert main(["sweep", str(path), "--workers", "0", "--out", str(out), "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "toy: 24 runs (0 already done, 24 run now, 0 failed)" in text
    assert "paired differences" in text and "storage_m3=2000 - storage_m3=0 =" in text
    assert main(["sweep", str(path), "--workers", "0", "--out", str(out), "--resume",
                 "--quiet"]) == 0
    assert "24 runs (24 already done, 0 run now" in capsys.readouterr().out
    path.write_text(path.read_text().replace("replicates = 2", "replicates = 3"))
    assert main(["sweep", str(path), "--workers", "0", "--out", str(out), "--resume"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("twin: error: ") and "made from a different sweep" in err
    assert len(err.strip().splitlines()) == 1


def test_unknown_parameter_is_one_clear_line(write_sweep, capsys):
    path = write_sweep()
    path.write_text(path.read_text().replace("toystorm.pumps =", "toystorm.pump ="))
    assert main(["sweep", str(path), "--workers", "0"]) == 2
    err = capsys.readouterr().err
    assert "uncertainties.toystorm.pump: unknown parameter 'pump' of model 'toystorm'" in err
    assert "toystorm's parameters: rain_mm_per_h, pumps, blockage, mode, storage_m3" in err


def test_unreachable_scheduler_is_reported_within_30_s(write_sweep, tmp_path, capsys):
    t0 = time.monotonic()
    code = main(["sweep", str(write_sweep()), "--scheduler", "tcp://127.0.0.1:9",
                 "--out", str(tmp_path / "x.zarr"), "--quiet"])  # default timeout (10 s)
    assert code == 2 and time.monotonic() - t0 < 30
    err = capsys.readouterr().err
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9 within 10 s" in err
    assert not (tmp_path / "x.zarr").exists()
