"""Frozen parameter dataclasses: one per model, units in field names, metadata for validation.

Scenario validation, sweep designs and dashboard controls are all derived from these fields,
so a parameter is declared once with `param(default, doc, lo=, hi=, choices=)`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from twin.core.errors import ScenarioError


def param(default: Any, doc: str, *, lo: float | None = None, hi: float | None = None,
          choices: tuple | None = None) -> Any:
    """A dataclass field carrying its doc line, its allowed range or its allowed choices."""
    meta = {"doc": doc, "lo": lo, "hi": hi, "choices": tuple(choices) if choices else None}
    if isinstance(default, (list, dict, set)):
        raise TypeError("mutable defaults are not allowed; use a tuple")
    return dataclasses.field(default=default, metadata=meta)


@dataclass(frozen=True)
class ParamInfo:
    """What a scenario author may set: name, type, default, doc and bounds."""

    name: str
    type: Any
    default: Any
    doc: str
    lo: float | None
    hi: float | None
    choices: tuple | None

    @property
    def base_type(self) -> type:
        """The non-None type (for `X | None`)."""
        args = [a for a in typing.get_args(self.type) if a is not type(None)]
        if typing.get_origin(self.type) in (typing.Union, types.UnionType) and len(args) == 1:
            return args[0]
        return self.type

    @property
    def optional(self) -> bool:
        return type(None) in typing.get_args(self.type)

    def allowed(self) -> str:
        """A human description of allowed values, for error messages and --help."""
        t = self.base_type
        name = getattr(t, "__name__", str(t))
        if self.choices:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        parts = [{"float": "a number", "int": "an integer", "bool": "true or false",
                  "str": "a string", "date": "a date (YYYY-MM-DD)", "Path": "a file path",
                  "datetime": "a date-time"}.get(name, name)]
        if self.lo is not None and self.hi is not None:
            parts.append(f"from {self.lo} to {self.hi}")
        elif self.lo is not None:
            parts.append(f">= {self.lo}")
        elif self.hi is not None:
            parts.append(f"<= {self.hi}")
        if typing.get_origin(t) is tuple:
            parts = ["a list of numbers"]
        return " ".join(parts) + (" (or omit)" if self.optional else "")


def describe(cls: type) -> list[ParamInfo]:
    """The parameters of a frozen dataclass, in declaration order."""
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        m = f.metadata
        out.append(ParamInfo(f.name, hints[f.name], f.default, m.get("doc", ""), m.get("lo"),
                             m.get("hi"), m.get("choices")))
    return out


def coerce(info: ParamInfo, value: Any, *, base_dir: Path | None, where: tuple) -> Any:
    """Check one value against its field; return it converted (e.g. relative path resolved)."""
    path, key = where
    t = info.base_type

    def bad(msg: str) -> ScenarioError:
        return ScenarioError(path, key, f"{msg}; allowed: {info.allowed()}")

    if value is None:
        if info.optional:
            return None
        raise bad("a value is required")
    if t is bool:
        if not isinstance(value, bool):
            raise bad(f"got {value!r}")
    elif t is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise bad(f"got {value!r}")
        value = float(value)
        if math.isnan(value):
            raise bad("got NaN")
    elif t is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad(f"got {value!r}")
    elif t is str:
        if not isinstance(value, str):
            raise bad(f"got {value!r}")
    elif t is dt.date:
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, str):  # "YYYY-MM-DD" as well as a TOML date
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                raise bad(f"got {value!r}") from None
        if not isinstance(value, dt.date):
            raise bad(f"got {value!r}")
    elif t is Path:
        if not isinstance(value, str):
            raise bad(f"got {value!r}")
        p = Path(value)
        if not p.is_absolute() and base_dir is not None:
            p = (base_dir / p).resolve()
        if not p.is_file():
            raise ScenarioError(path, key, f"file not found: {p}")
        value = p
    elif typing.get_origin(t) is tuple:
        if not isinstance(value, (list, tuple)) or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            raise bad(f"got {value!r}")
        value = tuple(float(v) for v in value)
        if any((info.lo is not None and v < info.lo) or (info.hi is not None and v > info.hi)
               for v in value):
            raise bad(f"got {list(value)!r}")
        return value
    if info.choices and value not in info.choices:
        raise bad(f"got {value!r}")
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    if numeric and ((info.lo is not None and value < info.lo)
                    or (info.hi is not None and value > info.hi)):
        raise bad(f"got {value!r}, out of range")
    return value


def build(cls: type, overrides: dict[str, Any], *, path: str | Path | None = None,
          section: str = "", base_dir: Path | None = None) -> Any:
    """An instance of `cls` with `overrides` checked one by one; unknown names are refused."""
    infos = {i.name: i for i in describe(cls)}
    values = {}
    for key, value in overrides.items():
        full = f"{section}.{key}" if section else key
        if key not in infos:
            raise ScenarioError(path, full, "unknown parameter; allowed: " + ", ".join(infos))
        values[key] = coerce(infos[key], value, base_dir=base_dir, where=(path, full))
    try:
        obj = cls(**values)
    except (TypeError, ValueError) as e:  # cross-field checks in __post_init__
        # a message that starts with a field's name is about that field: name its key
        first = re.split(r"[\s(]", str(e), maxsplit=1)[0]
        key = f"{section}.{first}" if section and first in {f.name for f in
                                                            dataclasses.fields(cls)} else section
        raise ScenarioError(path, key or None, str(e)) from None
    return obj


def as_dict(obj: Any) -> dict[str, Any]:
    """Field values of a params instance (paths and dates as strings), for provenance attrs."""
    out = {}
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        out[f.name] = str(v) if isinstance(v, (Path, dt.date)) else v
    return out
