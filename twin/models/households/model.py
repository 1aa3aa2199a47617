"""The households model in a run: builds the population, steps the array engine once a day
from the master clock, publishes the day's deliveries to the collection points and records
per-district, per-stream results."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import xarray as xr

from twin.core.clock import DAY_S, SPRING_FESTIVAL
from twin.core.model import RunContext, TwinModel
from twin.coupling import Channel
from twin.models.households.adoption import HouseholdsABM
from twin.models.households.params import (
    STREAMS,
    Campaign,
    HouseholdsParams,
    SupervisionWithdrawn,
)
from twin.models.households.population import build_population


class HouseholdsModel(TwinModel):
    """Households generate waste per stream and adopt (or drop) sorting, day by day.

    Other models read the `population` channel (car, piped_gas, district, ...); the waste
    model reads the `waste_deliveries` channel.
    """

    name = "households"
    Params = HouseholdsParams
    events = {"supervision_withdrawn": SupervisionWithdrawn, "campaign": Campaign}
    publishes = (
        Channel("waste_deliveries", "t",
                "Tonnes put into each collection point's containers today: float array "
                "[collection_point, container] with containers (food, recyclable, hazardous, "
                "residual); published once a day at 00:00 for that day."),
        Channel("population", "1",
                "The household population as a struct of arrays in the city's household order "
                "(twin.models.households.population.Population: district, size, point, car, "
                "piped_gas, x_m, y_m, walk_m); published once when the run starts."),
    )

    def __init__(self, ctx: RunContext, params: HouseholdsParams):
        super().__init__(ctx, params)
        self.population = build_population(ctx.city, params, ctx.streams)
        self.abm = HouseholdsABM(params, self.population, ctx.streams, ctx.calendar)

    @property
    def households(self):
        """AgentSet-like view of the households (arrays, no per-household objects)."""
        return self.abm.households

    def start(self) -> None:
        r, d = self.ctx.recorder, self.ctx.city.districts
        r.coord("district", list(d.name))
        r.coord("district_zh", list(d.name_zh), dim="district", long_name="district (Chinese)")
        r.coord("stream", list(STREAMS), long_name="waste stream (container)")
        ds = ("district", "stream")
        r.declare("waste_generated", dims=ds, units="t/d",
                  long_name="household waste generated, by material stream")
        r.declare("waste_sorted", dims=ds, units="t/d",
                  long_name="tonnes put into the stream's separate container (food: with "
                  "impurities; residual: none)")
        r.declare("waste_unsorted", dims=ds, units="t/d",
                  long_name="tonnes of the material stream put into residual containers")
        r.declare("participation", dims=("district",), units="1", bad="low",
                  long_name="share of households sorting")
        r.declare("food_capture", dims=("district",), units="1", bad="low",
                  long_name="food waste in food containers / food waste generated")
        r.declare("food_purity", dims=("district",), units="1", bad="low",
                  long_name="food waste / all waste in food containers")
        r.declare("sorted_share", dims=("district",), units="1", bad="low",
                  long_name="tonnes in food containers / tonnes generated (separation rate)")
        r.declare("households", dims=("district",), units="1", time_dim=None,
                  long_name="households")
        r.declare("car_ownership", dims=("district",), units="1", time_dim=None,
                  long_name="share of households owning a car")
        r.declare("piped_gas_share", dims=("district",), units="1", time_dim=None,
                  long_name="share of households on piped gas (the rest LPG)")
        r.declare("waste_per_person", dims=("district",), units="kg/d", time_dim=None,
                  long_name="household waste per person at the normal level")
        self.publish("population", self.population)
        self.ctx.clock.every(DAY_S, self._tick)

    def _tick(self, t_s: float) -> None:
        out = self.abm.advance(t_s)
        self.publish("waste_deliveries", out.deliveries.copy())
        r = self.ctx.recorder  # copies: the engine reuses its output buffers every day
        for name, values in (("waste_generated", out.generated), ("waste_sorted", out.sorted),
                             ("waste_unsorted", out.unsorted),
                             ("participation", out.participation),
                             ("food_capture", out.food_capture),
                             ("food_purity", out.food_purity),
                             ("sorted_share", out.sorted_share)):
            r.append(name, t_s, values.copy())

    def handle(self, kind: str, payload) -> None:
        if kind == "supervision_withdrawn":
            self.abm.withdraw_supervision(payload.share)
        elif kind == "campaign":
            self.abm.policy.campaign_intensity_per_month = payload.intensity_per_month
        else:
            super().handle(kind, payload)

    def finish(self) -> None:
        pop, r = self.population, self.ctx.recorder
        nd = pop.n_districts
        n = np.bincount(pop.district, minlength=nd).astype(float)
        share = lambda w: np.divide(np.bincount(pop.district, w, nd), n,  # noqa: E731
                                    out=np.zeros(nd), where=n > 0)
        r.set("households", n)
        r.set("car_ownership", share(pop.car))
        r.set("piped_gas_share", share(pop.piped_gas))
        persons = np.bincount(pop.district, pop.size, nd)
        r.set("waste_per_person", np.divide(np.bincount(pop.district, pop.base_kg, nd), persons,
                                            out=np.zeros(nd), where=persons > 0))

    @classmethod
    def horizon_limit(cls, params: HouseholdsParams, start: dt.datetime):
        """The Spring Festival dates twin knows end in 2035 (twin/core/clock.py): past them the
        holiday's effect would silently vanish from the run."""
        if params.spring_festival_effect == 0:
            return None
        first, last = min(SPRING_FESTIVAL), max(SPRING_FESTIVAL)
        lo, hi = params.spring_festival_days
        why = (f"the Spring Festival dates twin knows cover {first}-{last} (twin/core/clock.py), "
               "so the holiday's effect on waste would vanish outside them (with its window "
               f"from {lo:g} to {hi:g} days around the new year); set "
               "models.households.spring_festival_effect = 0 to run without it")
        # the new year falls from 21 January to 20 February: the first day an unknown
        # festival's window may touch, and the last one it may reach
        end = min(dt.datetime(last + 1, 1, 1), dt.datetime(last + 1, 1, 21)
                  + dt.timedelta(days=math.floor(min(lo, 0.0))))
        begin = max(dt.datetime(first, 1, 1), dt.datetime(first - 1, 2, 20)
                    + dt.timedelta(days=math.ceil(max(hi, 0.0)) + 1))
        if start < begin:
            return 0.0, why
        return (end - start).total_seconds(), why

    @classmethod
    def summarize(cls, ds):
        if "participation" not in ds or ds.sizes.get("day", 0) == 0:
            return []
        w = ds["households"] if "households" in ds else xr.ones_like(ds["district"], float)
        part = float((ds["participation"].isel(day=-1) * w).sum() / w.sum())
        gen = ds["waste_generated"].sum(("district", "stream"))
        last = dict(day=slice(-30, None))  # the last 30 days (or fewer)
        food = ds["waste_sorted"].sel(stream="food").sum("district").isel(last)
        food_in = (ds["food_capture"] * ds["waste_generated"].sel(stream="food")).sum(
            "district").isel(last)
        return [("households sorting at the end", round(100 * part, 1), "%"),
                ("waste generated, mean", round(float(gen.mean()), 1), "t/d"),
                ("food containers, last 30 days", round(float(food.mean()), 2), "t/d"),
                ("separation rate (food containers / generated), last 30 days",
                 round(100 * float(food.sum() / gen.isel(last).sum()), 1), "%"),
                ("purity of the food containers, last 30 days",
                 round(100 * float(food_in.sum() / food.sum()), 1) if float(food.sum()) > 0
                 else float("nan"), "%")]
