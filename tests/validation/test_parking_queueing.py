"""External truths of a single lot and of kerb search (closed forms and published shapes).

- A lot with Poisson arrivals and no search is M/G/c/c: its blocking probability is Erlang B
  whatever the dwell distribution (insensitivity; c = 50, offered load 45 Erlang:
  B = 0.0541). Tolerance: 8% relative (about 3 standard errors of 2,000 simulated hours).
- Little's law: time-mean occupancy = arrival rate x (1 - B) x mean dwell, within 1.5%.
- Search time on a street of 20-space kerb faces is nearly flat up to about 85% occupancy and
  rises steeply above about 92% (the shape of Shoup 2006 and of agent-based cruising models,
  e.g. Levy, Martens & Benenson 2013): mean search at most 0.5 min up to 85%, and the slope
  above 92% at least 5 times the slope below 85%.
"""

from __future__ import annotations

import numpy as np
import pytest

from twin.models.parking.synthetic import (
    DWELLS,
    kerb_street,
    poisson_arrivals,
    run_stationary,
    single_lot,
)


def erlang_b(c: int, a: float) -> float:
    """Erlang's loss formula by the stable recursion B(k) = a B(k-1) / (k + a B(k-1))."""
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def test_erlang_b_closed_form():
    assert erlang_b(50, 45.0) == pytest.approx(0.0541, abs=5e-5)


@pytest.fixture(scope="module", params=sorted(DWELLS))
def lot_run(request):
    rng = np.random.default_rng(16)
    arrivals = poisson_arrivals(45.0, 2_000.0, DWELLS[request.param], rng)  # mean dwell 1 h
    return run_stationary(single_lot(50), arrivals, 20.0, 2_000.0)


def test_single_lot_blocking_is_erlang_b_for_any_dwell(lot_run):
    assert lot_run["blocking"] == pytest.approx(erlang_b(50, 45.0), rel=0.08)


def test_littles_law(lot_run):
    rate_per_h = lot_run["arrivals"] / (2_000.0 - 20.0)
    assert lot_run["occupied"] == pytest.approx(rate_per_h * (1 - lot_run["blocking"]) * 1.0,
                                                rel=0.015)


def test_search_time_flat_then_steep():
    occ, search = [], []
    for target in (0.5, 0.7, 0.85, 0.92, 0.95, 1.0):
        eng = kerb_street(40, 20)
        arr = poisson_arrivals(target * 40 * 20, 150.0, DWELLS["exponential"],
                               np.random.default_rng(5), nodes=40)
        r = run_stationary(eng, arr, 10.0, 150.0)
        occ.append(r["occupancy"])
        search.append(r["search_min"])
    occ, search = np.array(occ), np.array(search)
    low, high = occ <= 0.855, occ >= 0.90
    assert search[low].max() <= 0.5
    slope_low = np.polyfit(occ[low], search[low], 1)[0]
    slope_high = np.polyfit(occ[high], search[high], 1)[0]
    assert slope_high >= 5 * slope_low, (occ, search)
