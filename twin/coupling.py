"""The explicit exchanges between subsystems. Every value one model hands another goes through a
named channel that the producing model declares (`TwinModel.publishes`) and each reader lists
(`TwinModel.reads`), so a researcher's package adds a channel without editing twin and the page
of couplings (`twin channels`, docs/channels.md) is generated from the registered models."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from twin.core.errors import TwinError


@dataclass(frozen=True)
class Channel:
    """A named value published by one model and read by others; `producer` is filled in from
    the declaring model."""

    name: str
    units: str
    doc: str
    producer: str = ""


def catalogue(classes: Iterable[type] | None = None) -> dict[str, Channel]:
    """Every channel declared by the given model classes (default: all registered models),
    each with its producer; two producers of one channel are refused, naming both."""
    if classes is None:
        from twin.core import registry

        classes = [registry.get(n) for n in registry.names()]
    out: dict[str, Channel] = {}
    for cls in classes:
        for c in getattr(cls, "publishes", ()):
            if not isinstance(c, Channel):
                raise TwinError(f"model {cls.name!r}: publishes must hold Channel(name, units, "
                                f"doc) entries, got {c!r}")
            prev = out.get(c.name)
            if prev is not None and prev.producer != cls.name:
                raise TwinError(f"channel {c.name!r} is published by both {prev.producer!r} and "
                                f"{cls.name!r}; a channel has one producer: rename one of them")
            out[c.name] = Channel(c.name, c.units, c.doc, cls.name)
    return out


def check_reads(classes: Iterable[type], known: dict[str, Channel]) -> None:
    """Every channel a model reads must be published by some registered model."""
    for cls in classes:
        for name in getattr(cls, "reads", ()):
            if name not in known:
                raise TwinError(f"model {cls.name!r} reads channel {name!r}, which no registered "
                                "model publishes; published channels: " + ", ".join(sorted(known)))


class Exchange:
    """Holds the latest value of each channel for one run, with a version per channel (+1 per
    publish) and subscribers, so readers know when a value changed without comparing it."""

    def __init__(self, channels: dict[str, Channel] | None = None, *,
                 decoupled: Iterable[str] = (), readers: dict[str, tuple[str, ...]] | None = None):
        self.channels = catalogue() if channels is None else channels
        self.decoupled = frozenset(decoupled)
        self.readers = readers  # model -> channels it declares it reads (None: not checked)
        self._values: dict[str, Any] = {}
        self._versions: dict[str, int] = {}
        self._subs: dict[str, list[Callable[[Any, float | None], None]]] = {}
        self.observers: list[Callable[[str, Any, float | None], None]] = []  # see all publishes
        self.live: set[str] = set(self.channels)  # channels whose producer runs (or are fed)

    def _channel(self, channel: str, who: str) -> Channel:
        c = self.channels.get(channel)
        if c is None:
            raise TwinError(f"model {who!r} uses channel {channel!r}, which no model declares; "
                            "declare it in the producing model's `publishes` (declared: "
                            + ", ".join(sorted(self.channels)) + ")")
        return c

    def publish(self, channel: str, value: Any, *, producer: str, t_s: float | None = None) -> None:
        c = self._channel(channel, producer)
        if c.producer != producer:
            raise TwinError(f"channel {channel!r} is produced by {c.producer!r}; model "
                            f"{producer!r} may not publish it")
        self._values[channel] = value
        self._versions[channel] = self._versions.get(channel, 0) + 1
        for fn in self.observers:
            fn(channel, value, t_s)
        if channel not in self.decoupled:
            for fn in self._subs.get(channel, ()):
                fn(value, t_s)

    def read(self, channel: str, default: Any = None, *, reader: str | None = None) -> Any:
        """The latest value (`default` before the first publish, or when the scenario
        decouples the channel)."""
        c = self._channel(channel, reader or "?")
        if reader is not None and reader != c.producer:
            self._check_reader(channel, reader)
            if channel in self.decoupled:
                return default
        return self._values.get(channel, default)

    def delivers(self, channel: str) -> bool:
        """True when the channel will reach its readers in this run: its producer runs (or a
        test feeds it) and the scenario does not decouple it. A reader may then set up work
        it would not need otherwise (the trucks' per-stop re-routing)."""
        return channel in self.live and channel not in self.decoupled

    def version(self, channel: str) -> int:
        """How many times the channel was published in this run (0: never)."""
        self._channel(channel, "?")
        return self._versions.get(channel, 0)

    def subscribe(self, channel: str, fn: Callable[[Any, float | None], None], *,
                  reader: str | None = None) -> None:
        """Call `fn(value, t_s)` on every later publish of the channel."""
        self._channel(channel, reader or "?")
        if reader is not None:
            self._check_reader(channel, reader)
        self._subs.setdefault(channel, []).append(fn)

    def _check_reader(self, channel: str, reader: str) -> None:
        if self.readers is not None and channel not in self.readers.get(reader, (channel,)):
            raise TwinError(f"model {reader!r} reads channel {channel!r} without listing it in "
                            "its `reads`; add it there")


def channels_page(channels: dict[str, Channel], classes: Iterable[type]) -> str:
    """The one-page list of couplings (Markdown), generated from the registered models."""
    classes = list(classes)
    lines = ["# Channels between models", "",
             "Generated by `twin channels --markdown` from the registered models; do not edit.",
             "A model declares what it publishes (`publishes`) and what it reads (`reads`); "
             "see docs/architecture.md.", "",
             "| channel | producer | units | readers | what |", "|---|---|---|---|---|"]
    for name in sorted(channels):
        c = channels[name]
        readers = ", ".join(sorted(k.name for k in classes if name in getattr(k, "reads", ())))
        lines.append(f"| `{name}` | {c.producer} | {c.units} | {readers or '-'} | "
                     f"{' '.join(c.doc.split())} |")
    return "\n".join(lines) + "\n"
