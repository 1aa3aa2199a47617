"""The household population: per-household arrays added to what the City already holds.

The City gives location (Morton order), district, size and collection point. This module adds
car ownership, gas supply, the waste propensity (kg/day, sum of per-person lognormals) and the
random numbers that fix who can adopt and who sorts at the start. Everything is drawn from the
run's "households.*" streams only, never from a policy parameter, so every policy of a sweep
sees the same households (common random numbers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from twin.core.rng import Streams
from twin.models.households.params import HouseholdsParams


@dataclass
class Population:
    """Struct of arrays, one row per household (same order as `city.households`).

    `group` numbers the (collection point, district) pairs: households of one group share a
    point and a district, so daily sums per point and per district come from per-group sums.
    """

    district: np.ndarray  # uint8 (city array)
    size: np.ndarray  # uint8 persons (city array)
    point: np.ndarray  # int32 collection point (city array)
    car: np.ndarray  # bool
    piped_gas: np.ndarray  # bool
    base_kg: np.ndarray  # float32, kg/day at the normal level
    group: np.ndarray  # int32
    group_point: np.ndarray  # int64 [group]
    group_district: np.ndarray  # int64 [group]
    n_points: int
    n_districts: int
    adopt_u: np.ndarray  # float32 uniform: initial sorter if < initial share, never if >= m
    point_u: np.ndarray  # float64 [point, 2] uniforms: supervised?, withdrawn first?
    x_m: np.ndarray  # float32 (city array)
    y_m: np.ndarray  # float32 (city array)
    walk_m: np.ndarray  # float32, straight-line distance from home to the collection point

    def __len__(self) -> int:
        return len(self.district)

    def initial_sorting(self, params: HouseholdsParams) -> np.ndarray:
        return self.adopt_u < params.initial_participation

    def can_adopt(self, params: HouseholdsParams) -> np.ndarray:
        """Who can ever adopt: the potential share, times the household's convenience factor
        (at most 1) when the distance effect is on."""
        f = convenience_factor(params, self.walk_m)
        if f is None:
            return self.adopt_u < params.potential_share
        return self.adopt_u < np.minimum(params.potential_share * f, 1.0)

    def convenience(self, params: HouseholdsParams) -> np.ndarray | None:
        """Each household's convenience factor (None when the distance effect is off)."""
        return convenience_factor(params, self.walk_m)

    def point_convenience(self, params: HouseholdsParams) -> np.ndarray | None:
        """Mean convenience factor of each collection point's households (None when off)."""
        f = self.convenience(params)
        if f is None:
            return None
        n = np.bincount(self.point, minlength=self.n_points)
        return np.divide(np.bincount(self.point, f, self.n_points), n,
                         out=np.ones(self.n_points), where=n > 0)

    @property
    def nbytes_own(self) -> int:
        """Bytes of the per-household arrays this model adds (city arrays excluded)."""
        return self.car.nbytes + self.piped_gas.nbytes + self.base_kg.nbytes + self.group.nbytes


def build_population(city, params: HouseholdsParams, streams: Streams) -> Population:
    """Draw the population attributes for `city` from the run's households streams."""
    hh = city.households
    n = len(hh)
    cp = city.sites.of_kind("collection_point")
    n_points = len(cp)
    n_districts = len(city.districts)
    rng = streams.generator("households.population")
    # one uniform each, compared with the share, so a changed share flips the fewest households
    car = rng.random(n, dtype=np.float32) < params.car_ownership_share
    piped = rng.random(n, dtype=np.float32) < params.piped_gas_share
    base_kg = person_sum_lognormal(rng, hh.size, params.person_sigma) * params.kg_per_person_day
    adopt_u = streams.generator("households.adoption_init").random(n, dtype=np.float32)
    point_u = streams.generator("households.points").random((n_points, 2))
    point = hh.collection_point.astype(np.int32, copy=False)
    walk = np.hypot(hh.x_m - city.sites.x[cp][point], hh.y_m - city.sites.y[cp][point])
    key = point.astype(np.int64) * n_districts + hh.district
    uniq, group = np.unique(key, return_inverse=True)
    return Population(hh.district, hh.size, point, car, piped, base_kg.astype(np.float32),
                      group.astype(np.int32), uniq // n_districts, uniq % n_districts,
                      n_points, n_districts, adopt_u, point_u, hh.x_m, hh.y_m,
                      walk.astype(np.float32))


def convenience_factor(params: HouseholdsParams, walk_m: np.ndarray) -> np.ndarray | None:
    """Multiplier of each household's adoption hazard and potential for its walk to the
    collection point: (1 + ref/D) / (1 + d/D), 1 at the reference walk, halving from the door
    to D; None when the effect is off (D = 0)."""
    d50 = params.convenience_distance_m
    if d50 <= 0.0:
        return None
    return ((1.0 + params.convenience_reference_m / d50)
            / (1.0 + np.asarray(walk_m, np.float64) / d50))


def person_sum_lognormal(rng: np.random.Generator, size: np.ndarray, sigma: float) -> np.ndarray:
    """Per household the sum over its persons of lognormal(mean 1, sigma) propensities."""
    persons = size.astype(np.int64)
    draws = rng.lognormal(-0.5 * sigma * sigma, sigma, int(persons.sum())) if sigma else \
        np.ones(int(persons.sum()))
    starts = np.concatenate(([0], np.cumsum(persons)[:-1]))
    out = np.add.reduceat(draws, starts) if len(draws) else np.zeros(len(size))
    out[persons == 0] = 0.0
    return out


class HouseholdSet:
    """An AgentSet-like view of households stored as arrays: attribute access returns arrays,
    `select` returns a view on a subset, `agg` aggregates an attribute; no per-household
    Python objects exist. Attributes are looked up through `getters` (name -> array fn)."""

    def __init__(self, getters: dict[str, Callable[[], np.ndarray]],
                 index: np.ndarray | None = None):
        self._getters = getters
        self._index = index

    def __len__(self) -> int:
        if self._index is not None:
            return len(self._index)
        return len(next(iter(self._getters.values()))())

    @property
    def attributes(self) -> tuple[str, ...]:
        return tuple(self._getters)

    def get(self, name: str) -> np.ndarray:
        """The attribute's values for the households of this set."""
        if name not in self._getters:
            raise AttributeError(f"households have no attribute {name!r}; they have "
                                 + ", ".join(self._getters))
        arr = self._getters[name]()
        return arr if self._index is None else arr[self._index]

    def select(self, mask: np.ndarray | Callable[[HouseholdSet], np.ndarray]) -> HouseholdSet:
        """The subset where `mask` (a boolean array, or a function of this set) is true."""
        m = mask(self) if callable(mask) else np.asarray(mask)
        idx = np.flatnonzero(m)
        return HouseholdSet(self._getters, idx if self._index is None else self._index[idx])

    def agg(self, name: str, func: Callable[[np.ndarray], float]) -> float:
        """`func` applied to the attribute's values (e.g. np.mean)."""
        return func(self.get(name))
