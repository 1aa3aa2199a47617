"""Scenario files (TOML): city, start, horizon, seed, model parameters by name and an event
timeline. Everything is checked before anything runs, and every error names the file, the key
and what is allowed. Nothing in a scenario is executed: it is parsed as data only."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twin.core import params as P
from twin.core import registry
from twin.core.errors import ScenarioError, TwinError
from twin.core.numbers import plain

HORIZON_LIMIT_DAYS = 36500  # the kernel's; a model may state a shorter one (horizon_limit)
TOP_KEYS = {"scenario", "city", "models", "events"}
SCENARIO_KEYS = {"name", "description", "start", "horizon_days", "horizon_hours", "seed",
                 "decouple"}
CITY_KEYS = {"builtin", "households", "seed", "path", "households_per_point"}
EVENT_KEYS = {"at", "model", "kind"}
_OFFSET = re.compile(r"^\s*(?:(\d+)\s*d)?\s*(?:(\d{1,3}):(\d{2}))?\s*$")


@dataclass(frozen=True)
class CitySpec:
    """Which city a scenario runs on: a built-in one, a generated one, or a saved one."""

    builtin: str | None = "demo"
    households: int | None = None
    seed: int = 0
    path: Path | None = None
    households_per_point: int | None = None  # collection-point density; None: the default 400

    def with_households_per_point(self, value: int, where: tuple = (None, None)) -> CitySpec:
        """This city with another collection-point density (not for a saved city)."""
        return dataclasses.replace(self, households_per_point=_households_per_point(
            value, self.path, *where))


@dataclass(frozen=True)
class ScheduledEvent:
    """An event of the timeline: time since start, target model, kind and payload."""

    at_s: float
    model: str
    kind: str
    payload: Any
    key: str


@dataclass(frozen=True)
class Scenario:
    """A validated scenario, ready to run."""

    path: Path | None
    name: str
    description: str
    city: CitySpec
    start: dt.datetime
    horizon_s: float
    seed: int
    models: dict[str, Any]
    events: tuple[ScheduledEvent, ...] = field(default=())
    decoupled: frozenset[str] = frozenset()  # channels not delivered to their readers

    @property
    def directory(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    def with_params(self, model: str, **changes) -> Scenario:
        """A copy with some parameters of one model replaced (used by sweeps); `model`
        "city" changes the city instead (`with_city`)."""
        if model == "city" and model not in self.models:
            return self.with_city(**changes)
        if model not in self.models:
            raise TwinError(f"model {model!r} is not in scenario {self.name!r}")
        cur = self.models[model]
        infos = {i.name: i for i in P.describe(type(cur))}
        checked = {}
        for k, v in changes.items():
            if k not in infos:
                raise ScenarioError(self.path, f"models.{model}.{k}", "unknown parameter; "
                                    "allowed: " + ", ".join(infos))
            checked[k] = P.coerce(infos[k], v, base_dir=self.directory,
                                  where=(self.path, f"models.{model}.{k}"))
        new = dataclasses.replace(cur, **checked)
        problem = horizon_problem({model: new}, self.start, self.horizon_s)
        if problem is not None:
            raise ScenarioError(self.path, f"models.{model}", "with " + ", ".join(
                f"{k} = {v!r}" for k, v in checked.items()) + f": {problem[1]}")
        return dataclasses.replace(self, models={**self.models, model: new})

    def with_city(self, **changes) -> Scenario:
        """A copy on another variant of its city; the only key is households_per_point."""
        city = self.city
        for k, v in changes.items():
            if k != "households_per_point":
                raise ScenarioError(self.path, f"city.{k}", "a sweep can vary only "
                                    "city.households_per_point")
            city = city.with_households_per_point(v, (self.path, f"city.{k}"))
        return dataclasses.replace(self, city=city)

    def digest(self) -> str:
        """A hash of everything that defines the run (not of the file's formatting)."""
        city = P.as_dict(self.city)
        if city["households_per_point"] is None:  # same hash as before the key existed
            del city["households_per_point"]
        doc = {"city": city, "start": self.start.isoformat(),
               "horizon_s": self.horizon_s, "seed": self.seed,
               "models": {k: P.as_dict(v) for k, v in self.models.items()},
               "events": [(e.at_s, e.model, e.kind, P.as_dict(e.payload)) for e in self.events]}
        if self.decoupled:  # same hash as before the key existed
            doc["decoupled"] = sorted(self.decoupled)
        return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _check_keys(table: Any, allowed: set[str], path: Path | None, section: str) -> dict:
    if not isinstance(table, dict):
        raise ScenarioError(path, section, "must be a table")
    for k in table:
        if k not in allowed:
            full = f"{section}.{k}" if section else k
            raise ScenarioError(path, full, "unknown key; allowed: " + ", ".join(sorted(allowed)))
    return table


def _as_start(value: Any, path: Path | None) -> dt.datetime:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            raise ScenarioError(path, "scenario.start", f"{value.isoformat()} has a time zone; "
                                "allowed: a local date-time without an offset (the city's "
                                "clock; refused rather than converted, its zone is not known)")
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    raise ScenarioError(path, "scenario.start", f"got {value!r}; allowed: a TOML date "
                        "(2019-07-01) or date-time (2019-07-01T00:00:00)")


def parse_offset(value: Any, start: dt.datetime, path: Path | None, key: str) -> float:
    """Seconds since start for an event's `at`: "01:00", "2d", "3d 06:30" or a date-time."""
    if isinstance(value, dt.datetime):
        return (value.replace(tzinfo=None) - start).total_seconds()
    if isinstance(value, dt.date):
        return (dt.datetime.combine(value, dt.time()) - start).total_seconds()
    m = _OFFSET.match(value) if isinstance(value, str) else None
    if not m or not any(m.groups()):
        raise ScenarioError(path, key, f"got {value!r}; allowed: time since start as "
                            "\"HH:MM\", \"Nd\" or \"Nd HH:MM\", or an absolute date-time")
    days, hours, minutes = (int(g) if g else 0 for g in m.groups())
    if minutes >= 60:
        raise ScenarioError(path, key, f"got {value!r}: minutes must be below 60")
    return days * 86400.0 + hours * 3600.0 + minutes * 60.0


def parse_scenario(doc: dict, path: Path | None = None, *,
                   fed: frozenset[str] = frozenset()) -> Scenario:
    """Validate a parsed TOML document into a Scenario (raises ScenarioError). `fed` names
    channels a test feeds in place of their producers (see `twin.testing`): a required model
    is then not needed when every channel read from it is fed."""
    _check_keys(doc, TOP_KEYS, path, "")
    head = _check_keys(doc.get("scenario", {}), SCENARIO_KEYS, path, "scenario")
    if "start" not in head:
        raise ScenarioError(path, "scenario.start", "missing; allowed: a TOML date")
    start = _as_start(head["start"], path)
    if ("horizon_days" in head) == ("horizon_hours" in head):
        raise ScenarioError(path, "scenario.horizon_days",
                            "give exactly one of horizon_days or horizon_hours (a positive number)")
    hkey = "horizon_days" if "horizon_days" in head else "horizon_hours"
    horizon = head[hkey]
    limit = HORIZON_LIMIT_DAYS * (1 if hkey == "horizon_days" else 24)
    if isinstance(horizon, bool) or not isinstance(horizon, (int, float)) or not 0 < horizon <= limit:
        raise ScenarioError(path, f"scenario.{hkey}", f"got {horizon!r}; allowed: a number > 0 "
                            f"and at most {limit} ({HORIZON_LIMIT_DAYS} days, the kernel's "
                            "limit)")
    horizon_s = float(horizon) * (86400.0 if hkey == "horizon_days" else 3600.0)
    seed = head.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ScenarioError(path, "scenario.seed", f"got {seed!r}; allowed: an integer >= 0")
    for k in ("name", "description"):
        if k in head and not isinstance(head[k], str):
            raise ScenarioError(path, f"scenario.{k}", "allowed: a string")

    city_doc = _check_keys(doc.get("city", {}), CITY_KEYS, path, "city")
    city = _parse_city(city_doc, path)

    models_doc = doc.get("models", {})
    if not isinstance(models_doc, dict) or not models_doc:
        raise ScenarioError(path, "models", "at least one [models.NAME] table is required; "
                            "registered models: " + ", ".join(registry.names()))
    base_dir = path.parent if path else Path.cwd()
    models: dict[str, Any] = {}
    for name, overrides in models_doc.items():
        if name not in registry.names():
            raise ScenarioError(path, f"models.{name}", "unknown model; registered models: "
                                + ", ".join(registry.names()))
        if not isinstance(overrides, dict):
            raise ScenarioError(path, f"models.{name}", "must be a table of parameters")
        cls = registry.get(name)
        models[name] = P.build(cls.Params, overrides, path=path, section=f"models.{name}",
                               base_dir=base_dir)
    for name in models:
        cls = registry.get(name)
        for req in cls.requires:
            from_req = [c.name for c in registry.get(req).publishes if c.name in cls.reads]
            if req not in models and not (from_req and set(from_req) <= fed):
                raise ScenarioError(path, f"models.{name}", f"needs model {req!r} in the same "
                                    f"scenario; add a [models.{req}] table")

    events_doc = doc.get("events", [])
    if not isinstance(events_doc, list):
        raise ScenarioError(path, "events", "must be an array of tables ([[events]])")
    events = []
    for i, ev in enumerate(events_doc):
        key = f"events[{i}]"
        if not isinstance(ev, dict):
            raise ScenarioError(path, key, "must be a table")
        for k in EVENT_KEYS:
            if k not in ev:
                raise ScenarioError(path, f"{key}.{k}", "missing; an event needs at, model, kind")
        model = ev["model"]
        if not isinstance(model, str) or model not in models:
            raise ScenarioError(path, f"{key}.model", f"got {model!r}; allowed: a model of this "
                                "scenario: " + ", ".join(models))
        kinds = registry.get(model).events
        if not isinstance(ev["kind"], str) or ev["kind"] not in kinds:
            raise ScenarioError(path, f"{key}.kind", f"unknown event {ev['kind']!r} for model "
                                f"{model!r}; allowed: " + (", ".join(kinds) or "none"))
        at_s = parse_offset(ev["at"], start, path, f"{key}.at")
        if not 0 <= at_s <= horizon_s:
            raise ScenarioError(path, f"{key}.at", f"{ev['at']!r} is outside the scenario's "
                                "horizon")
        payload = P.build(kinds[ev["kind"]], {k: v for k, v in ev.items() if k not in EVENT_KEYS},
                          path=path, section=key, base_dir=base_dir)
        events.append(ScheduledEvent(at_s, model, ev["kind"], payload, key))
    events.sort(key=lambda e: e.at_s)
    _check_horizon(models, start, horizon_s, path, hkey)
    known = _check_channels(models, path)
    decoupled = _parse_decouple(head.get("decouple", []), known, path)
    _check_event_targets(models, events, city, path)
    _check_model_params(models, city, path)
    name = head.get("name", path.stem if path else "scenario")
    return Scenario(path, name, head.get("description", ""), city, start, horizon_s, seed,
                    models, tuple(events), decoupled)


def _parse_decouple(value: Any, known: dict, path: Path | None) -> frozenset[str]:
    """Channels the scenario cuts (readers see the default), to measure what a coupling does."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ScenarioError(path, "scenario.decouple", "allowed: a list of channel names, from: "
                            + ", ".join(sorted(known)))
    for v in value:
        if v not in known:
            raise ScenarioError(path, "scenario.decouple", f"unknown channel {v!r}; allowed: "
                                + ", ".join(sorted(known)))
    return frozenset(value)


def _check_channels(models: dict[str, Any], path: Path | None) -> dict:
    """Channels are declared once and every channel read has a producer (before any run);
    returns the registered channels."""
    from twin.coupling import catalogue, check_reads

    try:
        known = catalogue([registry.get(n) for n in registry.names()])
        check_reads([registry.get(n) for n in models], known)
    except TwinError as e:
        raise ScenarioError(path, "models", str(e)) from None
    return known


def _check_event_targets(models: dict[str, Any], events: list[ScheduledEvent], city: CitySpec,
                         path: Path | None) -> None:
    """Ask each model whether the names in its events exist (stations, nodes, lots): a wrong
    name stops here, naming the file, the event and what is allowed."""
    from twin.core.model import TwinModel

    checked = [e for e in events
               if registry.get(e.model).check_event.__func__ is not TwinModel.check_event.__func__]
    if not checked:
        return
    from twin.city.io import open_city

    the_city = open_city(city)
    for e in checked:
        cls = registry.get(e.model)
        for fld, message in cls.check_event(e.kind, e.payload, models[e.model], the_city) or ():
            raise ScenarioError(path, f"{e.key}.{fld}" if fld else e.key, message)


def _check_horizon(models: dict[str, Any], start: dt.datetime, horizon_s: float,
                   path: Path | None, key: str) -> None:
    """Each model's own horizon limit (the kernel's is checked with the key)."""
    problem = horizon_problem(models, start, horizon_s, key)
    if problem is not None:
        raise ScenarioError(path, problem[0], problem[1])


def horizon_problem(models: dict[str, Any], start: dt.datetime, horizon_s: float,
                    key: str = "horizon_days") -> tuple[str, str] | None:
    """(key, message) when a model cannot run this horizon from this start (every model
    that cannot is named, the tightest limit is what is allowed), else None."""
    unit_s = 86400.0 if key == "horizon_days" else 3600.0
    unit = key.removeprefix("horizon_")

    def amount(x: float) -> str:
        return f"{x} {unit.removesuffix('s') if x == '1' else unit}"

    over = []
    for n, params in models.items():
        limit = registry.get(n).horizon_limit(params, start)
        if limit is not None and limit[0] <= 0:
            return "scenario.start", (f"model {n!r} cannot run from {start:%Y-%m-%d %H:%M}: "
                                      f"{limit[1]}")
        if limit is not None and horizon_s > limit[0] * (1 + 1e-12):
            over.append((limit[0], n, limit[1]))
    if not over:
        return None
    most = math.floor(min(over)[0] / unit_s * (1 + 1e-12))
    why = "; and than ".join(f"model {n!r} can run (at most "
                             f"{amount(f'{math.floor(lim / unit_s * (1 + 1e-12)):,}')}: {reason})"
                             for lim, n, reason in sorted(over))
    return f"scenario.{key}", (f"{amount(plain(horizon_s / unit_s, 12))} is longer than "
                               f"{why}; allowed: at most {amount(f'{most:,}')}")


def _check_model_params(models: dict[str, Any], city: CitySpec, path: Path | None) -> None:
    """Ask each model whether its parameters fit the city (the same hook as events)."""
    from twin.core.model import TwinModel

    checked = [n for n in models
               if registry.get(n).check_params.__func__ is not TwinModel.check_params.__func__]
    if not checked:
        return
    from twin.city.io import open_city

    the_city = open_city(city)
    for n in checked:
        for fld, message in registry.get(n).check_params(models[n], the_city) or ():
            raise ScenarioError(path, f"models.{n}.{fld}" if fld else f"models.{n}", message)


def _households_per_point(value: Any, saved: Path | None, path: Path | None,
                          key: str | None) -> int:
    """A checked collection-point density: an integer in range, not for a saved city."""
    from twin.city.generate import COLLECTION_POINT_HOUSEHOLDS_RANGE

    key = key or "city.households_per_point"
    if saved is not None:
        raise ScenarioError(path, key, f"a saved city ({saved}) keeps its own collection "
                            "points; households_per_point is allowed with builtin or households")
    lo, hi = COLLECTION_POINT_HOUSEHOLDS_RANGE
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ScenarioError(path, key, f"got {value!r}; allowed: an integer from {lo} to {hi} "
                            "(households per collection point)")
    return value


def _parse_city(doc: dict, path: Path | None) -> CitySpec:
    spec = _parse_city_source(doc, path)
    if "households_per_point" in doc:
        return spec.with_households_per_point(doc["households_per_point"], (path, None))
    return spec


def _parse_city_source(doc: dict, path: Path | None) -> CitySpec:
    from twin.city.builtin import BUILTIN

    modes = [k for k in ("builtin", "households", "path") if k in doc]
    if len(modes) > 1:
        raise ScenarioError(path, "city", "give one of builtin, households (+ seed) or path")
    if "path" in doc:
        p = Path(doc["path"]) if isinstance(doc["path"], str) else None
        if p is None:
            raise ScenarioError(path, "city.path", "allowed: a folder written by `twin city`")
        p = p if p.is_absolute() else ((path.parent if path else Path.cwd()) / p).resolve()
        if not (p / "city.json").is_file():
            raise ScenarioError(path, "city.path", f"no saved city at {p} (city.json missing)")
        return CitySpec(builtin=None, path=p)
    if "households" in doc:
        n, seed = doc["households"], doc.get("seed", 0)
        if isinstance(n, bool) or not isinstance(n, int) or not 1_000 <= n <= 5_000_000:
            raise ScenarioError(path, "city.households",
                                f"got {n!r}; allowed: an integer from 1000 to 5000000")
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ScenarioError(path, "city.seed", f"got {seed!r}; allowed: an integer >= 0")
        return CitySpec(builtin=None, households=n, seed=seed)
    if "seed" in doc:
        raise ScenarioError(path, "city.seed", "only with city.households")
    name = doc.get("builtin", "demo")
    if not isinstance(name, str) or name not in BUILTIN:
        raise ScenarioError(path, "city.builtin", f"got {name!r}; allowed: one of "
                            + ", ".join(BUILTIN))
    return CitySpec(builtin=name)


def read_toml(path: str | Path, what: str = "scenario") -> tuple[dict, Path]:
    """Read a TOML file a user names (scenario, sweep), every failure a ScenarioError."""
    path = Path(path)
    if not path.is_file():
        raise ScenarioError(path, None, f"{what} file not found")
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError(path, None, f"not valid TOML: {e}") from None
    except UnicodeDecodeError:
        raise ScenarioError(path, None, "not a UTF-8 text file") from None
    return doc, path.resolve()


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file."""
    return parse_scenario(*read_toml(path))
