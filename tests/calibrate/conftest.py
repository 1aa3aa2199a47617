"""Fixtures for calibration tests: the toy growth model, spec and observation files in tmp
folders, written in the schema of calibration/."""

from __future__ import annotations

from pathlib import Path

import pytest

BASE = """
[scenario]
name = "growthbase"
start = 2024-01-01
horizon_days = 60
seed = 3
[city]
builtin = "small"
[models.toygrowth]
"""

OBS = """id,city,series,period_start,period_end,value,unit,sd,uncertainty_basis,note,source
w1,toyville,stock,2024-01-05,2024-01-10,25,t,2,assumed,,test
w2,toyville,stock,2024-01-20,2024-01-25,55,t,2,assumed,,test
w3,toyville,stock,2024-02-10,2024-02-20,80,t,2,assumed,,test
w4,toyville,stock,2024-02-25,2024-02-29,88,t,2,assumed,,test
h1,toyville,stock,2024-01-30,2024-02-05,70,t,2,assumed,,test
"""

SPEC = """
[calibration]
name = "toy"
base = "base.toml"
observations = "obs.csv"
seed = 7
[places.toyville]
population = {population}
[parameters]
"toygrowth.rate_per_day" = {{ prior = "log-uniform", lo = 0.01, hi = 0.3 }}
"toygrowth.cap_t" = {{ prior = "uniform", lo = 20, hi = 200 }}
[quantities.stock]
var = "stock"
sum = ["district"]
window = "mean"
scale = "none"
[rows]
fit = ["w1", "w2", "w3", "w4"]
held_out = ["h1"]
[abc]
population = {population_abc}
generations = {generations}
quantile = 0.5
min_tolerance = 0.5
{extra}
"""


@pytest.fixture(scope="session")
def growth():
    from calibrate.toy_growth import ToyGrowth
    from twin.core import registry

    return registry.register(ToyGrowth)


@pytest.fixture
def write_spec(tmp_path, growth):
    """write_spec(obs=OBS, population_abc=40, generations=4, extra="") -> spec path."""

    def make(text: str | None = None, *, obs: str = OBS, population_abc: int = 40,
             generations: int = 4, extra: str = "", base: str = BASE) -> Path:
        (tmp_path / "base.toml").write_text(base, encoding="utf-8")
        (tmp_path / "obs.csv").write_text(obs, encoding="utf-8")
        p = tmp_path / "spec.toml"
        p.write_text(text if text is not None else SPEC.format(
            population=1, population_abc=population_abc, generations=generations,
            extra=extra), encoding="utf-8")
        return p

    return make
