"""The explicit exchanges between subsystems: every value one model hands another goes through
a named channel declared here, so the coupling of the city can be read in one page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Channel:
    """A named value published by one model and read by others."""

    name: str
    producer: str
    doc: str


CHANNELS = {c.name: c for c in (
    Channel("waste_deliveries", "households",
            "Tonnes put into each collection point's containers today: float array "
            "[collection_point, container] with containers (food, recyclable, hazardous, "
            "residual); published once a day at 00:00 for that day."),
    Channel("closed_roads", "drainage",
            "Road edge ids closed because water on the street exceeds the lane limit; "
            "a frozenset republished whenever it changes."),
)}


class Exchange:
    """Holds the latest value of each channel for one run."""

    def __init__(self):
        self._values: dict[str, Any] = {}

    def publish(self, channel: str, value: Any, *, producer: str) -> None:
        c = CHANNELS.get(channel)
        if c is None:
            raise KeyError(f"undeclared channel {channel!r}; declare it in twin/coupling.py")
        if c.producer != producer:
            raise ValueError(f"channel {channel!r} is produced by {c.producer!r}, not {producer!r}")
        self._values[channel] = value

    def read(self, channel: str, default: Any = None) -> Any:
        if channel not in CHANNELS:
            raise KeyError(f"undeclared channel {channel!r}")
        return self._values.get(channel, default)
