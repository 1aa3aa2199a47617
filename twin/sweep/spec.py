"""Sweep files (TOML): a base scenario, uncertainties sampled into scenarios, levers or named
policies, a design, replicates, a root seed and the outputs to keep.

A sweep file is data only, like a scenario file: it is parsed and checked completely before
anything runs, and every error names the file, the key and what is allowed. Parameters are
addressed as `model.param` and checked against the model's frozen params dataclass, so a typo
names the parameter and lists the model's parameters. `city.households_per_point` varies the
collection-point density of the base scenario's city (an integer, 100 to 2000).

Faults that a scenario states as events (a pump station losing power, blocked inlets) are
varied in two ways: `"events.KIND.field"` sets a payload field of every event of that kind in
the base scenario (e.g. the capacity left by each inlet blockage), and an event set
`NAME = { events = { LABEL = [event tables], ... } }` adds one of several alternative
timelines (e.g. how many pump stations fail); labels that are all numbers make a numeric
coordinate, so scenario discovery can say "at most 1".
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from twin.core import params as P
from twin.core import registry
from twin.core.errors import ScenarioError
from twin.core.scenario import (
    Scenario,
    ScheduledEvent,
    horizon_problem,
    load_scenario,
    parse_offset,
    read_toml,
)

TOP_KEYS = {"sweep", "design", "uncertainties", "levers", "policies", "outputs", "compare",
            "analysis"}
SWEEP_KEYS = {"name", "description", "base", "replicates", "root_seed", "chunk_runs"}
DESIGN_KEYS = {"kind", "samples", "levels", "second_order", "seed", "posterior"}
DESIGNS = ("full_factorial", "latin_hypercube", "sobol", "morris", "posterior")
UNCERTAINTY_KEYS = {"range", "values", "scale", "events"}
EVENT_KEYS = {"at", "model", "kind"}
OUTPUT_KEYS = {"var", "reduce", "over"}
REDUCTIONS = ("none", "sum", "mean", "max", "min", "first", "last")
COMPARE_KEYS = {"output", "reference", "confidence", "half_width", "relative_half_width",
                "max_replicates"}
ANALYSIS_KEYS = {"sensitivity", "discover"}
CITY_KEYS = ("city.households_per_point",)  # city properties a sweep may vary
DISCOVER_KEYS = {"output", "above", "below", "policy", "density"}
MAX_RUNS = 2_000_000


@dataclass(frozen=True)
class Uncertainty:
    """One uncertain parameter: a numeric range (linear or log) or a list of values.

    Designs sample the unit interval; `value(u)` maps u in [0, 1] to a parameter value, so
    every design (grid, Latin hypercube, Sobol, Morris) treats every kind of parameter alike.
    """

    key: str  # "model.param"
    model: str
    param: str
    lo: float | None = None
    hi: float | None = None
    scale: str = "linear"
    values: tuple | None = None
    integer: bool = False
    event_sets: tuple[tuple[ScheduledEvent, ...], ...] | None = None  # per value (labels)

    @property
    def levels(self) -> int | None:
        """How many distinct values (None for a continuous range)."""
        if self.values is not None:
            return len(self.values)
        if self.integer:
            return int(self.hi - self.lo) + 1
        return None

    def value(self, u: float) -> Any:
        if self.values is not None:
            return self.values[min(int(u * len(self.values)), len(self.values) - 1)]
        if self.integer:
            n = self.levels
            return int(self.lo) + min(int(u * n), n - 1)
        if self.scale == "log":
            return math.exp(math.log(self.lo) + u * (math.log(self.hi) - math.log(self.lo)))
        return self.lo + u * (self.hi - self.lo)


@dataclass(frozen=True)
class Policy:
    """A named policy: parameter settings applied on top of each scenario."""

    name: str
    settings: tuple[tuple[str, Any], ...]  # (("model.param", value), ...)


@dataclass(frozen=True)
class Output:
    """A KPI kept per run: a results variable, reduced over some dims to a small fixed shape.

    `steps` are applied in order: (reduction, dims), dims None meaning every dim left."""

    name: str
    var: str
    steps: tuple[tuple[str, tuple[str, ...] | None], ...] = ()


@dataclass(frozen=True)
class Design:
    kind: str
    samples: int | None
    levels: int
    second_order: bool
    seed: int
    posterior: Path | None = None  # kind "posterior": the calibration store drawn from


@dataclass(frozen=True)
class Compare:
    """Paired comparison of every policy with a reference on one output, and the precision
    (confidence-interval half width) at which replicates stop being added."""

    output: str
    reference: str
    confidence: float
    half_width: float | None
    relative_half_width: float | None
    max_replicates: int


@dataclass(frozen=True)
class Discover:
    """A failure condition for scenario discovery (PRIM): output above or below a threshold."""

    output: str
    above: float | None
    below: float | None
    policy: str | None
    density: float


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep: everything needed to enumerate, run and store its runs."""

    path: Path | None
    name: str
    description: str
    base: Scenario
    replicates: int
    root_seed: int
    chunk_runs: int
    design: Design
    uncertainties: tuple[Uncertainty, ...]
    policies: tuple[Policy, ...]
    levers: tuple[str, ...]  # keys varied by the policies
    outputs: tuple[Output, ...]
    compare: Compare | None
    sensitivity: tuple[str, ...]
    discover: tuple[Discover, ...]
    digest: str  # hash of the normalised sweep document and the base scenario

    @property
    def varied(self) -> tuple[str, ...]:
        return tuple(u.key for u in self.uncertainties) + self.levers


def _err(path, key, msg) -> ScenarioError:
    return ScenarioError(path, key, msg)


def _table(doc: Any, allowed: set[str] | None, path, section: str) -> dict:
    if not isinstance(doc, dict):
        raise _err(path, section, "must be a table")
    if allowed is not None:
        for k in doc:
            if k not in allowed:
                raise _err(path, f"{section}.{k}", "unknown key; allowed: "
                           + ", ".join(sorted(allowed)))
    return doc


def _int(value, path, key, lo: int, hi: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < lo or (
            hi is not None and value > hi):
        rng = f"from {lo} to {hi}" if hi is not None else f">= {lo}"
        raise _err(path, key, f"got {value!r}; allowed: an integer {rng}")
    return value


def _number(value, path, key) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise _err(path, key, f"got {value!r}; allowed: a number")
    return float(value)


def _flatten(doc: dict, path, section: str, is_leaf) -> dict[str, tuple[Any, str]]:
    """`"model.param" = x` and `[section.model] param = x` both become {"model.param": x}."""
    out = {}
    for k, v in doc.items():
        if "." in k or is_leaf(v):
            out[k] = (v, f"{section}.{k}")
        elif isinstance(v, dict):
            for k2, v2 in v.items():
                out[f"{k}.{k2}"] = (v2, f"{section}.{k}.{k2}")
        else:
            out[k] = (v, f"{section}.{k}")
    return out


def _param_info(base: Scenario, key: str, path, where: str) -> P.ParamInfo:
    """The ParamInfo of `model.param` (or `events.KIND.field`), or an error naming it and
    listing what exists."""
    if key.startswith("events."):
        return _event_field_info(base, key, path, where)
    if key.startswith("city."):
        return _city_info(base, key, path, where)
    model, _, name = key.partition(".")
    if not name or "." in name:
        raise _err(path, where, f"{key!r} is not a parameter address; allowed: model.param "
                   "(e.g. drainage.return_period_years), city.households_per_point or "
                   "events.KIND.field")
    if model not in base.models:
        raise _err(path, where, f"model {model!r} is not in the base scenario; its models: "
                   + ", ".join(base.models) + " (and city.households_per_point)")
    infos = {i.name: i for i in P.describe(type(base.models[model]))}
    if name not in infos:
        raise _err(path, where, f"unknown parameter {name!r} of model {model!r}; "
                   f"{model}'s parameters: " + ", ".join(infos))
    return infos[name]


def _event_field_info(base: Scenario, key: str, path, where: str) -> P.ParamInfo:
    """`events.KIND.field`: a payload field of every base-scenario event of that kind."""
    parts = key.split(".")
    kinds = sorted({e.kind for e in base.events})
    if len(parts) != 3:
        raise _err(path, where, f"{key!r} is not an event field address; allowed: "
                   "events.KIND.field, e.g. events.inlet_blockage.capacity_fraction")
    kind, name = parts[1], parts[2]
    found = [e for e in base.events if e.kind == kind]
    if not found:
        raise _err(path, where, f"the base scenario has no {kind!r} events to vary; its "
                   "event kinds: " + (", ".join(kinds) or "none (add [[events]] to it)"))
    infos = {i.name: i for i in P.describe(type(found[0].payload))}
    if name not in infos:
        raise _err(path, where, f"unknown field {name!r} of event {kind!r}; its fields: "
                   + ", ".join(infos))
    return infos[name]


def _city_info(base: Scenario, key: str, path, where: str) -> P.ParamInfo:
    """`city.households_per_point`: the collection-point density of the base scenario's
    (built-in or generated) city; every distinct value builds that city once per worker."""
    from twin.city.generate import COLLECTION_POINT_HOUSEHOLDS_RANGE

    if key not in CITY_KEYS:
        raise _err(path, where, f"unknown city key {key!r}; allowed: " + ", ".join(CITY_KEYS))
    if base.city.path is not None:
        raise _err(path, where, f"the base scenario runs on a saved city ({base.city.path}), "
                   "which keeps its own collection points; city.households_per_point needs "
                   "[city] builtin or households")
    lo, hi = COLLECTION_POINT_HOUSEHOLDS_RANGE
    return P.ParamInfo("households_per_point", int, base_value(base, key),
                       "households per collection point", lo, hi, None)


def base_value(base: Scenario, key: str) -> Any:
    """The base scenario's value of `model.param`, `city.households_per_point` or
    `events.KIND.field` (first such event)."""
    if key == "city.households_per_point":
        from twin.city.generate import HOUSEHOLDS_PER_COLLECTION_POINT

        return base.city.households_per_point or HOUSEHOLDS_PER_COLLECTION_POINT
    if key.startswith("events."):
        _, kind, name = key.split(".")
        return getattr(next(e for e in base.events if e.kind == kind).payload, name)
    model, _, name = key.partition(".")
    return getattr(base.models[model], name)


def _check_value(base, info, value, path, where, key: str = ""):
    """A sweep value coerced like a scenario key; for a model parameter, the model's horizon
    limit checked with it (on the base scenario), so a lever the horizon cannot take stops
    the sweep at load rather than failing its runs."""
    v = P.coerce(info, value, base_dir=base.directory, where=(path, where))
    model, _, name = key.partition(".")
    if model in base.models:
        try:
            params = dataclasses.replace(base.models[model], **{name: v})
        except (ValueError, TypeError):  # a cross-field rule: the runs report it, named
            return v
        problem = horizon_problem({model: params}, base.start, base.horizon_s)
        if problem is not None:
            raise _err(path, where, f"{key} = {v!r} on the base scenario: {problem[1]}")
    return v


def _label(labels: list[str]) -> tuple:
    """Event-set labels as numbers when they all are (a numeric coordinate), else strings."""
    for kind in (int, float):
        try:
            return tuple(kind(x) for x in labels)
        except ValueError:
            continue
    return tuple(labels)


def parse_events(base: Scenario, doc: Any, path, where: str) -> tuple[ScheduledEvent, ...]:
    """Event tables (as in a scenario's [[events]]) checked against the base scenario."""
    if not isinstance(doc, list):
        raise _err(path, where, "allowed: a list of event tables { at, model, kind, ... }")
    out = []
    for i, ev in enumerate(doc):
        key = f"{where}[{i}]"
        ev = _table(ev, None, path, key)
        for k in EVENT_KEYS:
            if k not in ev:
                raise _err(path, f"{key}.{k}", "missing; an event needs at, model, kind")
        model = ev["model"]
        if model not in base.models:
            raise _err(path, f"{key}.model", f"got {model!r}; allowed: a model of the base "
                       "scenario: " + ", ".join(base.models))
        kinds = registry.get(model).events
        if ev["kind"] not in kinds:
            raise _err(path, f"{key}.kind", f"unknown event {ev['kind']!r} for model "
                       f"{model!r}; allowed: " + (", ".join(kinds) or "none"))
        at_s = parse_offset(ev["at"], base.start, path, f"{key}.at")
        if not 0 <= at_s <= base.horizon_s:
            raise _err(path, f"{key}.at", f"{ev['at']!r} is outside the base scenario's horizon")
        payload = P.build(kinds[ev["kind"]], {k: v for k, v in ev.items() if k not in EVENT_KEYS},
                          path=path, section=key, base_dir=base.directory)
        out.append(ScheduledEvent(at_s, model, ev["kind"], payload, key))
    return tuple(out)


def _event_set(base, key, spec, path, where) -> Uncertainty:
    if "." in key:
        raise _err(path, where, f"an event set is named by a plain word (got {key!r}); it is "
                   "not a model parameter")
    if set(spec) != {"events"}:
        raise _err(path, where, "an event set takes only events = { LABEL = [events], ... }")
    sets = _table(spec["events"], None, path, f"{where}.events")
    if len(sets) < 2:
        raise _err(path, f"{where}.events", "allowed: at least two alternatives, e.g. "
                   "{ \"3\" = [], \"2\" = [{ at = \"00:30\", model = \"drainage\", "
                   "kind = \"pump_outage\", station = \"PS01\" }] }")
    labels = _label(list(sets))
    events = tuple(parse_events(base, evs, path, f"{where}.events.{lab}")
                   for lab, evs in sets.items())
    return Uncertainty(key, "events", key, values=labels, event_sets=events)


def _uncertainty(base, key, spec, path, where) -> Uncertainty:
    if isinstance(spec, dict) and "events" in spec:
        return _event_set(base, key, spec, path, where)
    info = _param_info(base, key, path, where)
    model, _, name = key.partition(".")
    if not isinstance(spec, dict):
        raise _err(path, where, "must be a table: { range = [lo, hi] } or { values = [...] }")
    _table(spec, UNCERTAINTY_KEYS - {"events"}, path, where)
    if ("range" in spec) == ("values" in spec):
        raise _err(path, where, "give exactly one of range = [lo, hi] or values = [...]")
    if "values" in spec:
        vals = spec["values"]
        if not isinstance(vals, list) or len(vals) < 1:
            raise _err(path, f"{where}.values", "allowed: a non-empty list of values")
        if "scale" in spec:
            raise _err(path, f"{where}.scale", "only with range")
        checked = tuple(_check_value(base, info, v, path, f"{where}.values[{i}]", key)
                        for i, v in enumerate(vals))
        if len(set(map(repr, checked))) != len(checked):
            raise _err(path, f"{where}.values", "values must be distinct")
        return Uncertainty(key, model, name, values=checked)
    t = info.base_type
    if t not in (int, float) or info.choices:
        raise _err(path, f"{where}.range", f"{key} takes {info.allowed()}; a range needs a "
                   "number parameter, use values = [...]")
    rng = spec["range"]
    if not isinstance(rng, list) or len(rng) != 2:
        raise _err(path, f"{where}.range", "allowed: [lo, hi]")
    lo, hi = (_check_value(base, info, v, path, f"{where}.range", key) for v in rng)
    if not lo < hi:
        raise _err(path, f"{where}.range", f"got [{lo}, {hi}]; lo must be below hi")
    scale = spec.get("scale", "linear")
    if scale not in ("linear", "log"):
        raise _err(path, f"{where}.scale", f"got {scale!r}; allowed: 'linear' or 'log'")
    if scale == "log" and (lo <= 0 or t is int):
        raise _err(path, f"{where}.scale", "'log' needs a float parameter with lo > 0")
    return Uncertainty(key, model, name, lo=lo, hi=hi, scale=scale, integer=t is int)


def _policies(doc, base, path) -> tuple[tuple[Policy, ...], tuple[str, ...]]:
    if "levers" in doc and "policies" in doc:
        raise _err(path, "policies", "give either [levers] (every combination of lever values "
                   "is a policy) or [policies.NAME] tables, not both")
    if "levers" in doc:
        flat = _flatten(_table(doc["levers"], None, path, "levers"), path, "levers",
                        lambda v: isinstance(v, list))
        if not flat:
            raise _err(path, "levers", "at least one lever: \"model.param\" = [values]")
        keys, options = [], []
        for key, (vals, where) in flat.items():
            info = _param_info(base, key, path, where)
            if not isinstance(vals, list) or not vals:
                raise _err(path, where, "allowed: a non-empty list of values")
            options.append([_check_value(base, info, v, path, f"{where}[{i}]", key)
                            for i, v in enumerate(vals)])
            keys.append(key)
        pols = []
        for combo in itertools.product(*options):
            name = ",".join(f"{k.partition('.')[2]}={_fmt(v)}" for k, v in zip(keys, combo,
                                                                                 strict=True))
            pols.append(Policy(name, tuple(zip(keys, combo, strict=True))))
        return tuple(pols), tuple(keys)
    if "policies" in doc:
        table = _table(doc["policies"], None, path, "policies")
        if not table:
            raise _err(path, "policies", "at least one [policies.NAME] table")
        pols, keys = [], []
        for name, settings in table.items():
            where = f"policies.{name}"
            flat = _flatten(_table(settings, None, path, where), path, where,
                            lambda v: not isinstance(v, dict))
            checked = []
            for key, (v, w) in flat.items():
                checked.append((key, _check_value(base, _param_info(base, key, path, w), v,
                                                  path, w, key)))
                if key not in keys:
                    keys.append(key)
            pols.append(Policy(name, tuple(checked)))
        # a policy that does not set a lever keeps the base scenario's value: make it explicit
        full = []
        for pol in pols:
            have = dict(pol.settings)
            for key in keys:
                if key not in have:
                    have[key] = base_value(base, key)
            full.append(Policy(pol.name, tuple((k, have[k]) for k in keys)))
        return tuple(full), tuple(keys)
    return (Policy("base", ()),), ()


def _fmt(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _outputs(doc, path) -> tuple[Output, ...]:
    table = _table(doc, None, path, "outputs")
    if not table:
        raise _err(path, "outputs", "at least one output: name = \"variable\" or name = "
                   "{ var = \"variable\", reduce = \"max\", over = [\"time\"] }")
    out = []
    reserved = {"run", "scenario", "policy", "replicate", "status", "error", "design_unit"}
    for name, spec in table.items():
        where = f"outputs.{name}"
        if name in reserved or "." in name:
            raise _err(path, where, "this name is reserved; choose another output name")
        if isinstance(spec, str):
            out.append(Output(name, spec))
            continue
        spec = _table(spec, OUTPUT_KEYS, path, where)
        var = spec.get("var")
        if not isinstance(var, str):
            raise _err(path, f"{where}.var", "missing; allowed: a results variable name")
        red = spec.get("reduce", "none")
        if isinstance(red, dict):  # { time = "last", district = "mean" }: one dim at a time
            if "over" in spec:
                raise _err(path, f"{where}.over", "not with a table of reductions per dim")
            for dim, op in red.items():
                if op not in REDUCTIONS[1:]:
                    raise _err(path, f"{where}.reduce.{dim}", f"got {op!r}; allowed: "
                               + ", ".join(REDUCTIONS[1:]))
            out.append(Output(name, var, tuple((op, (dim,)) for dim, op in red.items())))
            continue
        if red not in REDUCTIONS:
            raise _err(path, f"{where}.reduce", f"got {red!r}; allowed: "
                       + ", ".join(REDUCTIONS) + ", or a table { dim = reduction, ... }")
        over = spec.get("over")
        if over is not None:
            if isinstance(over, str):
                over = [over]
            if not isinstance(over, list) or not all(isinstance(d, str) for d in over):
                raise _err(path, f"{where}.over", "allowed: a list of dimension names")
            if red == "none":
                raise _err(path, f"{where}.over", "only with reduce")
            over = tuple(over)
        out.append(Output(name, var, () if red == "none" else ((red, over),)))
    return tuple(out)


def _design(doc, path, root_seed: int, n_unc: int) -> Design:
    d = _table(doc, DESIGN_KEYS, path, "design")
    kind = d.get("kind", "full_factorial" if "samples" not in d else None)
    if kind not in DESIGNS:
        raise _err(path, "design.kind", f"got {kind!r}; allowed: " + ", ".join(DESIGNS))
    if "posterior" in d and kind != "posterior":
        raise _err(path, "design.posterior", "only with kind = \"posterior\"")
    samples = d.get("samples")
    if kind == "full_factorial":
        if samples is not None:
            raise _err(path, "design.samples", "not used by full_factorial (use levels)")
    else:
        if samples is None:
            raise _err(path, "design.samples", f"missing; {kind} needs samples (an integer)")
        samples = _int(samples, path, "design.samples", 1, MAX_RUNS)
        if n_unc == 0 and kind != "posterior":
            raise _err(path, "uncertainties", f"{kind} needs at least one uncertainty")
    if kind == "sobol" and samples & (samples - 1):
        raise _err(path, "design.samples", f"got {samples}; Sobol (Saltelli) sampling needs a "
                   "power of 2 (e.g. 32, 64, 128)")
    levels = _int(d.get("levels", 4 if kind == "morris" else 3), path, "design.levels", 2, 1000)
    if kind == "morris" and levels % 2:
        raise _err(path, "design.levels", f"got {levels}; Morris needs an even number of levels")
    if "levels" in d and kind in ("latin_hypercube", "sobol"):
        raise _err(path, "design.levels", f"not used by {kind}")
    second = d.get("second_order", False)
    if not isinstance(second, bool):
        raise _err(path, "design.second_order", "allowed: true or false")
    if second and kind != "sobol":
        raise _err(path, "design.second_order", "only with kind = \"sobol\"")
    if "levels" in d and kind == "posterior":
        raise _err(path, "design.levels", "not used by posterior")
    seed = _int(d.get("seed", root_seed), path, "design.seed", 0)
    return Design(kind, samples, levels, second, seed)


def _compare(doc, policies, outputs, path) -> Compare | None:
    if doc is None:
        return None
    c = _table(doc, COMPARE_KEYS, path, "compare")
    names = [p.name for p in policies]
    if len(names) < 2:
        raise _err(path, "compare", "paired comparisons need at least two policies ([levers] "
                   "or [policies.NAME])")
    out = c.get("output")
    if out not in [o.name for o in outputs]:
        raise _err(path, "compare.output", f"got {out!r}; allowed: an output of [outputs]: "
                   + ", ".join(o.name for o in outputs))
    ref = c.get("reference", names[0])
    if ref not in names:
        raise _err(path, "compare.reference", f"got {ref!r}; allowed: " + ", ".join(names))
    conf = _number(c.get("confidence", 0.95), path, "compare.confidence")
    if not 0.5 <= conf < 1:
        raise _err(path, "compare.confidence", f"got {conf}; allowed: from 0.5 to below 1")
    hw = c.get("half_width")
    rel = c.get("relative_half_width")
    if hw is not None and rel is not None:
        raise _err(path, "compare.half_width", "give half_width or relative_half_width, not both")
    if hw is not None and _number(hw, path, "compare.half_width") <= 0:
        raise _err(path, "compare.half_width", "allowed: a number > 0 (output units)")
    if rel is not None and not 0 < _number(rel, path, "compare.relative_half_width") < 10:
        raise _err(path, "compare.relative_half_width", "allowed: a fraction > 0 of the "
                   "difference, e.g. 0.1")
    maxr = _int(c.get("max_replicates", 50), path, "compare.max_replicates", 1, 100_000)
    return Compare(out, ref, conf, None if hw is None else float(hw),
                   None if rel is None else float(rel), maxr)


def _analysis(doc, policies, outputs, path):
    if doc is None:
        return (), ()
    a = _table(doc, ANALYSIS_KEYS, path, "analysis")
    names = [o.name for o in outputs]
    sens = a.get("sensitivity", [])
    if not isinstance(sens, list) or any(s not in names for s in sens):
        raise _err(path, "analysis.sensitivity", f"got {sens!r}; allowed: a list of outputs: "
                   + ", ".join(names))
    disc_doc = a.get("discover", [])
    if isinstance(disc_doc, dict):
        disc_doc = [disc_doc]
    if not isinstance(disc_doc, list):
        raise _err(path, "analysis.discover", "allowed: [[analysis.discover]] tables")
    disc = []
    for i, d in enumerate(disc_doc):
        where = f"analysis.discover[{i}]"
        d = _table(d, DISCOVER_KEYS, path, where)
        if d.get("output") not in names:
            raise _err(path, f"{where}.output", f"got {d.get('output')!r}; allowed: "
                       + ", ".join(names))
        if ("above" in d) == ("below" in d):
            raise _err(path, where, "give exactly one of above = x or below = x (a run fails "
                       "when its output is above, or below, x)")
        above = _number(d["above"], path, f"{where}.above") if "above" in d else None
        below = _number(d["below"], path, f"{where}.below") if "below" in d else None
        pol = d.get("policy")
        if pol is not None and pol not in [p.name for p in policies]:
            raise _err(path, f"{where}.policy", f"got {pol!r}; allowed: "
                       + ", ".join(p.name for p in policies))
        dens = _number(d.get("density", 0.8), path, f"{where}.density")
        if not 0 < dens <= 1:
            raise _err(path, f"{where}.density", "allowed: a fraction from 0 to 1")
        disc.append(Discover(d["output"], above, below, pol, dens))
    return tuple(sens), tuple(disc)


def parse_sweep(doc: dict, path: Path | None = None, *, overrides: dict | None = None
                ) -> SweepSpec:
    """Validate a parsed sweep document; `overrides` (samples, replicates) shrink or grow it
    from the command line and are part of the sweep's hash."""
    _table(doc, TOP_KEYS, path, "")
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    doc = copy.deepcopy(doc) if overrides else doc
    for k, v in overrides.items():
        if k == "samples":
            doc.setdefault("design", {})["samples"] = v
        elif k == "replicates":
            doc.setdefault("sweep", {})["replicates"] = v
        elif k == "levels":
            doc.setdefault("design", {})["levels"] = v
        elif k == "max_replicates" and isinstance(doc.get("compare"), dict):
            doc["compare"]["max_replicates"] = v
    head = _table(doc.get("sweep", {}), SWEEP_KEYS, path, "sweep")
    if "base" not in head or not isinstance(head["base"], str):
        raise _err(path, "sweep.base", "missing; allowed: the path of a scenario file, "
                   "relative to this sweep file")
    base_dir = path.parent if path else Path.cwd()
    base_path = Path(head["base"])
    base_path = base_path if base_path.is_absolute() else (base_dir / base_path).resolve()
    if not base_path.is_file():
        raise _err(path, "sweep.base", f"scenario file not found: {base_path}")
    base = load_scenario(base_path)
    for k in ("name", "description"):
        if k in head and not isinstance(head[k], str):
            raise _err(path, f"sweep.{k}", "allowed: a string")
    replicates = _int(head.get("replicates", 1), path, "sweep.replicates", 1, 100_000)
    root_seed = _int(head.get("root_seed", base.seed), path, "sweep.root_seed", 0)
    chunk = _int(head.get("chunk_runs", 64), path, "sweep.chunk_runs", 1, 100_000)

    unc_doc = _table(doc.get("uncertainties", {}), None, path, "uncertainties")
    flat = _flatten(unc_doc, path, "uncertainties",
                    lambda v: isinstance(v, dict) and bool(UNCERTAINTY_KEYS & set(v)))
    uncs = tuple(_uncertainty(base, k, v, path, w) for k, (v, w) in flat.items())
    policies, levers = _policies(doc, base, path)
    for key in levers:
        if key in flat:
            raise _err(path, flat[key][1], f"{key} is both an uncertainty and a lever; "
                       "a parameter is one or the other")
    design = _design(doc.get("design", {}), path, root_seed, len(uncs))
    post_hash = None
    if design.kind == "posterior":
        # calibrated parameters come first, drawn jointly; the sweep's own uncertainties
        # (none of them calibrated) get a Latin hypercube column beside them
        from twin.sweep.designs import parse_posterior

        store, calibrated, post_hash = parse_posterior(doc.get("design", {}), path, base)
        for u in calibrated:
            if u.key in flat or u.key in levers:
                raise _err(path, flat[u.key][1] if u.key in flat else "levers",
                           f"{u.key} is calibrated in {store}; it is drawn from the "
                           "posterior, so it cannot also be an uncertainty or a lever")
        uncs = calibrated + uncs
        design = dataclasses.replace(design, posterior=store)
    outputs = _outputs(doc.get("outputs", {}), path)
    compare = _compare(doc.get("compare"), policies, outputs, path)
    sens, disc = _analysis(doc.get("analysis"), policies, outputs, path)
    if sens and design.kind not in ("sobol", "morris"):
        raise _err(path, "analysis.sensitivity", "sensitivity indices need design kind "
                   "\"sobol\" or \"morris\"")
    from twin.sweep.designs import n_scenarios

    n_runs = n_scenarios(design, uncs) * len(policies) * replicates
    if n_runs > MAX_RUNS:
        raise _err(path, "design", f"{n_runs} runs; at most {MAX_RUNS} per sweep")
    hashed = {"doc": doc, "base": base.digest()}
    if post_hash:  # a re-run calibration is another ensemble
        hashed["posterior"] = post_hash
    normal = json.dumps(hashed, sort_keys=True, default=str)
    digest = hashlib.sha256(normal.encode()).hexdigest()[:16]
    name = head.get("name", path.stem if path else "sweep")
    return SweepSpec(path, name, head.get("description", ""), base, replicates, root_seed,
                     chunk, design, uncs, policies, levers, outputs, compare, sens, disc, digest)


def load_sweep(path: str | Path, **overrides) -> SweepSpec:
    """Read and validate a sweep file (overrides: samples=, replicates=, levels=,
    max_replicates=)."""
    doc, path = read_toml(path, "sweep")
    return parse_sweep(doc, path, overrides=overrides)
