"""Calibration specs: bad input gives one error naming the file and the key or row, before
any run."""

from __future__ import annotations

from pathlib import Path

import pytest

from twin.calibrate.spec import load_calibration
from twin.core.errors import ScenarioError

REPO = Path(__file__).resolve().parents[2]


def test_a_good_spec_parses(write_spec):
    spec = load_calibration(write_spec())
    assert spec.keys == ("toygrowth.rate_per_day", "toygrowth.cap_t")
    assert [r.held_out for r in spec.rows] == [False] * 4 + [True]
    assert spec.priors[0].log and not spec.priors[1].log


@pytest.mark.parametrize("old, new, key, message", [
    ('"toygrowth.cap_t"', '"toygrowth.capacity"', 'parameters.toygrowth.capacity',
     "unknown parameter 'capacity' of model 'toygrowth'"),
    ('lo = 20, hi = 200', 'lo = 20, hi = 2000', 'parameters.toygrowth.cap_t.hi',
     "2000 is outside toygrowth.cap_t's allowed range: a number from 0.0 to 1000.0"),
    ('prior = "uniform"', 'prior = "flat"', 'parameters.toygrowth.cap_t.prior',
     "got 'flat'; allowed: uniform, log-uniform, normal, lognormal"),
    ('"w4"]', '"w9"]', 'rows.fit[3]', "no row 'w9'"),
    ('window = "mean"', 'window = "median"', 'quantities.stock.window', "got 'median'"),
    ('prior = "log-uniform", lo = 0.01', 'prior = "log-uniform", lo = 0.0',
     'parameters.toygrowth.rate_per_day.lo', "a log-uniform prior needs lo > 0"),
])
def test_bad_specs_name_the_file_and_key(write_spec, old, new, key, message):
    path = write_spec()
    path.write_text(path.read_text().replace(old, new))
    with pytest.raises(ScenarioError) as e:
        load_calibration(path)
    assert e.value.path == path and e.value.key == key
    assert message in e.value.message


def test_a_window_outside_the_scenario_names_the_row(write_spec):
    from calibrate.conftest import OBS

    path = write_spec(obs=OBS.replace("2024-02-25,2024-02-29", "2024-03-25,2024-03-29"))
    with pytest.raises(ScenarioError, match=r"row 'w4' \(.*obs.csv:5\) covers 2024-03-25"
                       r"..2024-03-29, outside the scenario 'growthbase'"):
        load_calibration(path)


def test_observations_without_units_are_refused_before_any_run(write_spec):
    from calibrate.conftest import OBS

    path = write_spec(obs=OBS.replace(",t,2,assumed,,test\nw2", ",,2,assumed,,test\nw2"))
    with pytest.raises(ScenarioError, match=r"obs.csv:2:unit: missing"):
        load_calibration(path)


@pytest.mark.parametrize("path", sorted((REPO / "calibration").glob("*/spec.toml")))
def test_shipped_specs_parse(path):
    spec = load_calibration(path)
    assert spec.fit_rows() and all(r.obs.source for r in spec.rows)
