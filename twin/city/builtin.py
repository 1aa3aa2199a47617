"""Built-in cities by name: the same name always gives the same city."""

BUILTIN = {
    "demo": {"households": 20_000, "seed": 2024},  # ~52 k people, 9 districts: the demo city
    "small": {"households": 4_000, "seed": 7},  # for fast tests
    "large": {"households": 1_000_000, "seed": 2024},  # city scale, for benchmarks
}
