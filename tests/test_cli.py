"""The `twin` command: clear one-line errors, results stored as Zarr, help everywhere."""

import subprocess
import sys
import textwrap

import pytest
import xarray as xr

from twin.cli import main

SCENARIO = """
[scenario]
name = "cli"
start = 2020-01-01
horizon_days = 3

[city]
builtin = "small"

[models.counting]
rate_per_day = 2.0
"""


def test_run_writes_zarr_and_prints_summary(tmp_path, capsys, counting_model):
    p = tmp_path / "s.toml"
    p.write_text(textwrap.dedent(SCENARIO))
    assert main(["run", str(p), "--out", str(tmp_path / "r.zarr"), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "events counted" in out and "r.zarr" in out
    ds = xr.open_zarr(tmp_path / "r.zarr")
    assert ds["count"].attrs["units"] == "1/d" and ds.attrs["scenario"] == "cli"


def test_user_errors_are_one_line_without_traceback(tmp_path, capsys, counting_model):
    p = tmp_path / "s.toml"
    p.write_text(textwrap.dedent(SCENARIO).replace("rate_per_day = 2.0", "rate_per_day = -2"))
    assert main(["run", str(p), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("twin: error: ") and "rate_per_day" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_refuses_to_replace_a_folder_that_is_not_a_results_store(tmp_path, capsys,
                                                                  counting_model):
    p = tmp_path / "s.toml"
    p.write_text(textwrap.dedent(SCENARIO))
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("keep me")
    assert main(["run", str(p), "--out", str(precious), "--quiet"]) == 2
    assert (precious / "thesis.txt").exists()
    assert "not a twin results store" in capsys.readouterr().err


@pytest.mark.parametrize("cmd", [[], ["run"], ["demo"], ["models"], ["city"], ["validate"]])
def test_help_everywhere(cmd):
    r = subprocess.run([sys.executable, "-m", "twin.cli", *cmd, "--help"], capture_output=True,
                       text=True)
    assert r.returncode == 0 and "usage: twin" in r.stdout


def test_city_command(tmp_path, capsys):
    assert main(["city", "--households", "2000", "--seed", "3", "--save", str(tmp_path / "c")]) == 0
    assert "mean_household_size" in capsys.readouterr().out
    assert (tmp_path / "c" / "city.json").is_file()
    assert main(["city", "--households", "5"]) == 2


def test_city_command_point_density(capsys):
    """--households-per-point changes the collection points; out of range is a user error."""
    def points(*extra):
        assert main(["city", "--households", "4000", "--seed", "3", *extra]) == 0
        out = capsys.readouterr().out
        return int(next(ln.split()[-1] for ln in out.splitlines()
                        if ln.split() and ln.split()[0] == "collection_points"))
    dense, sparse = points("--households-per-point", "200"), points("--households-per-point",
                                                                     "800")
    assert dense > 1.5 * sparse
    assert main(["city", "--households-per-point", "5"]) == 2
    assert "--households-per-point must be from 100 to 2000" in capsys.readouterr().err
