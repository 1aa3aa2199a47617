"""Parameters of the parking model and its event payloads: frozen dataclasses, units in names.

Figures marked "assumption" have no single public source; the README lists the magnitudes
checked against published ranges (Shoup 2006, Pierce & Shoup 2013, SFMTA 2014).
"""

from __future__ import annotations

from dataclasses import dataclass

from twin.core.params import param

GROUPS = ("resident", "commuter", "visitor")
ACCESS = ("public", "residential", "shared")
PUBLIC, RESIDENTIAL, SHARED = range(3)
KINDS = ("kerb", "lot", "garage", "pool")  # pool: a district's residential / shared spaces


@dataclass(frozen=True)
class ParkingParams:
    """Supply, demand, choice, search, pricing, enforcement and flooding of parking."""

    # --- supply ----------------------------------------------------------------------
    kerb_usable_share: float = param(
        0.35, "share of a local street's two kerbs where parking is allowed (junctions, "
        "driveways, bus stops and hydrants excluded; assumption)", lo=0.0, hi=1.0)
    arterial_kerb_usable_share: float = param(
        0.0, "the same on arterials (none by default: no kerb parking on arterials)",
        lo=0.0, hi=1.0)
    kerb_space_m: float = param(6.0, "kerb length per parallel space, m (GB 50763 style "
                                "6 x 2.5 m bays)", lo=4.0, hi=10.0)
    lot_spaces_mean: float = param(
        180.0, "mean spaces per off-street lot site (scaled by the district's commercial share; "
        "assumption)", lo=0.0, hi=100_000.0)
    underground_commercial_share: float = param(
        0.2, "lots in districts whose commercial land share is at least this are underground "
        "garages (dense centres build below ground)", lo=0.0, hi=1.0)
    residential_spaces_per_car: float = param(
        0.7, "private residential compound spaces per resident car (Chinese compounds: "
        "0.5-1.0 per household in post-2000 estates; assumption)", lo=0.0, hi=5.0)
    shared_share: float = param(
        0.0, "share of residential spaces opened to the public as shared parking", lo=0.0,
        hi=1.0)
    added_public_spaces: int = param(
        0, "public spaces added city-wide at the start (shared out by population; a plan's "
        "programme as a parameter, so sweeps can vary it)", lo=0, hi=10_000_000)
    added_shared_spaces: int = param(0, "shared spaces added city-wide at the start", lo=0,
                                     hi=10_000_000)
    added_residential_spaces: int = param(0, "private residential spaces added city-wide at "
                                          "the start", lo=0, hi=10_000_000)
    shared_window_h: tuple[float, ...] = param(
        (8.0, 18.0), "hours shared spaces are open to the public (start, end), while residents "
        "are at work", lo=0.0, hi=24.0)

    # --- prices, limits, enforcement --------------------------------------------------
    kerb_price_cny_per_h: float = param(
        4.0, "kerb price in the paid hours, CNY/h (Chinese city centres 2-10 CNY/h)", lo=0.0,
        hi=100.0)
    lot_price_cny_per_h: float = param(5.0, "public lot / garage price in the paid hours, "
                                       "CNY/h", lo=0.0, hi=100.0)
    shared_price_cny_per_h: float = param(3.0, "shared-space price, CNY/h", lo=0.0, hi=100.0)
    paid_hours_h: tuple[float, ...] = param(
        (8.0, 20.0), "paid period (start, end hour); free outside it", lo=0.0, hi=24.0)
    kerb_time_limit_h: float = param(
        2.0, "kerb time limit, h (overstays caught with the enforcement level)", lo=0.0,
        hi=24.0)
    enforcement_level: float = param(
        0.1, "probability an illegal or overstaying car is caught (strict enforcement "
        "roads: 0.8-1)", lo=0.0, hi=1.0)
    fine_cny: float = param(150.0, "parking fine, CNY (China: 20-200 CNY by city)", lo=0.0,
                            hi=10_000.0)

    # --- demand ------------------------------------------------------------------------
    car_ownership_share: float = param(
        0.4167, "cars per household when the households model is absent (2020 census: 41.67% "
        "of family households own a car)", lo=0.0, hi=3.0)
    resident_daily_use_share: float = param(
        0.55, "share of resident cars driven out each weekday and parked back at night "
        "(assumption)", lo=0.0, hi=1.0)
    commuter_cars_per_1000_people: float = param(
        60.0, "commuter cars parking at workplaces per 1,000 residents per weekday, shared out "
        "by jobs (commercial + industrial land) (assumption)", lo=0.0, hi=2_000.0)
    visitor_cars_per_1000_people: float = param(
        150.0, "visitor car arrivals (shopping, business, leisure) per 1,000 residents per "
        "weekday, shared out by commercial land (assumption)", lo=0.0, hi=5_000.0)
    weekend_commuter_factor: float = param(0.3, "commuter arrivals on weekends and holidays "
                                           "/ weekdays", lo=0.0, hi=5.0)
    weekend_visitor_factor: float = param(1.3, "visitor arrivals on weekends / weekdays",
                                          lo=0.0, hi=5.0)
    demand_growth: float = param(1.0, "multiplier on commuter and visitor demand (growth "
                                 "scenarios)", lo=0.0, hi=10.0)
    dwell_median_h: tuple[float, ...] = param(
        (13.0, 8.5, 1.2), "median dwell by group (resident, commuter, visitor), h", lo=0.01,
        hi=72.0)
    dwell_sigma: tuple[float, ...] = param(
        (0.25, 0.2, 0.8), "lognormal sigma of dwell by group (visitor CV about 0.9)", lo=0.0,
        hi=3.0)

    # --- choice and search ---------------------------------------------------------------
    value_of_time_cny_per_h: float = param(
        30.0, "drivers' value of time, CNY/h (about half the urban hourly wage; assumption)",
        lo=0.0, hi=1_000.0)
    walk_weight: float = param(2.0, "walking time weight relative to driving time (Wardman "
                               "2004: 1.5-2)", lo=0.0, hi=10.0)
    search_weight: float = param(1.5, "weight of expected search time relative to driving",
                                 lo=0.0, hi=10.0)
    logit_scale_cny: float = param(5.0, "logit scale: utility differences of this many CNY "
                                   "change odds by e", lo=0.01, hi=1_000.0)
    max_walk_m: float = param(800.0, "farthest option a driver considers, walking m", lo=50.0,
                              hi=5_000.0)
    options: int = param(6, "options in a driver's choice set (nearest first)", lo=1, hi=50)
    choice_interval_min: float = param(
        10.0, "drivers choose by the occupancy known at most this long before they arrive "
        "(choices are drawn in batches of this length)", lo=0.01, hi=60.0)
    search_radius_m: float = param(1_500.0, "how far along the roads drivers search on", lo=0.0,
                                   hi=10_000.0)
    cruise_speed_kmh: float = param(12.0, "cruising speed while searching, km/h (Shoup "
                                    "2006: slow, 10-15)", lo=1.0, hi=60.0)
    circuity: float = param(1.3, "road distance / straight distance between options", lo=1.0,
                            hi=3.0)
    patience_min: float = param(15.0, "search time after which a driver stops searching",
                                lo=0.0, hi=240.0)
    illegal_share: float = param(
        0.5, "share of drivers out of patience who park illegally when never caught; times "
        "(1 - enforcement level) (assumption)", lo=0.0, hi=1.0)
    walk_speed_m_per_s: float = param(1.3, "walking speed, m/s", lo=0.3, hi=3.0)

    # --- performance pricing (SFpark) ------------------------------------------------------
    pricing: str = param("fixed", "fixed prices, or SFpark performance pricing of kerbs and "
                         "public lots", choices=("fixed", "performance"))
    band: tuple[float, ...] = param((0.6, 0.8), "target occupancy band (SFpark: 60-80%)",
                                    lo=0.0, hi=1.0)
    price_step_cny_per_h: float = param(0.25, "price change per review (SFpark: 0.25 USD)",
                                        lo=0.0, hi=100.0)
    price_min_cny_per_h: float = param(0.5, "lowest performance price", lo=0.0, hi=100.0)
    price_max_cny_per_h: float = param(30.0, "highest performance price", lo=0.0, hi=1_000.0)
    review_days: int = param(1, "days between price reviews (at midnight)", lo=1, hi=365)
    elasticity: float = param(-0.4, "price elasticity of parking demand (SFpark measured -0.4; "
                              "literature -0.1 to -0.6)", lo=-3.0, hi=0.0)
    reference_price_cny_per_h: float = param(
        4.0, "price at which demand is as stated; demand scales with (price/this)^elasticity",
        lo=0.01, hi=100.0)

    # --- flooding ---------------------------------------------------------------------------
    garage_flood_depth_m: float = param(
        0.15, "street water at an underground garage's entrance above which it floods "
        "(ramp hump height; assumption)", lo=0.0, hi=5.0)

    def __post_init__(self):
        for name in ("shared_window_h", "paid_hours_h"):
            w = getattr(self, name)
            if len(w) != 2 or not w[0] <= w[1]:
                raise ValueError(f"{name} must be [start, end] with start <= end, got {list(w)}")
        if len(self.band) != 2 or not self.band[0] <= self.band[1]:
            raise ValueError(f"band must be [bottom, top] with bottom <= top, got "
                             f"{list(self.band)}")
        for name in ("dwell_median_h", "dwell_sigma"):
            if len(getattr(self, name)) != len(GROUPS):
                raise ValueError(f"{name} needs one value per group ({', '.join(GROUPS)})")
        if self.price_min_cny_per_h > self.price_max_cny_per_h:
            raise ValueError("price_min_cny_per_h must not exceed price_max_cny_per_h")


@dataclass(frozen=True)
class AddSpaces:
    """Add spaces in a district (or city-wide, shared out by population) of one access kind."""

    spaces: int = param(0, "spaces to add", lo=0, hi=10_000_000)
    district: str = param("", "district name; empty: city-wide, by population")
    access: str = param("public", "who may park", choices=ACCESS)
    underground: bool = param(False, "added public spaces are in an underground garage")


@dataclass(frozen=True)
class OpenLot:
    """Open a new lot or garage in a district."""

    name: str = param("", "the new lot's name (not a name the city already has)")
    district: str = param("", "district name")
    spaces: int = param(0, "spaces", lo=0, hi=1_000_000)
    access: str = param("public", "who may park", choices=ACCESS)
    underground: bool = param(False, "an underground garage (can flood)")
    price_cny_per_h: float = param(-1.0, "price in paid hours; negative: the lot price",
                                   lo=-1.0, hi=100.0)


@dataclass(frozen=True)
class CloseLot:
    """Close a lot (works, conversion); cars inside stay until they leave."""

    lot: str = param("", "lot name")


@dataclass(frozen=True)
class Enforcement:
    """Change the enforcement level in a district (or city-wide)."""

    level: float = param(0.9, "probability an illegal or overstaying car is caught", lo=0.0,
                         hi=1.0)
    district: str = param("", "district name; empty: city-wide")


@dataclass(frozen=True)
class SetPrice:
    """Set the paid-hours price of a lot, or of every kerb / public lot in a district."""

    price_cny_per_h: float = param(0.0, "new price", lo=0.0, hi=100.0)
    lot: str = param("", "a lot name; empty: every facility of `kind` in `district`")
    district: str = param("", "district name; empty: city-wide")
    kind: str = param("kerb", "kerb or lot (with lot empty)", choices=("kerb", "lot"))
