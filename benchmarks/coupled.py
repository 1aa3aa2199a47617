"""Coupling: the CPU of the whole-city run over the sum of its models run alone on the same
city and storm, minus 1, in percent (goal <= 10%), measured in this run.

The city run is the compound storm drill (households, waste, drainage on one clock; trucks
re-routed around closed roads). Each model alone is run with `twin.testing.run_models`, the
channels it reads fed with the values the city run published (so waste alone sees the same
deliveries and closures and does the same work). CPU counts this process and its finished
SWMM engine processes (`getrusage`), since wall time on a shared host mostly measures waiting
for a core. Rounds alternate the order (city first, then alone; then the reverse) and the
overhead is the median over rounds of the ratio within a round; min and max are reported as
the spread.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

import numpy as np

from twin.core.run import run as run_scenario
from twin.core.scenario import load_scenario
from twin.testing import run_models

ROOT = Path(__file__).resolve().parents[1]
DRILL = ROOT / "scenarios" / "city" / "compound_storm_drill.toml"


def _cpu() -> float:
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + c.ru_utime + c.ru_stime


def _alone_runs(sc, published) -> list:
    """One callable per model: that model alone, fed what the others published."""
    from twin.core import registry

    events = [{"at": f"{int(e.at_s // 3600):02d}:{int(e.at_s % 3600 // 60):02d}",
               "model": e.model, "kind": e.kind, **_fields(e.payload)} for e in sc.events]
    kw = dict(days=sc.horizon_s / 86_400, start=sc.start, seed=sc.seed)
    out = []
    for name, params in sc.models.items():
        reads = registry.get(name).reads
        feed = {c: dict(published[c]) for c in reads if c in published}
        own = [e for e in events if e["model"] == name]
        overrides = {k: v for k, v in _fields(params).items() if v is not None}
        out.append(lambda n=name, o=overrides, f=feed, ev=own: run_models(
            {n: o}, channels=f, events=ev, **kw))
    return out


def _fields(obj) -> dict:
    import dataclasses
    from pathlib import PurePath

    return {f.name: (str(v) if isinstance(v := getattr(obj, f.name), PurePath) else
                     list(v) if isinstance(v, tuple) else v)
            for f in dataclasses.fields(obj)}


def run(quick: bool = False) -> list[dict]:
    return _measure(rounds=2 if quick else 6)


def _measure(rounds: int) -> list[dict]:
    sc = load_scenario(DRILL)
    published: dict[str, list] = {}
    city_ds = _run_city(sc, published)
    alone = _alone_runs(sc, published)
    same = _same_work(city_ds, [fn().ds for fn in alone])
    ratios, city_s, alone_s = [], [], []
    for r in range(rounds):
        order = ("city", "alone") if r % 2 == 0 else ("alone", "city")
        t = {}
        for what in order:
            c0 = _cpu()
            if what == "city":
                _run_city(sc, {})
            else:
                for fn in alone:
                    fn()
            t[what] = _cpu() - c0
        ratios.append(t["city"] / t["alone"])
        city_s.append(t["city"])
        alone_s.append(t["alone"])
    pct = 100.0 * (np.array(ratios) - 1.0)
    b = "coupled"
    return [
        {"benchmark": b, "figure": "coupling_overhead_pct", "value": float(np.median(pct)),
         "unit": "%"},
        {"benchmark": b, "figure": "coupling_overhead_pct_min", "value": float(pct.min()),
         "unit": "%"},
        {"benchmark": b, "figure": "coupling_overhead_pct_max", "value": float(pct.max()),
         "unit": "%"},
        {"benchmark": b, "figure": "city_run_cpu_s", "value": float(min(city_s)), "unit": "s"},
        {"benchmark": b, "figure": "models_alone_cpu_s", "value": float(min(alone_s)),
         "unit": "s"},
        {"benchmark": b, "figure": "models", "value": float(len(alone)), "unit": "1"},
        {"benchmark": b, "figure": "alone_runs_reproduce_city", "value": float(same),
         "unit": "1"},
        {"benchmark": b, "figure": "variables", "value": float(len(city_ds.data_vars)),
         "unit": "1"},
    ]


def _same_work(city, alone) -> bool:
    """Each model alone recorded what it recorded in the city run (to rounding): the
    comparison times the same work."""
    for ds in alone:
        for v in ds.data_vars:
            a, c = np.asarray(ds[v].values, float), np.asarray(city[v].values, float)
            if a.shape != c.shape or not np.allclose(a, c, rtol=1e-9, atol=1e-9,
                                                     equal_nan=True):
                return False
    return True


def _run_city(sc, published: dict):
    def observe(name, value, t_s):
        published.setdefault(name, []).append((t_s or 0.0, value))

    return run_scenario(sc, observe=observe)
