"""The gas app in a real browser at 1280x800: the network map (risk, then pressure), incidents
by cause, isolation areas and the renewal comparison of a small gas_renewal sweep, with no
console errors and no request off this machine. Screenshots: tests/browser/screenshots/gas_*.

The app is served by a small launcher of its own (`dashboards.gas.app` through `pn.serve`), so
the test does not depend on `twin serve` registering the route."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser.conftest import _twin, launched, screenshot

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
LAUNCH = """import sys
from pathlib import Path
import panel as pn
from dashboards import gas
from dashboards.stores import discover
stores, _ = discover([], sys.argv[1])
port = int(sys.argv[2])
pn.serve({"gas": lambda: gas.app(stores, Path(sys.argv[1]))}, address="127.0.0.1", port=port,
         show=False, threaded=False, websocket_origin=[f"127.0.0.1:{port}"], liveness=True)
"""
COLOUR_BAR = """(text) => [...window.Bokeh.documents].some(d => [...d.all_models].some(
  m => typeof m.title === "string" && m.title.includes(text)))"""


@pytest.fixture(scope="module")
def gas_results(tmp_path_factory) -> Path:
    """A one-week gas run with a rupture and a 30-day, 12-run renewal sweep (~15 s)."""
    folder = tmp_path_factory.mktemp("gas_results")
    _twin("run", str(ROOT / "scenarios/gas/today.toml"), "--out", str(folder / "today.zarr"),
          cwd=ROOT)
    base = (ROOT / "scenarios/sweeps/base/gas_renewal.toml").read_text(encoding="utf-8")
    (folder / "base").mkdir()
    (folder / "base/gas_renewal.toml").write_text(
        base.replace("horizon_days = 1096", "horizon_days = 30"), encoding="utf-8")
    sweep = (ROOT / "scenarios/sweeps/gas_renewal.toml").read_text(encoding="utf-8")
    sweep = (sweep.replace("samples = 4", "samples = 2").replace("replicates = 2",
                                                                 "replicates = 1")
             .replace('"gas.crews" = [2, 4]', '"gas.crews" = [2]'))
    (folder / "gas_renewal.toml").write_text(sweep, encoding="utf-8")
    _twin("sweep", str(folder / "gas_renewal.toml"), "--workers", "0", "--out",
          str(folder / "renewal.zarr"), cwd=ROOT)
    return folder


@pytest.fixture(scope="module")
def gas_server(gas_results):
    with launched(LAUNCH, gas_results, ROOT) as url:
        yield url


def test_gas_app_map_incidents_isolation_and_renewal(page800, gas_server):
    pg = page800
    pg.goto(f"{gas_server}/gas")
    pg.wait_for_selector("canvas", timeout=60_000)
    body = pg.locator("body")
    expect(body).to_contain_text("customer-hours lost", timeout=30_000)
    expect(body).to_contain_text("gas-today")
    screenshot(pg, "gas_map_risk")
    pg.get_by_text("lowest pressure over the run (kPa)", exact=False).first.click()
    pg.wait_for_function(COLOUR_BAR, arg="above the scale", timeout=20_000)
    pg.wait_for_timeout(1500)
    screenshot(pg, "gas_map_pressure")
    for tab, text, shot in (("Incidents 事故", "third-party damage", "gas_incidents"),
                            ("Isolation 关阀停气", "main-60", "gas_isolation"),  # the rupture
                            ("Renewal comparison 更新改造比较", "risers renewed 3.13 km/yr",
                             "gas_renewal")):
        pg.get_by_text(tab).click()
        expect(body).to_contain_text(text, timeout=20_000)
        pg.wait_for_timeout(1500)
        screenshot(pg, shot)
    assert pg.console_errors == [], pg.console_errors
    assert pg.outside_requests == [], pg.outside_requests
