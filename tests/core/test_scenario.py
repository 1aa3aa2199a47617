"""Scenario validation: one test per kind of bad input, each naming file, key and allowed."""

import datetime as dt
import textwrap

import pytest

from twin.core.errors import ScenarioError
from twin.core.scenario import load_scenario, parse_offset

GOOD = """
[scenario]
name = "count"
start = 2020-01-01
horizon_days = 5
seed = 3

[city]
builtin = "small"

[models.counting]
rate_per_day = 4.0

[[events]]
at = "2d 06:00"
model = "counting"
kind = "bump"
amount = 10
"""


def write(tmp_path, text, name="s.toml"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return p


def bad(tmp_path, text):
    with pytest.raises(ScenarioError) as e:
        load_scenario(write(tmp_path, text))
    return str(e.value)


def test_good_scenario_parses(tmp_path, counting_model):
    s = load_scenario(write(tmp_path, GOOD))
    assert s.name == "count" and s.horizon_s == 5 * 86400 and s.seed == 3
    assert s.models["counting"].rate_per_day == 4.0
    assert s.events[0].at_s == 2 * 86400 + 6 * 3600 and s.events[0].payload.amount == 10
    assert len(s.digest()) == 16


def test_unknown_top_level_key(tmp_path, counting_model):
    msg = bad(tmp_path, GOOD + "\n[extras]\nx = 1\n")
    assert "s.toml: extras: unknown key; allowed: city, events, models, scenario" in msg


def test_unknown_scenario_key(tmp_path, counting_model):
    assert "scenario.horizon: unknown key" in bad(tmp_path, GOOD.replace("horizon_days", "horizon"))


def test_wrong_type(tmp_path, counting_model):
    msg = bad(tmp_path, GOOD.replace("rate_per_day = 4.0", 'rate_per_day = "four"'))
    assert "models.counting.rate_per_day" in msg and "allowed: a number" in msg


def test_out_of_range(tmp_path, counting_model):
    msg = bad(tmp_path, GOOD.replace("rate_per_day = 4.0", "rate_per_day = -1"))
    assert "models.counting.rate_per_day" in msg and "out of range" in msg and "from 0.0 to" in msg


def test_unknown_parameter_lists_the_parameters(tmp_path, counting_model):
    msg = bad(tmp_path, GOOD.replace("rate_per_day = 4.0", "rate = 4.0"))
    assert "models.counting.rate: unknown parameter; allowed: rate_per_day, label" in msg


def test_unknown_model(tmp_path, counting_model):
    msg = bad(tmp_path, GOOD.replace("[models.counting]\nrate_per_day = 4.0", "[models.trams]"))
    assert "models.trams: unknown model; registered models:" in msg and "counting" in msg


def test_unknown_event(tmp_path, counting_model):
    msg = bad(tmp_path, GOOD.replace('kind = "bump"', 'kind = "explode"'))
    assert "events[0].kind: unknown event 'explode' for model 'counting'; allowed: bump" in msg


def test_event_outside_horizon_and_bad_time(tmp_path, counting_model):
    assert "outside the scenario's horizon" in bad(tmp_path, GOOD.replace('"2d 06:00"', '"9d"'))
    assert "events[0].at" in bad(tmp_path, GOOD.replace('"2d 06:00"', '"soon"'))


def test_missing_file(tmp_path, counting_model):
    with pytest.raises(ScenarioError, match="not found"):
        load_scenario(tmp_path / "absent.toml")


def test_missing_city_folder(tmp_path, counting_model):
    msg = bad(tmp_path, GOOD.replace('builtin = "small"', 'path = "no/such/city"'))
    assert "city.path: no saved city at" in msg


def test_unknown_builtin_city(tmp_path, counting_model):
    assert "allowed: one of demo, small, large" in bad(tmp_path, GOOD.replace('"small"', '"x"'))


def test_invalid_toml_names_the_file(tmp_path, counting_model):
    msg = bad(tmp_path, "[scenario\nstart=")
    assert "s.toml: not valid TOML" in msg


def test_missing_start_and_horizon(tmp_path, counting_model):
    assert "scenario.start: missing" in bad(tmp_path, GOOD.replace("start = 2020-01-01", ""))
    assert "exactly one of horizon_days or horizon_hours" in bad(
        tmp_path, GOOD.replace("horizon_days = 5", ""))


def test_nothing_in_a_scenario_is_executed(tmp_path, counting_model):
    marker = tmp_path / "pwned"
    msg = bad(tmp_path, GOOD.replace('label = "a"', "").replace(
        "rate_per_day = 4.0", f'label = "__import__(\'os\').system(\'touch {marker}\')"'))
    assert "models.counting.label" in msg and not marker.exists()


def test_offsets():
    start = dt.datetime(2020, 1, 1)
    assert parse_offset("01:00", start, None, "k") == 3600
    assert parse_offset("2d", start, None, "k") == 172_800
    assert parse_offset(dt.datetime(2020, 1, 1, 1, 30), start, None, "k") == 5400
    with pytest.raises(ScenarioError):
        parse_offset("01:75", start, None, "k")


def test_city_households_per_point_with_builtin_and_generated(tmp_path, counting_model):
    s = load_scenario(write(tmp_path, GOOD.replace('builtin = "small"',
                                                   'builtin = "small"\nhouseholds_per_point = 300')))
    assert s.city.builtin == "small" and s.city.households_per_point == 300
    g = load_scenario(write(tmp_path, GOOD.replace(
        'builtin = "small"', "households = 2000\nseed = 4\nhouseholds_per_point = 150")))
    assert (g.city.households, g.city.seed, g.city.households_per_point) == (2000, 4, 150)
    plain = load_scenario(write(tmp_path, GOOD))
    assert plain.city.households_per_point is None
    assert s.digest() != plain.digest()


@pytest.mark.parametrize("value", ["99", "2001", "300.5", "true", '"dense"'])
def test_city_households_per_point_out_of_range(tmp_path, counting_model, value):
    msg = bad(tmp_path, GOOD.replace('builtin = "small"',
                                     f'builtin = "small"\nhouseholds_per_point = {value}'))
    assert "s.toml" in msg and "city.households_per_point" in msg
    assert "allowed: an integer from 100 to 2000" in msg


def test_city_households_per_point_refused_for_a_saved_city(tmp_path, counting_model):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "city.json").write_text("{}")
    msg = bad(tmp_path, GOOD.replace('builtin = "small"',
                                     f'path = "{folder}"\nhouseholds_per_point = 300'))
    assert "city.households_per_point" in msg and "saved city" in msg
    assert "allowed with builtin or households" in msg


def test_with_city_changes_only_the_collection_point_density(tmp_path, counting_model):
    s = load_scenario(write(tmp_path, GOOD))
    t = s.with_params("city", households_per_point=800)
    assert t.city.households_per_point == 800 and t.city.builtin == "small"
    assert s.city.households_per_point is None and t.models == s.models
    with pytest.raises(ScenarioError, match="city.households_per_point.*from 100 to 2000"):
        s.with_city(households_per_point=50)
    with pytest.raises(ScenarioError, match="only city.households_per_point"):
        s.with_city(seed=3)
