"""The waste app's plan comparison in a real browser: two short plan runs side by side with
intervals, overloaded plants highlighted, offline and without console errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser.conftest import Server, _twin, screenshot

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def plans(tmp_path_factory):
    """Wuhan today and Wuhan's plan, 16 days each (2 of spin-up: two weekly batches)."""
    folder = tmp_path_factory.mktemp("waste_plans")
    for key in ("today", "plan"):
        text = (ROOT / f"scenarios/waste/year/wuhan_{key}.toml").read_text(encoding="utf-8")
        text = text.replace("horizon_days = 372", "horizon_days = 16").replace(
            "spinup_days = 7", "spinup_days = 2").replace("start = 2022-12-25",
                                                          "start = 2023-03-01")
        (folder / f"{key}.toml").write_text(text, encoding="utf-8")
        _twin("run", str(folder / f"{key}.toml"), "--out", str(folder / f"{key}.zarr"),
              cwd=ROOT)
    srv = Server([], folder, ROOT)
    yield srv
    srv.stop()


def test_plan_comparison_side_by_side(page, plans):
    page.goto(f"{plans.url}/waste")
    page.wait_for_function("window.Bokeh && window.Bokeh.documents.length > 0",
                           timeout=60_000)
    page.get_by_text("Plan comparison 方案比较", exact=True).click()
    table = page.locator("table.plan-comparison")
    expect(table).to_contain_text("raw waste landfilled", timeout=30_000)
    for part in ("waste-wuhan-year-today", "waste-wuhan-year-plan", "+-",
                 "recycling and reuse rate", "incineration: overload days"):
        expect(table).to_contain_text(part)
    # today's incinerator is overloaded: its cell is highlighted
    assert table.locator("td[style*='fde0dc']").count() > 0
    page.locator("canvas:visible").first.wait_for(timeout=30_000)  # the bar charts
    screenshot(page, "waste_plan_comparison")
    assert page.console_errors == [], page.console_errors
    assert page.outside_requests == [], page.outside_requests
