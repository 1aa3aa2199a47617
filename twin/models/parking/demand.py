"""Parking demand: residents' cars, commuters and visitors by district, arriving as
non-homogeneous Poisson processes (hourly rate profiles by day type, drawn by thinning) with
lognormal dwell times by group.

The hourly profiles are relative intensities (normalised per day); their shapes follow the
usual urban pattern of kerb and garage entries (commuters 07-09, visitors late morning and
evening, residents returning 17-20) and are labelled assumptions in the README.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.models.parking.params import GROUPS, ParkingParams

RESIDENT, COMMUTER, VISITOR = range(3)
_H = np.arange(24)


def _bump(centre: float, width: float) -> np.ndarray:
    return np.exp(-0.5 * ((_H + 0.5 - centre) / width) ** 2)


def _norm(a: np.ndarray) -> np.ndarray:
    return a / a.sum()


# share of a day's arrivals by hour [group, hour], weekday and weekend/holiday
PROFILE_WEEKDAY = np.stack([
    _norm(_bump(18.5, 1.8) + 0.05),
    _norm(_bump(8.0, 0.9) + 0.15 * _bump(13.5, 1.0) + 0.01),
    _norm(_bump(11.0, 2.0) + 0.9 * _bump(18.5, 1.8) + 0.02),
])
PROFILE_WEEKEND = np.stack([
    _norm(_bump(18.0, 2.5) + 0.08),
    _norm(_bump(9.0, 1.5) + 0.05),
    _norm(_bump(14.0, 3.0) + 0.6 * _bump(19.0, 1.5) + 0.02),
])


def dwell_mu_sigma(p: ParkingParams) -> tuple[np.ndarray, np.ndarray]:
    """Lognormal (mu, sigma) of dwell in seconds by group, from the medians in hours."""
    return np.log(np.asarray(p.dwell_median_h) * 3600.0), np.asarray(p.dwell_sigma)


def nhpp_times(rng: np.random.Generator, rate_per_h: np.ndarray, t0_s: float) -> np.ndarray:
    """Arrival times in [t0, t0 + 24 h) of a Poisson process with an hourly piecewise-constant
    rate (per hour, 24 values), by thinning a homogeneous process at the peak rate."""
    lam_max = float(rate_per_h.max())
    if lam_max <= 0:
        return np.empty(0)
    n = rng.poisson(lam_max * 24.0)
    t = np.sort(rng.uniform(0.0, 86_400.0, n))
    keep = rng.random(n) * lam_max < rate_per_h[(t // 3600.0).astype(np.int64)]
    return t0_s + t[keep]


@dataclass
class Arrivals:
    """A day's drivers in time order (struct of Python lists: the engine reads them one by
    one)."""

    t: list
    group: list
    district: list
    node: list
    dwell_s: list
    u: np.ndarray  # [driver, 3] uniforms: choice, illegal?, caught?


class Demand:
    """Daily counts by district and group; draws a day of arrivals on demand."""

    def __init__(self, p: ParkingParams, city, cars_by_district: np.ndarray,
                 home_nodes: list[np.ndarray], rng: np.random.Generator):
        self.p, self.rng = p, rng
        d = city.districts
        pop = d.population.astype(float)
        jobs = pop * (d.land_use[:, 1] + d.land_use[:, 2])
        shops = pop * d.land_use[:, 1]
        total = pop.sum()
        self.daily = np.zeros((3, len(pop)))  # [group, district] weekday arrivals
        self.daily[RESIDENT] = cars_by_district * p.resident_daily_use_share
        self.daily[COMMUTER] = (p.commuter_cars_per_1000_people * total / 1000.0
                                * jobs / jobs.sum() * p.demand_growth)
        self.daily[VISITOR] = (p.visitor_cars_per_1000_people * total / 1000.0
                               * shops / shops.sum() * p.demand_growth)
        self.home_nodes = home_nodes
        self.mu, self.sigma = dwell_mu_sigma(p)

    def day(self, t0_s: float, weekend: bool, factor: np.ndarray | None = None,
            t_min_s: float = 0.0, resident_from_s: float = -np.inf) -> Arrivals:
        """Arrivals of the day starting (at midnight) at t0, from t_min on; `factor`
        [district] scales commuter and visitor rates (the price response). Residents arrive
        from `resident_from_s` on: on the first day every car starts parked at home, so none
        can come back before the first has left."""
        p, rng = self.p, self.rng
        prof = PROFILE_WEEKEND if weekend else PROFILE_WEEKDAY
        scale = np.array([1.0, p.weekend_commuter_factor, p.weekend_visitor_factor]) \
            if weekend else np.ones(3)
        ts, gs, ds = [], [], []
        for g in range(len(GROUPS)):
            for d in range(self.daily.shape[1]):
                f = 1.0 if (g == RESIDENT or factor is None) else float(factor[d])
                t = nhpp_times(rng, self.daily[g, d] * scale[g] * f * prof[g], t0_s)
                ts.append(t)
                gs.append(np.full(len(t), g, np.int64))
                ds.append(np.full(len(t), d, np.int64))
        t, g, d = np.concatenate(ts), np.concatenate(gs), np.concatenate(ds)
        order = np.argsort(t, kind="stable")
        order = order[(t[order] >= t_min_s)
                      & ((g[order] != RESIDENT) | (t[order] >= resident_from_s))]
        t, g, d = t[order], g[order], d[order]
        return Arrivals(t.tolist(), g.tolist(), d.tolist(), self.nodes(d).tolist(),
                        self.dwell(g).tolist(), rng.random((len(t), 3)))

    def nodes(self, district: np.ndarray) -> np.ndarray:
        """A destination road node per driver: a random home of the district (buildings)."""
        out = np.zeros(len(district), np.int64)
        for d in np.unique(district):
            idx = np.flatnonzero(district == d)
            homes = self.home_nodes[d]
            out[idx] = homes[self.rng.integers(0, len(homes), len(idx))]
        return out

    def dwell(self, group: np.ndarray) -> np.ndarray:
        z = self.rng.standard_normal(len(group))
        return np.exp(self.mu[group] + self.sigma[group] * z)
