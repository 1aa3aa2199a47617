"""The year-long plan scenarios of Guangzhou, Jingmen and Zhoukou: each loads, a short horizon
of it runs, and it carries what its plan asks (the figures in scenarios/cities/README.md come
from the full years). The waste app's landfill sentence counts the reported window only."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from twin.core.run import run
from twin.core.scenario import load_scenario

YEAR = Path(__file__).resolve().parents[3] / "scenarios" / "waste" / "year"
NEW = {  # file -> plan city
    "guangzhou_today": "guangzhou", "guangzhou_plan": "guangzhou",
    "guangzhou_plan_growth": "guangzhou", "jingmen_today": "jingmen",
    "jingmen_plan": "jingmen", "zhoukou_today": "zhoukou", "zhoukou_huzhou": "zhoukou",
}
SHORT_DAYS = 9  # 7 spin-up days and 2 reported


def short(name: str, days: int = SHORT_DAYS):
    s = load_scenario(YEAR / f"{name}.toml")
    return dataclasses.replace(s, horizon_s=days * 86_400.0)


@pytest.fixture(scope="module")
def runs():
    return {name: run(short(name)) for name in NEW}


@pytest.mark.parametrize("name", sorted(NEW))
def test_year_scenario_loads_as_a_year_at_its_city(name):
    s = load_scenario(YEAR / f"{name}.toml")
    assert s.horizon_s == 372 * 86_400.0 and s.seed == 11
    assert s.start.date().isoformat() == "2022-12-25"
    assert s.models["waste"].plan_city == NEW[name]
    assert s.models["waste"].spinup_days == 7


@pytest.mark.parametrize("name", sorted(NEW))
def test_short_horizon_runs_and_keeps_its_mass(name, runs):
    from twin.models.waste.plan_cities import load_plan_city

    ds = runs[name]
    assert ds.sizes["day"] == SHORT_DAYS
    city = load_plan_city(NEW[name])
    assert float(ds["plan_scale"]) == pytest.approx(city.population / 52_454, rel=0.01)
    gen = ds["generated_t"].sum("stream").values
    assert np.all(gen > 0)
    assert abs(float(ds["mass_balance_residual_t"].values[-1])) < 1e-6 * gen.sum()


def test_guangzhou_capacity_exceeds_its_generation():
    """39,000 t/day of treatment for about 30,000 generated (Xinhua 2023), same base."""
    s = load_scenario(YEAR / "guangzhou_today.toml")
    w, h = s.models["waste"], s.models["households"]
    cap = w.incineration_kg_per_person_day + w.digestion_kg_per_person_day
    assert cap / h.kg_per_person_day == pytest.approx(39_000 / 30_000, rel=0.01)
    grow = load_scenario(YEAR / "guangzhou_plan_growth.toml").models["households"]
    assert grow.kg_per_person_day == pytest.approx(1.1 * h.kg_per_person_day, rel=1e-3)


def test_jingmen_plan_adds_coverage_and_timed_points(runs):
    today, plan = runs["jingmen_today"], runs["jingmen_plan"]
    assert plan["sorting_point"].mean() > today["sorting_point"].mean()
    assert float(plan["sorting_point"].mean()) == pytest.approx(0.9, abs=0.03)
    hh = load_scenario(YEAR / "jingmen_plan.toml").models["households"]
    assert hh.supervised_point_share == pytest.approx(960 / (991_194 / 400), abs=1e-3)


def test_zhoukou_huzhou_programme_sorts_everywhere_with_less_waste(runs):
    assert float(runs["zhoukou_huzhou"]["sorting_point"].mean()) == 1.0
    today = runs["zhoukou_today"]["generated_t"].sum().item()
    huzhou = runs["zhoukou_huzhou"]["generated_t"].sum().item()
    assert huzhou == pytest.approx(0.97 * today, rel=0.02)


def test_landfill_sentence_counts_the_reported_window_only():
    from dashboards.waste import Waste, landfill_line

    days = pd.date_range("2022-12-25", periods=10, freq="D")
    lf = pd.Series([0.0] * 3 + [5.0] * 4 + [0.0] * 3, index=days)  # spin-up: 3 empty days
    w = Waste("x", days, None, None, None, None, {}, None, None, [], lf, None, None,
              spinup_days=7)
    text = landfill_line(w)
    assert "zero landfill on **3 of 3 days** after 7 spin-up days" in text
    assert "0.0 t/day on average" in text
