"""The sorting-adoption and waste rules, and the vectorized engine that applies them to arrays.

Rules (shared verbatim with the Mesa reference in `mesa_reference.py`):

* A household that does not sort starts sorting during a day with probability
  1 - exp(-r / 30.4375), where the rate r (1/month) is
  r = p + q * s + campaign + incentive_response * incentive + fine_response * fine * detection,
  p the innovation rate, q the imitation rate, s the share of sorting households among its
  neighbours (same and adjacent collection points, or everybody when well-mixed),
  detection high at supervised fixed-time points and low elsewhere. Each term is on only while
  its policy is in force. A sorting household at a point whose supervision was withdrawn stops
  with rate `relapse_per_month`.
* With only p and q and a well-mixed population, the expected daily change of the share F is
  (1 - F)(1 - exp(-(p + qF) dt)) = (p + qF)(1 - F) dt + O(dt^2): the Bass ODE.
* Decisions of day k use the state at the end of day k-1 (synchronous update); the first day
  keeps the initial state. The neighbour share in the rate is the share expected half-way
  through the day (one predictor step, `midday_share`): with the start-of-day share the
  curve lags the ODE by about 2% of its time scale (F(6 months) 2 pp low in the Bass test);
  the midpoint makes the daily step second-order accurate.
* A household generates base_kg x season x Spring Festival x eps kilograms a day, eps
  lognormal with mean 1 and CV `daily_cv`, split by `composition`. A sorting household puts
  `food_capture` of its food into the food bin, with impurities so that the bin's purity is
  the point's purity, and the captured recyclables and hazardous waste into their bins; the
  rest goes to the residual bin. A household that does not sort puts everything there.

The engine stores households as arrays (no per-household Python objects) and avoids drawing
random numbers per household per day: each household holds an exponential threshold and
changes state once its accumulated hazard exceeds it, which has exactly the distribution of
daily Bernoulli draws. Daily waste is summed per group of households sharing a collection
point and a district, with lognormal noise whose mean and variance equal those of the sum of
the households' independent daily noise.
"""

from __future__ import annotations

import datetime as dt
import math

import mesa
import numpy as np

from twin.core.clock import DAY_S, Calendar
from twin.core.rng import Streams
from twin.models.households.params import (
    DAYS_PER_MONTH,
    FIXED_TIME_OPENING_HOURS,
    FOOD,
    HAZARDOUS,
    RECYCLABLE,
    RESIDUAL,
    STREAMS,
    HouseholdsParams,
)
from twin.models.households.population import HouseholdSet, Population

NS = len(STREAMS)


# ----------------------------------------------------------------------------- rules
def waste_factor(params: HouseholdsParams, date: dt.date, days_from_sf: int) -> float:
    """Seasonal factor of the month times the Spring Festival factor (1 outside the holiday)."""
    f = params.seasonal_factors[date.month - 1]
    lo, hi = params.spring_festival_days
    if lo <= days_from_sf <= hi:
        f *= 1.0 + params.spring_festival_effect
    return f


def adoption_rate_per_month(params: HouseholdsParams, neighbour_share, detection, *,
                            campaign_per_month: float, incentive_on: bool, mandate_on: bool):
    """Adoption rate (1/month) of a household that does not sort; works on floats or arrays."""
    r = params.innovation_per_month + params.imitation_per_month * neighbour_share
    r = r + campaign_per_month
    if incentive_on:
        r = r + params.incentive_response_per_cny_month * params.incentive_cny_per_month
    if mandate_on:
        r = r + params.fine_response_per_cny_month * params.fine_cny * detection
    return r


def supervision_cover(params: HouseholdsParams) -> float:
    """Share of a fixed-time point's opening hours that someone supervises (0 to 1)."""
    return min(params.supervision_hours_per_day, FIXED_TIME_OPENING_HOURS) / \
        FIXED_TIME_OPENING_HOURS


def supervised_value(params: HouseholdsParams, supervised: float, unsupervised: float) -> float:
    """A detection or purity at a supervised point: drop-offs spread over the opening hours,
    so the covered share meets the supervised value and the rest the unsupervised one
    (exactly `supervised` when every opening hour is covered)."""
    cover = supervision_cover(params)
    return cover * supervised + (1.0 - cover) * unsupervised


def neighbour_share(sorting_per_point: np.ndarray, households_per_point: np.ndarray,
                    params: HouseholdsParams) -> np.ndarray:
    """Share of sorting households among each point's neighbours.

    The spatial neighbour graph links every household to all households of its own collection
    point and of the `neighbour_points` points before and after it in Morton order (points are
    numbered along the Z-curve, so these are mostly the adjacent blocks of about 400
    households). The global scope links everybody (well-mixed).
    """
    if params.neighbour_scope == "global":
        total = households_per_point.sum()
        share = sorting_per_point.sum() / total if total else 0.0
        return np.full(len(sorting_per_point), share)
    k = params.neighbour_points
    if k == 0:
        num, den = sorting_per_point, households_per_point
    else:
        w = np.ones(2 * k + 1)  # the window centred on each point (`same`, also for < 2k+1)
        n = len(sorting_per_point)
        num = np.convolve(sorting_per_point, w)[k:k + n]
        den = np.convolve(households_per_point, w)[k:k + n]
    return np.divide(num, den, out=np.zeros(len(num)), where=den > 0)


class Policy:
    """The policy in force on a day and the supervision state of each collection point.

    Which points are supervised, and which lose supervision first, is fixed by one uniform per
    point drawn with the population, so policies differing in shares stay comparable.
    """

    def __init__(self, params: HouseholdsParams, point_u: np.ndarray,
                 point_convenience: np.ndarray | None = None):
        self.p = params
        self.point_convenience = point_convenience  # mean factor of each point's households
        self.supervised = point_u[:, 0] < params.supervised_point_share
        self._withdraw_u = point_u[:, 1]
        self.withdrawn = np.zeros(len(point_u), bool)
        self.campaign_intensity_per_month = params.campaign_intensity_per_month
        self.mandate_on = self.campaign_on = self.incentive_on = False
        self.set_date(dt.date.min)

    def set_date(self, date: dt.date) -> None:
        """Evaluate which policies are in force on `date` and each point's supervision."""
        p = self.p
        self.date = date
        self.mandate_on = p.mandate_start is not None and date >= p.mandate_start
        campaign_start = p.campaign_start or p.mandate_start
        self.campaign_on = campaign_start is not None and date >= campaign_start
        self.incentive_on = p.incentive_start is not None and date >= p.incentive_start
        watched = self.supervised & ~self.withdrawn & self.mandate_on
        self.detection = np.where(
            watched, supervised_value(p, p.detection_supervised, p.detection_unsupervised),
            p.detection_unsupervised)
        self.purity = np.where(
            watched, supervised_value(p, p.food_purity_supervised, p.food_purity_unsupervised),
            p.food_purity_unsupervised)
        self.relapse = np.where(self.withdrawn, p.relapse_per_month, 0.0)

    def withdraw(self, share: float) -> None:
        """Supervision leaves the supervised points whose withdrawal draw is below `share`."""
        self.withdrawn |= self.supervised & (self._withdraw_u < share)
        self.set_date(self.date)

    def midday_share(self, share):
        """Neighbour share expected half-way through the day, from the start-of-day share."""
        rate = self.adoption_rate(share)
        if self.point_convenience is not None:
            rate = rate * self.point_convenience
        up = -np.expm1(-rate / DAYS_PER_MONTH)
        down = -np.expm1(-self.relapse / DAYS_PER_MONTH)
        return share + 0.5 * ((1.0 - share) * up - share * down)

    def adoption_rate(self, neighbour_share):
        """Adoption rate (1/month) per point, given each point's neighbour share."""
        return adoption_rate_per_month(
            self.p, neighbour_share, self.detection,
            campaign_per_month=self.campaign_intensity_per_month if self.campaign_on else 0.0,
            incentive_on=self.incentive_on, mandate_on=self.mandate_on)


def bin_coefficients(params: HouseholdsParams) -> np.ndarray:
    """Kilograms put into the food, recyclable and hazardous bins per kilogram a sorting
    household generates (food before impurities)."""
    c = params.composition
    return np.array([params.food_capture * c[FOOD], params.recyclable_capture * c[RECYCLABLE],
                     params.hazardous_capture * c[HAZARDOUS]])


# ----------------------------------------------------------------------------- engine
class DayOutputs:
    """One day's results, per district and per collection point (preallocated, reused)."""

    def __init__(self, n_districts: int, n_points: int):
        self.generated = np.zeros((n_districts, NS))  # t/d by material stream
        self.sorted = np.zeros((n_districts, NS))  # t/d into the stream's separate bin
        self.unsorted = np.zeros((n_districts, NS))  # t/d of the material into residual bins
        self.participation = np.zeros(n_districts)
        self.food_capture = np.zeros(n_districts)
        self.food_purity = np.zeros(n_districts)
        self.sorted_share = np.zeros(n_districts)
        self.deliveries = np.zeros((n_points, NS))  # t/d into each point's containers


def fill_outputs(out: DayOutputs, params: HouseholdsParams, kg_unsorted_d, kg_sorted_d,
                 impurity_d, sorting_d, households_d, kg_unsorted_p, kg_sorted_p,
                 impurity_p) -> None:
    """Turn per-district and per-point kilograms of non-sorting and sorting households into
    the day's outputs (shared by the engine and the Mesa reference)."""
    comp = np.asarray(params.composition)
    coef = bin_coefficients(params)
    total_d = kg_unsorted_d + kg_sorted_d
    np.multiply.outer(total_d / 1000.0, comp, out=out.generated)
    out.sorted[:, :3] = np.multiply.outer(kg_sorted_d / 1000.0, coef)
    out.sorted[:, FOOD] += impurity_d / 1000.0
    out.sorted[:, RESIDUAL] = 0.0
    out.unsorted[:] = out.generated
    out.unsorted[:, :3] -= np.multiply.outer(kg_sorted_d / 1000.0, coef)
    out.unsorted[:, RESIDUAL] -= impurity_d / 1000.0
    np.divide(sorting_d, households_d, out=out.participation, where=households_d > 0)
    food_in = coef[0] * kg_sorted_d
    out.food_capture[:] = np.divide(food_in, total_d * comp[FOOD],
                                    out=np.zeros_like(total_d), where=total_d > 0)
    food_bin = food_in + impurity_d
    out.food_purity[:] = np.divide(food_in, food_bin, out=np.full_like(total_d, np.nan),
                                   where=food_bin > 0)
    out.sorted_share[:] = np.divide(food_bin, total_d, out=np.zeros_like(total_d),
                                    where=total_d > 0)
    total_p = (kg_unsorted_p + kg_sorted_p) / 1000.0
    out.deliveries[:, :3] = np.multiply.outer(kg_sorted_p / 1000.0, coef)
    out.deliveries[:, FOOD] += impurity_p / 1000.0
    out.deliveries[:, RESIDUAL] = total_p - out.deliveries[:, :3].sum(axis=1)


class HouseholdsABM(mesa.Model):
    """The households as arrays inside a Mesa `Model` shell, stepped once a simulated day.

    `households` is an AgentSet-like view (`get`, `select`, `agg`) on the arrays; the state per
    household is its slot (group x 2 + sorting, int32) and its remaining threshold (float32).
    """

    def __init__(self, params: HouseholdsParams, population: Population, streams: Streams,
                 calendar: Calendar):
        super().__init__(rng=streams.int_seed("households.mesa"))
        self.p = params
        self.pop = population
        self.calendar = calendar
        self.policy = Policy(params, population.point_u, population.point_convenience(params))
        n = len(population)
        g = int(population.group.max()) + 1 if n else 0
        self.n_groups = g
        self._flip_rng = streams.generator("households.adoption")
        self._noise_rng = streams.generator("households.noise")
        sorting = population.initial_sorting(params)
        self.slot = (population.group * 2 + sorting).astype(np.int32)
        thr = self._flip_rng.standard_exponential(n, dtype=np.float32)
        thr[~sorting & ~population.can_adopt(params)] = np.inf
        conv = population.convenience(params)
        # a household's adoption hazard is the point's rate x its convenience factor: the
        # same as the point's rate against its threshold / factor (None: all factors 1)
        self._conv = None if conv is None else conv.astype(np.float32)
        if self._conv is not None:
            thr[~sorting] /= self._conv[~sorting]
        self.remaining = thr  # float32: hazard still to accumulate before the next change
        b = population.base_kg.astype(np.float64)
        self.count = np.bincount(self.slot, minlength=2 * g).astype(np.float64)
        self.kg1 = np.bincount(self.slot, weights=b, minlength=2 * g)
        self.kg2 = np.bincount(self.slot, weights=b * b, minlength=2 * g)
        self.households_per_point = np.bincount(population.point, minlength=population.n_points
                                                ).astype(np.float64)
        self.households_per_district = np.bincount(
            population.district, minlength=population.n_districts).astype(np.float64)
        self._table = np.zeros(2 * g, np.float32)
        self._dec = np.empty(n, np.float32)
        self._hit = np.empty(n, bool)
        self.out = DayOutputs(population.n_districts, population.n_points)
        self.day = -1
        self.date: dt.date | None = None
        self._t_s: float | None = None
        self.households = HouseholdSet({
            "x_m": lambda: population.x_m, "y_m": lambda: population.y_m,
            "district": lambda: population.district, "size": lambda: population.size,
            "collection_point": lambda: population.point, "car": lambda: population.car,
            "piped_gas": lambda: population.piped_gas, "base_kg": lambda: population.base_kg,
            "walk_m": lambda: population.walk_m,
            "sorting": lambda: (self.slot & 1).astype(bool)})

    # -- one day ---------------------------------------------------------------------
    def advance(self, t_s: float) -> DayOutputs:
        """Step to the day that starts at `t_s` (seconds since the scenario start)."""
        self._t_s = t_s
        self.step()
        return self.out

    def step(self) -> None:
        """One simulated day: adoption decisions (from the second day on), then waste."""
        self.day += 1
        t_s = self._t_s if self._t_s is not None else self.day * DAY_S
        self._t_s = None
        self.date = self.calendar.date(t_s)
        self._sf_days = self.calendar.days_from_spring_festival(t_s)
        self.policy.set_date(self.date)
        if self.day > 0:
            self._adopt()
        self._waste()

    def _adopt(self) -> None:
        pop, pol = self.pop, self.policy
        sorting_g = self.count[1::2]
        sorting_p = np.bincount(pop.group_point, weights=sorting_g, minlength=pop.n_points)
        share = pol.midday_share(neighbour_share(sorting_p, self.households_per_point, self.p))
        rate = pol.adoption_rate(share)
        t = self._table
        t[0::2] = rate[pop.group_point] / DAYS_PER_MONTH
        t[1::2] = pol.relapse[pop.group_point] / DAYS_PER_MONTH
        if not t.any():
            return
        np.take(t, self.slot, out=self._dec)
        self.remaining -= self._dec
        np.less_equal(self.remaining, 0.0, out=self._hit)
        flips = np.flatnonzero(self._hit)
        if len(flips):
            self._flip(flips)

    def _flip(self, idx: np.ndarray) -> None:
        old = self.slot[idx]
        new = old ^ 1
        b = self.pop.base_kg[idx].astype(np.float64)
        m = 2 * self.n_groups
        for arr, w in ((self.count, None), (self.kg1, b), (self.kg2, b * b)):
            arr -= np.bincount(old, weights=w, minlength=m)
            arr += np.bincount(new, weights=w, minlength=m)
        self.slot[idx] = new
        thr = self._flip_rng.standard_exponential(len(idx), dtype=np.float32)
        if self._conv is not None:  # those that stopped sorting wait for an adoption again
            stopped = (new & 1) == 0
            thr[stopped] /= self._conv[idx[stopped]]
        self.remaining[idx] = thr

    def _waste(self) -> None:
        p, pop = self.p, self.pop
        f = waste_factor(p, self.date, self._sf_days)
        z = self._noise_rng.standard_normal(2 * self.n_groups)
        kg = self.kg1 * f
        if p.daily_cv > 0:
            ratio = np.divide(self.kg2, self.kg1 * self.kg1, out=np.zeros_like(self.kg1),
                              where=self.kg1 > 0)
            s2 = np.log1p(p.daily_cv * p.daily_cv * ratio)
            kg *= np.exp(np.sqrt(s2) * z - 0.5 * s2)
        kg0, kg1 = kg[0::2], kg[1::2]
        pur = self.policy.purity[pop.group_point]
        imp = kg1 * (bin_coefficients(p)[0] * (1.0 - pur) / pur)
        nd, npt = pop.n_districts, pop.n_points
        gd, gp = pop.group_district, pop.group_point
        fill_outputs(
            self.out, p,
            np.bincount(gd, kg0, nd), np.bincount(gd, kg1, nd), np.bincount(gd, imp, nd),
            np.bincount(gd, self.count[1::2], nd), self.households_per_district,
            np.bincount(gp, kg0, npt), np.bincount(gp, kg1, npt), np.bincount(gp, imp, npt))

    # -- state -------------------------------------------------------------------------
    @property
    def sorting(self) -> np.ndarray:
        """Boolean array: which households sort today."""
        return (self.slot & 1).astype(bool)

    @property
    def nbytes_state(self) -> int:
        """Bytes of per-household dynamic state (slot + threshold)."""
        return self.slot.nbytes + self.remaining.nbytes

    def withdraw_supervision(self, share: float) -> None:
        self.policy.withdraw(share)


def bass_share(t_months, p: float, q: float):
    """Closed-form Bass adoption share F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t})."""
    e = np.exp(-(p + q) * np.asarray(t_months, dtype=float))
    return (1.0 - e) / (1.0 + (q / p) * e)


def daily_probability(rate_per_month: float) -> float:
    """Probability of a change during one day at a rate per month."""
    return -math.expm1(-rate_per_month / DAYS_PER_MONTH)
