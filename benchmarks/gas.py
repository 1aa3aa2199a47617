"""Gas: the model's overhead on one hydraulic re-solve (goal <= 10%) and simulated years per
second on a large city, measured in this run.

- `wrapper_overhead_pct`: CPU of one re-solve through the model (`GasModel.resolve`: demand
  from the hourly profile, leak and valve state written into the net, pandapipes' pipeflow,
  pressures read back, interrupted customers by district, the channel published) over
  pandapipes' own `pipeflow(net, friction_model="colebrook")` on the same net, minus 1. The
  model's cache of solved states is cleared before each call, so every call solves. Rounds
  alternate the order (ABBA) and the figure is the median of the within-round ratios, with
  the min and max beside it.
- `s_per_year_1m`: CPU seconds of a simulated year on the 1 M-household built-in city
  ("large", city generation excluded): the model's start plus a 2-day run scaled x 365.25 / 2
  (hourly solves dominate; a day has few leaks). Skipped with --quick.
"""

from __future__ import annotations

import time

import numpy as np


def _cpu(fn, reps: int) -> float:
    t0 = time.process_time()
    for _ in range(reps):
        fn()
    return (time.process_time() - t0) / reps


def run(quick: bool = False) -> list[dict]:
    import pandapipes as pp

    from twin.city.io import open_city
    from twin.core.scenario import CitySpec
    from twin.models.gas.standalone import started_model

    row = lambda fig, v, u: {"benchmark": "gas", "figure": fig, "value": v, "unit": u}  # noqa: E731
    city = open_city(CitySpec(builtin="demo"))
    m = started_model(city)
    t = 18 * 3600.0  # evening peak

    def through_model():
        m._cache.clear()
        m.resolve(t)

    def bare():
        pp.pipeflow(m.net, friction_model="colebrook")

    through_model()
    bare()
    reps, rounds = (5, 2) if quick else (20, 8)
    ratios, a_s, b_s = [], [], []
    for i in range(rounds):
        if i % 2 == 0:
            a, b = _cpu(bare, reps), _cpu(through_model, reps)
        else:
            b, a = _cpu(through_model, reps), _cpu(bare, reps)
        ratios.append(b / a)
        a_s.append(a)
        b_s.append(b)
    pct = 100.0 * (np.asarray(ratios) - 1.0)
    rows = [row("wrapper_overhead_pct", round(float(np.median(pct)), 2), "%"),
            row("wrapper_overhead_min_pct", round(float(pct.min()), 2), "%"),
            row("wrapper_overhead_max_pct", round(float(pct.max()), 2), "%"),
            row("pipeflow_demo_cpu_s", round(min(a_s), 5), "s"),
            row("resolve_demo_cpu_s", round(min(b_s), 5), "s"),
            row("demo_junctions", len(m.net.junction), "1")]
    if not quick:
        big = open_city(CitySpec(builtin="large"))
        c0 = time.process_time()
        mb = started_model(big, days=2.0)
        c1 = time.process_time()
        mb.ctx.clock.run()
        mb.finish()
        c2 = time.process_time()
        solve = _cpu(lambda: pp.pipeflow(mb.net, friction_model="colebrook"), 3)
        rows += [row("s_per_year_1m", round((c1 - c0) + (c2 - c1) * 365.25 / 2.0, 1), "s"),
                 row("start_1m_cpu_s", round(c1 - c0, 2), "s"),
                 row("day_1m_cpu_s", round((c2 - c1) / 2.0, 2), "s"),
                 row("pipeflow_1m_cpu_s", round(solve, 4), "s"),
                 row("large_junctions", len(mb.net.junction), "1")]
    return rows
