"""Two drills side by side: the same storm with and without a fault (what losing PS01 at
01:00 costs), as the drill outcomes both stores recorded and their street water over the
drill's clock. Reads a few scalars and one series per store."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import panel as pn
import xarray as xr

from dashboards.data import times
from dashboards.theme import PALETTE, bilingual, style, table

# outcome -> (variable, reduction, label, unit); "bad" direction is high for all of them;
# "a|b": a, else b (stores from before the peak was kept at every stride)
OUTCOMES = (
    ("peak_street_water_volume|street_water_volume", "max", "most water on the streets", "m3"),
    ("road_edge_hours_closed", "sum", "road-edge hours closed", "h"),
    ("n_waterlogging_points", "max", "waterlogging points (> 15 cm for > 30 min)", "1"),
    ("point_hours_above_limit", "sum", "point-hours above 15 cm", "h"),
    ("system_flood_volume", "sum", "sewer flooding", "m3"),
    ("time_to_drain", "max", "hours to drain after the storm", "h"),
    ("mobile_pumped_volume", "sum", "pumped by trucks", "m3"),
)


def outcomes(path: str | Path) -> dict[str, float]:
    """Label (unit) -> value of each outcome the store holds."""
    ds = xr.open_zarr(path, consolidated=None)
    out = {}
    for names, how, label, unit in OUTCOMES:
        var = next((v for v in names.split("|") if v in ds), None)
        if var is not None:
            v = ds[var].load()
            out[f"{label} ({unit})"] = float(getattr(v, how)()) if v.size else float("nan")
    return out


def side_by_side(a: str | Path, b: str | Path) -> pd.DataFrame:
    """Both drills' outcomes and the difference (b - a)."""
    oa, ob = outcomes(a), outcomes(b)
    rows = [k for k in oa if k in ob]
    name_a, name_b = _name(a), _name(b)
    return pd.DataFrame({"outcome": rows,
                         name_a: [_plain(oa[k]) for k in rows],
                         name_b: [_plain(ob[k]) for k in rows],
                         "difference": [_plain(ob[k] - oa[k], signed=True) for k in rows]})


def _name(path) -> str:
    ds = xr.open_zarr(path, consolidated=None)
    return str(ds.attrs.get("scenario", Path(path).stem))


def _plain(v: float, signed: bool = False) -> str:
    from dashboards.labels import plain

    if v != v:
        return "n/a (still wet at the end)"
    return ("+" if signed and v > 0 else "") + plain(v)


def street_water_figure(a, b, height: int = 220):
    """Street water over the drill's clock (hours since its start), both drills."""
    from bokeh.plotting import figure

    fig = figure(height=height, sizing_mode="stretch_width", title="water on the streets",
                 x_axis_label="hours since the drill started", y_axis_label="street water (m3)",
                 tools="pan,xwheel_zoom,reset,save")
    for i, path in enumerate((a, b)):
        ds = xr.open_zarr(path, consolidated=None)
        if "street_water_volume" not in ds:
            continue
        t = times(ds, "drainage_time")
        h = (t - pd.Timestamp(ds.attrs.get("start", t[0]))).total_seconds() / 3600
        fig.line(np.asarray(h), ds["street_water_volume"].values, line_width=2,
                 color=PALETTE[i], legend_label=_name(path))
    if fig.legend:
        fig.legend.location = "top_right"
    return style(fig)


def same_storm(paths: list[str], current: str) -> str | None:
    """Another drill store with the current one's storm (its rain's description), if any."""
    def storm(p):
        ds = xr.open_zarr(p, consolidated=None)
        return ds["storm_depth"].attrs.get("long_name") if "storm_depth" in ds else None

    mine = storm(current)
    return next((p for p in paths if p != current and storm(p) == mine), None)


def compare_panel(paths: dict[str, str], current: str | None):
    """A picker of the other drill and the two side by side."""
    others = {k: v for k, v in paths.items() if v != current}
    pick = pn.widgets.Select(name="compare with 对比", options={"(none)": "", **others},
                             value=(same_storm(list(others.values()), current) or "")
                             if current else "", width=420)
    body = pn.Column(sizing_mode="stretch_width")

    def show(other):
        if not current or not other:
            body[:] = [pn.pane.Markdown("Pick a second drill to compare (the same storm "
                                        "without the fault shows what the fault costs).")]
            return
        try:
            body[:] = [table(side_by_side(current, other)),
                       pn.pane.Bokeh(street_water_figure(current, other),
                                     sizing_mode="stretch_width")]
        except Exception as e:  # noqa: BLE001 - a damaged store: one line, the app goes on
            body[:] = [pn.pane.Alert(f"cannot compare with {Path(other).name}: "
                                     f"{type(e).__name__}", alert_type="warning")]

    pick.param.watch(lambda e: show(e.new), "value")
    show(pick.value)
    return pn.Column(f"#### {bilingual('Storm drill')}: side by side 对比", pick, body,
                     sizing_mode="stretch_width")
