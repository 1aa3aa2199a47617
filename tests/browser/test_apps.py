"""The dashboards in a real browser (Debian's chromium via Playwright) against `twin serve`
on 127.0.0.1: each app loads without console errors or outside requests; the drill's time
slider changes the map; the policy changes the comparison; a new drill runs to completion
and is shown; the exports produce files. Screenshots go to tests/browser/screenshots/."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from playwright.sync_api import expect

from browser.conftest import screenshot

pytestmark = pytest.mark.browser

POINT_VALUES = """() => {
  const out = [];
  for (const doc of window.Bokeh.documents)
    for (const m of doc.all_models)
      if (m.data && m.data.label && m.data.value) out.push(Array.from(m.data.value));
  return out;
}"""
REMEMBER = f"window.__points = JSON.stringify(({POINT_VALUES})())"
CHANGED = f"JSON.stringify(({POINT_VALUES})()) !== window.__points"
SOURCE_DATA = """(column) => {
  const out = [];
  for (const doc of window.Bokeh.documents)
    for (const m of doc.all_models)
      if (m.data && m.data[column]) out.push(Array.from(m.data[column]).map(String));
  return out;
}"""


def open_app(page, server, route: str, text: str):
    """Load an app and wait until its figures are drawn and `text` is shown; the body."""
    page.goto(f"{server.url}/{route}")
    page.wait_for_selector("canvas", timeout=60_000)
    page.wait_for_function("window.Bokeh && window.Bokeh.documents.length > 0")
    body = page.locator("body")
    expect(body).to_contain_text(text, timeout=30_000)
    return body


def clean(page) -> None:
    assert page.console_errors == [], page.console_errors
    assert page.outside_requests == [], page.outside_requests


def test_index_lists_apps_stores_and_refusals(page, server):
    page.goto(f"{server.url}/index")
    body = page.locator("body")
    expect(body).to_contain_text("Storm drill 暴雨演练", timeout=30_000)
    expect(body).to_contain_text("sorting.zarr")
    expect(body).to_contain_text("not a Zarr results store")
    screenshot(page, "index")
    clean(page)


def test_drill_time_slider_changes_map(page, server):
    open_app(page, server, "drill", "test-drill")
    before = page.evaluate(POINT_VALUES)
    page.evaluate(REMEMBER)
    assert before and max(before[0]) > 0  # opens at the worst moment: water on the map
    screenshot(page, "drill")
    handle = page.locator(".time-slider .noUi-handle")
    handle.focus()
    for _ in range(40):
        handle.press("ArrowLeft")
    page.wait_for_function(CHANGED, timeout=20_000)
    after = page.evaluate(POINT_VALUES)
    assert after != before
    page.evaluate(REMEMBER)
    page.get_by_role("button", name="▶ play 播放").click()  # plays on from the current frame
    page.wait_for_function(CHANGED, timeout=20_000)
    page.get_by_role("button", name="❚❚ pause 暂停").click()
    clean(page)


def test_drill_briefing_export(page, server, results):
    open_app(page, server, "drill", "test-drill")
    with page.expect_download(timeout=60_000) as dl:
        page.get_by_text("Briefing (HTML)").click()
    path = results / "briefing.html"
    dl.value.save_as(path)
    text = path.read_text(encoding="utf-8")
    assert "test-drill" in text and "Waterlogging points" in text and "PS01" in text
    assert '<script src="' not in text  # self-contained: opens offline
    clean(page)


def test_new_drill_runs_and_is_shown(page, server, results):
    open_app(page, server, "drill", "test-drill")
    page.get_by_text("New drill 新演练", exact=True).click()
    name = page.get_by_label("name 名称")
    name.fill("browser test storm")
    name.press("Enter")
    page.locator("select").filter(has_text="100").first.select_option("5")
    page.locator("select").filter(has_text="720").first.select_option("60")
    length = page.get_by_label("drill length (h, 0 = auto) 演练时长")
    length.fill("0.5")
    length.press("Enter")
    at = page.get_by_label("trucks called at (min) 调派时刻")
    at.fill("45")  # after the end of a half-hour drill: refused, with the field named
    at.press("Enter")
    trucks = page.get_by_label("mobile pump trucks 移动泵车")
    trucks.fill("2")
    trucks.press("Enter")
    page.get_by_role("button", name="Run drill 开始演练").click()
    status = page.locator(".drill-status")
    expect(status).to_contain_text("trucks called at (min) 调派时刻: got 45; allowed: 0 to 30 "
                                   "min", timeout=20_000)
    expect(status).not_to_contain_text("Traceback")
    # beside the field, in its own label; the typed text is kept as typed
    expect(page.locator(".field-error").filter(has_text="trucks called at")).to_be_visible()
    assert at.input_value() == "45"
    assert not (results / "drills" / "browser-test-storm.toml").exists()
    length.fill("1.5")
    length.press("Enter")
    expect(page.locator(".field-error").filter(has_text="trucks called at")).to_be_hidden(
        timeout=20_000)
    page.get_by_role("button", name="Run drill 开始演练").click()
    expect(page.locator("body")).to_contain_text("drill-browser-test-storm: done",
                                                 timeout=180_000)
    expect(page.locator("body")).to_contain_text("drill-browser-test-storm · design storm",
                                                 timeout=60_000)
    expect(page.locator("select").first).to_have_value(re.compile("browser-test-storm"),
                                                       timeout=60_000)
    assert (results / "drills" / "browser-test-storm.toml").is_file()
    screenshot(page, "drill_new")
    clean(page)


def test_drill_form_checks_fields_in_its_own_words(page, server, results):
    """Every number field: letters, negatives and values past the range are kept as typed
    and refused beside the field, in the field's label; nothing is written or run."""
    open_app(page, server, "drill", "test-drill")
    page.get_by_text("New drill 新演练", exact=True).click()
    cases = {"drill length (h, 0 = auto) 演练时长": ("100", "got 100; allowed: 0 to 48 h"),
             "power lost at (min) 停电时刻": ("-30", "got -30; allowed: 0 to 2,880 min"),
             "mobile pump trucks 移动泵车": ("abc", "“abc” is not a number")}
    for label, (typed, message) in cases.items():
        field = page.get_by_label(label)
        field.fill(typed)
        field.press("Enter")
        expect(page.locator(".field-error").filter(has_text=message)).to_be_visible(
            timeout=20_000)
        assert field.input_value() == typed
    run = page.get_by_role("button", name="Run drill 开始演练")
    assert run.bounding_box()["y"] < 800 - 40  # in view at 1366x768 without scrolling
    run.click()
    expect(page.locator(".drill-status")).to_contain_text("drill length (h, 0 = auto)",
                                                         timeout=20_000)
    screenshot(page, "drill_form_errors")
    assert not list((results / "drills").glob("drill-*.toml"))
    clean(page)


def test_waste_app_loads(page, server):
    body = open_app(page, server, "waste", "zero landfill on")
    expect(body).to_contain_text("Tonnes by stream and destination")
    labels = [x for col in page.evaluate(SOURCE_DATA, "label") for x in col]
    assert any(x.startswith("CP01") for x in labels)  # collection points on the hot-spot map
    screenshot(page, "waste")
    clean(page)


def test_comparison_policy_changes_view(page, server):
    body = open_app(page, server, "comparison", "campaign - no_policy")
    screenshot(page, "comparison")
    before = page.evaluate(SOURCE_DATA, "low")
    page.get_by_label("baseline policy 基准政策").select_option("campaign")
    expect(body).to_contain_text("incentive - campaign", timeout=20_000)
    expect(body).not_to_contain_text("campaign - no_policy")
    # the sentence can arrive before the plot's data: wait for the data, then compare
    page.wait_for_function(f"(before) => JSON.stringify(({SOURCE_DATA})('low')) !== before",
                           arg=json.dumps(before, separators=(",", ":")), timeout=20_000,
                           polling="raf")
    assert page.evaluate(SOURCE_DATA, "low") != before
    clean(page)


def test_comparison_exports(page, server, results):
    open_app(page, server, "comparison", "campaign - no_policy")
    canvases = page.locator("canvas").count()
    page.get_by_text("Time series 时间序列", exact=True).click()  # drawn when opened
    expect(page.locator("canvas")).not_to_have_count(canvases, timeout=20_000)
    screenshot(page, "comparison_time_series")
    with page.expect_download(timeout=60_000) as dl:
        page.get_by_text("Export CSV").click()
    rows = list(csv.DictReader(io.StringIO(dl.value.path().read_text(encoding="utf-8"))))
    tables = {r["table"] for r in rows}
    assert {"distribution", "difference to no_policy", "sensitivity"} <= tables
    assert any(r["table"].startswith("time series") for r in rows)
    with page.expect_download(timeout=60_000) as dl:
        page.get_by_text("Export PNG").click()
    png = dl.value.path().read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    clean(page)


def test_demo_briefing_is_one_offline_file(results):
    """What `twin demo` ends with: every store's section in one self-contained HTML file."""
    from dashboards.briefing import demo_briefing

    out = demo_briefing([results / "drill.zarr", results / "waste.zarr",
                         results / "sorting.zarr"], results / "briefing" / "demo.html")
    text = out.read_text(encoding="utf-8")
    for part in ("test-drill", "waste-expansion-plan", "campaign - no_policy",
                 "Waterlogging points", "Tonnes by stream and destination"):
        assert part in text, part
    assert '<script src="' not in text


def test_comparison_reads_only_what_a_view_needs(results):
    """Per-run scalars are read; a time series stays on disk and is read for one policy's
    runs only when a band is drawn."""
    from dashboards.comparison import Sweep

    sw = Sweep(results / "sorting.zarr")
    assert "participation" in sw.series and "participation" not in sw.small
    band = sw.band("participation", "campaign")
    assert not sw.ds["participation"].variable._in_memory
    assert len(band) == sw.ds.sizes["day"] and (band.p05 <= band.p95).all()
