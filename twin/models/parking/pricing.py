"""Performance pricing (the SFpark rule) and the price response of demand.

SFpark (San Francisco, 2011-2013) reviewed each block's hourly price every few months: up by
a step (0.25 USD/h) when its occupancy was above the band's top (80%), down when below the
bottom (60%), unchanged inside. Its evaluation measured an average price elasticity of
occupancy of about -0.4 (SFMTA 2014; Pierce & Shoup 2013, JAPA 79(1)), within the -0.1 to -0.6
of the parking literature. Demand here scales as (price / reference) ** elasticity.
"""

from __future__ import annotations

import math


def sfpark_step(price: float, occupancy: float, band: tuple[float, float], step: float,
                lo: float, hi: float) -> float:
    """The next price of one facility from its occupancy over the review period."""
    if occupancy > band[1]:
        price += step
    elif occupancy < band[0]:
        price -= step
    return min(hi, max(lo, price))


def demand_factor(price: float, reference: float, elasticity: float) -> float:
    """Demand relative to its level at the reference price (constant elasticity)."""
    if price <= 0.0 or reference <= 0.0:
        return 1.0
    return (price / reference) ** elasticity


def price_for_occupancy(target: float, occ0: float, price0: float, elasticity: float) -> float:
    """The price at which occupancy occ0 at price0 becomes `target` (constant elasticity,
    occupancy proportional to demand)."""
    return price0 * (target / occ0) ** (1.0 / elasticity)


def settled_price(occ0: float, price0: float, band: tuple[float, float], step: float,
                  elasticity: float) -> float:
    """Where the SFpark rule stops, on the grid price0 + k * step, when occupancy follows the
    constant-elasticity curve exactly: the first grid price whose occupancy is inside the band."""
    target = band[1] if occ0 > band[1] else band[0]
    p = price_for_occupancy(target, occ0, price0, elasticity)
    k = (p - price0) / step
    k = math.ceil(k - 1e-9) if occ0 > band[1] else math.floor(k + 1e-9)
    return price0 + k * step
