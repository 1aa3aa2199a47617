"""Defect 7 (and the time zone of 8): `twin run --seed -1`, `twin city --seed -5`, `--save`
onto an existing file, a start near year 9999 gave tracebacks; `--households-per-point 0`
silently became 400; a zone in `start` was dropped. Each is now one line, exit status 2."""

from __future__ import annotations

import pytest

from twin.cli import _progress, main


def _one_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.startswith("twin: error: ") and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1, err
    return err


@pytest.mark.parametrize(("args", "says"), [
    (["--seed", "-1"], "--seed must be an integer from 0"),
    (["--seed", str(2**64)], "--seed must be an integer from 0"),
    (["--replicate", "-3"], "--replicate must be an integer from 0"),
])
def test_run_arguments(args, says, scenario, tmp_path, capsys):
    assert main(["run", str(scenario()), "--out", str(tmp_path / "r.zarr"), "--quiet",
                 *args]) == 2
    assert says in _one_line(capsys)


@pytest.mark.parametrize(("start", "days", "says"), [
    ("9999-12-30", 2, "allowed: start and end from 1677-09-22 to 2262-04-11"),
    ("2262-04-01", 30, "plus the horizon ends 2262-05-01"),
    ("1500-01-01", 1, "allowed: start and end"),
    ("2024-07-01T00:00:00+08:00", 1, "has a time zone; allowed: a local date-time"),
    ("2024-07-01T00:00:00Z", 1, "has a time zone"),
])
def test_calendars_a_store_cannot_hold_or_zones_are_refused(start, days, says, scenario,
                                                            tmp_path, capsys):
    p = scenario(start=start, days=days)
    assert main(["run", str(p), "--out", str(tmp_path / "r.zarr"), "--quiet"]) == 2
    assert says in _one_line(capsys)
    assert not (tmp_path / "r.zarr").exists()


@pytest.mark.parametrize(("args", "says"), [
    (["--seed", "-5"], "--seed must be an integer from 0"),
    (["--households-per-point", "0"], "--households-per-point must be from 100 to 2000, not 0"),
    (["--households-per-point", "-7"], "not -7"),
    (["--households", "0"], "--households must be from 1000"),
    (["--builtin", "nowhere"], "unknown built-in city"),
])
def test_city_arguments(args, says, capsys):
    assert main(["city", *args]) == 2
    assert says in _one_line(capsys)


def test_save_never_writes_over_a_file_or_a_folder_of_other_things(tmp_path, capsys):
    f = tmp_path / "notes.txt"
    f.write_text("keep")
    assert main(["city", "--builtin", "small", "--save", str(f)]) == 2
    assert "a file is there" in _one_line(capsys)
    d = tmp_path / "docs"
    d.mkdir()
    (d / "a.txt").write_text("keep")
    assert main(["city", "--builtin", "small", "--save", str(d)]) == 2
    assert "holds other things" in _one_line(capsys)
    assert f.read_text() == "keep" and (d / "a.txt").read_text() == "keep"


def test_save_replaces_a_saved_city_only_with_overwrite(tmp_path, capsys):
    d = tmp_path / "city"
    assert main(["city", "--builtin", "small", "--save", str(d)]) == 0
    capsys.readouterr()
    assert main(["city", "--builtin", "small", "--save", str(d)]) == 2
    assert "pass --overwrite" in _one_line(capsys)
    assert main(["city", "--builtin", "small", "--save", str(d), "--overwrite"]) == 0
    assert sorted(p.name for p in d.iterdir()) == ["city.geojson", "city.json", "city.zarr"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["city"]


class _Log:
    def __init__(self):
        self.text = ""

    def write(self, s):
        self.text += s

    def flush(self):
        pass

    def isatty(self):
        return False


def test_progress_goes_to_the_log_when_not_on_a_terminal():
    log = _Log()
    update = _progress("storm", stream=log)
    for day in range(31):
        update(day * 86400.0, 30 * 86400.0)
    lines = log.text.strip().splitlines()
    assert len(lines) == 11 and lines[0].startswith("twin: storm: 0% of simulated time")
    assert "100% of simulated time (day 30 of 30)" in lines[-1]


def test_a_cross_field_rule_names_the_field_it_is_about():
    import datetime as dt
    from pathlib import Path

    import pytest

    from twin.core.errors import ScenarioError
    from twin.core.scenario import parse_scenario

    doc = {"scenario": {"start": dt.datetime(2024, 7, 1), "horizon_days": 1},
           "city": {"builtin": "demo"}, "models": {"drainage": {"report_step_s": 90}}}
    with pytest.raises(ScenarioError, match=r"s.toml: models.drainage.report_step_s: "
                       r"report_step_s \(90\) must be a multiple of stride_s \(60\)"):
        parse_scenario(doc, Path("s.toml"))
