"""Every GB 50014 storm-intensity formula the model offers gives a believable design depth
and is named in the model README with its source (issue 19: formulas for the plans' cities
only where published, each with its source).

Believable range of the 5-year, 60-minute depth: 30-120 mm. Below: the China Meteorological
Administration's short-duration heavy-rain threshold is 20 mm in an hour, reached several
times a year in these humid eastern cities, so a once-in-5-years hour lies well above it.
Above: Zhengzhou's 201.9 mm in the hour of 20 July 2021 was judged beyond a 1000-year event
(Zhengzhou Meteorological Bureau), and the 5-year hour is far below a 1000-year one (the
formulas' own P-growth: (1 + C lg 1000) / (1 + C lg 5) is about 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from twin.models.drainage.storms import FORMULAS

README = Path(__file__).resolve().parents[3] / "twin/models/drainage/README.md"


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_five_year_hour_is_believable(name):
    f = FORMULAS[name]
    d = float(f.depth_mm(60.0, 5.0))
    assert 30.0 <= d <= 120.0, (name, d)
    # and rarer storms are deeper, longer storms deeper but less intense
    assert f.depth_mm(60.0, 50.0) > d > f.depth_mm(60.0, 1.0)
    assert f.depth_mm(120.0, 5.0) > d
    assert f.intensity_mm_per_min(120.0, 5.0) < f.intensity_mm_per_min(60.0, 5.0)


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_formula_named_in_readme_with_its_source(name):
    text = README.read_text(encoding="utf-8")
    rows = [ln for ln in text.splitlines() if ln.startswith(f"| `{name}` |")]
    assert len(rows) == 1, f"README table of formulas has no row for {name}"
    f = FORMULAS[name]
    cells = [c.strip() for c in rows[0].strip("|").split("|")]
    assert [float(c) for c in cells[1:5]] == pytest.approx([f.A, f.C, f.b, f.n])
    assert float(cells[5]) == pytest.approx(float(f.depth_mm(60.0, 5.0)), abs=0.05)
    assert len(cells[6]) > 20  # the source, as stated in storms.py
    assert f.source.split(",")[0] in cells[6]
