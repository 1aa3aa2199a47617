"""GB 50014 design storms (analytic) and the flood surrogate against SWMM (baseline.json)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import SHARED

from twin.models.drainage import storms as S

SWMM = SHARED / "data" / "swmm"


def test_guangzhou_20y_120min_depth():
    f = S.FORMULAS["guangzhou_central"]
    assert float(f.depth_mm(120.0, 20.0)) == pytest.approx(134.5, abs=0.05)
    assert S.design_storm(f, 20.0, 120.0, 0.4).depth_mm == pytest.approx(134.5, abs=0.05)


@pytest.mark.parametrize("r", (0.05, 0.3, 0.4, 0.5, 0.7, 0.95))
@pytest.mark.parametrize("p_years", (1.0, 2.0, 5.0, 20.0, 50.0, 100.0))
def test_chicago_conserves_depth(r, p_years):
    for name, f in S.FORMULAS.items():
        for dur, step in ((60.0, 60), (120.0, 300), (180.0, 60)):
            h = S.design_storm(f, p_years, dur, r, step)
            assert h.depth_mm == pytest.approx(float(f.depth_mm(dur, p_years)), rel=1e-3), name


def test_chicago_blocks_follow_keifer_chu_intensity():
    f = S.FORMULAS["guangzhou_central"]
    h = S.design_storm(f, 20.0, 120.0, 0.4, 60)
    t_mid = (np.arange(len(h.intensity_mm_per_h)) + 0.5)  # minutes
    exact = S.chicago_intensity_mm_per_min(f, 20.0, 120.0, 0.4, t_mid) * 60.0
    far = np.abs(t_mid - 48.0) > 3  # away from the peak's kink
    np.testing.assert_allclose(h.intensity_mm_per_h[far], exact[far], rtol=0.01)
    assert np.argmax(h.intensity_mm_per_h) == 48  # peak at r T = 48 min
    # every window centred as the storm's shape holds the formula depth of its duration
    for d in (10, 30, 60):
        lo = 48 - int(0.4 * d)
        assert h.intensity_mm_per_h[lo:lo + d].sum() / 60 == pytest.approx(
            float(f.depth_mm(d, 20.0)), rel=0.02)


def test_presets_are_labelled_reconstructions():
    z = S.preset_storm("zhengzhou_2021_peak_hour")
    assert z.reconstruction and "RECONSTRUCTION" in z.label
    assert z.depth_mm == pytest.approx(201.9, abs=0.01) and z.duration_s == 3600
    w = S.preset_storm("wuhan_2016_week")
    assert w.reconstruction and w.depth_mm == pytest.approx(560.0, abs=0.01)
    assert w.duration_s == 7 * 86400


@pytest.fixture(scope="module")
def surrogate():
    from twin.models.drainage.surrogate import calibrate

    if not (SWMM / "user1.inp").is_file():
        pytest.skip("shared SWMM data missing")
    return calibrate(SWMM / "user1.inp")[0]


@pytest.mark.skipif(not (SWMM / "baseline.json").is_file(), reason="shared SWMM data missing")
def test_surrogate_within_15pct_of_swmm_on_user1(surrogate):
    rows = json.loads((SWMM / "baseline.json").read_text())["scenarios"][
        "user1.inp_rain_scaling"]["rows"]
    checked = 0
    for row in rows:
        if 0.75 <= row["scale"] <= 2.0:
            pred = float(surrogate.predict_total(row["scale"]))
            assert pred == pytest.approx(row["swmm_flooding_m3"], rel=0.15), row["scale"]
            checked += 1
    assert checked == 5
    s = np.linspace(*surrogate.domain, 500)
    assert np.all(np.diff(surrogate.predict_total(s)) >= -1e-9)  # non-decreasing in rain
    assert "SURROGATE" in surrogate.label
    with pytest.raises(ValueError, match="outside the calibrated domain"):
        surrogate.predict_total(5.0)


def test_surrogate_numbers_are_labelled(surrogate):
    ds = surrogate.to_dataset([0.75, 1.0, 2.0])
    assert ds.attrs["surrogate"] == 1 and "SURROGATE" in ds.attrs["label"]
    assert "rain multiplier within [0.5, 2.6]" in ds.attrs["domain_of_validity"]
    for name in ("node_flood_volume", "system_flood_volume"):
        assert ds[name].long_name.startswith("SURROGATE") and ds[name].units == "m3"
    np.testing.assert_allclose(ds["system_flood_volume"].values,
                               surrogate.predict_total([0.75, 1.0, 2.0]))
    again = type(surrogate).from_dataset(ds)
    np.testing.assert_array_equal(again.predict_nodes(1.3), surrogate.predict_nodes(1.3))
