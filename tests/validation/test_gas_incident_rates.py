"""Calibration target (not an independent truth): with the default rates, third-party
strikes are about 90% of grade-1 network incidents (indoor faults excluded) on the demo city,
the national share of pipe-network accidents caused by third-party construction in the first
half of 2024 (quoted in issue 17). Computed from the expected counts and the size shares (no
sampling). Tolerance: 0.80-0.95."""

from __future__ import annotations

import numpy as np
import pytest

from twin.models.gas.incidents import grade

pytest.importorskip("pandapipes")


def test_third_party_share_of_grade1_network_incidents():
    from twin.city.io import open_city
    from twin.core.scenario import CitySpec
    from twin.models.gas.standalone import started_model

    m = started_model(open_city(CitySpec()))
    p, gn = m.params, m.gn
    e = m._expected(1.0)
    g1 = np.zeros(2)
    for cause, shares in ((0, p.size_share_ageing), (1, p.size_share_third_party)):
        for size, share in enumerate(shares):
            is1 = np.array([grade(size, cause, int(lv)) == 1 for lv in gn.level])
            g1[cause] += share * e[is1, cause].sum()
    assert 0.80 < g1[1] / g1.sum() < 0.95
