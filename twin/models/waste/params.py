"""Parameters of the waste-collection model: one frozen dataclass, units in field names.

Per-stream tuples follow `STREAMS` = (food, recyclable, hazardous, residual); per-destination
tuples follow `DESTINATIONS`. Capacities that a city plan states for a whole megacity are
given per person (kg/person/day, houses per million people) so that one scenario file fits
any city; README.md shows the arithmetic from the plan's figures.

Where a figure has no single public source it is marked "assumption" and sized to match the
yardsticks the model is validated against (5-7 t per truck-day, 0.8-1.3 t per point-day).
"""

from __future__ import annotations

from dataclasses import dataclass

from twin.core.params import param
from twin.models.waste.plan_cities import known_cities, load_plan_city

try:  # the households package owns the container order; fall back to the agreed order
    from twin.models.households import STREAMS as _HH_STREAMS
except ImportError:  # pragma: no cover - households not installed yet
    _HH_STREAMS = ("food", "recyclable", "hazardous", "residual")

STREAMS: tuple[str, ...] = tuple(_HH_STREAMS)
FOOD, RECYCLABLE, HAZARDOUS, RESIDUAL = (STREAMS.index(s) for s in
                                         ("food", "recyclable", "hazardous", "residual"))
DESTINATIONS = ("incineration", "digestion", "recycling", "hazardous_treatment", "landfill")
INCINERATION, DIGESTION, RECYCLING, HAZARDOUS_TREATMENT, LANDFILL = range(5)
# where each stream is treated when it is collected separately
STREAM_DESTINATION = {FOOD: DIGESTION, RECYCLABLE: RECYCLING, HAZARDOUS: HAZARDOUS_TREATMENT,
                      RESIDUAL: INCINERATION}


@dataclass(frozen=True)
class WasteParams:
    """Collection points, trucks, transfer stations, plants, costs and routing."""

    # --- collection points (fixed-time, fixed-place sorting) ---------------------------
    morning_window_h: tuple[float, ...] = param(
        (6.5, 8.5), "morning drop-off window, start and end hour (Shanghai: 06:30-08:30)",
        lo=0.0, hi=24.0)
    evening_window_h: tuple[float, ...] = param(
        (17.5, 20.5), "evening drop-off window, start and end hour (Shanghai: 17:30-20:30)",
        lo=0.0, hi=24.0)
    morning_share: float = param(0.4, "share of a day's deliveries made in the morning window "
                                 "(assumption)", lo=0.0, hi=1.0)
    missed_time_share: float = param(0.1, "share delivered outside the windows at the "
                                     "missed-time bins, spread over 06:00-22:00 (assumption)",
                                     lo=0.0, hi=1.0)
    container_m3: tuple[float, ...] = param(
        (0.96, 3.3, 0.24, 6.6), "container volume per point and stream, m3 (4x240 L food, "
        "3x1100 L recyclable, 1x240 L hazardous, 6x1100 L residual bins)", lo=0.01, hi=50.0)
    bin_density_t_per_m3: tuple[float, ...] = param(
        (0.60, 0.08, 0.30, 0.15), "loose density in bins, t/m3 (food 0.5-0.7; residual "
        "0.09-0.18, typ. 0.13: Tchobanoglous et al. 1993, table 4-1)", lo=0.01, hi=1.5)
    sorting_point_share: float = param(
        0.9, "share of collection points that are sorting houses with four containers; the "
        "others have mixed bins and everything goes to residual (assumption)", lo=0.0, hi=1.0)
    new_sorting_houses_per_million_people: float = param(
        0.0, "legacy points converted to sorting houses, per million people (plan: 700 houses "
        "/ 24.87 M people = 28.1)", lo=0.0, hi=10_000.0)

    # --- collection trucks, per stream -----------------------------------------------
    truck_capacity_t: tuple[float, ...] = param(
        (4.0, 2.0, 1.0, 8.0), "payload per stream's truck, t (5-t wet-waste truck, 2-t box van, "
        "1-t hazardous van, 8-t rear-loader compactor)", lo=0.1, hi=40.0)
    truck_volume_m3: tuple[float, ...] = param(
        (6.0, 14.0, 4.0, 14.0), "body volume per stream's truck, m3", lo=0.5, hi=60.0)
    compaction_ratio: tuple[float, ...] = param(
        (1.0, 1.5, 1.0, 2.5), "density in the body / density in bins (compactors 2-3, "
        "Tchobanoglous et al. 1993 ch. 8)", lo=1.0, hi=6.0)
    collection_interval_days: tuple[float, ...] = param(
        (1.0, 1.0, 7.0, 1.0), "days between collections of a stream's containers (food and "
        "residual daily: Shanghai 'ri chan ri qing')", lo=1.0, hi=30.0)
    round_start_h: tuple[float, ...] = param(
        (8.75, 9.0, 9.0, 8.75), "hour the rounds of each stream leave the depot (after the "
        "morning window)", lo=0.0, hi=23.0)
    shift_h: float = param(7.0, "longest working time of a collection round, h (8-h shift less "
                           "breaks)", lo=1.0, hi=16.0)
    crew_per_truck: tuple[float, ...] = param((2.0, 2.0, 1.0, 2.0), "crew per truck incl. driver",
                                              lo=1.0, hi=5.0)
    stop_fixed_min: tuple[float, ...] = param(
        (6.0, 6.0, 5.0, 6.0), "fixed time per stop: park, open the house, walk bins, log "
        "(assumption)", lo=0.0, hi=60.0)
    service_min_per_m3: tuple[float, ...] = param(
        (4.0, 3.0, 4.0, 2.0), "loading time per m3 in bins: about 1 min per 240 L bin, 2 min "
        "per 1100 L bin (assumption)", lo=0.0, hi=60.0)

    # --- transfer stations -----------------------------------------------------------
    weighbridges: int = param(1, "weighbridges per transfer station", lo=1, hi=10)
    tipping_bays: int = param(2, "tipping bays per transfer station", lo=1, hi=20)
    weigh_min: float = param(3.0, "mean weighing time per truck, min (exponential)", lo=0.1,
                             hi=30.0)
    tip_min: float = param(8.0, "mean tipping time per truck, min (exponential)", lo=0.5,
                           hi=60.0)
    upgraded_station_share: float = param(
        0.0, "share of transfer stations upgraded (plan: 18 stations; see README)", lo=0.0,
        hi=1.0)
    upgraded_weighbridges: int = param(2, "weighbridges of an upgraded station", lo=1, hi=10)
    upgraded_tipping_bays: int = param(4, "tipping bays of an upgraded station", lo=1, hi=20)
    upgraded_weigh_min: float = param(1.5, "weighing time at an upgraded (automatic, RFID) "
                                      "weighbridge, min", lo=0.1, hi=30.0)
    station_queues: str = param(
        "fcfs", "how station queues run: the exact first-come-first-served recursion (fast) or "
        "SimPy resources (the reference it is tested equal to)", choices=("fcfs", "resources"))
    transfer_truck_capacity_t: float = param(20.0, "payload of a transfer (container) truck, t",
                                             lo=1.0, hi=60.0)
    transfer_trucks_per_station: int = param(2, "transfer trucks per station", lo=1, hi=50)
    transfer_handling_min: float = param(30.0, "loading at the station plus unloading at the "
                                         "plant per transfer trip, min", lo=0.0, hi=240.0)
    station_clear_h: float = param(22.0, "hour each station ships what is left (partial loads)",
                                   lo=0.0, hi=24.0)

    # --- treatment plants ------------------------------------------------------------
    incineration_kg_per_person_day: float = param(
        0.45, "incineration capacity per person, kg/day (today: assumption)", lo=0.0, hi=10.0)
    digestion_kg_per_person_day: float = param(
        0.20, "anaerobic digestion / composting capacity per person, kg/day", lo=0.0, hi=10.0)
    recycling_kg_per_person_day: float = param(
        0.25, "recycling facility capacity per person, kg/day", lo=0.0, hi=10.0)
    digestion_residue_share: float = param(0.20, "share of digestion input left as residue and "
                                           "incinerated (issue: about 20%)", lo=0.0, hi=1.0)
    recycling_reject_share: float = param(0.10, "share of recyclables rejected at sorting and "
                                          "incinerated (assumption)", lo=0.0, hi=1.0)

    bunker_days: tuple[float, ...] = param(
        (5.0, 1.0, 2.0), "bunker of the incinerator, digestion plant and recycling facility, "
        "in days of rated throughput (incinerator pits: 5-7 days, CJJ 90-2009 technical code "
        "for MSW incineration; food-waste receiving tanks about a day: assumption)",
        lo=0.0, hi=30.0)
    plant_lines: tuple[float, ...] = param(
        (3.0, 2.0, 1.0), "process lines of the incinerator, digestion plant and recycling "
        "facility (a line down takes its share of the capacity; assumption)", lo=1.0, hi=20.0)
    maintenance_days_per_year: float = param(
        21.0, "planned maintenance per line and year, days, lines staggered (assumption)",
        lo=0.0, hi=180.0)
    breakdowns_per_line_year: float = param(
        3.0, "unplanned outages per line and year (with maintenance: 91% availability, about "
        "the 8,000 operating h/yr WtE lines are designed for)", lo=0.0, hi=100.0)
    repair_days: float = param(4.0, "mean length of an unplanned outage, days (geometric)",
                               lo=1.0, hi=60.0)
    ash_share: float = param(
        0.23, "bottom plus fly ash left by incineration, share of input mass (grate plants: "
        "bottom ash about 20%, fly ash about 3%); a residue, not raw waste landfilled",
        lo=0.0, hi=0.6)
    informal_recyclable_share: float = param(
        0.4, "share of the recyclables put out at sorting houses that informal collectors "
        "take before the formal round (assumption: Linzner & Salhofer 2014, Waste Manag. "
        "Res. 32:896, describe informal collectors taking most saleable recyclables in urban "
        "China; a lever: integrating them into the formal system)", lo=0.0, hi=1.0)

    spinup_days: int = param(
        7, "days left out of the summary and the intervals: the run starts with empty "
        "containers and bunkers (5-day bunkers settle within a week)", lo=0, hi=365)

    plan_city: str = param(
        "", "plan city whose figures and population the run answers for (a folder of "
        "scenarios/cities; empty: plan_population_m)", choices=("", *known_cities()))
    plan_projects: bool = param(
        False, "apply the plan city's projects (sorting houses, upgraded stations, "
        "capacities by kind, per person of the plan city) over the values in this file")
    plan_population_m: float = param(
        24.87, "population of the city whose plan figures the per-person capacities scale "
        "(Shanghai, 2020 census: 24.87 M); only used to report results at plan scale",
        lo=0.001, hi=100.0)

    # --- costs and emissions -----------------------------------------------------------
    collection_fuel_l_per_100km: float = param(
        40.0, "diesel use of collection trucks in stop-go service, L/100 km (assumption)",
        lo=1.0, hi=200.0)
    transfer_fuel_l_per_100km: float = param(35.0, "diesel use of transfer trucks, L/100 km "
                                             "(assumption)", lo=1.0, hi=200.0)
    stop_fuel_l_per_h: float = param(3.0, "diesel burnt while loading and compacting at stops, "
                                     "L/h (assumption)", lo=0.0, hi=50.0)
    diesel_price_cny_per_l: float = param(7.5, "diesel price, CNY/L (China retail 2023: 7-8)",
                                          lo=0.0, hi=50.0)
    diesel_co2_kg_per_l: float = param(2.68, "CO2 from burning diesel, kg/L (IPCC 2006 "
                                       "default: 74.1 t/TJ x 36 MJ/L)", lo=2.0, hi=3.5)
    wage_cny_per_h: float = param(
        40.0, "cost of a crew member, CNY/h: about 1.9 x Shanghai's 2023 minimum wage (2,690 "
        "CNY/month) plus ~35% employer social contributions, over 174 h/month", lo=0.0,
        hi=1_000.0)
    gate_fee_cny_per_t: tuple[float, ...] = param(
        (260.0, 300.0, 0.0, 3_000.0, 120.0), "gate fee per destination (incineration, "
        "digestion, recycling, hazardous, landfill), CNY/t (assumption: typical municipal "
        "tender prices)", lo=0.0, hi=100_000.0)

    # --- routing ------------------------------------------------------------------------
    routing: str = param("auto", "route planner: PyVRP (HGS), a space-filling-curve split "
                         "heuristic, or auto (PyVRP up to pyvrp_max_points per depot)",
                         choices=("auto", "pyvrp", "sfc"))
    pyvrp_max_points: int = param(1_500, "largest set of points per depot routed with PyVRP",
                                  lo=1, hi=100_000)
    vrp_iterations: int = param(2_000, "PyVRP iterations (deterministic stopping rule)",
                                lo=1, hi=1_000_000)
    route_margin: float = param(1.25, "planned load = mean load x this margin (rounds are "
                                "fixed, so they must absorb day-to-day swings)", lo=1.0, hi=3.0)
    replan_change: float = param(0.25, "re-plan a stream's rounds when its daily tonnes move "
                                 "this far from the planned figure", lo=0.01, hi=10.0)

    def __post_init__(self):
        for name in ("morning_window_h", "evening_window_h"):
            w = getattr(self, name)
            if len(w) != 2 or not w[0] < w[1]:
                raise ValueError(f"{name} must be [start, end] with start < end, got {list(w)}")
        if self.morning_window_h[1] > self.evening_window_h[0]:
            raise ValueError("morning_window_h must end before evening_window_h starts")
        if self.morning_share + self.missed_time_share > 1.0:
            raise ValueError("morning_share + missed_time_share must not exceed 1")
        for f in ("container_m3", "bin_density_t_per_m3", "truck_capacity_t", "truck_volume_m3",
                  "compaction_ratio", "collection_interval_days", "round_start_h",
                  "crew_per_truck", "stop_fixed_min", "service_min_per_m3"):
            if len(getattr(self, f)) != len(STREAMS):
                raise ValueError(f"{f} needs one value per stream ({', '.join(STREAMS)})")
        for f in ("bunker_days", "plant_lines"):
            if len(getattr(self, f)) != 3:
                raise ValueError(f"{f} needs three values (incineration, digestion, recycling)")
        if self.plan_city:
            load_plan_city(self.plan_city)  # a contradicting plan stops the scenario here
        elif self.plan_projects:
            raise ValueError("plan_projects = true needs plan_city")
        if len(self.gate_fee_cny_per_t) != len(DESTINATIONS):
            raise ValueError("gate_fee_cny_per_t needs one value per destination ("
                             + ", ".join(DESTINATIONS) + ")")

    def truck_capacity_eff_t(self, s: int) -> float:
        """Payload a truck of stream s can carry: the lesser of weight and compacted volume."""
        vol_t = self.truck_volume_m3[s] * self.bin_density_t_per_m3[s] * self.compaction_ratio[s]
        return min(self.truck_capacity_t[s], vol_t)
