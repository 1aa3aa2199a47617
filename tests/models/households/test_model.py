"""The households model inside a run: the daily channel to the waste model, the results
Dataset with units, scenario events, the summary, and the three policy scenarios."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from twin.city import open_city
from twin.core.clock import DAY_S, Calendar, Clock
from twin.core.model import RunContext
from twin.core.recorder import Recorder
from twin.core.rng import RunSeed, Streams
from twin.core.run import run
from twin.core.scenario import load_scenario
from twin.coupling import Exchange
from twin.models.households.model import HouseholdsModel
from twin.models.households.params import STREAMS, Campaign, HouseholdsParams

REPO = Path(__file__).resolve().parents[3]
SCENARIOS = REPO / "scenarios/sorting_adoption"


def run_alone(city, params, days, start=dt.datetime(2019, 6, 20)):
    """The model in a bare run context; returns (context, model, deliveries per day)."""
    clock = Clock(Calendar(start), days * DAY_S)
    ctx = RunContext(clock, city, Streams(RunSeed(1)), Recorder(clock.calendar), Exchange(),
                     Path.cwd(), {})
    model = HouseholdsModel(ctx, params)
    ctx.models["households"] = model
    model.start()
    seen = []
    clock.every(DAY_S, lambda _t: seen.append(ctx.exchange.read("waste_deliveries")))
    clock.run()
    model.finish()
    return ctx, model, seen


def test_publishes_deliveries_daily_and_records_with_units(hh_city):
    p = HouseholdsParams(initial_participation=0.3, mandate_start=dt.date(2019, 7, 1),
                         supervised_point_share=0.5)
    ctx, model, seen = run_alone(hh_city, p, 15)
    n_points = len(hh_city.sites.of_kind("collection_point"))
    assert len(seen) == 15
    assert all(d.shape == (n_points, len(STREAMS)) and d.dtype == float for d in seen)
    assert len({id(d) for d in seen}) == len(seen)  # a fresh array each day
    ds = ctx.recorder.to_dataset()
    assert list(ds["stream"].values) == list(STREAMS)
    assert ds.sizes["day"] == 15 and ds.sizes["district"] == len(hh_city.districts)
    for name in ("waste_generated", "waste_sorted", "waste_unsorted", "participation",
                 "food_capture", "food_purity", "sorted_share", "households",
                 "car_ownership", "piped_gas_share", "waste_per_person"):
        assert ds[name].attrs["units"] and ds[name].attrs["long_name"], name
    assert ds["waste_generated"].attrs["units"] == "t/d"
    # what the waste model reads is what the households put into containers that day
    daily = ds["waste_generated"].sum(("district", "stream")).values
    assert np.allclose([d.sum() for d in seen], daily)
    assert np.allclose(seen[-1][:, 0].sum(), ds["waste_sorted"].isel(day=-1)
                       .sel(stream="food").sum())
    assert ds["households"].sum() == len(hh_city.households)
    assert model.households.get("car").shape == (len(hh_city.households),)


def test_campaign_event_and_unknown_event(hh_city):
    p = HouseholdsParams(innovation_per_month=0.0, imitation_per_month=0.0,
                         campaign_start=dt.date(2019, 6, 1))
    ctx, model, _ = run_alone(hh_city, p, 2)
    assert model.abm.policy.campaign_intensity_per_month == 0.0
    model.handle("campaign", Campaign(intensity_per_month=2.0))
    assert model.abm.policy.campaign_intensity_per_month == 2.0
    with pytest.raises(NotImplementedError):
        model.handle("rainstorm", None)


@pytest.fixture(scope="module")
def short_runs():
    """Each policy scenario on its own city, cut to 2018-07-01 .. 2020-03-31."""
    out = {}
    for name in ("baseline", "shanghai_mandate", "incentive_only", "mandate_relapse"):
        sc = load_scenario(SCENARIOS / f"{name}.toml")
        sc = dataclasses.replace(sc, horizon_s=640 * DAY_S)
        out[name] = run(sc, city=open_city(sc.city))
    return out


def final_participation(ds) -> float:
    w = ds["households"]
    return float((ds["participation"].isel(day=-1) * w).sum() / w.sum())


def test_policy_scenarios_rank_as_expected(short_runs):
    part = {k: final_participation(v) for k, v in short_runs.items()}
    assert part["shanghai_mandate"] > part["incentive_only"] > part["baseline"] + 0.02
    assert part["mandate_relapse"] < part["shanghai_mandate"] - 0.02
    for name, ds in short_runs.items():
        summary = HouseholdsModel.summarize(ds)
        assert [label for label, _, _ in summary][0] == "households sorting at the end"
        assert summary[0][1] == pytest.approx(100 * part[name], abs=0.06), name
