"""Households: CPU time per simulated day of the array engine at 10 k, 100 k and 1 M households,
bytes of state per household, and the speed-up over the idiomatic Mesa reference at 10 k,
measured in the same run (goals: 1 M <= 30 ms/day, >= 150x, <= 150 B/household).

The policy keeps adoption moving all the time (mandate with fines and supervision, spatial
neighbour influence, relapse after a withdrawal half-way), so every day does the full work.
"""

from __future__ import annotations

import datetime as dt
import gc

from twin.city import generate_city
from twin.models.households.params import HouseholdsParams
from twin.models.households.standalone import make_engine, run_reference

START = dt.date(2019, 6, 1)
PARAMS = HouseholdsParams(
    mandate_start=dt.date(2019, 6, 2), campaign_intensity_per_month=0.05, fine_cny=100.0,
    fine_response_per_cny_month=0.005, supervised_point_share=0.7, relapse_per_month=0.5,
    innovation_per_month=0.01, imitation_per_month=0.4, initial_participation=0.05)


def _engine_ms_per_day(n: int, days: int, warmup: int = 3) -> tuple[float, float]:
    """CPU ms per simulated day (full daily step incl. outputs) and bytes per household."""
    import time

    from twin.core.clock import DAY_S

    city = generate_city(n, seed=2024)
    abm, pop = make_engine(city, PARAMS, seed=1, start=START)
    for d in range(warmup):
        abm.advance(d * DAY_S)
    gc.collect()
    gc.disable()
    try:
        t0 = time.process_time()
        for d in range(warmup, warmup + days):
            if d == warmup + days // 2:
                abm.withdraw_supervision(1.0)
            abm.advance(d * DAY_S)
        cpu = time.process_time() - t0
    finally:
        gc.enable()
    state = (city.households.nbytes + pop.nbytes_own + pop.adopt_u.nbytes + abm.nbytes_state
             + abm._dec.nbytes + abm._hit.nbytes)
    return 1000.0 * cpu / days, state / n


def run(quick: bool = False) -> list[dict]:
    row = lambda fig, v, u: {"benchmark": "households", "figure": fig, "value": v, "unit": u}  # noqa: E731
    rows = []
    ms10k, _ = _engine_ms_per_day(10_000, 60 if quick else 200)
    ref_days = 3 if quick else 8
    city = generate_city(10_000, seed=2024)
    ref = run_reference(city, PARAMS, ref_days, seed=1, start=START)
    ms_ref = 1000.0 * ref.cpu_s / ref_days
    rows.append(row("ms_per_day_10k", round(ms10k, 4), "ms"))
    rows.append(row("mesa_ms_per_day_10k", round(ms_ref, 2), "ms"))
    rows.append(row("ratio_vs_mesa_10k", round(ms_ref / ms10k, 1), "x"))
    ms100k, _ = _engine_ms_per_day(100_000, 30 if quick else 100)
    rows.append(row("ms_per_day_100k", round(ms100k, 3), "ms"))
    big = 200_000 if quick else 1_000_000
    ms_big, bph = _engine_ms_per_day(big, 10 if quick else 60)
    rows.append(row("ms_per_day_200k" if quick else "ms_per_day_1m", round(ms_big, 3), "ms"))
    rows.append(row("bytes_per_household", round(bph, 1), "B"))
    return rows
