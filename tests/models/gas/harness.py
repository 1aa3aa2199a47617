"""Gas test harness: the model registered in-process (until its entry point exists) and run
alone on a city through the kernel's scenario and run functions."""

from __future__ import annotations

import datetime as dt

from twin.core import registry
from twin.models.gas.model import GasModel


def register_gas() -> None:
    registry.register(GasModel)


def run_gas(overrides=None, *, days=1.0, events=(), start=dt.date(2024, 1, 8), seed=0,
            city=None):
    """Run the gas model alone on the demo city (or `city`)."""
    from twin.core.run import run
    from twin.core.scenario import parse_scenario

    register_gas()
    doc = {"scenario": {"start": start, "horizon_hours": days * 24, "seed": seed},
           "models": {"gas": dict(overrides or {})}, "events": list(events)}
    return run(parse_scenario(doc), city=city)
