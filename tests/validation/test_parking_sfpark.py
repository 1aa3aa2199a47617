"""The SFpark price loop (external truth: the constant-elasticity response SFpark measured,
-0.4, SFMTA 2014; Pierce & Shoup 2013).

A 1,000-space facility at 95% occupancy at 3.00/h; each simulated day the rule moves the price
by 0.25 toward the 60-80% band while demand follows (price / 3.00) ** -0.4. The loop must
settle inside the band (tolerance: 1 percentage point of simulation noise) at the grid price the
elasticity predicts from the simulated starting occupancy (tolerance: one step).
"""

from __future__ import annotations

import numpy as np

from twin.models.parking.pricing import demand_factor, settled_price, sfpark_step
from twin.models.parking.synthetic import DWELLS, poisson_arrivals, run_stationary, single_lot

SPACES, P0, STEP, BAND, ELASTICITY = 1_000, 3.00, 0.25, (0.6, 0.8), -0.4
DWELL_H = 2.0


def _occupancy(price: float, seed: int) -> float:
    rate = 0.95 * SPACES / DWELL_H * demand_factor(price, P0, ELASTICITY)
    arr = poisson_arrivals(rate, 30.0, lambda rng, n: rng.exponential(DWELL_H * 3600.0, n),
                           np.random.default_rng(seed))
    return run_stationary(single_lot(SPACES), arr, 8.0, 30.0)["occupancy"]


def test_settled_price_closed_form():
    # 3.00 * (0.8 / 0.95) ** (1 / -0.4) = 4.61: the first grid price above it is 4.75
    assert settled_price(0.95, 3.0, BAND, 0.25, -0.4) == 4.75
    assert DWELLS  # the synthetic module's dwell laws load


def test_sfpark_loop_settles_in_band_at_the_predicted_price():
    price, history = P0, []
    occ0 = _occupancy(P0, 0)
    for day in range(16):
        occ = _occupancy(price, day)
        history.append((price, occ))
        new = sfpark_step(price, occ, BAND, STEP, 0.25, 50.0)
        if new == price and day > 0 and history[-2][0] == price:
            break
        price = new
    assert BAND[0] - 0.01 <= history[-1][1] <= BAND[1] + 0.01, history
    expected = settled_price(occ0, P0, BAND, STEP, ELASTICITY)
    assert abs(history[-1][0] - expected) <= STEP + 1e-9, (history, expected)
