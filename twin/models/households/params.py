"""Parameters of the households model: one frozen dataclass, units in field names.

Rates of the adoption hazard are per month (30.4375 days), as the Bass diffusion literature
states them; the model converts them to a daily hazard. Per-stream tuples follow `STREAMS`.
Sources of the defaults are listed in README.md; "assumption" marks values without one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from twin.core.params import param

STREAMS: tuple[str, ...] = ("food", "recyclable", "hazardous", "residual")
FOOD, RECYCLABLE, HAZARDOUS, RESIDUAL = range(4)
DAYS_PER_MONTH = 365.25 / 12.0
# Shanghai fixed-time points open in a morning and an evening window, e.g. 06:30-08:30 and
# 17:30-20:30: 5 hours a day (the city's guideline: generally 3-4 h; README, "Sources").
FIXED_TIME_OPENING_HOURS = 5.0


@dataclass(frozen=True)
class HouseholdsParams:
    """Population attributes, waste generation and sorting adoption."""

    # --- population ------------------------------------------------------------------
    car_ownership_share: float = param(
        0.4167, "share of households owning a car (2020 census: 41.67% of family households)",
        lo=0.0, hi=1.0)
    piped_gas_share: float = param(
        0.80, "share of households on piped gas, the rest use LPG cylinders (MOHURD 2021: "
        "piped-gas coverage 79.84% of the urban population)", lo=0.0, hi=1.0)

    # --- waste generation --------------------------------------------------------------
    kg_per_person_day: float = param(
        1.0, "mean household waste per person, kg/day (Chinese cities about 1 kg/person/day)",
        lo=0.0, hi=10.0)
    person_sigma: float = param(
        0.5, "sigma of the lognormal per-person propensity (mean 1), persistent between days "
        "(assumption)", lo=0.0, hi=2.0)
    daily_cv: float = param(
        0.3, "coefficient of variation of a household's waste from one day to the next "
        "(assumption)", lo=0.0, hi=2.0)
    composition: tuple[float, ...] = param(
        (0.55, 0.15, 0.005, 0.295), "mass shares of food/kitchen, recyclable, hazardous and "
        "residual waste (food 50-70% in Chinese cities)", lo=0.0, hi=1.0)
    seasonal_factors: tuple[float, ...] = param(
        (0.88, 0.88, 0.96, 0.98, 1.00, 1.03, 1.07, 1.07, 1.03, 1.01, 0.99, 0.97),
        "waste relative to the normal level, January to December (Jan-Feb about 0.88, "
        "Jul-Aug about 1.07)", lo=0.1, hi=3.0)
    spring_festival_effect: float = param(
        -0.10, "relative change of household waste during the Spring Festival holiday "
        "(assumption: big cities empty out)", lo=-0.9, hi=2.0)
    spring_festival_days: tuple[float, ...] = param(
        (-1.0, 6.0), "first and last day of the Spring Festival effect, days from the lunar "
        "new year (statutory holiday: New Year's Eve to the 6th day)", lo=-60.0, hi=60.0)

    # --- sorting behaviour: who sorts, how much, how well ------------------------------
    initial_participation: float = param(
        0.0, "share of households sorting at the start", lo=0.0, hi=1.0)
    potential_share: float = param(
        1.0, "share of households that can ever adopt (Bass market potential m)", lo=0.0, hi=1.0)
    food_capture: float = param(
        0.84, "share of a sorting household's food waste put into the food bin (Shanghai: "
        "about 84%)", lo=0.0, hi=1.0)
    food_purity_supervised: float = param(
        0.995, "food mass / all mass in the food bin at supervised points (Shanghai: 99.5%)",
        lo=0.5, hi=1.0)
    food_purity_unsupervised: float = param(
        0.90, "food mass / all mass in the food bin at unsupervised points (assumption)",
        lo=0.5, hi=1.0)
    recyclable_capture: float = param(
        0.5, "share of a sorting household's recyclables put into the recyclable bin "
        "(assumption)", lo=0.0, hi=1.0)
    hazardous_capture: float = param(
        0.5, "share of a sorting household's hazardous waste put into the hazardous bin "
        "(assumption)", lo=0.0, hi=1.0)

    # --- adoption hazard (Bass: innovation p, imitation q) -----------------------------
    innovation_per_month: float = param(
        0.0047, "spontaneous adoption hazard, 1/month (Bass p)", lo=0.0, hi=30.0)
    imitation_per_month: float = param(
        1.02, "neighbour-influence hazard per unit share of sorting neighbours, 1/month "
        "(Bass q)", lo=0.0, hi=30.0)
    neighbour_scope: str = param(
        "spatial", "whose sorting counts as neighbours': the same and adjacent collection "
        "points (spatial) or everybody (global, the well-mixed Bass limit)",
        choices=("spatial", "global"))
    neighbour_points: int = param(
        1, "adjacent collection points on each side (Morton order) in the spatial neighbour "
        "graph", lo=0, hi=50)

    # --- policy ------------------------------------------------------------------------
    mandate_start: dt.date | None = param(
        None, "day the sorting mandate (fines, supervised fixed-time points) takes effect; "
        "omit for no mandate")
    campaign_start: dt.date | None = param(
        None, "day the publicity campaign starts; omit to start it with the mandate")
    campaign_intensity_per_month: float = param(
        0.0, "extra adoption hazard from the campaign (policy push), 1/month", lo=0.0, hi=30.0)
    fine_cny: float = param(
        0.0, "fine for an individual who fails to sort (Shanghai: up to 200 CNY)",
        lo=0.0, hi=10_000.0)
    fine_response_per_cny_month: float = param(
        0.0, "adoption hazard per CNY of expected fine (fine x detection), 1/month",
        lo=0.0, hi=10.0)
    supervised_point_share: float = param(
        0.0, "share of collection points with supervised fixed-time drop-off under the "
        "mandate", lo=0.0, hi=1.0)
    detection_supervised: float = param(
        0.5, "probability that a household that does not sort is caught, supervised "
        "fixed-time points (assumption)", lo=0.0, hi=1.0)
    supervision_hours_per_day: float = param(
        FIXED_TIME_OPENING_HOURS, "hours a day volunteers or staff stand at a supervised "
        "fixed-time point; detection and purity there mix the supervised and unsupervised "
        "values by the share of the opening hours covered (default: all of the 5 opening "
        "hours, 06:30-08:30 and 17:30-20:30; more than the opening hours count as all)",
        lo=0.0, hi=24.0)
    detection_unsupervised: float = param(
        0.02, "probability that a household that does not sort is caught, unsupervised and "
        "missed-time points (assumption)", lo=0.0, hi=1.0)
    incentive_start: dt.date | None = param(
        None, "day the points incentive starts; omit for none")
    incentive_cny_per_month: float = param(
        0.0, "value of the points a sorting household earns, CNY/month", lo=0.0, hi=1_000.0)
    incentive_response_per_cny_month: float = param(
        0.0, "adoption hazard per CNY/month of incentive, 1/month", lo=0.0, hi=10.0)
    convenience_distance_m: float = param(
        0.0, "walk from home to the collection point at which the adoption convenience "
        "halves, m: the hazard and the potential of a household that walks d metres are "
        "multiplied by (1 + reference/D) / (1 + d/D); 0 switches the distance effect off "
        "(calibrated scenarios, the Bass limit)", lo=0.0, hi=100_000.0)
    convenience_reference_m: float = param(
        250.0, "walk at which the convenience factor is 1, m (default: the mean walk at 400 "
        "households per collection point on the demo city, 253 m)", lo=0.0, hi=100_000.0)
    relapse_per_month: float = param(
        0.0, "hazard that a sorting household stops once its point's supervision is "
        "withdrawn, 1/month", lo=0.0, hi=30.0)

    def __post_init__(self):
        if len(self.composition) != len(STREAMS):
            raise ValueError("composition needs one share per stream: " + ", ".join(STREAMS))
        if abs(sum(self.composition) - 1.0) > 1e-6:
            raise ValueError(f"composition must sum to 1, not {sum(self.composition):.6g}")
        if len(self.seasonal_factors) != 12:
            raise ValueError("seasonal_factors needs 12 values, January to December")
        lo, hi = self.spring_festival_days if len(self.spring_festival_days) == 2 else (1, 0)
        if lo > hi:
            raise ValueError("spring_festival_days must be two numbers, first <= last")
        if self.initial_participation > self.potential_share:
            raise ValueError("initial_participation cannot exceed potential_share")
        worst = min(self.food_purity_supervised, self.food_purity_unsupervised)
        impurity = self.food_capture * self.composition[FOOD] * (1.0 - worst) / worst
        if impurity > self.composition[RESIDUAL] + 1e-12:
            raise ValueError("food-bin impurities would exceed the residual waste; raise "
                             "food purity or the residual share")


@dataclass(frozen=True)
class SupervisionWithdrawn:
    """Volunteers leave a share of the supervised points: detection drops, relapse starts."""

    share: float = param(1.0, "share of the supervised points that lose supervision",
                         lo=0.0, hi=1.0)


@dataclass(frozen=True)
class Campaign:
    """Change the campaign's strength from now on (0 ends it)."""

    intensity_per_month: float = param(0.0, "new campaign adoption hazard, 1/month",
                                       lo=0.0, hi=30.0)
