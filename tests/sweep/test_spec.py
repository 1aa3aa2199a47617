"""Sweep files: validation with clear errors, designs, run order and hashing."""

from __future__ import annotations

import numpy as np
import pytest

from twin.core.errors import ScenarioError
from twin.sweep import designs
from twin.sweep.spec import load_sweep

from .conftest import SWEEP


def test_valid_sweep_enumerates_scenarios_policies_and_runs(write_sweep):
    spec = load_sweep(write_sweep())
    assert [u.key for u in spec.uncertainties] == ["toystorm.rain_mm_per_h", "toystorm.pumps",
                                                   "toystorm.mode"]
    assert [p.name for p in spec.policies] == ["storage_m3=0", "storage_m3=2000"]
    assert spec.levers == ("toystorm.storage_m3",) and spec.replicates == 2
    unit = designs.unit_design(spec.design, spec.uncertainties)
    assert unit.shape == (6, 3) == (designs.n_scenarios(spec.design, spec.uncertainties), 3)
    vals = designs.scenario_values(spec, unit)
    assert all(10 <= v["toystorm.rain_mm_per_h"] <= 200 for v in vals)
    assert all(isinstance(v["toystorm.pumps"], int) for v in vals)
    assert {v["toystorm.mode"] for v in vals} <= {"a", "b", "c"}


def test_unknown_parameter_is_named_with_the_models_parameters(write_sweep):
    path = write_sweep(SWEEP.format(extra="").replace("toystorm.pumps =", "toystorm.pumsp ="))
    with pytest.raises(ScenarioError) as e:
        load_sweep(path)
    msg = str(e.value)
    assert "sweep.toml" in msg and "uncertainties.toystorm.pumsp" in msg
    assert "unknown parameter 'pumsp' of model 'toystorm'" in msg
    assert "rain_mm_per_h, pumps, blockage, mode" in msg


@pytest.mark.parametrize("old,new,key,words", [
    ('"toystorm.storage_m3" = [0, 2000]', '"nomodel.x" = [1]', "levers.nomodel.x",
     "model 'nomodel' is not in the base scenario"),
    ("range = [10, 200]", "range = [10, 900]", "uncertainties.toystorm.rain_mm_per_h.range",
     "out of range"),
    ('values = ["a", "b", "c"]', "range = [0, 1]", "uncertainties.toystorm.mode.range",
     "use values"),
    ("range = [10, 200]", "range = [200, 10]", "uncertainties.toystorm.rain_mm_per_h.range",
     "lo must be below hi"),
    ('kind = "latin_hypercube"', 'kind = "random"', "design.kind", "full_factorial"),
    ('kind = "latin_hypercube"\nsamples = 6', 'kind = "sobol"\nsamples = 6', "design.samples",
     "power of 2"),
    ('flood = "flood_m3"', 'flood = { var = "flood_m3", reduce = "median" }',
     "outputs.flood.reduce", "allowed: none, sum, mean"),
    ("replicates = 2", "replicates = 0", "sweep.replicates", "from 1"),
    ('base = "base.toml"', 'base = "nope.toml"', "sweep.base", "not found"),
    ("[levers]", "[levers]\n[policies.x]", "policies", "not both"),
])
def test_errors_name_file_key_and_what_is_allowed(write_sweep, old, new, key, words):
    text = SWEEP.format(extra="")
    assert old in text
    with pytest.raises(ScenarioError) as e:
        load_sweep(write_sweep(text.replace(old, new)))
    assert key in str(e.value) and words in str(e.value) and "sweep.toml" in str(e.value)


def test_named_policies_fill_unset_levers_from_the_base(write_sweep):
    text = SWEEP.format(extra="").replace('[levers]\n"toystorm.storage_m3" = [0, 2000]', """
[policies.baseline]
[policies.big_tank]
toystorm.storage_m3 = 5000
[policies.tank_and_pumps]
"toystorm.storage_m3" = 3000
""").replace("toystorm.pumps = { range = [0, 4] }\n", "")
    spec = load_sweep(write_sweep(text))
    assert [(p.name, dict(p.settings)) for p in spec.policies] == [
        ("baseline", {"toystorm.storage_m3": 1000.0}),
        ("big_tank", {"toystorm.storage_m3": 5000.0}),
        ("tank_and_pumps", {"toystorm.storage_m3": 3000.0})]


def test_full_factorial_grid_and_ordering(write_sweep):
    text = SWEEP.format(extra="").replace('kind = "latin_hypercube"\nsamples = 6',
                                          'kind = "full_factorial"\nlevels = 3')
    spec = load_sweep(write_sweep(text))
    vals = designs.scenario_values(spec, designs.unit_design(spec.design, spec.uncertainties))
    assert len(vals) == 3 * 3 * 3  # 3 levels of each range, every listed value
    assert sorted({v["toystorm.rain_mm_per_h"] for v in vals}) == [10.0, 105.0, 200.0]
    assert sorted({v["toystorm.pumps"] for v in vals}) == [0, 2, 4]  # 5 integers > 3 levels
    spec5 = load_sweep(write_sweep(text.replace("levels = 3", "levels = 5")))
    vals = designs.scenario_values(spec5, designs.unit_design(spec5.design, spec5.uncertainties))
    assert sorted({v["toystorm.pumps"] for v in vals}) == [0, 1, 2, 3, 4] and len(vals) == 75
    # replicate-major, then scenario, then policy: more replicates append at the end
    assert designs.run_position(0, 45, 2) == (0, 0, 0)
    assert designs.run_position(3, 45, 2) == (0, 1, 1)
    assert designs.run_position(90, 45, 2) == (1, 0, 0)


def test_sobol_and_morris_sizes_and_determinism(write_sweep):
    for kind, n, rows in (("sobol", 8, 8 * 5), ("morris", 4, 4 * 4)):
        text = SWEEP.format(extra="").replace('kind = "latin_hypercube"\nsamples = 6',
                                              f'kind = "{kind}"\nsamples = {n}')
        spec = load_sweep(write_sweep(text))
        a = designs.unit_design(spec.design, spec.uncertainties)
        assert a.shape == (rows, 3) and np.array_equal(a, designs.unit_design(
            spec.design, spec.uncertainties))


def test_hash_follows_content_not_formatting_and_overrides(write_sweep):
    text = SWEEP.format(extra="")
    a = load_sweep(write_sweep(text)).digest
    b = load_sweep(write_sweep("# a comment\n" + text.replace(" = ", "=")))
    assert b.digest == a
    assert load_sweep(write_sweep(text), replicates=3).digest != a
    assert load_sweep(write_sweep(text.replace("root_seed = 42", "root_seed = 43"))).digest != a
