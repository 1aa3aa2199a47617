"""Model registry: every model, built-in or not, is found through the `twin.models` entry-point
group, so a researcher's package adds a model by declaring one entry point, without forking."""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points

from twin.core.errors import TwinError
from twin.core.model import TwinModel

GROUP = "twin.models"


_extra: dict[str, type[TwinModel]] = {}


@cache
def _entry_points() -> dict:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def register(cls: type[TwinModel]) -> type[TwinModel]:
    """Register a model class in this process (notebooks, tests); packages use entry points."""
    _extra[cls.name] = cls
    return cls


def names() -> list[str]:
    """Names of all registered models."""
    return sorted({*_entry_points(), *_extra})


def get(name: str) -> type[TwinModel]:
    """The model class registered under `name`."""
    eps = _entry_points()
    if name in _extra:
        return _extra[name]
    if name not in eps:
        raise TwinError(f"unknown model {name!r}; registered models: {', '.join(names())}")
    cls = eps[name].load()
    if not (isinstance(cls, type) and issubclass(cls, TwinModel)):
        raise TwinError(f"entry point {name!r} in group {GROUP!r} is not a TwinModel subclass")
    if cls.name != name:
        raise TwinError(f"entry point {name!r} loads model named {cls.name!r}")
    return cls
