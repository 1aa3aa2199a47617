"""The plugin's own validation, run by `twin validate` through the `twin.validations` entry
point: dry streets carry every rider (a closed form: riders = riders_per_h)."""

from twin.testing import run_models


def test_dry_streets_carry_every_rider():
    out = run_models({"trams": {"riders_per_h": 500.0}}, hours=3)
    assert out.ds["tram_riders"].values.tolist() == [500.0, 500.0, 500.0]
