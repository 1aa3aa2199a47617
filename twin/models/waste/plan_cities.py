"""The plan cities of scenarios/cities/<city>/plan.toml: population, households and the plan's
figures (each with its source), checked at load so that a contradiction or a typo stops the
scenario with one ScenarioError naming the file and the key.

A plan's projects are per person of its own city: `project_overrides` turns them into the
waste parameters (houses per million people, share of stations upgraded, capacities in
kg/person/day) that one scenario file carries to the synthetic city."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

from twin.core.errors import ScenarioError

CITIES_DIR = Path(__file__).resolve().parents[3] / "scenarios" / "cities"

# figure -> (kind, what it means); kinds: count (>= 0), t_per_day (>= 0), share (0..1), flag
FIGURES = {
    "sorting_houses": ("count", "new sorting collection houses"),
    "drop_off_points": ("count", "drop-off (collection) points"),
    "upgraded_drop_off_points": ("count", "drop-off points upgraded"),
    "transfer_stations": ("count", "transfer stations"),
    "upgraded_transfer_stations": ("count", "transfer stations upgraded"),
    "circular_parks_upgraded": ("count", "circular-industry parks upgraded"),
    "treatment_t_per_day": ("t_per_day", "treatment capacity, all kinds"),
    "incineration_t_per_day": ("t_per_day", "incineration capacity"),
    "digestion_t_per_day": ("t_per_day", "food-waste (digestion) capacity"),
    "recycling_t_per_day": ("t_per_day", "recycling facility capacity"),
    "recycling_rate_target": ("share", "sorted-waste recycling and reuse rate"),
    "sorting_coverage_target": ("share", "share of residential compounds with sorting"),
    "food_collection_coverage": ("share", "share of the city with kitchen-waste collection"),
    "zero_landfill": ("flag", "zero landfill of raw household waste (1 = a target)"),
}
SECTIONS = {"city": {"name", "population", "population_source", "households",
                     "households_source"},
            "representation": {"builtin", "note"},
            "plan": {"document", "horizon", "figures"}}
REPRESENTATIONS = ("demo",)


@dataclass(frozen=True)
class PlanCity:
    """One plan city: who lives there and what its plan says (value, source per figure)."""

    key: str
    path: Path
    name: str
    population: float
    households: float
    representation: str
    document: str
    figures: dict[str, tuple[float, str]]

    def figure(self, name: str, default: float | None = None) -> float | None:
        return self.figures[name][0] if name in self.figures else default

    def project_overrides(self, n_stations: int | None = None) -> dict[str, float]:
        """The plan's projects as waste parameters, per person of this city."""
        m = self.population / 1e6
        out: dict[str, float] = {}
        # new sorting houses only: upgraded drop-off points (Jingmen) are existing points
        # inside the plan's coverage share, so counting them as houses too would convert
        # them twice (their supervision is the households' supervised_point_share)
        houses = self.figure("sorting_houses", 0.0)
        if houses:
            out["new_sorting_houses_per_million_people"] = houses / m
        if "sorting_coverage_target" in self.figures:
            out["sorting_point_share"] = self.figure("sorting_coverage_target")
        up = self.figure("upgraded_transfer_stations")
        if up is not None:
            total = self.figure("transfer_stations")
            # without the city's station count, the upgraded ones are read as its trunk
            # stations, all upgraded (README: "Plan figures")
            out["upgraded_station_share"] = min(1.0, up / total) if total else 1.0
        for fig, prm in (("incineration_t_per_day", "incineration_kg_per_person_day"),
                         ("digestion_t_per_day", "digestion_kg_per_person_day"),
                         ("recycling_t_per_day", "recycling_kg_per_person_day")):
            if fig in self.figures:
                out[prm] = self.figure(fig) * 1000.0 / self.population
        return out


def known_cities() -> tuple[str, ...]:
    """Folder names under scenarios/cities that hold a plan.toml."""
    if not CITIES_DIR.is_dir():
        return ()
    return tuple(sorted(p.parent.name for p in CITIES_DIR.glob("*/plan.toml")))


@functools.lru_cache(maxsize=32)
def load_plan_city(key: str) -> PlanCity:
    """Read and check scenarios/cities/<key>/plan.toml."""
    path = CITIES_DIR / key / "plan.toml"
    if not path.is_file():
        raise ScenarioError(None, "models.waste.plan_city", f"unknown city {key!r}; allowed: "
                            + ", ".join(known_cities()))
    try:
        doc = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError(path, None, f"not valid TOML: {e}") from None
    return _check(key, path, doc)


def _check(key: str, path: Path, doc: dict) -> PlanCity:
    def bad(k: str, msg: str):
        return ScenarioError(path, k, msg)

    for sec, allowed in SECTIONS.items():
        if not isinstance(doc.get(sec), dict):
            raise bad(sec, "missing table; a plan city needs [city], [representation], [plan]")
        for k in doc[sec]:
            if k not in allowed:
                raise bad(f"{sec}.{k}", "unknown key; allowed: " + ", ".join(sorted(allowed)))
    for sec in doc:
        if sec not in SECTIONS:
            raise bad(sec, "unknown table; allowed: " + ", ".join(SECTIONS))
    city = doc["city"]
    for k in ("population", "households"):
        v = city.get(k)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0:
            raise bad(f"city.{k}", f"got {v!r}; allowed: a number > 0")
        if not city.get(f"{k}_source"):
            raise bad(f"city.{k}_source", "missing; every figure needs its source")
    if city["households"] > city["population"]:
        raise bad("city.households", f"{city['households']:,} households for "
                  f"{city['population']:,} people: more households than people")
    rep = doc["representation"].get("builtin")
    if rep not in REPRESENTATIONS:
        raise bad("representation.builtin", f"got {rep!r}; allowed: "
                  + ", ".join(REPRESENTATIONS))
    figures = {}
    for k, entry in (doc["plan"].get("figures") or {}).items():
        where = f"plan.figures.{k}"
        if k not in FIGURES:
            raise bad(where, "unknown figure; allowed: " + ", ".join(FIGURES))
        if not isinstance(entry, dict) or set(entry) != {"value", "source"}:
            raise bad(where, "allowed: a table { value = <number>, source = \"...\" }")
        v = entry["value"]
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise bad(f"{where}.value", f"got {v!r}; allowed: a number")
        kind = FIGURES[k][0]
        if v < 0:
            raise bad(f"{where}.value", f"got {v!r}: a {FIGURES[k][1]} cannot be below zero")
        if kind in ("share", "flag") and v > 1:
            raise bad(f"{where}.value", f"got {v!r}; allowed: a share from 0 to 1")
        if not str(entry["source"]).strip():
            raise bad(f"{where}.source", "empty; every figure needs its source")
        figures[k] = (float(v), str(entry["source"]))
    _check_consistent(figures, bad)
    return PlanCity(key=key, path=path, name=str(city.get("name", key)),
                    population=float(city["population"]), households=float(city["households"]),
                    representation=rep, document=str(doc["plan"].get("document", "")),
                    figures=figures)


def _check_consistent(figures: dict, bad) -> None:
    """Parts may not exceed their whole (upgraded <= all, kinds <= total capacity)."""
    for part, whole in (("upgraded_transfer_stations", "transfer_stations"),
                        ("upgraded_drop_off_points", "drop_off_points")):
        if part in figures and whole in figures and figures[part][0] > figures[whole][0]:
            raise bad(f"plan.figures.{part}", f"{figures[part][0]:g} upgraded but only "
                      f"{figures[whole][0]:g} in plan.figures.{whole}")
    if "treatment_t_per_day" in figures:
        kinds = [k for k in ("incineration_t_per_day", "digestion_t_per_day") if k in figures]
        parts = sum(figures[k][0] for k in kinds)
        if parts > figures["treatment_t_per_day"][0] + 1e-9:
            raise bad(f"plan.figures.{kinds[-1]}", f"{' + '.join(kinds)} = {parts:,.0f} t/day "
                      f"exceeds plan.figures.treatment_t_per_day = "
                      f"{figures['treatment_t_per_day'][0]:,.0f}")
