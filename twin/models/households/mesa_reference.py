"""Executable specification: the same rules as `adoption.py`, written as idiomatic Mesa.

One `HouseholdAgent` per household, stepped in random order with `shuffle_do`; each agent
draws its own Bernoulli decision and its own daily waste and puts it into its collection
point's bins. It is slow (microseconds per household-day) and is kept to test the array engine
against (same statistics) and to measure the engine's speed-up. The population (sizes,
propensities, who can adopt, who sorts at the start, which points are supervised) is taken
from the same `Population`, so both start from the same state.
"""

from __future__ import annotations

import math

import mesa
import numpy as np

from twin.core.clock import DAY_S, Calendar
from twin.models.households.adoption import (
    NS,
    DayOutputs,
    Policy,
    adoption_rate_per_month,
    daily_probability,
    neighbour_share,
    waste_factor,
)
from twin.models.households.params import HouseholdsParams
from twin.models.households.population import Population


class HouseholdAgent(mesa.Agent):
    """A household: decides whether it sorts today, then generates and deposits its waste."""

    def __init__(self, model: MesaHouseholds, *, point: int, district: int, base_kg: float,
                 sorting: bool, can_adopt: bool, convenience: float = 1.0):
        super().__init__(model)
        self.convenience = convenience  # multiplier of the adoption hazard (walk to the point)
        self.point = point
        self.district = district
        self.base_kg = base_kg
        self.sorting = sorting
        self.can_adopt = can_adopt

    def step(self) -> None:
        m = self.model
        if m.day > 0:
            self.decide(m)
        self.deposit(m)

    def decide(self, m: MesaHouseholds) -> None:
        pol = m.policy
        if self.sorting:
            rate = pol.relapse[self.point]
        elif self.can_adopt:
            rate = adoption_rate_per_month(
                m.p, m.neighbour_share[self.point], pol.detection[self.point],
                campaign_per_month=(pol.campaign_intensity_per_month if pol.campaign_on
                                    else 0.0),
                incentive_on=pol.incentive_on, mandate_on=pol.mandate_on) * self.convenience
        else:
            rate = 0.0
        if rate > 0.0 and self.random.random() < daily_probability(rate):
            self.sorting = not self.sorting

    def deposit(self, m: MesaHouseholds) -> None:
        p = m.p
        kg = self.base_kg * m.factor
        if p.daily_cv > 0:
            kg *= self.random.lognormvariate(m.eps_mu, m.eps_sigma)
        food, rec, haz, res = (kg * c for c in p.composition)
        if self.sorting:
            food_in = p.food_capture * food
            purity = m.policy.purity[self.point]
            impurity = food_in * (1.0 - purity) / purity
            rec_in = p.recyclable_capture * rec
            haz_in = p.hazardous_capture * haz
        else:
            food_in = impurity = rec_in = haz_in = 0.0
        m.put(self, material=(food, rec, haz, res), separate=(food_in + impurity, rec_in, haz_in),
              mixed=(food - food_in, rec - rec_in, haz - haz_in, res - impurity), food_in=food_in)


class MesaHouseholds(mesa.Model):
    """The reference model: one agent per household, `shuffle_do("step")` once a day."""

    def __init__(self, params: HouseholdsParams, population: Population, calendar: Calendar,
                 seed: int = 0):
        super().__init__(rng=seed)
        self.p = params
        self.calendar = calendar
        self.policy = Policy(params, population.point_u, population.point_convenience(params))
        self.n_points, self.n_districts = population.n_points, population.n_districts
        sorting = population.initial_sorting(params)
        can = population.can_adopt(params)
        conv = population.convenience(params)
        for i in range(len(population)):
            HouseholdAgent(self, point=int(population.point[i]),
                           district=int(population.district[i]),
                           base_kg=float(population.base_kg[i]), sorting=bool(sorting[i]),
                           can_adopt=bool(can[i]),
                           convenience=1.0 if conv is None else float(conv[i]))
        self.households_per_point = np.bincount(population.point, minlength=self.n_points
                                                ).astype(float)
        self.households_per_district = np.bincount(population.district,
                                                   minlength=self.n_districts).astype(float)
        s2 = math.log1p(params.daily_cv ** 2)
        self.eps_sigma, self.eps_mu = math.sqrt(s2), -0.5 * s2
        self.day = -1
        self.out = DayOutputs(self.n_districts, self.n_points)

    def step(self) -> None:
        self.day += 1
        t_s = self.day * DAY_S
        date = self.calendar.date(t_s)
        self.policy.set_date(date)
        self.factor = waste_factor(self.p, date, self.calendar.days_from_spring_festival(t_s))
        sorting_p = np.zeros(self.n_points)
        for a in self.agents:  # yesterday's state: every agent decides on the same shares
            if a.sorting:
                sorting_p[a.point] += 1
        self.neighbour_share = self.policy.midday_share(
            neighbour_share(sorting_p, self.households_per_point, self.p))
        nd, npt = self.n_districts, self.n_points
        self._generated = [[0.0] * NS for _ in range(nd)]
        self._separate = [[0.0] * 3 for _ in range(nd)]
        self._mixed = [[0.0] * NS for _ in range(nd)]
        self._food_in = [0.0] * nd
        self._bins = [[0.0] * NS for _ in range(npt)]
        self.agents.shuffle_do("step")
        self._outputs()

    def put(self, agent: HouseholdAgent, *, material, separate, mixed, food_in) -> None:
        """An agent's deposit: its point's separate bins and residual bin, its district's sums."""
        d = agent.district
        for acc, values in ((self._generated[d], material), (self._separate[d], separate),
                            (self._mixed[d], mixed), (self._bins[agent.point], separate)):
            for k, v in enumerate(values):
                acc[k] += v
        self._bins[agent.point][3] += sum(mixed)
        self._food_in[d] += food_in

    def _outputs(self) -> None:
        o = self.out
        generated, separate = np.array(self._generated), np.array(self._separate)
        food_in = np.array(self._food_in)
        o.generated[:] = generated / 1000.0
        o.sorted[:] = 0.0
        o.sorted[:, :3] = separate / 1000.0
        o.unsorted[:] = np.array(self._mixed) / 1000.0
        o.deliveries[:] = np.array(self._bins) / 1000.0
        sorting_d = np.zeros(self.n_districts)
        for a in self.agents:
            if a.sorting:
                sorting_d[a.district] += 1
        o.participation[:] = sorting_d / np.maximum(self.households_per_district, 1)
        food = generated[:, 0]
        total = generated.sum(axis=1)
        food_bin = separate[:, 0]
        o.food_capture[:] = np.divide(food_in, food, out=np.zeros_like(food), where=food > 0)
        o.food_purity[:] = np.divide(food_in, food_bin, out=np.full_like(food, np.nan),
                                     where=food_bin > 0)
        o.sorted_share[:] = np.divide(food_bin, total, out=np.zeros_like(total), where=total > 0)

    def withdraw_supervision(self, share: float) -> None:
        self.policy.withdraw(share)
