"""A researcher's kit: run one model (or a few) on a city for a while, with given channel
values and events, exactly as the built-in tests do, and see what the models published.

    from twin.testing import run_models
    out = run_models({"waste": {}}, days=3,
                     channels={"waste_deliveries": {0: d0, 86_400: d1, 172_800: d2}})
    out.ds["collected_t"], out.published["closed_roads"]

Everything goes through the same scenario validation and kernel as `twin run`: the models
are named and configured as in a scenario file, events are `[[events]]` tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import xarray as xr

from twin.core.run import run
from twin.core.scenario import parse_scenario


@dataclass
class ModelRun:
    """A test run's results and every value published on each channel, as (t_s, value)."""

    ds: xr.Dataset
    published: dict[str, list[tuple[float, Any]]] = field(default_factory=dict)

    def last(self, channel: str, default: Any = None) -> Any:
        """The last value published on a channel."""
        rows = self.published.get(channel)
        return rows[-1][1] if rows else default


def run_models(models: Mapping[str, Mapping[str, Any] | None], *, days: float | None = None,
               hours: float | None = None, start: dt.datetime | str = "2021-07-20T00:00:00",
               seed: int = 0, city: Mapping[str, Any] | None = None,
               channels: Mapping[str, Any] | None = None,
               events: Sequence[Mapping[str, Any]] = (), decouple: Sequence[str] = (),
               replicate: int = 0) -> ModelRun:
    """Run `models` ({name: parameter overrides}) for `days` or `hours` on `city` (a
    scenario's [city] table; default the built-in demo city).

    `channels` stands in for models that are not run: {channel: value} publishes the value
    at the start, {channel: {t_s: value, ...}} at each time. `events` are [[events]] tables
    (at, model, kind, payload fields)."""
    if (days is None) == (hours is None):
        raise ValueError("give exactly one of days or hours")
    start = dt.datetime.fromisoformat(start) if isinstance(start, str) else start
    head = {"name": "twin-testing", "start": start, "seed": seed,
            **({"horizon_days": days} if days is not None else {"horizon_hours": hours})}
    if decouple:
        head["decouple"] = list(decouple)
    doc = {"scenario": head, "city": dict(city or {}),
           "models": {k: dict(v or {}) for k, v in models.items()}, "events": list(events)}
    feed = {k: (v if isinstance(v, Mapping) else {0.0: v}) for k, v in (channels or {}).items()}
    scenario = parse_scenario(doc, fed=frozenset(feed))
    published: dict[str, list[tuple[float, Any]]] = {}

    def observe(name: str, value: Any, t_s: float | None) -> None:
        published.setdefault(name, []).append((0.0 if t_s is None else t_s, value))

    ds = run(scenario, replicate=replicate, feed=feed, observe=observe)
    return ModelRun(ds, published)
