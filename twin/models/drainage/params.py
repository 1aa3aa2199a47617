"""Parameters and event payloads of the drainage model (units in field names)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from twin.core.params import param
from twin.models.drainage.storms import FORMULAS, PRESETS
from twin.models.drainage.swmm_lid import LID_KINDS


@dataclass(frozen=True)
class DrainageParams:
    """Network, storm, SWMM coupling, street water, road closures and mobile pumps."""

    network: Path | None = param(None, "SWMM .inp to run (relative to the scenario); omit to "
                                 "generate a network for the scenario's city")
    storm: str = param("auto", "rain: 'auto' (the network file's own rain, or a design storm "
                       "on a generated network), 'network', 'design', 'preset' or 'gauge'",
                       choices=("auto", "network", "design", "preset", "gauge"))
    city_formula: str = param("guangzhou_central", "GB 50014 storm-intensity formula set",
                              choices=tuple(FORMULAS))
    return_period_years: float = param(20.0, "design storm return period P, years",
                                       lo=1.0, hi=1000.0)
    duration_min: float = param(120.0, "design storm duration, min", lo=5.0, hi=1440.0)
    peak_position: float = param(0.4, "Chicago peak position r (0.3-0.4 in most Chinese "
                                 "cities)", lo=0.05, hi=0.95)
    storm_step_min: int = param(1, "time step of design and preset hyetographs, min",
                                lo=1, hi=60)
    storm_start_h: float = param(0.0, "hours after the scenario's start at which a design or "
                                 "preset storm begins (dry before)", lo=0.0, hi=8760.0)
    preset: str = param("zhengzhou_2021_peak_hour", "historical storm reconstruction",
                        choices=PRESETS)
    gauge_csv: Path | None = param(None, "rain gauge CSV (minutes,rain_mm or datetime,rain_mm)")
    rain_scale: float = param(1.0, "factor on all rain (written into the run's copy of the "
                              "network, so stepped and plain runs see the same rain)",
                              lo=0.0, hi=10.0)
    # ---- surface calibration (written into the run's copy of the network, like rain_scale)
    imperviousness_scale: float = param(1.0, "factor on every subcatchment's % impervious "
                                        "(capped at 100)", lo=0.2, hi=2.0)
    roughness_scale: float = param(1.0, "factor on every subcatchment's overland Manning n "
                                   "(N-Imperv and N-Perv)", lo=0.2, hi=5.0)
    depression_storage_mm: float | None = param(
        None, "impervious depression storage S-Imperv of every subcatchment, mm (omit: the "
        "network's own; SWMM manual: 1.3-2.5 mm for impervious surfaces)", lo=0.0, hi=20.0)
    stride_s: int = param(60, "SWMM is advanced and read every stride, s", lo=1, hi=3600)
    report_step_s: int = param(0, "time series (node depths, street water, closures, pumps) "
                               "recorded every this many seconds, a multiple of stride_s, like "
                               "SWMM's REPORT_STEP (its default: 900); 0: every stride. Peaks, "
                               "totals, books and waterlogging figures use every stride "
                               "whatever this is", lo=0, hi=86400)
    lookahead_s: int = param(1800, "SWMM may run this far ahead of the SimPy clock, stride by "
                             "stride, when no drainage event falls in between (one call to the "
                             "engine process for many strides; 0: one call per stride), s",
                             lo=0, hi=86400)
    engine_timeout_s: float = param(900.0, "longest a single SWMM call may take before the "
                                    "run fails, s", lo=1.0, hi=86400.0)
    street_area_m2: float = param(1000.0, "on a user network, street area over which a "
                                  "flooding node's water spreads (a waterlogging point), m2",
                                  lo=1.0, hi=1e7)
    street_share_of_land: float = param(0.3, "on a generated network, share of a junction's "
                                        "land where its flood water spreads (streets, yards)",
                                        lo=0.001, hi=1.0)
    street_drain_m3_per_s: float = param(0.2, "on a user network, rate at which street water "
                                         "drains back through the inlets once the node stops "
                                         "flooding, m3/s (a generated network uses each "
                                         "point's design inlet capacity)", lo=0.0, hi=10.0)
    road_closure_depth_m: float = param(0.15, "water on the street above which a road is "
                                        "closed (GB 51222-2017 lane limit 15 cm)", lo=0.0, hi=2.0)
    road_reopen_depth_m: float = param(0.05, "water depth below which a closed road reopens, m",
                                       lo=0.0, hi=2.0)
    mobile_pumps: int = param(0, "mobile pump trucks on standby from the start", lo=0, hi=200)
    mobile_pump_rate_m3_per_s: float = param(0.4, "pumping rate of one truck on site, m3/s "
                                             "(1,440 m3/h; trucks range 500-3,000 m3/h)",
                                             lo=0.0, hi=5.0)
    mobile_pump_setup_min: float = param(10.0, "time to set up on site before pumping, min",
                                         lo=0.0, hi=240.0)
    mobile_pump_travel_min: float = param(20.0, "travel time to a point when the network has "
                                          "no road graph (a user .inp), min", lo=0.0, hi=600.0)

    # ---- design basis and levers of a generated network (ignored on a user .inp)
    pipe_design_return_period_years: float = param(
        5.0, "return period the generated sewers are sized for by the rational method, y "
        "(GB 50014-2021 table 4.1.3: 3-5 y for central areas of large cities)", lo=1.0, hi=100.0)
    inlet_time_min: float = param(10.0, "inlet (surface) time of concentration t1, min "
                                  "(GB 50014-2021 4.2.10: 5-15 min)", lo=5.0, hi=15.0)
    pump_design: str = param("model", "station capacity criterion: 'model' (peak inflow at "
                             "the station in SWMM under the pipe design storm) or 'rational' "
                             "(Q = C q A at the station)", choices=("model", "rational"))
    station_storage_m3_per_ha: float = param(
        0.0, "regulating storage ahead of each pumping station (a tank 5 m deep below the "
        "trunk invert), m3 per ha of the land the station drains; with pump_design = 'model' "
        "the pumps are then sized to the smallest capacity whose tank the pipe design storm "
        "never overfills (GB 50014-2021 4.14: regulating storage to cut peak flows); 0: a wet "
        "well only", lo=0.0, hi=3000.0)
    pump_capacity_scale: float = param(1.0, "factor on every station's design capacity",
                                       lo=0.0, hi=10.0)
    renewal_km: float = param(0.0, "km of trunk sewers rebuilt to the renewal standard, "
                              "largest upstream area first", lo=0.0, hi=10000.0)
    renewal_return_period_years: float = param(20.0, "standard the renewed sewers are sized "
                                               "for, y", lo=1.0, hi=100.0)
    lid_share: float = param(0.0, "share of every subcatchment's area under sponge-city LID "
                             "(SWMM LID controls)", lo=0.0, hi=0.5)
    lid_kind: str = param("mix", "LID measure: bioretention, permeable_pavement, green_roof "
                          "or mix (a third each)", choices=LID_KINDS)
    # ---- street (dual drainage)
    street_return: str = param("auto", "where street water draining through the inlets goes: "
                               "'sewer' (back into SWMM as inflow, booked there), 'off' "
                               "(removed at the inlet rate, booked as drained but not routed: "
                               "a user network's run stays equal to plain SWMM), 'auto' "
                               "(sewer on a generated network, off on a user network)",
                               choices=("auto", "sewer", "off"))
    bank_weir_length_m: float = param(20.0, "length of bank over which street water at a point "
                                      "by the river spills into it (generated network), m",
                                      lo=0.0, hi=1000.0)
    waterlogging_min_duration_min: float = param(
        30.0, "a waterlogging point: street water above the lane limit for longer than this, "
        "min", lo=0.0, hi=1440.0)
    max_continuity_error_pct: float = param(
        5.0, "a run whose SWMM runoff continuity error (or, on a generated network, routing "
        "error) exceeds this is refused as absurd, %", lo=0.1, hi=100.0)

    def __post_init__(self):
        if self.storm == "gauge" and self.gauge_csv is None:
            raise ValueError("storm = 'gauge' needs gauge_csv")
        if self.storm == "network" and self.network is None:
            raise ValueError("storm = 'network' needs a network file")
        if self.report_step_s % self.stride_s:
            raise ValueError(f"report_step_s ({self.report_step_s}) must be a multiple of "
                             f"stride_s ({self.stride_s}), or 0 (every stride)")
        if self.road_reopen_depth_m > self.road_closure_depth_m:
            raise ValueError("road_reopen_depth_m must not exceed road_closure_depth_m")


@dataclass(frozen=True)
class PumpOutage:
    """A pumping station loses power (its pumps stop) and, optionally, gets it back."""

    station: str = param("", "station site name (e.g. PS01) or SWMM pump id; '' = all pumps")
    restore_after_h: float = param(0.0, "hours until power returns; 0 = not during the run",
                                   lo=0.0, hi=8760.0)


@dataclass(frozen=True)
class PumpRestore:
    """Power returns to a pumping station."""

    station: str = param("", "station site name or SWMM pump id; '' = all pumps")


@dataclass(frozen=True)
class InletBlockage:
    """Inlets at a node blocked by debris: the pipes leaving it carry at most a fraction of
    their full-bore capacity."""

    node: str = param("", "SWMM node id (J<road node> on a generated network)")
    capacity_fraction: float = param(0.3, "share of full-pipe capacity left", lo=0.0, hi=1.0)
    clear_after_h: float = param(0.0, "hours until cleared; 0 = not during the run",
                                 lo=0.0, hi=8760.0)


@dataclass(frozen=True)
class MobilePumpDispatch:
    """More mobile pump trucks become available (e.g. called in from other districts)."""

    trucks: int = param(2, "number of trucks dispatched", lo=1, hi=200)


@dataclass(frozen=True)
class PumpCapacity:
    """Pumping capacity added at a station (new pumps to the river), from the event on."""

    station: str = param("", "station site name (e.g. PS01) or SWMM pump id; '' = every "
                         "station, the added capacity shared by their design capacities")
    added_m3_per_s: float = param(1.0, "capacity added, m3/s", lo=0.0, hi=5000.0)
