"""City generation at 1 M households: time and bytes of per-household arrays (goals <10 s,
<=150 B), with the 100 k generation time in the same run to show the scaling is linear."""

from __future__ import annotations

import time

from twin.city import generate_city


def _timed(n: int) -> tuple[float, object]:
    t0 = time.perf_counter()
    city = generate_city(n, seed=2024)
    return time.perf_counter() - t0, city


def run(quick: bool = False) -> list[dict]:
    big = 200_000 if quick else 1_000_000
    _timed(10_000)  # warm imports and caches
    t_small, _ = _timed(big // 10)
    t_big, city = _timed(big)
    row = lambda fig, v, u: {"benchmark": "city", "figure": fig, "value": v, "unit": u}  # noqa: E731
    return [
        row("generate_1m_s" if not quick else "generate_200k_s", round(t_big, 3), "s"),
        row("bytes_per_household", round(city.households.nbytes / len(city.households), 1), "B"),
        row("scaling_ratio_10x_households", round(t_big / t_small, 2), "x"),
    ]
