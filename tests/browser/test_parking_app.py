"""The parking app in a real browser at 1280x800: the occupancy map moved along its time
slider, the search-time distribution, turned-away and illegal drivers, prices; a damaged store
gives a short alert; the comparison app reads a small parking-supply sweep. No console errors,
no request off this machine. Screenshots: tests/browser/screenshots/parking_*.

The apps are served by a small launcher of their own (`pn.serve`), as in test_gas_app.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser.conftest import _twin, launched, screenshot

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
LAUNCH = """import sys
from pathlib import Path
import panel as pn
from dashboards import comparison, parking
from dashboards.stores import discover
stores, _ = discover([], sys.argv[1])
port = int(sys.argv[2])
pn.serve({"parking": lambda: parking.app(stores, Path(sys.argv[1])),
          "comparison": lambda: comparison.app(stores, Path(sys.argv[1]))},
         address="127.0.0.1", port=port, show=False, threaded=False,
         websocket_origin=[f"127.0.0.1:{port}"], liveness=True)
"""
# a Bokeh model (a figure's title, a label) of the page whose text contains `text`
HAS_TEXT = """(text) => [...window.Bokeh.documents].some(d => [...d.all_models].some(
  m => typeof m.text === "string" && m.text.includes(text)))"""


@pytest.fixture(scope="module")
def parking_results(tmp_path_factory) -> Path:
    """Two days of parking on the demo city, a copy with a damaged chunk, and a 4-run
    parking-supply sweep (added public spaces 0 or 600, two demand scenarios; ~30 s)."""
    folder = tmp_path_factory.mktemp("parking_results")
    _twin("run", str(ROOT / "scenarios/parking/today.toml"), "--out",
          str(folder / "today.zarr"), cwd=ROOT)
    broken = folder / "zz_damaged.zarr"  # sorts after today: the app opens on today
    shutil.copytree(folder / "today.zarr", broken)
    for chunk in (broken / "parking_lot_occupancy" / "c").rglob("*"):
        if chunk.is_file():
            chunk.write_bytes(b"not a zarr chunk")
    (folder / "base").mkdir()
    shutil.copy(ROOT / "scenarios/sweeps/base/parking_supply.toml", folder / "base")
    sweep = (ROOT / "scenarios/sweeps/parking_supply.toml").read_text(encoding="utf-8")
    for old, new in (("samples = 16", "samples = 2"), ("replicates = 2", "replicates = 1"),
                     ("max_replicates = 4", "max_replicates = 1"),
                     ('"parking.added_shared_spaces" = [0, 600]',
                      '"parking.added_shared_spaces" = [0]'),
                     ('"parking.pricing" = ["fixed", "performance"]',
                      '"parking.pricing" = ["fixed"]')):
        assert old in sweep, old
        sweep = sweep.replace(old, new)
    (folder / "parking_supply.toml").write_text(sweep, encoding="utf-8")
    _twin("sweep", str(folder / "parking_supply.toml"), "--workers", "0", "--out",
          str(folder / "supply.zarr"), cwd=ROOT)
    return folder


@pytest.fixture(scope="module")
def parking_server(parking_results):
    with launched(LAUNCH, parking_results, ROOT) as url:
        yield url


def test_parking_app_map_slider_search_failures_prices(page800, parking_server):
    pg = page800
    pg.goto(f"{parking_server}/parking")
    pg.wait_for_selector("canvas", timeout=60_000)
    body = pg.locator("body")
    expect(body).to_contain_text("parking-today", timeout=30_000)
    expect(body).to_contain_text("Fri 07 Jun 00:00-01:00")
    pg.wait_for_timeout(1500)
    screenshot(pg, "parking_map_midnight")
    handle = pg.locator(".noUi-handle").first
    handle.focus()
    for _ in range(11):  # one hour per key: to 11:00, the weekday's midday peak
        handle.press("ArrowRight")
    expect(body).to_contain_text("Fri 07 Jun 11:00-12:00", timeout=20_000)
    pg.wait_for_timeout(1500)
    screenshot(pg, "parking_map_11h")
    for tab, text, shot in (("Search time 找车位时间", "Drivers who parked, by their search "
                             "time", "parking_search"),
                            ("Turned away, illegal 未停到与违停", "Drivers turned away or parked "
                             "illegally", "parking_failures"),
                            ("Prices 价格", "Price of kerbs and public lots", "parking_prices")):
        pg.get_by_text(tab).click()
        pg.wait_for_function(HAS_TEXT, arg=text, timeout=20_000)
        pg.wait_for_timeout(1500)
        screenshot(pg, shot)
    assert pg.console_errors == [], pg.console_errors
    assert pg.outside_requests == [], pg.outside_requests


def test_a_damaged_store_shows_a_short_alert(page800, parking_server, parking_results):
    pg = page800
    pg.goto(f"{parking_server}/parking")
    pg.wait_for_selector("canvas", timeout=60_000)
    pg.locator("select").first.select_option(  # options read 'name (folder/store)'
        label=f"parking-today ({parking_results.name}/zz_damaged.zarr)")
    body = pg.locator("body")
    expect(body).to_contain_text("zz_damaged.zarr: damaged or partial results store",
                                 timeout=20_000)
    expect(body).to_contain_text("rerun its scenario")
    assert "Traceback" not in body.inner_text()
    screenshot(pg, "parking_damaged")
    assert pg.outside_requests == [], pg.outside_requests


def test_comparison_app_reads_the_parking_sweep(page800, parking_server):
    pg = page800
    pg.goto(f"{parking_server}/comparison")
    pg.wait_for_selector("canvas", timeout=60_000)
    body = pg.locator("body")
    expect(body).to_contain_text("parking_supply", timeout=30_000)
    expect(body).to_contain_text("search_mean_min")
    expect(body).to_contain_text("added_public_spaces=600")
    pg.wait_for_timeout(1500)
    screenshot(pg, "parking_comparison")
    assert pg.console_errors == [], pg.console_errors
    assert pg.outside_requests == [], pg.outside_requests
