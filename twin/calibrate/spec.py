"""Calibration specs (TOML, data only): a base scenario, free parameters with priors, how
each observed quantity is computed from a run, the noise model, the rows fitted and the rows
held out, and the settings of ABC-SMC and of the optuna point fit.

Everything is checked before any run; every error names the file and the key or row:
unknown parameters, priors outside a parameter's allowed range (`twin.core.params`),
observations without unit or source (`observations.py`), windows outside the scenario.

    [calibration]  name, description, base (scenario), observations (CSV), seed
    [places.NAME]  base (another scenario for rows of that place), population (a number or
                   the id of a population row): scaling "population" multiplies a run's
                   figure by population / the city's population; keep = [free parameters
                   this place does not take from the fit: its scenario's value is kept]
    [parameters]   "model.param" = { prior = "uniform", lo = 0, hi = 1 }
                   (also "log-uniform"; "normal" with mean, sd; "lognormal" with median,
                   sigma; lo and hi always)
    [quantities.SERIES]  var, select = { dim = label }, sum = [dims], mean = [dims],
                   window = "mean" |
                   "sum" | "max" | "min" | "last", scale = "population" | "none" | number
    [rows]         fit = [ids], held_out = [ids]
    [noise]        model = "gaussian" (each row's sd) | "relative" (cv x value), cv
    [abc]          population, generations, quantile, min_tolerance, min_acceptance
    [optuna]       trials
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from twin.calibrate.observations import Observation, load_observations
from twin.calibrate.priors import KINDS, Prior
from twin.core import params as P
from twin.core.errors import ScenarioError
from twin.core.scenario import Scenario, load_scenario, read_toml

TOP = {"calibration", "places", "parameters", "quantities", "rows", "noise", "abc", "optuna"}
HEAD = {"name", "description", "base", "observations", "seed"}
PLACE = {"base", "population", "keep"}
QUANTITY = {"var", "select", "sum", "mean", "window", "scale"}
WINDOWS = ("mean", "sum", "max", "min", "last")
NOISE = {"model", "cv"}
ABC = {"population", "generations", "quantile", "min_tolerance", "min_acceptance"}
PRIOR_KEYS = {"prior", "lo", "hi", "mean", "sd", "median", "sigma"}


@dataclass(frozen=True)
class Quantity:
    """How a run gives one observed series: a variable, labels selected, dims summed, the
    window reduced, then scaled."""

    series: str
    var: str
    select: tuple[tuple[str, Any], ...]
    sum: tuple[str, ...]
    mean: tuple[str, ...]
    window: str
    scale: str | float  # "population", "none" or a factor


@dataclass(frozen=True)
class Place:
    name: str
    base: Scenario
    population: float | None
    keep: tuple[str, ...] = ()  # free parameters this place does not take (its own value)


@dataclass(frozen=True)
class Row:
    """An observation used by the calibration, with its role."""

    obs: Observation
    held_out: bool
    place: str


@dataclass(frozen=True)
class CalibrationSpec:
    path: Path | None
    name: str
    description: str
    observations_path: Path
    seed: int
    places: dict[str, Place]
    default_place: str
    priors: tuple[Prior, ...]
    quantities: dict[str, Quantity]
    rows: tuple[Row, ...]
    noise: str
    cv: float
    abc: dict[str, Any]
    trials: int
    digest: str

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(p.key for p in self.priors)

    def fit_rows(self) -> list[int]:
        return [i for i, r in enumerate(self.rows) if not r.held_out]

    def sd(self, i: int) -> float:
        r = self.rows[i].obs
        return self.cv * abs(r.value) if self.noise == "relative" else r.sd


def _err(path, key, msg):
    return ScenarioError(path, key, msg)


def _table(doc, allowed, path, section) -> dict:
    if not isinstance(doc, dict):
        raise _err(path, section, "must be a table")
    for k in doc:
        if allowed is not None and k not in allowed:
            raise _err(path, f"{section}.{k}", "unknown key; allowed: " + ", ".join(sorted(allowed)))
    return doc


def _num(v, path, key, *, positive=False) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or math.isnan(v) or (
            positive and v <= 0):
        raise _err(path, key, f"got {v!r}; allowed: a number" + (" > 0" if positive else ""))
    return float(v)


def _int(v, path, key, lo, hi) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise _err(path, key, f"got {v!r}; allowed: an integer from {lo} to {hi}")
    return v


def _file(doc, key, path, where, what) -> Path:
    v = doc.get(key)
    if not isinstance(v, str):
        raise _err(path, where, f"missing; allowed: the path of {what}, relative to this file")
    p = Path(v)
    p = p if p.is_absolute() else ((path.parent if path else Path.cwd()) / p).resolve()
    if not p.is_file():
        raise _err(path, where, f"file not found: {p}")
    return p


def _prior(base: Scenario, key: str, doc, path, where) -> Prior:
    model, _, name = key.partition(".")
    if model not in base.models or not name:
        raise _err(path, where, f"{key!r}: allowed: model.param of a model in the base "
                   "scenario: " + ", ".join(base.models))
    infos = {i.name: i for i in P.describe(type(base.models[model]))}
    if name not in infos:
        raise _err(path, where, f"unknown parameter {name!r} of model {model!r}; its "
                   "parameters: " + ", ".join(infos))
    info = infos[name]
    if info.base_type not in (int, float) or info.choices:
        raise _err(path, where, f"{key} takes {info.allowed()}; only number parameters can "
                   "be calibrated")
    d = _table(doc, PRIOR_KEYS, path, where)
    kind = d.get("prior")
    if kind not in KINDS:
        raise _err(path, f"{where}.prior", f"got {kind!r}; allowed: " + ", ".join(KINDS))
    for k in ("lo", "hi"):
        if k not in d:
            raise _err(path, f"{where}.{k}", "missing; every prior needs bounds lo and hi")
    lo, hi = _num(d["lo"], path, f"{where}.lo"), _num(d["hi"], path, f"{where}.hi")
    if not lo < hi:
        raise _err(path, where, f"lo {lo:g} must be below hi {hi:g}")
    for k, v in (("lo", lo), ("hi", hi)):
        if (info.lo is not None and v < info.lo) or (info.hi is not None and v > info.hi):
            raise _err(path, f"{where}.{k}", f"{v:g} is outside {key}'s allowed range: "
                       f"{info.allowed()}")
    need = {"uniform": set(), "log-uniform": set(), "normal": {"mean", "sd"},
            "lognormal": {"median", "sigma"}}[kind]
    extra = set(d) - {"prior", "lo", "hi"} - need
    if extra or need - set(d):
        raise _err(path, where, f"a {kind} prior takes lo, hi"
                   + "".join(f", {k}" for k in sorted(need)))
    if kind in ("log-uniform", "lognormal") and lo <= 0:
        raise _err(path, f"{where}.lo", f"a {kind} prior needs lo > 0")
    mean = sd = 0.0
    if kind == "normal":
        mean, sd = _num(d["mean"], path, f"{where}.mean"), _num(d["sd"], path, f"{where}.sd",
                                                                positive=True)
    elif kind == "lognormal":
        mean = math.log(_num(d["median"], path, f"{where}.median", positive=True))
        sd = _num(d["sigma"], path, f"{where}.sigma", positive=True)
    return Prior(key, kind, lo, hi, mean, sd or 1.0, info.base_type is int)


def _quantity(series, doc, path, where) -> Quantity:
    d = _table(doc, QUANTITY, path, where)
    if not isinstance(d.get("var"), str):
        raise _err(path, f"{where}.var", "missing; allowed: a results variable name")
    sel = _table(d.get("select", {}), None, path, f"{where}.select")
    dims = {}
    for k in ("sum", "mean"):
        v = d.get(k, [])
        v = [v] if isinstance(v, str) else v
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise _err(path, f"{where}.{k}", "allowed: a list of dimension names")
        dims[k] = tuple(v)
    window = d.get("window", "mean")
    if window not in WINDOWS:
        raise _err(path, f"{where}.window", f"got {window!r}; allowed: " + ", ".join(WINDOWS))
    scale = d.get("scale", "none")
    if scale not in ("population", "none"):
        scale = _num(scale, path, f"{where}.scale", positive=True)
    return Quantity(series, d["var"], tuple(sel.items()), dims["sum"], dims["mean"], window,
                    scale)


def parse_calibration(doc: dict, path: Path | None = None, *,
                      observations: str | Path | None = None) -> CalibrationSpec:
    """Validate a parsed spec; `observations` replaces the spec's file (same form)."""
    _table(doc, TOP, path, "")
    head = _table(doc.get("calibration", {}), HEAD, path, "calibration")
    base = load_scenario(_file(head, "base", path, "calibration.base", "a scenario file"))
    obs_path = Path(observations).resolve() if observations else _file(
        head, "observations", path, "calibration.observations", "an observations CSV")
    obs = {o.id: o for o in load_observations(obs_path)}
    seed = _int(head.get("seed", base.seed), path, "calibration.seed", 0, 2**63 - 1)
    places: dict[str, Place] = {}
    for name, pd in _table(doc.get("places", {}), None, path, "places").items():
        where = f"places.{name}"
        pd = _table(pd, PLACE, path, where)
        sc = load_scenario(_file(pd, "base", path, f"{where}.base", "a scenario file")) \
            if "base" in pd else base
        pop = pd.get("population")
        if isinstance(pop, str):
            if pop not in obs:
                raise _err(path, f"{where}.population", f"no row {pop!r} in {obs_path}")
            pop = obs[pop].value
        elif pop is not None:
            pop = _num(pop, path, f"{where}.population", positive=True)
        keep = pd.get("keep", [])
        if not isinstance(keep, list) or not all(isinstance(k, str) for k in keep):
            raise _err(path, f"{where}.keep", "allowed: a list of free parameters (model.param)")
        places[name] = Place(name, sc, pop, tuple(keep))
    params_doc = _table(doc.get("parameters", {}), None, path, "parameters")
    if not params_doc:
        raise _err(path, "parameters", "at least one free parameter: \"model.param\" = "
                   "{ prior = \"uniform\", lo = ..., hi = ... }")
    priors = tuple(_prior(base, k, v, path, f"parameters.{k}") for k, v in params_doc.items())
    for pl in places.values():
        for k in pl.keep:
            if k not in [p.key for p in priors]:
                raise _err(path, f"places.{pl.name}.keep", f"{k!r} is not a free parameter; "
                           "free: " + ", ".join(p.key for p in priors))
        for pr in priors:
            if pr.key.partition(".")[0] not in pl.base.models:
                raise _err(path, f"places.{pl.name}.base", f"its scenario has no model "
                           f"{pr.key.partition('.')[0]!r} for {pr.key}")
    quantities = {s: _quantity(s, q, path, f"quantities.{s}") for s, q in
                  _table(doc.get("quantities", {}), None, path, "quantities").items()}
    rows_doc = _table(doc.get("rows", {}), {"fit", "held_out"}, path, "rows")
    rows = []
    for role in ("fit", "held_out"):
        ids = rows_doc.get(role, [])
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise _err(path, f"rows.{role}", "allowed: a list of row ids of the observations")
        for i, rid in enumerate(ids):
            where = f"rows.{role}[{i}]"
            if rid not in obs:
                raise _err(path, where, f"no row {rid!r} in {obs_path}")
            o = obs[rid]
            if any(r.obs.id == rid for r in rows):
                raise _err(path, where, f"row {rid!r} is listed twice")
            if o.series not in quantities:
                raise _err(path, where, f"row {rid!r} ({obs_path}:{o.row}) is a "
                           f"{o.series!r} figure, and [quantities.{o.series}] does not say "
                           "how a run computes it; quantities: " + ", ".join(quantities))
            place = o.city if o.city in places else ""
            place = place or "__base__"
            sc = places[place].base if place in places else base
            start, end = sc.start, sc.start + dt.timedelta(seconds=sc.horizon_s)
            if o.start < start or o.end > end:
                raise _err(path, where, f"row {rid!r} ({obs_path}:{o.row}) covers "
                           f"{o.start:%Y-%m-%d}..{o.end:%Y-%m-%d}, outside the scenario "
                           f"{sc.name!r} ({start:%Y-%m-%d}..{end:%Y-%m-%d})")
            q = quantities[o.series]
            if q.scale == "population" and (place not in places
                                            or places[place].population is None):
                raise _err(path, where, f"[quantities.{o.series}] scales to the population, "
                           f"and place {o.city!r} has none; add [places.{o.city}] "
                           "population = ROW_ID or a number")
            rows.append(Row(o, role == "held_out", place))
    if not any(not r.held_out for r in rows):
        raise _err(path, "rows.fit", "at least one row to fit")
    if "__base__" not in places:
        places["__base__"] = Place("__base__", base, None)
    noise_doc = _table(doc.get("noise", {}), NOISE, path, "noise")
    noise = noise_doc.get("model", "gaussian")
    if noise not in ("gaussian", "relative"):
        raise _err(path, "noise.model", f"got {noise!r}; allowed: gaussian (each row's sd), "
                   "relative (cv x value)")
    cv = _num(noise_doc.get("cv", 0.05), path, "noise.cv", positive=True)
    if noise == "gaussian" and "cv" in noise_doc:
        raise _err(path, "noise.cv", "only with model = \"relative\"")
    a = _table(doc.get("abc", {}), ABC, path, "abc")
    abc = {"population": _int(a.get("population", 100), path, "abc.population", 4, 100_000),
           "generations": _int(a.get("generations", 5), path, "abc.generations", 1, 100),
           "quantile": _num(a.get("quantile", 0.5), path, "abc.quantile", positive=True),
           "min_tolerance": _num(a.get("min_tolerance", 1.0), path, "abc.min_tolerance"),
           "min_acceptance": _num(a.get("min_acceptance", 0.02), path, "abc.min_acceptance")}
    if not abc["quantile"] < 1:
        raise _err(path, "abc.quantile", "allowed: a fraction from 0 to 1 (e.g. 0.5)")
    o = _table(doc.get("optuna", {}), {"trials"}, path, "optuna")
    trials = _int(o.get("trials", 100), path, "optuna.trials", 1, 1_000_000)
    digest = hashlib.sha256(json.dumps(
        {"doc": doc, "base": {k: _digest(p, priors) for k, p in places.items()},
         "obs": obs_path.read_text(encoding="utf-8")}, sort_keys=True,
        default=str).encode()).hexdigest()[:16]
    return CalibrationSpec(path, head.get("name", path.stem if path else "calibration"),
                           head.get("description", ""), obs_path, seed, places, "__base__",
                           priors, quantities, tuple(rows), noise, cv, abc, trials, digest)


def _digest(place: Place, priors: tuple[Prior, ...]) -> str:
    """The place's scenario hash without the values of the free parameters it takes (the
    calibration sets them), so adopting a posterior mean in the scenario keeps the hash."""
    sc = place.base
    for p in priors:
        if p.key not in place.keep:
            model, _, name = p.key.partition(".")
            try:
                sc = sc.with_params(model, **{name: p.lo})
            except (ScenarioError, ValueError):  # a cross-field check: hash it as it is
                continue
    return sc.digest()


def load_calibration(path: str | Path, observations: str | Path | None = None
                     ) -> CalibrationSpec:
    doc, path = read_toml(path, "calibration spec")
    return parse_calibration(doc, path, observations=observations)


def with_rows(spec: CalibrationSpec, rows: tuple[Row, ...]) -> CalibrationSpec:
    return dataclasses.replace(spec, rows=rows)
