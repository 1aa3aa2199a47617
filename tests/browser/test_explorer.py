"""The run explorer, the storm drill's city timeline and `twin.dashboards` plugins: where a
variable's entities lie on the map (read from the store and the city alone), and in a real
browser a node map, a daily series and a time slider that moves the map; a plugin dashboard
registered by replacing the entry-point reader (no package installed)."""

from __future__ import annotations

import json
import time
import urllib.request
from importlib.metadata import EntryPoint

import numpy as np
import pandas as pd
import panel as pn
import pytest
import xarray as xr
from playwright.sync_api import expect

from browser.conftest import free_port, screenshot
from browser.test_apps import clean, open_app

STORE = "whole_city_drill.zarr"
LAYER = """(prefix) => {
  for (const doc of window.Bokeh.documents)
    for (const m of doc.all_models)
      if (m.data && m.data.label && m.data.value && m.data.label.length
          && String(m.data.label[0]).startsWith(prefix))
        return {labels: Array.from(m.data.label).map(String), value: Array.from(m.data.value)};
  return null;
}"""
LINES = """() => {
  for (const doc of window.Bokeh.documents)
    for (const m of doc.all_models)
      if (m.data && m.data.xs && m.data.colour && m.data.label && m.data.xs.length)
        return {n: m.data.xs.length, len: m.data.xs[0].length, labels: Array.from(m.data.label)};
  return null;
}"""


@pytest.fixture(scope="module")
def city_ds(results):
    return xr.open_zarr(results / STORE, consolidated=None)


def test_entities_are_located_from_store_and_city(city_ds):
    from dashboards.data import city_of
    from dashboards.entities import locate, map_dim

    city = city_of(city_ds)
    node = locate(city_ds, "node", city)
    assert node.kind == "points" and len(node.x) == city_ds.sizes["node"]
    assert np.allclose(node.x, city_ds["node_x_m"].values)
    edges = locate(city_ds, "road_edge", city)
    assert edges.kind == "edges" and len(edges.xs) == city.roads.n_edges
    cp = locate(city_ds, "collection_point", city)
    assert cp.kind == "points" and cp.labels[0].startswith("CP")
    assert locate(city_ds, "district", city).kind == "areas"
    assert locate(city_ds, "stream", city) is None  # no place on the map
    assert map_dim(city_ds, city_ds["truck_km"], city) is None
    # site names alone are enough (a plugin's dim without coordinates)
    ds = xr.Dataset(coords={"lot": ["PL01", "PL02"]})
    lots = locate(ds, "lot", city)
    assert lots.kind == "points" and lots.x[0] == city.sites.x[list(city.sites.name).index("PL01")]


def test_catalogue_groups_every_variable_by_model(city_ds):
    from dashboards.explorer import Selection, catalogue

    groups = catalogue(city_ds)
    models = city_ds.attrs["models"].split(",")  # parking and gas join as they land
    assert list(groups) == models and {"households", "drainage", "waste"} <= set(models)
    assert "ponded_depth" in groups["drainage"].values()
    assert any(k.startswith("truck_km: truck kilometres [km/day]") for k in groups["waste"])
    s = Selection(city_ds, "truck_km", None, "sum")
    assert s.base == "day" and s.values.shape == (city_ds.sizes["day"], 5)
    labels, ys = s.lines("sum")
    np.testing.assert_allclose(ys[0], city_ds["truck_km"].sum("fleet").values)


def test_drill_timeline_has_the_other_subsystems(city_ds):
    from dashboards.timeline import city_timeline

    tl = city_timeline(city_ds)
    assert set(tl) == set(city_ds.attrs["models"].split(",")) - {"drainage"}
    waste = {s.name: s for s in tl["waste"]}
    assert {"truck_km", "overflowing_points"} <= set(waste)
    km = waste["truck_km"]
    assert len(km.t_ms) == city_ds.sizes["day"] + 1  # each day held to its end
    np.testing.assert_allclose(km.y[:-1], city_ds["truck_km"].sum("fleet").values)


@pytest.mark.browser
def test_explorer_node_map_daily_series_and_slider(page, server, city_ds):
    from dashboards.explorer import option_label

    open_app(page, server, "explorer", "Run explorer")
    page.get_by_label("results 结果").select_option(label=next(
        o for o in page.get_by_label("results 结果").locator("option").all_inner_texts()
        if STORE in o))
    expect(page.locator("body")).to_contain_text("models households,drainage,waste",
                                                 timeout=30_000)
    variable = page.get_by_label("variable 变量")
    variable.select_option(label=option_label("ponded_depth", city_ds["ponded_depth"]))
    page.wait_for_function(f"({LAYER})('J') !== null", timeout=20_000)
    nodes = page.evaluate(LAYER, "J")
    assert len(nodes["labels"]) == city_ds.sizes["node"] and max(nodes["value"]) > 0.05
    expect(page.locator(".explorer-clock")).to_contain_text("on drainage_time")
    screenshot(page, "explorer_nodes")
    handle = page.locator(".explorer-slider .noUi-handle")
    handle.focus()
    for _ in range(30):
        handle.press("ArrowLeft")
    page.wait_for_function(f"(before) => {{ const l = ({LAYER})('J'); "
                           "return l !== null && JSON.stringify(l.value) !== before; }",
                           arg=json.dumps(nodes["value"]), timeout=20_000, polling="raf")
    variable.select_option(label=option_label("truck_km", city_ds["truck_km"]))
    expect(page.locator(".explorer-clock")).to_contain_text("on day", timeout=20_000)
    page.wait_for_function(f"(n) => {{ const l = ({LINES})(); return l && l.len === n; }}",
                           arg=city_ds.sizes["day"], timeout=20_000)
    lines = page.evaluate(LINES)
    assert lines["n"] == 1 and lines["labels"] == ["sum over fleet"]
    screenshot(page, "explorer_daily")
    clean(page)


@pytest.mark.browser
def test_drill_shows_the_city_timeline(page, server, results):
    open_app(page, server, "drill", "test-drill")
    select = page.get_by_label("drill 演练")
    select.select_option(label=next(o for o in select.locator("option").all_inner_texts()
                                    if STORE in o))
    body = page.locator("body")
    expect(body).to_contain_text("compound_storm_drill ·", timeout=30_000)
    page.wait_for_function("""() => { for (const d of window.Bokeh.documents)
        for (const m of d.all_models) if (m.text && String(m.text).includes('City timeline')
        && String(m.text).includes('waste')) return true; return false; }""", timeout=30_000)
    clean(page)


def test_comparison_reads_any_time_base(results, tmp_path):
    """A sweep's (run, <base>) series on a sub-daily base of a model's own."""
    from dashboards.comparison import Sweep, stamp

    ds = xr.open_zarr(results / "sorting.zarr", consolidated=None).load()
    t = ds["day"].values[0] + np.arange(ds.sizes["day"]) * np.timedelta64(10, "m")
    ds = ds.rename(day="gauge_time").assign_coords(gauge_time=("gauge_time", t))
    ds["gauge_time"].attrs["time_base"] = "1"
    ds.to_zarr(tmp_path / "s.zarr", consolidated=False)
    sw = Sweep(tmp_path / "s.zarr")
    assert sw.series == ["participation"]
    band = sw.band("participation", "campaign")
    assert band.index[1] - band.index[0] == pd.Timedelta(minutes=10)
    assert stamp(band.index[1]).endswith("00:10:00")


class FakeDashboard:
    """A plugin's app: shown for stores with waste results."""

    title = "Fake plugin board"

    @classmethod
    def applies(cls, ds) -> bool:
        return "waste" in ds.attrs.get("models", "")

    def __init__(self, path):
        self.ds = xr.open_zarr(path, consolidated=None)

    def __panel__(self):
        return pn.pane.Markdown(f"fake plugin sees {len(self.ds.data_vars)} variables of "
                                f"{self.ds.attrs['scenario']}")


def fake_entry_points():
    return [EntryPoint("fake", "browser.test_explorer:FakeDashboard", "twin.dashboards"),
            EntryPoint("broken", "no_such_module_xyz:app", "twin.dashboards")]


def test_plugin_reader_loads_and_reports(monkeypatch, results):
    from dashboards import plugins
    from dashboards.stores import discover

    monkeypatch.setattr(plugins, "entry_points", fake_entry_points)
    stores, _ = discover([], results)
    routes, problems = plugins.plugin_routes(stores)
    assert list(routes) == ["plugin-fake"] and routes["plugin-fake"][0] == "Fake plugin board"
    assert any("'broken'" in p and "does not import" in p for p in problems)
    fits = [s.name for s in stores if plugins.plugins()[0][0].fits(s)]
    assert "test-drill" not in fits and "compound_storm_drill" in fits


@pytest.mark.browser
def test_plugin_dashboard_is_served(page, monkeypatch, results):
    from dashboards import plugins
    from dashboards.serve import make_apps
    from dashboards.stores import discover

    monkeypatch.setattr(plugins, "entry_points", fake_entry_points)
    stores, problems = discover([], results)
    port = free_port()
    apps = make_apps(stores, problems, results)
    thread = pn.serve(apps, port=port, address="127.0.0.1", show=False, threaded=True,
                      websocket_origin=[f"127.0.0.1:{port}"], liveness=True)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(600):  # a loaded host can take a while to bind (no time limit meant)
            try:
                urllib.request.urlopen(f"{url}/liveness", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        page.goto(f"{url}/index", timeout=120_000)
        body = page.locator("body")
        expect(body).to_contain_text("Fake plugin board (plugin)", timeout=90_000)
        expect(body).to_contain_text("does not import")
        page.goto(f"{url}/plugin-fake")
        expect(body).to_contain_text("fake plugin sees", timeout=90_000)
        picker = page.get_by_label("results 结果")  # the stores it applies to, once rendered
        expect(picker).to_contain_text("compound_storm_drill", timeout=90_000)
        shown = picker.locator("option").all_inner_texts()
        assert not any("test-drill" in o for o in shown)
        screenshot(page, "plugin")
        clean(page)
    finally:
        thread.stop()
        pn.state.kill_all_servers()
