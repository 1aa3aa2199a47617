"""Surface calibration factors (imperviousness, roughness, depression storage) are written
into the run's copy of a network, only there, in the file's own units, and move SWMM's
runoff the way hydrology says (issue 18's drainage calibration needs them)."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import SHARED

from twin.core.errors import ScenarioError
from twin.core.scenario import parse_scenario
from twin.models.drainage.engine import run_plain
from twin.models.drainage.inp import read_inp
from twin.models.drainage.surface import apply_surface

DATA = SHARED / "data" / "swmm"
pytestmark = pytest.mark.skipif(not (DATA / "user1.inp").is_file(),
                                reason="shared SWMM data missing")


def _rows(inp, section):
    return {ln.fields[0]: list(ln.fields) for ln in inp.rows(section) if ln.fields}


def test_defaults_leave_the_network_untouched(tmp_path):
    inp = read_inp(DATA / "user1.inp")
    before = inp.write(tmp_path / "a.inp").read_text()
    assert apply_surface(inp) == 0
    assert inp.write(tmp_path / "b.inp").read_text() == before


def test_factors_edit_the_right_fields_with_a_cap_and_us_units():
    inp = read_inp(DATA / "Example1.inp")  # CFS: S-Imperv in inches
    sub0, area0 = _rows(inp, "SUBCATCHMENTS"), _rows(inp, "SUBAREAS")
    apply_surface(inp, imperviousness_scale=1.5, roughness_scale=2.0,
                  depression_storage_mm=2.54)
    sub, area = _rows(inp, "SUBCATCHMENTS"), _rows(inp, "SUBAREAS")
    for k in sub0:
        assert float(sub[k][4]) == pytest.approx(min(100.0, 1.5 * float(sub0[k][4])))
        assert sub[k][3] == sub0[k][3]  # area kept
    for k in area0:
        assert float(area[k][1]) == pytest.approx(2.0 * float(area0[k][1]))
        assert float(area[k][2]) == pytest.approx(2.0 * float(area0[k][2]))
        assert float(area[k][3]) == pytest.approx(0.1)  # 2.54 mm = 0.1 in
        assert area[k][4] == area0[k][4]  # S-Perv kept
    inp2 = read_inp(DATA / "Example1.inp")
    apply_surface(inp2, imperviousness_scale=2.0)
    assert max(float(f[4]) for f in _rows(inp2, "SUBCATCHMENTS").values()) <= 100.0


def test_more_impervious_surface_runs_off_more_and_storage_holds_water_back():
    """SWMM's own runoff totals: % impervious up -> runoff up, infiltration down; a deep
    depression storage -> less runoff (user1.inp, SI units)."""
    def runoff(**kw):
        inp = read_inp(DATA / "user1.inp")
        apply_surface(inp, **kw)
        t = run_plain(inp).totals_m3
        return t["runoff_runoff"], t["runoff_infiltration"]

    r0, f0 = runoff()
    r1, f1 = runoff(imperviousness_scale=1.3)
    r2, _ = runoff(depression_storage_mm=15.0)
    assert r1 > r0 * 1.02 and f1 < f0
    assert r2 < r0


@pytest.mark.parametrize("key, value", [("imperviousness_scale", 0.1),
                                        ("roughness_scale", 6.0),
                                        ("depression_storage_mm", -1.0)])
def test_out_of_range_factors_stop_at_load(key, value):
    doc = {"scenario": {"name": "t", "start": dt.datetime(2024, 7, 1), "horizon_hours": 2,
                        "seed": 1},
           "city": {"builtin": "demo"}, "models": {"drainage": {"storm": "design", key: value}}}
    with pytest.raises(ScenarioError) as e:
        parse_scenario(doc)
    assert key in str(e.value)
