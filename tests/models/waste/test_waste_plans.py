"""Plan cities (loading, bad input), treatment as it runs (bunkers, diversion, availability),
informal recycling and the headline intervals."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest

from models.waste.harness import run_waste, stub_deliveries
from twin.core import params as P
from twin.core.errors import ScenarioError
from twin.core.scenario import parse_scenario
from twin.models.waste import plan_cities
from twin.models.waste.availability import Availability
from twin.models.waste.headline import interval, run_intervals
from twin.models.waste.kpis import Ledger
from twin.models.waste.params import (
    DIGESTION,
    INCINERATION,
    LANDFILL,
    RECYCLABLE,
    RECYCLING,
    RESIDUAL,
    WasteParams,
)
from twin.models.waste.plants import Plants
from twin.models.waste.replicates import Replicates

PLAN_CITIES = ("guangzhou", "jingmen", "wuhan", "xuancheng", "zhoukou")
GOOD = """[city]
name = "Testville"
population = 1_000_000
population_source = "test"
households = 400_000
households_source = "test"

[representation]
builtin = "demo"

[plan]
document = "test plan"

[plan.figures]
{figures}
"""


@pytest.fixture(scope="module")
def city():
    from twin.city.io import open_city
    from twin.core.scenario import CitySpec

    return open_city(CitySpec(builtin="demo"))


def write_city(tmp_path, monkeypatch, figures: str, **replace) -> Path:
    text = GOOD.format(figures=figures)
    for a, b in replace.items():
        text = text.replace(a, b)
    folder = tmp_path / "testville"
    folder.mkdir(exist_ok=True)
    (folder / "plan.toml").write_text(text)
    monkeypatch.setattr(plan_cities, "CITIES_DIR", tmp_path)
    plan_cities.load_plan_city.cache_clear()
    return folder / "plan.toml"


def test_the_five_plan_cities_load_with_sourced_figures():
    assert set(PLAN_CITIES) <= set(plan_cities.known_cities())
    for key in PLAN_CITIES:
        c = plan_cities.load_plan_city(key)
        assert 1e6 < c.population < 3e7 and c.households < c.population
        assert all(src for _, src in c.figures.values())
    wuhan = plan_cities.load_plan_city("wuhan")
    o = wuhan.project_overrides()
    assert o["new_sorting_houses_per_million_people"] == pytest.approx(700 / 12.326518)
    total = o["incineration_kg_per_person_day"] + o["digestion_kg_per_person_day"]
    assert total * wuhan.population / 1000 == pytest.approx(20_000)
    assert plan_cities.load_plan_city("xuancheng").figure("recycling_rate_target") == 0.35
    # Jingmen's upgraded points lie inside its coverage share: not converted a second time
    jingmen = plan_cities.load_plan_city("jingmen").project_overrides()
    assert jingmen == {"sorting_point_share": 0.9}


@pytest.mark.parametrize("figures, key, match", [
    ('treatment_t_per_day = { value = -5, source = "x" }',
     "plan.figures.treatment_t_per_day.value", "below zero"),
    ('transfer_stations = { value = 10, source = "x" }\n'
     'upgraded_transfer_stations = { value = 18, source = "x" }',
     "plan.figures.upgraded_transfer_stations", "only 10"),
    ('treatment_t_per_day = { value = 100, source = "x" }\n'
     'incineration_t_per_day = { value = 90, source = "x" }\n'
     'digestion_t_per_day = { value = 20, source = "x" }',
     "plan.figures.digestion_t_per_day", "exceeds"),
    ('incinerators = { value = 3, source = "x" }', "plan.figures.incinerators",
     "unknown figure"),
    ('recycling_rate_target = { value = 35, source = "x" }',
     "plan.figures.recycling_rate_target.value", "share"),
    ('sorting_houses = { value = 3, source = "" }', "plan.figures.sorting_houses.source",
     "source"),
])
def test_contradicting_plan_figures_stop_at_load(tmp_path, monkeypatch, figures, key, match):
    path = write_city(tmp_path, monkeypatch, figures)
    with pytest.raises(ScenarioError, match=match) as e:
        plan_cities.load_plan_city("testville")
    assert e.value.key == key and e.value.path == path
    plan_cities.load_plan_city.cache_clear()


def test_more_households_than_people_and_unknown_representation(tmp_path, monkeypatch):
    write_city(tmp_path, monkeypatch, "", **{"households = 400_000": "households = 2_000_000"})
    with pytest.raises(ScenarioError, match="more households than people"):
        plan_cities.load_plan_city("testville")
    write_city(tmp_path, monkeypatch, "", **{'builtin = "demo"': 'builtin = "atlantis"'})
    with pytest.raises(ScenarioError, match="allowed: demo") as e:
        plan_cities.load_plan_city("testville")
    assert e.value.key == "representation.builtin"
    plan_cities.load_plan_city.cache_clear()


def test_unknown_plan_city_is_one_scenario_error_naming_the_key():
    doc = {"scenario": {"start": dt.date(2023, 3, 1), "horizon_days": 2, "seed": 1},
           "city": {"builtin": "demo"},
           "models": {"households": {}, "waste": {"plan_city": "atlantis"}}}
    with pytest.raises(ScenarioError, match="models.waste.plan_city.*wuhan"):
        parse_scenario(doc)
    with pytest.raises(ScenarioError, match="plan_projects = true needs plan_city"):
        P.build(WasteParams, {"plan_projects": True}, section="models.waste")


def test_bunker_keeps_what_the_day_cannot_burn_and_burns_it_first_next_day():
    led = Ledger()
    pl = Plants({INCINERATION: 10.0}, residue_share=0.2, reject_share=0.1, ledger=led,
                bunker_days={INCINERATION: 2.0}, ash_share=0.25)
    pl.new_day(0)
    pl.receive(RESIDUAL, INCINERATION, 25.0, 100.0)  # 10 burnt, 15 into the 20-t bunker
    assert led.bunkers == pytest.approx(15.0) and led.by_dest[RESIDUAL, LANDFILL] == 0
    pl.receive(RESIDUAL, INCINERATION, 8.0, 200.0)  # 5 more fit, 3 landfilled
    assert led.by_dest[RESIDUAL, LANDFILL] == pytest.approx(3.0)
    treated, today, ash = pl.pop_day()
    assert treated[INCINERATION] == 10.0 and ash == pytest.approx(2.5)
    pl.new_day(1, {INCINERATION: 0.5})  # half the lines down: 5 t from the bunker
    assert led.bunkers == pytest.approx(15.0) and pl.bunker_t()[INCINERATION] == 15.0
    assert led.cum_disposed + led.bunkers == pytest.approx(33.0)


def test_food_waste_digestion_cannot_take_is_burnt_not_landfilled():
    led = Ledger()
    pl = Plants({INCINERATION: 100.0, DIGESTION: 5.0, RECYCLING: 1.0}, residue_share=0.2,
                reject_share=0.1, ledger=led)
    pl.new_day(0)
    pl.receive(0, DIGESTION, 8.0, 10.0)
    pl.receive(RECYCLABLE, RECYCLING, 3.0, 10.0)
    assert led.by_dest[0, DIGESTION] == pytest.approx(4.0)
    assert led.by_dest[0, INCINERATION] == pytest.approx(3.0 + 1.0)
    assert led.by_dest[RECYCLABLE, RECYCLING] == pytest.approx(0.9)
    assert led.by_dest[RECYCLABLE, INCINERATION] == pytest.approx(2.0 + 0.1)
    assert led.by_dest[:, LANDFILL].sum() == 0.0


def test_availability_matches_its_long_run_share_and_is_reproducible():
    def shares(seed):
        a = Availability({INCINERATION: 3}, maintenance_days=21, breakdowns_per_year=3,
                         repair_days=4, rng=np.random.default_rng(seed))
        return np.array([a.share(d % 365)[INCINERATION] for d in range(365 * 20)]), a

    s, a = shares(5)
    assert np.array_equal(s, shares(5)[0]) and not np.array_equal(s, shares(6)[0])
    # 8,000 operating hours a year is the usual design figure of a WtE line (91.3%)
    assert a.expected_share() * 8760 == pytest.approx(8000, rel=0.01)
    assert s.mean() == pytest.approx(a.expected_share(), abs=0.01)
    assert set(np.unique(s)) <= {0.0, 1 / 3, 2 / 3, 1.0}


def test_informal_collectors_and_the_recycling_rate(city):
    kw = dict(vrp_iterations=300, incineration_kg_per_person_day=2.0,
              digestion_kg_per_person_day=1.0, recycling_kg_per_person_day=1.0)
    rates = {}
    for share in (0.0, 0.6):
        ds, _ = run_waste(WasteParams(informal_recyclable_share=share, **kw),
                          stub_deliveries(city, seed=3), city=city, days=4)
        assert float(abs(ds["mass_balance_residual_t"]).max()) < 1e-9
        d = ds.isel(day=slice(1, None))
        rec = d["tonnes_by_destination"].sel(destination=["recycling", "digestion"]).sum()
        rate = float(rec / d["generated_t"].sum())
        rates[share] = float(d["recycling_rate"].mean())
        assert rates[share] == pytest.approx(rate, rel=0.05)
        assert (float(ds["informal_t"].sum()) > 0) == (share > 0)
    assert rates[0.6] > rates[0.0]  # informal collectors recycle without rejects


def test_intervals_from_weekly_batches_and_replicates():
    m, hw, k = interval(np.r_[np.zeros(7), np.ones(7)], batch=7)
    assert (m, k) == (0.5, 2) and hw == pytest.approx(12.706 * math.sqrt(0.5) / math.sqrt(2), rel=1e-3)
    assert math.isnan(interval(np.ones(10), batch=7)[1])  # one week: no interval
    reps = Replicates("x")
    reps.runs = {"landfill_share": [1.0, 1.1, 0.9], "zero_landfill_days": [50, 54, 46],
                 "recycling_rate": [20.0, 20.2, 19.8], "cost_cny": [100.0, 100.5, 99.5]}
    assert reps.n == 3 and reps.unmet() == ["zero_landfill_days"]


def test_summary_prints_intervals(city):
    ds, _ = run_waste(WasteParams(vrp_iterations=300, spinup_days=2),
                      stub_deliveries(city, seed=3), city=city, days=16)
    iv = run_intervals(ds)
    assert iv["landfill_t"][2] == 2 and math.isfinite(iv["landfill_t"][1])
    from twin.models.waste.model import WasteModel

    rows = {r[0]: r for r in WasteModel.summarize(ds)}
    assert "+-" in rows["raw waste landfilled"][2] and "weekly" in rows["cost"][2]
    assert rows["days reported (after spin-up)"][1] == 14


def test_replicates_run_until_known_or_the_cap():
    from twin.models.waste.replicates import format_replicates, until_known

    sc = parse_scenario({
        "scenario": {"start": dt.date(2023, 3, 1), "horizon_days": 5, "seed": 2},
        "city": {"builtin": "demo"},
        "models": {"households": {}, "waste": {"vrp_iterations": 200, "spinup_days": 1}}})
    seen = []
    reps = until_known(sc, min_reps=2, max_reps=3, on_run=lambda i, ds: seen.append(i))
    assert 2 <= reps.n <= 3 and seen == list(range(reps.n))
    assert len(set(reps.runs["cost_cny"])) == reps.n  # replicates differ
    assert "replicates" in format_replicates(reps)


def test_a_contradicting_plan_stops_the_scenario_naming_the_plan_file(tmp_path, monkeypatch):
    path = write_city(tmp_path, monkeypatch, 'transfer_stations = { value = 2, source = "x" }\n'
                      'upgraded_transfer_stations = { value = 3, source = "x" }')
    with pytest.raises(ScenarioError) as e:  # (the scenario's choices were fixed at import)
        WasteParams(plan_city="testville")
    assert e.value.path == path and e.value.key == "plan.figures.upgraded_transfer_stations"
    plan_cities.load_plan_city.cache_clear()
