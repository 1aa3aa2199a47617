"""Built-in cities by name: the same name always gives the same city."""

from __future__ import annotations

BUILTIN = {
    "demo": {"households": 20_000, "seed": 2024},  # ~52 k people, 9 districts: the demo city
    "small": {"households": 4_000, "seed": 7},  # for fast tests
    "large": {"households": 1_000_000, "seed": 2024},  # city scale, for benchmarks
}


def builtin_city(name: str, households_per_point: int | None = None):
    """The built-in city `name`, optionally with another collection-point density (then named
    e.g. "demo-p300"; its households and roads are those of the built-in city)."""
    from twin.city.generate import HOUSEHOLDS_PER_COLLECTION_POINT, generate_city

    spec = BUILTIN[name]
    hpp = households_per_point or HOUSEHOLDS_PER_COLLECTION_POINT
    label = name if hpp == HOUSEHOLDS_PER_COLLECTION_POINT else f"{name}-p{hpp}"
    return generate_city(spec["households"], spec["seed"], name=label, households_per_point=hpp)
