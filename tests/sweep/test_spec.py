"""Sweep files: validation with clear errors, designs, run order and hashing."""

from __future__ import annotations

import numpy as np
import pytest

from twin.core.errors import ScenarioError
from twin.sweep import designs
from twin.sweep.spec import load_sweep

from .conftest import SWEEP


def test_valid_sweep_enumerates_scenarios_policies_and_runs(write_sweep):
    spec = load_sweep(write_sweep())
    assert [u.key for u in spec.uncertainties] == ["toystorm.rain_mm_per_h", "toystorm.pumps",
                                                   "toystorm.mode"]
    assert [p.name for p in spec.policies] == ["storage_m3=0", "storage_m3=2000"]
    assert spec.levers == ("toystorm.storage_m3",) and spec.replicates == 2
    unit = designs.unit_design(spec.design, spec.uncertainties)
    assert unit.shape == (6, 3) == (designs.n_scenarios(spec.design, spec.uncertainties), 3)
    vals = designs.scenario_values(spec, unit)
    assert all(10 <= v["toystorm.rain_mm_per_h"] <= 200 for v in vals)
    assert all(isinstance(v["toystorm.pumps"], int) for v in vals)
    assert {v["toystorm.mode"] for v in vals} <= {"a", "b", "c"}


def test_unknown_parameter_is_named_with_the_models_parameters(write_sweep):
    path = write_sweep(SWEEP.format(extra="").replace("toystorm.pumps =", "toystorm.pumsp ="))
    with pytest.raises(ScenarioError) as e:
        load_sweep(path)
    msg = str(e.value)
    assert "sweep.toml" in msg and "uncertainties.toystorm.pumsp" in msg
    assert "unknown parameter 'pumsp' of model 'toystorm'" in msg
    assert "rain_mm_per_h, pumps, blockage, mode" in msg


@pytest.mark.parametrize("old,new,key,words", [
    ('"toystorm.storage_m3" = [0, 2000]', '"nomodel.x" = [1]', "levers.nomodel.x",
     "model 'nomodel' is not in the base scenario"),
    ("range = [10, 200]", "range = [10, 900]", "uncertainties.toystorm.rain_mm_per_h.range",
     "out of range"),
    ('values = ["a", "b", "c"]', "range = [0, 1]", "uncertainties.toystorm.mode.range",
     "use values"),
    ("range = [10, 200]", "range = [200, 10]", "uncertainties.toystorm.rain_mm_per_h.range",
     "lo must be below hi"),
    ('kind = "latin_hypercube"', 'kind = "random"', "design.kind", "full_factorial"),
    ('kind = "latin_hypercube"\nsamples = 6', 'kind = "sobol"\nsamples = 6', "design.samples",
     "power of 2"),
    ('flood = "flood_m3"', 'flood = { var = "flood_m3", reduce = "median" }',
     "outputs.flood.reduce", "allowed: none, sum, mean"),
    ("replicates = 2", "replicates = 0", "sweep.replicates", "from 1"),
    ('base = "base.toml"', 'base = "nope.toml"', "sweep.base", "not found"),
    ("[levers]", "[levers]\n[policies.x]", "policies", "not both"),
])
def test_errors_name_file_key_and_what_is_allowed(write_sweep, old, new, key, words):
    text = SWEEP.format(extra="")
    assert old in text
    with pytest.raises(ScenarioError) as e:
        load_sweep(write_sweep(text.replace(old, new)))
    assert key in str(e.value) and words in str(e.value) and "sweep.toml" in str(e.value)


def test_named_policies_fill_unset_levers_from_the_base(write_sweep):
    text = SWEEP.format(extra="").replace('[levers]\n"toystorm.storage_m3" = [0, 2000]', """
[policies.baseline]
[policies.big_tank]
toystorm.storage_m3 = 5000
[policies.tank_and_pumps]
"toystorm.storage_m3" = 3000
""").replace("toystorm.pumps = { range = [0, 4] }\n", "")
    spec = load_sweep(write_sweep(text))
    assert [(p.name, dict(p.settings)) for p in spec.policies] == [
        ("baseline", {"toystorm.storage_m3": 1000.0}),
        ("big_tank", {"toystorm.storage_m3": 5000.0}),
        ("tank_and_pumps", {"toystorm.storage_m3": 3000.0})]


def test_full_factorial_grid_and_ordering(write_sweep):
    text = SWEEP.format(extra="").replace('kind = "latin_hypercube"\nsamples = 6',
                                          'kind = "full_factorial"\nlevels = 3')
    spec = load_sweep(write_sweep(text))
    vals = designs.scenario_values(spec, designs.unit_design(spec.design, spec.uncertainties))
    assert len(vals) == 3 * 3 * 3  # 3 levels of each range, every listed value
    assert sorted({v["toystorm.rain_mm_per_h"] for v in vals}) == [10.0, 105.0, 200.0]
    assert sorted({v["toystorm.pumps"] for v in vals}) == [0, 2, 4]  # 5 integers > 3 levels
    spec5 = load_sweep(write_sweep(text.replace("levels = 3", "levels = 5")))
    vals = designs.scenario_values(spec5, designs.unit_design(spec5.design, spec5.uncertainties))
    assert sorted({v["toystorm.pumps"] for v in vals}) == [0, 1, 2, 3, 4] and len(vals) == 75
    # replicate-major, then scenario, then policy: more replicates append at the end
    assert designs.run_position(0, 45, 2) == (0, 0, 0)
    assert designs.run_position(3, 45, 2) == (0, 1, 1)
    assert designs.run_position(90, 45, 2) == (1, 0, 0)


def test_sobol_and_morris_sizes_and_determinism(write_sweep):
    for kind, n, rows in (("sobol", 8, 8 * 5), ("morris", 4, 4 * 4)):
        text = SWEEP.format(extra="").replace('kind = "latin_hypercube"\nsamples = 6',
                                              f'kind = "{kind}"\nsamples = {n}')
        spec = load_sweep(write_sweep(text))
        a = designs.unit_design(spec.design, spec.uncertainties)
        assert a.shape == (rows, 3) and np.array_equal(a, designs.unit_design(
            spec.design, spec.uncertainties))


def test_hash_follows_content_not_formatting_and_overrides(write_sweep):
    text = SWEEP.format(extra="")
    a = load_sweep(write_sweep(text)).digest
    b = load_sweep(write_sweep("# a comment\n" + text.replace(" = ", "=")))
    assert b.digest == a
    assert load_sweep(write_sweep(text), replicates=3).digest != a
    assert load_sweep(write_sweep(text.replace("root_seed = 42", "root_seed = 43"))).digest != a


EVENTS_BASE = """
[[events]]
at = "00:00"
model = "toystorm"
kind = "clog"
fraction = 0.2
"""

EVENT_SWEEP = """
[sweep]
name = "toyev"
base = "base.toml"
root_seed = 3
chunk_runs = 4
[design]
kind = "full_factorial"
levels = 2
[uncertainties]
"events.clog.fraction" = { range = [0.0, 1.0] }
[uncertainties.pumps_working.events]
"3" = []
"1" = [{ at = "01:00", model = "toystorm", kind = "pump_failure", pumps_lost = 2 }]
[outputs]
flood = "flood_m3"
participation = { var = "load", reduce = { district = "mean" } }
"""


def write_event_sweep(write_sweep, text=EVENT_SWEEP):
    path = write_sweep(text)
    base = path.parent / "base.toml"
    base.write_text(base.read_text() + EVENTS_BASE, encoding="utf-8")
    return path


def test_event_fields_and_event_sets_are_uncertainties(write_sweep):
    from twin.sweep.runner import Plan, scenario_of

    spec = load_sweep(write_event_sweep(write_sweep))
    u_field, u_set = spec.uncertainties
    assert u_field.key == "events.clog.fraction" and u_set.key == "pumps_working"
    assert u_set.values == (3, 1)  # numeric labels: a numeric coordinate
    assert spec.outputs[1].steps == (("mean", ("district",)),)
    plan = Plan(spec)
    assert plan.coords(0, 4)["pumps_working"].dtype == np.int64
    by_values = {}
    for r in range(plan.n_runs(1)):
        t = plan.task(r)
        sc = scenario_of(spec.base, t.changes, plan.event_sets)
        ch = dict(t.changes)
        by_values[(ch["events.clog.fraction"], ch["pumps_working"])] = sc.events
    assert by_values.keys() == {(0.0, 3), (0.0, 1), (1.0, 3), (1.0, 1)}
    clog, = by_values[(1.0, 3)]
    assert clog.kind == "clog" and clog.payload.fraction == 1.0
    clog, fail = by_values[(0.0, 1)]
    assert clog.payload.fraction == 0.0 and fail.kind == "pump_failure" and fail.at_s == 3600
    assert fail.payload.pumps_lost == 2
    assert spec.base.events[0].payload.fraction == 0.2  # the base scenario is untouched


@pytest.mark.parametrize("old,new,key,words", [
    ('"events.clog.fraction"', '"events.flood.fraction"', "uncertainties.events.flood.fraction",
     "no 'flood' events to vary; its event kinds: clog"),
    ('"events.clog.fraction"', '"events.clog.share"', "uncertainties.events.clog.share",
     "unknown field 'share' of event 'clog'; its fields: fraction"),
    ("pumps_lost = 2", "pumps_lost = 9", "uncertainties.pumps_working.events.1[0].pumps_lost",
     "out of range"),
    ('kind = "pump_failure"', 'kind = "pump_fail"', "uncertainties.pumps_working.events.1[0].kind",
     "unknown event 'pump_fail' for model 'toystorm'; allowed: pump_failure, clog"),
    ('at = "01:00"', 'at = "9d"', "uncertainties.pumps_working.events.1[0].at", "horizon"),
    ('reduce = { district = "mean" }', 'reduce = { district = "median" }',
     "outputs.participation.reduce.district", "allowed: sum, mean"),
])
def test_event_uncertainty_errors_name_the_key(write_sweep, old, new, key, words):
    assert old in EVENT_SWEEP
    with pytest.raises(ScenarioError) as e:
        load_sweep(write_event_sweep(write_sweep, EVENT_SWEEP.replace(old, new)))
    assert key in str(e.value) and words in str(e.value), str(e.value)


def test_shipped_sweeps_validate_and_map_their_faults():
    """The sweeps in scenarios/sweeps/ parse, and their fault alternatives become events."""
    from pathlib import Path

    from twin.sweep.runner import Plan, scenario_of

    root = Path(__file__).resolve().parents[2] / "scenarios" / "sweeps"
    rain = load_sweep(root / "rainstorm_waterlogging.toml")
    assert {u.key for u in rain.uncertainties} == {
        "drainage.return_period_years", "drainage.duration_min", "drainage.peak_position",
        "events.inlet_blockage.capacity_fraction", "pumps_working"}
    plan = Plan(rain)
    for r in range(0, plan.n_runs(1), 7):
        t = plan.task(r)
        ch = dict(t.changes)
        sc = scenario_of(rain.base, t.changes, plan.event_sets)
        out = [e.payload.station for e in sc.events if e.kind == "pump_outage"]
        assert {3: [], 2: ["PS01"], 1: ["PS01", "PS02"], 0: [""]}[ch["pumps_working"]] == out
        assert {e.payload.capacity_fraction for e in sc.events if e.kind == "inlet_blockage"} \
            == {ch["events.inlet_blockage.capacity_fraction"]}
        assert sc.models["drainage"].return_period_years == ch["drainage.return_period_years"]
    sort = load_sweep(root / "sorting_adoption.toml")
    assert sort.design.kind == "sobol" and len(sort.policies) == 2 and sort.compare
    assert len(sort.uncertainties) == 4 and sort.discover[0].below == 0.6
    assert {u.key for u in sort.uncertainties} == {
        "households.incentive_cny_per_month", "households.fine_cny",
        "households.supervision_hours_per_day", "city.households_per_point"}
    plan = Plan(sort)
    for r in range(0, plan.n_runs(1), 11):
        ch = dict(plan.task(r).changes)
        sc = scenario_of(sort.base, plan.task(r).changes)
        assert sc.city.households_per_point == ch["city.households_per_point"]
        assert 150 <= sc.city.households_per_point <= 1600 and sc.city.builtin == "demo"
        assert sc.models["households"].supervision_hours_per_day == \
            ch["households.supervision_hours_per_day"]


def test_policies_may_set_dates_as_toml_dates_or_iso_strings(tmp_path):
    import datetime as dt
    from pathlib import Path

    base = Path(__file__).parents[2] / "scenarios/sweeps/base/sorting_policy.toml"
    path = tmp_path / "dates.toml"
    path.write_text(f"""[sweep]
name = "dates"
base = "{base}"
[policies.early]
"households.campaign_start" = 2019-07-01
[policies.late]
"households.campaign_start" = "2019-08-01"
[outputs]
p = "participation"
""")
    spec = load_sweep(path)
    assert [dict(p.settings)["households.campaign_start"] for p in spec.policies] == [
        dt.date(2019, 7, 1), dt.date(2019, 8, 1)]
    with pytest.raises(ScenarioError, match=r"policies\.late\.households\.campaign_start"):
        load_sweep(path.write_text(path.read_text().replace('"2019-08-01"', '"Aug 2019"'))
                   and path)


CITY_BASE = """[scenario]
name = "citybase"
start = 2019-01-01
horizon_days = 3
[city]
{city}
[models.households]
"""

CITY_SWEEP = """[sweep]
name = "density"
base = "base.toml"
[design]
kind = "full_factorial"
[uncertainties]
"city.households_per_point" = { values = [200, 800] }
[levers]
"households.convenience_distance_m" = [0.0, 500.0]
[outputs]
households = { var = "households", reduce = "sum" }
participation = { var = "participation", reduce = { time = "last", district = "mean" } }
"""


def write_city_sweep(tmp_path, city='builtin = "small"', text=CITY_SWEEP):
    (tmp_path / "base.toml").write_text(CITY_BASE.format(city=city), encoding="utf-8")
    (tmp_path / "sweep.toml").write_text(text, encoding="utf-8")
    return tmp_path / "sweep.toml"


def test_city_households_per_point_is_a_sweep_key(tmp_path):
    from twin.city import open_city
    from twin.sweep.runner import Plan, run_sweep, scenario_of
    from twin.sweep.store import open_sweep

    spec = load_sweep(write_city_sweep(tmp_path))
    u, = spec.uncertainties
    assert (u.key, u.model, u.param, u.values) == ("city.households_per_point", "city",
                                                   "households_per_point", (200, 800))
    plan = Plan(spec)
    points = {}
    for r in range(plan.n_runs(1)):
        sc = scenario_of(spec.base, plan.task(r).changes)
        points[sc.city.households_per_point] = len(
            open_city(sc.city).sites.of_kind("collection_point"))
    assert points == {200: 20, 800: 5}  # the small city: 4,000 households
    assert spec.base.city.households_per_point is None  # the base is untouched
    s = run_sweep(spec, tmp_path / "d.zarr", workers=0, progress=False)
    assert s.failed == 0
    ds = open_sweep(tmp_path / "d.zarr").load()
    assert list(ds["city.households_per_point"].values) == [200, 200, 800, 800]
    assert (ds["households"].values == 4000).all()
    # as a lever (full factorial over a range of integers), checked like any parameter
    ranged = CITY_SWEEP.replace("{ values = [200, 800] }", "{ range = [300, 301] }")
    spec = load_sweep(write_city_sweep(tmp_path, text=ranged))
    assert spec.uncertainties[0].integer and spec.uncertainties[0].levels == 2


@pytest.mark.parametrize("old,new,key,words", [
    ("values = [200, 800]", "values = [200, 50]",
     "uncertainties.city.households_per_point.values[1]", "from 100 to 2000"),
    ("values = [200, 800]", "range = [100, 3000]",
     "uncertainties.city.households_per_point.range", "out of range"),
    ('"city.households_per_point"', '"city.seed"', "uncertainties.city.seed",
     "unknown city key 'city.seed'; allowed: city.households_per_point"),
    ("values = [200, 800]", "values = [200.5]",
     "uncertainties.city.households_per_point.values[0]", "an integer"),
])
def test_city_sweep_key_errors_name_the_key(tmp_path, old, new, key, words):
    with pytest.raises(ScenarioError) as e:
        load_sweep(write_city_sweep(tmp_path, text=CITY_SWEEP.replace(old, new)))
    assert key in str(e.value) and words in str(e.value) and "sweep.toml" in str(e.value)


def test_city_sweep_key_refused_on_a_saved_city(tmp_path):
    from twin.city import generate_city, save_city

    save_city(generate_city(1_000, seed=1), tmp_path / "saved")
    with pytest.raises(ScenarioError) as e:
        load_sweep(write_city_sweep(tmp_path, city='path = "saved"'))
    msg = str(e.value)
    assert "uncertainties.city.households_per_point" in msg and "saved city" in msg
    assert "needs [city] builtin or households" in msg
