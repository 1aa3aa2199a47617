"""A run is a pure function of (scenario, seed, city): build the models on one master clock,
deliver the event timeline, run to the horizon, return an `xarray.Dataset`."""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Mapping
from typing import Any

import xarray as xr

import twin
from twin.core import params as P
from twin.core import registry
from twin.core.clock import Calendar, Clock
from twin.core.errors import TwinError
from twin.core.model import RunContext
from twin.core.recorder import Recorder
from twin.core.rng import RunSeed, Streams
from twin.core.scenario import Scenario
from twin.coupling import Exchange, catalogue

RESULTS_FORMAT = 2  # bump when the layout of results stores changes incompatibly


def build_order(names: list[str]) -> list[str]:
    """Scenario order, each model after the models it requires or `uses` that are in the
    scenario (a required model may be absent only when a test feeds its channels)."""
    present = set(names)
    out: list[str] = []

    def visit(n: str, stack: tuple = ()) -> None:
        if n in out:
            return
        if n in stack:
            raise TwinError("models require or use each other in a cycle: "
                            + " -> ".join(stack + (n,)))
        cls = registry.get(n)
        for r in (u for u in (*cls.requires, *cls.uses) if u in present):
            visit(r, stack + (n,))
        out.append(n)

    for n in names:
        visit(n)
    return out


def exchange_for(names: list[str], decoupled=()) -> Exchange:
    """The run's exchange: every registered channel, readers held to their `reads`."""
    classes = {n: registry.get(n) for n in names}
    return Exchange(catalogue(), decoupled=decoupled,
                    readers={n: tuple(c.reads) for n, c in classes.items()})


def run(scenario: Scenario, *, scenario_index: int = 0, replicate: int = 0,
        root_seed: int | None = None, city=None,
        progress: Callable[[float, float], None] | None = None,
        feed: Mapping[str, Mapping[float, Any]] | None = None,
        observe: Callable[[str, Any, float | None], None] | None = None) -> xr.Dataset:
    """Run one scenario; `progress(done_s, horizon_s)` is called as simulated time passes.

    `feed` publishes given channel values at given times in place of their producer (which
    must not be in the scenario; values at t = 0 are there before any model is built), and
    `observe(channel, value, t_s)` sees every publish: `twin.testing` runs models with them."""
    from twin.city.io import open_city

    seed = RunSeed(scenario.seed if root_seed is None else root_seed, scenario_index, replicate)
    city = city if city is not None else open_city(scenario.city)
    clock = Clock(Calendar(scenario.start), scenario.horizon_s)
    order = build_order(list(scenario.models))
    ctx = RunContext(clock, city, Streams(seed), Recorder(clock.calendar),
                     exchange_for(order, scenario.decoupled), scenario.directory, {})
    if observe is not None:
        ctx.exchange.observers.append(observe)
    ctx.exchange.live = {c.name for c in ctx.exchange.channels.values()
                         if c.producer in order} | set(feed or {})
    _feed(ctx, feed or {}, order)
    for name in order:
        ctx.recorder.model = name
        ctx.models[name] = registry.get(name)(ctx, scenario.models[name])
    for name in order:
        ctx.recorder.model = name
        ctx.models[name].start()
    ctx.recorder.model = "?"
    for ev in scenario.events:
        ctx.models[ev.model].expect(ev.at_s)
        clock.at(ev.at_s, lambda _t, ev=ev: ctx.models[ev.model].handle(ev.kind, ev.payload))
    # The set-up state (city, networks, rounds, populations) lives for the whole run: moved
    # out of the cyclic collector's scans, it is not rescanned at every collection that the
    # run's many short-lived objects (SimPy allocates one per event) trigger. Process-wide,
    # so it is undone whatever happens.
    gc.collect()
    gc.freeze()
    try:
        clock.run(progress=(lambda t: progress(t, scenario.horizon_s)) if progress else None,
                  chunk_s=_chunk(scenario.horizon_s))
        for name in order:
            ctx.models[name].finish()
    finally:
        gc.unfreeze()
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
        "decoupled": ",".join(sorted(scenario.decoupled)),
        "parameters": json.dumps({k: P.as_dict(v) for k, v in scenario.models.items()},
                                 default=str, sort_keys=True),
    }
    return ctx.recorder.to_dataset(attrs)


def _feed(ctx: RunContext, feed: Mapping[str, Mapping[float, Any]], order: list[str]) -> None:
    for name, series in feed.items():
        c = ctx.exchange.channels.get(name)
        if c is None:
            raise TwinError(f"cannot feed channel {name!r}: no model declares it; declared: "
                            + ", ".join(sorted(ctx.exchange.channels)))
        if c.producer in order:
            raise TwinError(f"cannot feed channel {name!r}: its producer {c.producer!r} runs "
                            "in this scenario")
        for t_s, value in sorted(series.items()):
            def put(t, name=name, value=value, producer=c.producer):
                ctx.exchange.publish(name, value, producer=producer, t_s=t)
            if t_s <= 0:
                put(0.0)
            else:
                ctx.clock.at(float(t_s), put)


def _chunk(horizon_s: float) -> float:
    """Progress granularity: about a hundred updates per run, at most one per simulated day."""
    return min(86_400.0, max(60.0, horizon_s / 100.0))
