"""Determinism and provenance of whole runs."""

import datetime as dt

import numpy as np
import pytest

from twin.core.run import build_order, run
from twin.core.scenario import parse_scenario


@pytest.fixture
def scenario(counting_model):
    return parse_scenario({
        "scenario": {"name": "det", "start": dt.date(2020, 1, 1), "horizon_days": 6, "seed": 11},
        "city": {"builtin": "small"}, "models": {"counting": {"rate_per_day": 5.0}},
        "events": [{"at": "3d", "model": "counting", "kind": "bump", "amount": 100}]})


def test_same_scenario_and_seed_give_identical_datasets(scenario):
    assert run(scenario).identical(run(scenario))


def test_replicates_and_seeds_differ(scenario):
    a = run(scenario)["count"].values
    assert not np.array_equal(a, run(scenario, replicate=1)["count"].values)
    assert not np.array_equal(a, run(scenario, root_seed=12)["count"].values)


def test_events_apply_at_their_time_before_same_time_steps(scenario):
    c = run(scenario)["count"].values
    assert c[:3].max() < 50 and c[3:].min() >= 100


def test_provenance_attrs(scenario):
    ds = run(scenario, scenario_index=2, replicate=1)
    a = ds.attrs
    assert a["scenario_hash"] == scenario.digest() and a["seed_root"] == 11
    assert (a["scenario_index"], a["replicate"]) == (2, 1) and a["twin_version"]
    assert '"rate_per_day": 5.0' in a["parameters"]
    changed = scenario.with_params("counting", rate_per_day=6.0)
    assert changed.digest() != scenario.digest()


def test_build_order_puts_requirements_first(counting_model):
    assert build_order(["counting"]) == ["counting"]
