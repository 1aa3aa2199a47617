"""Parameters and event payloads of the gas network safety model (units in field names).

Per-material tuples follow `MATERIALS`; per-size tuples follow `SIZES`; per-grade tuples
follow grades 1, 2, 3. Figures marked "assumption" have no single public source and are
sized to the ranges in README.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from twin.core.params import param

MATERIALS = ("pe", "steel", "cast_iron", "ductile_iron")
SIZES = ("pinhole", "small", "medium", "rupture")
CAUSES = ("ageing", "third_party", "indoor")
RANKINGS = ("age", "material", "incidents", "risk", "consequence")


@dataclass(frozen=True)
class GasParams:
    """Network, demand, hazards, detection, crews and programmes."""

    # --- network ---------------------------------------------------------------------
    network: Path | None = param(None, "pandapipes JSON network to use (relative to the "
                                 "scenario); omit to generate one on the city's roads")
    gate_stations: int = param(2, "city-gate regulator stations feeding the medium-pressure "
                               "trunk (generated network)", lo=1, hi=50)
    mp_bar: float = param(3.0, "medium-pressure set point at the gate stations, bar gauge "
                          "(GB 50028 medium pressure A: 0.2-0.4 MPa)", lo=0.1, hi=4.0)
    lp_bar: float = param(0.03, "district-regulator outlet (low pressure), bar gauge "
                          "(3 kPa for 2 kPa appliances)", lo=0.01, hi=0.1)
    min_customer_bar: float = param(0.015, "lowest pressure at which appliances work, bar "
                                    "gauge (0.75 x 2 kPa nominal, GB 50028)", lo=0.0, hi=0.1)
    installed_from_year: int = param(1975, "oldest install year of a generated network",
                                     lo=1900, hi=2025)
    material_share: tuple[float, ...] = param(
        (0.55, 0.25, 0.12, 0.08), "share of main length per material (pe, steel, cast_iron, "
        "ductile_iron) in a generated network (assumption)", lo=0.0, hi=1.0)
    service_m_per_household: float = param(
        3.0, "service line and riser length per connected household, m (a 6-storey block of "
        "24 households: ~20 m service + 50 m risers; assumption)", lo=0.0, hi=100.0)
    service_block_households: int = param(
        48, "households per service segment (a block of about two 6-storey buildings); a "
        "road node's services are split into blocks so renewal and isolation work on blocks",
        lo=1, hi=100_000)
    # --- demand ----------------------------------------------------------------------
    piped_share: float = param(0.85, "share of households on piped gas when the households "
                               "model is absent (the rest use LPG cylinders)", lo=0.0, hi=1.0)
    m3_per_household_year: float = param(150.0, "annual gas use of a piped household, m3 "
                                         "(cooking + water heating, central China)",
                                         lo=0.0, hi=2000.0)
    gas_density_kg_per_m3: float = param(0.75, "natural gas density at reference conditions",
                                         lo=0.5, hi=1.0)
    hydraulics_stride_h: float = param(1.0, "hours between hydraulic solves", lo=0.25, hi=24.0)
    # --- incidents -------------------------------------------------------------------
    ageing_per_km_year_at_50y: tuple[float, ...] = param(
        (0.02, 0.15, 0.6, 0.1), "ageing leak rate per km-year at age 50 by material "
        "(assumption, scale of PHMSA distribution leak rates)", lo=0.0, hi=100.0)
    weibull_shape: tuple[float, ...] = param((1.5, 2.5, 2.0, 2.0), "Weibull shape beta of the "
                                             "ageing hazard by material", lo=0.5, hi=6.0)
    third_party_per_km_year: float = param(
        0.41, "third-party strikes per km-year at construction intensity 1 (posterior mean of "
        "calibration/gas_incidents on the national H1 2024 share, 90% CI 0.31-0.54)", lo=0.0,
        hi=100.0)
    construction_intensity: float = param(1.0, "city-wide construction activity factor",
                                          lo=0.0, hi=10.0)
    district_construction: tuple[float, ...] = param(
        (), "per-district construction factors in district order (empty: all 1)", lo=0.0,
        hi=10.0)
    enforcement: float = param(0.0, "share of third-party strikes prevented by enforcement "
                               "(dig-notification, site patrols)", lo=0.0, hi=1.0)
    indoor_per_household_year: float = param(
        5e-4, "indoor hose or appliance faults per piped household-year (assumption)",
        lo=0.0, hi=1.0)
    size_share_ageing: tuple[float, ...] = param((0.6, 0.3, 0.09, 0.01), "leak size shares "
                                                 "of ageing leaks", lo=0.0, hi=1.0)
    size_share_third_party: tuple[float, ...] = param((0.1, 0.3, 0.4, 0.2), "leak size "
                                                      "shares of third-party strikes",
                                                      lo=0.0, hi=1.0)
    hole_mm: tuple[float, ...] = param((1.0, 4.0, 12.0, 0.0), "hole diameter per size class, "
                                       "mm (0: full bore)", lo=0.0, hi=1000.0)
    # --- detection and response ------------------------------------------------------
    sensor_coverage: float = param(0.0, "share of main length with leak sensors (highest "
                                   "risk first)", lo=0.0, hi=1.0)
    sensor_detect_p: float = param(0.9, "probability a sensor detects a leak on its segment",
                                   lo=0.0, hi=1.0)
    sensor_delay_min: float = param(5.0, "sensor detection and alarm delay, min", lo=0.0,
                                    hi=1440.0)
    patrol_days: float = param(30.0, "days between patrols of a segment", lo=1.0, hi=3650.0)
    patrol_detect_p: float = param(0.8, "probability a patrol finds a leak", lo=0.0, hi=1.0)
    public_report_p: tuple[float, ...] = param((0.05, 0.3, 0.8, 1.0), "probability the public "
                                               "smells and reports a leak, by size", lo=0.0,
                                               hi=1.0)
    public_delay_h: float = param(2.0, "mean delay of a public report, h", lo=0.0, hi=1000.0)
    crews: int = param(4, "emergency and repair crews", lo=0, hi=1000)
    crew_speed_factor: float = param(1.0, "crew speed / road speed", lo=0.1, hi=3.0)
    make_safe_min: float = param(20.0, "time on site to make safe (shut valves, vent), min",
                                 lo=0.0, hi=600.0)
    repair_h: tuple[float, ...] = param((2.0, 3.0, 5.0, 10.0), "mean repair time by size, h",
                                        lo=0.0, hi=1000.0)
    relight_min_per_customer: float = param(3.0, "fitter time per cut-off customer on the "
                                            "relight visit, min (second visit)",
                                            lo=0.0, hi=120.0)
    relight_fitters: int = param(10, "fitters relighting in parallel on a second visit "
                                 "(assumption)", lo=1, hi=1000)
    isolate_sizes_from: int = param(3, "size class from which a leak is made safe by closing "
                                    "valves (0 pinhole .. 3 rupture; smaller ones are clamped "
                                    "live; 4: never)", lo=0, hi=4)
    # --- programmes ------------------------------------------------------------------
    renewal_km_per_year: float = param(0.0, "km of mains renewed a year (as PE)",
                                       lo=0.0, hi=10_000.0)
    renewal_services_km_per_year: float = param(0.0, "km of service lines and risers renewed a "
                                                "year", lo=0.0, hi=10_000.0)
    renewal_ranking: str = param("risk", "which segments are renewed first", choices=RANKINGS)
    lpg_to_piped_per_year: float = param(0.0, "LPG households connected to piped gas a year",
                                         lo=0.0, hi=1e7)
    lpg_cylinders_per_household_month: float = param(
        1.0, "LPG cylinder deliveries per LPG household-month (a 15 kg cylinder lasts about a "
        "month of cooking; assumption)", lo=0.0, hi=30.0)
    # --- peak-shaving reserves -------------------------------------------------------
    storage_hours_of_demand: float = param(
        0.0, "peak-shaving storage (LNG/CNG station, gasholder) in hours of mean demand, held "
        "at the gate stations; national rule: local government 3 days (72 h) of mean daily "
        "demand, city gas companies 5% of annual use (NDRC 2018 No. 637)", lo=0.0, hi=10_000.0)
    storage_refill_days: float = param(2.0, "days to refill the storage after it was drawn "
                                       "(assumption)", lo=0.01, hi=365.0)

    def __post_init__(self):
        for name, n in (("material_share", 4), ("ageing_per_km_year_at_50y", 4),
                        ("weibull_shape", 4), ("size_share_ageing", 4),
                        ("size_share_third_party", 4), ("hole_mm", 4), ("public_report_p", 4),
                        ("repair_h", 4)):
            if len(getattr(self, name)) != n:
                raise ValueError(f"{name} needs {n} values, got {len(getattr(self, name))}")
        if self.min_customer_bar >= self.lp_bar:
            raise ValueError("min_customer_bar must be below lp_bar")


@dataclass(frozen=True)
class Leak:
    """A leak on a segment (main-<k> or service-<road node>-<block>) at the event's time."""

    segment: str = param("", "segment id, e.g. main-12 or service-40-0")
    size: str = param("medium", "leak size class", choices=SIZES)
    cause: str = param("third_party", "cause", choices=CAUSES)


@dataclass(frozen=True)
class Isolate:
    """Close the valves around a segment (planned works) for some hours."""

    segment: str = param("", "segment id")
    hours: float = param(4.0, "hours until the segment is reopened and customers relit",
                         lo=0.0, hi=8760.0)


@dataclass(frozen=True)
class Renewal:
    """A renewal programme's tranche: km renewed at the event's time (ranked as
    `renewal_ranking`; whole segments, the remainder carried to the next tranche)."""

    mains_km: float = param(0.0, "km of mains to renew now", lo=0.0, hi=10_000.0)
    services_km: float = param(0.0, "km of service lines and risers to renew now", lo=0.0,
                               hi=10_000.0)


@dataclass(frozen=True)
class Sensors:
    """A sensor roll-out tranche: sensors on the riskiest mains without one, per km."""

    km: float = param(0.0, "km of mains to fit with leak sensors now", lo=0.0, hi=10_000.0)


@dataclass(frozen=True)
class LpgConversion:
    """LPG households connected to piped gas at once (a conversion campaign)."""

    households: int = param(0, "LPG households to connect now", lo=0, hi=10_000_000)


@dataclass(frozen=True)
class SourceOutage:
    """The gate stations' upstream supply fails (a transmission-line cut): the peak-shaving
    storage feeds the city until it runs out."""

    hours: float = param(24.0, "hours until the upstream supply is back", lo=0.0, hi=8760.0)


@dataclass(frozen=True)
class Construction:
    """Construction activity in a district changes (a new metro line, a road project)."""

    district: str = param("", "district name ('' = the whole city)")
    factor: float = param(2.0, "new construction factor", lo=0.0, hi=10.0)
