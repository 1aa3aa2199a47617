"""A run is a pure function of (scenario, seed, city): build the models on one master clock,
deliver the event timeline, run to the horizon, return an `xarray.Dataset`."""

from __future__ import annotations

import json
from collections.abc import Callable

import xarray as xr

import twin
from twin.core import params as P
from twin.core import registry
from twin.core.clock import Calendar, Clock
from twin.core.model import RunContext
from twin.core.recorder import Recorder
from twin.core.rng import RunSeed, Streams
from twin.core.scenario import Scenario
from twin.coupling import Exchange

RESULTS_FORMAT = 1  # bump when the layout of results stores changes incompatibly


def build_order(names: list[str]) -> list[str]:
    """Scenario order, each model after the models it requires."""
    out: list[str] = []

    def visit(n: str, stack: tuple = ()) -> None:
        if n in out:
            return
        if n in stack:
            raise ValueError(f"models require each other in a cycle: {' -> '.join(stack + (n,))}")
        for r in registry.get(n).requires:
            visit(r, stack + (n,))
        out.append(n)

    for n in names:
        visit(n)
    return out


def run(scenario: Scenario, *, scenario_index: int = 0, replicate: int = 0,
        root_seed: int | None = None, city=None,
        progress: Callable[[float, float], None] | None = None) -> xr.Dataset:
    """Run one scenario; `progress(done_s, horizon_s)` is called as simulated time passes."""
    from twin.city.io import open_city

    seed = RunSeed(scenario.seed if root_seed is None else root_seed, scenario_index, replicate)
    city = city if city is not None else open_city(scenario.city)
    clock = Clock(Calendar(scenario.start), scenario.horizon_s)
    ctx = RunContext(clock, city, Streams(seed), Recorder(clock.calendar), Exchange(),
                     scenario.directory, {})
    order = build_order(list(scenario.models))
    for name in order:
        ctx.models[name] = registry.get(name)(ctx, scenario.models[name])
    for name in order:
        ctx.models[name].start()
    for ev in scenario.events:
        ctx.models[ev.model].expect(ev.at_s)
        clock.at(ev.at_s, lambda _t, ev=ev: ctx.models[ev.model].handle(ev.kind, ev.payload))
    clock.run(progress=(lambda t: progress(t, scenario.horizon_s)) if progress else None,
              chunk_s=_chunk(scenario.horizon_s))
    for name in order:
        ctx.models[name].finish()
    attrs = {
        "twin_version": twin.__version__,
        "results_format": RESULTS_FORMAT,
        "kind": "run",
        "scenario": scenario.name,
        "scenario_hash": scenario.digest(),
        "seed_root": seed.root, "scenario_index": seed.scenario, "replicate": seed.replicate,
        "start": scenario.start.isoformat(),
        "horizon_hours": scenario.horizon_s / 3600.0,
        "city": city.name,
        "city_spec": json.dumps(P.as_dict(scenario.city), sort_keys=True),
        "models": ",".join(order),
        "parameters": json.dumps({k: P.as_dict(v) for k, v in scenario.models.items()},
                                 default=str, sort_keys=True),
    }
    return ctx.recorder.to_dataset(attrs)


def _chunk(horizon_s: float) -> float:
    """Progress granularity: about a hundred updates per run, at most one per simulated day."""
    return min(86_400.0, max(60.0, horizon_s / 100.0))
