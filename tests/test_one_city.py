"""One city, coupled: every pair of built-in models runs in one scenario, all of them run
together (scenarios/city/whole_city.toml), and the compound storm drill differs from the same
storm without the coupling exactly where the coupling acts."""

from __future__ import annotations

import itertools
from importlib.metadata import entry_points
from pathlib import Path

import numpy as np
import pytest

from twin.core import registry
from twin.core.recorder import time_dims
from twin.core.run import run
from twin.core.scenario import load_scenario
from twin.testing import run_models

ROOT = Path(__file__).resolve().parents[1]
BUILTIN = sorted(ep.name for ep in entry_points(group="twin.models")
                 if ep.value.startswith("twin.models."))
# every model's parameters for a short run that exercises it (defaults where that is enough)
QUICK = {"drainage": {"storm": "design", "return_period_years": 20.0, "storm_start_h": 9.0}}


def _closure(names) -> dict:
    """The models with everything they require."""
    out: list[str] = []
    for n in names:
        for m in (*registry.get(n).requires, n):
            if m not in out:
                out.append(m)
    return {m: QUICK.get(m, {}) for m in out}


def _check(ds, models):
    owners = {v: ds[v].attrs["model"] for v in ds.data_vars}
    assert set(owners.values()) == set(models), "every model recorded something"
    for v in ds.data_vars:
        assert ds[v].attrs["units"] and ds[v].attrs["long_name"], v
        for d in time_dims(ds[v]):
            assert ds.sizes[d] > 0 and np.all(np.diff(ds[d].values) > np.timedelta64(0, "ns")), v


@pytest.mark.parametrize("pair", list(itertools.combinations(BUILTIN, 2)),
                         ids=lambda p: "+".join(p))
def test_every_pair_of_models_runs_in_one_scenario(pair):
    models = _closure(pair)
    ds = run_models(models, days=1, start="2024-07-01T00:00:00").ds
    _check(ds, models)


def test_the_whole_city_runs_every_built_in_model():
    sc = load_scenario(ROOT / "scenarios" / "city" / "whole_city.toml")
    assert set(sc.models) == set(BUILTIN), "whole_city.toml names every built-in model"
    ds = run(sc)
    _check(ds, BUILTIN)
    assert float(abs(ds["mass_balance_residual_t"]).max()) < 1e-6


@pytest.fixture(scope="module")
def drills():
    path = ROOT / "scenarios" / "city" / "compound_storm_drill.toml"
    coupled = load_scenario(path)
    import dataclasses

    blind = dataclasses.replace(coupled, decoupled=frozenset({"closed_roads"}))
    return run(coupled), run(blind)


def test_the_compound_drill_differs_exactly_where_the_coupling_acts(drills):
    coupled, blind = drills
    owners = {v: coupled[v].attrs["model"] for v in coupled.data_vars}
    for v, m in owners.items():
        if m in ("households", "drainage"):  # they read nothing the coupling changes
            assert coupled[v].equals(blind[v]), v
    assert int(blind["truck_reroutes"]) == 0 < int(coupled["truck_reroutes"])
    day0 = dict(day=0)
    assert float(coupled["stops_missed"].isel(day0).sum()) > 0
    assert float(blind["stops_missed"].sum()) == 0
    assert float(coupled["truck_km"].isel(day0).sum()) > float(blind["truck_km"].isel(day0).sum())
    # what the flooded stops left behind waits in the containers and is collected next day
    assert float(coupled["collected_t"].isel(day0).sum()) < float(
        blind["collected_t"].isel(day0).sum())
    assert float(coupled["collected_t"].sum()) == pytest.approx(
        float(blind["collected_t"].sum()), rel=0.05)
    # parking: kerbs and lots behind closed roads are cut off
    assert float(blind["parking_cut_off_spaces"].sum()) == 0 < float(
        coupled["parking_cut_off_spaces"].sum())
    # gas: the crew cannot reach the ruptured main in the flooded centre
    assert float(coupled["gas_customer_hours_lost"].sum()) > 1.5 * float(
        blind["gas_customer_hours_lost"].sum()) > 0
    for ds in drills:
        assert float(abs(ds["gas_mass_balance_kg_s"]).max()) < 1e-9


def test_the_waste_mass_balance_closes_in_the_compound_drill(drills):
    for ds in drills:
        assert float(abs(ds["mass_balance_residual_t"]).max()) < 1e-6
        gen = float(ds["generated_t"].sum())
        assert gen > 0 and float(ds["stock_t"].isel(day=-1).sum()) > 0
