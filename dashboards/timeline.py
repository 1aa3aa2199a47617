"""The other subsystems of a drill store on the drainage charts' timeline: any time-series
variable of another model (waste, households, gas, parking, a plugin's), on whatever base it
was recorded (`day`, `hour`, its own), summed over its entity dims, drawn on the drainage
time axis. A daily or hourly value is held over its day or hour (a step), so a one-day drill
shows the day's late collections as a level across the storm, not a lone dot at midnight."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from twin.core.recorder import time_dims

# what a planner looks at first, per model (any other variable: first few by name)
PREFERRED = {
    "waste": ("stops_missed", "late_collections", "truck_km", "overflowing_points"),
    "households": ("waste_generated",),
    "gas": ("gas_interrupted_customers", "gas_open_leaks", "gas_supply_failure"),
    "parking": ("parking_flooded_spaces", "parking_cut_off_spaces", "parking_cars_at_risk",
                "parking_turned_away"),
}
FALLBACK = 3  # variables shown for a model the dashboards do not know
PERIOD_S = {"day": 86_400.0, "hour": 3_600.0}
# counted rather than summed: points with any overflow that day
DERIVED = {"overflowing_points": ("overflow_events", "collection_point",
                                  "collection points overflowing (1/day)")}


@dataclass
class Line:
    """One variable of another model, reduced to a series on its own base."""

    model: str
    name: str
    label: str  # legend: name (units), with what was summed
    t_ms: np.ndarray  # step corners, Bokeh milliseconds
    y: np.ndarray


def _held(time: pd.DatetimeIndex, y: np.ndarray, base: str) -> tuple[np.ndarray, np.ndarray]:
    """Corners of a step holding each value until the next row (the last one over its
    period on a shared base)."""
    t = np.asarray(time.values.astype("datetime64[ms]").astype(np.int64), dtype=float)
    period = PERIOD_S.get(base)
    if period is not None and len(t):
        t = np.append(t, t[-1] + 1000 * period)
        y = np.append(y, y[-1])
    return t, np.asarray(y, dtype=float)


def _series(ds: xr.Dataset, name: str) -> Line | None:
    if name in DERIVED:
        src, dim, label = DERIVED[name]
        if src not in ds or dim not in ds[src].dims:
            return None
        da = (ds[src].load() > 0).sum(dim)
        model = str(ds[src].attrs.get("model", "?"))
    elif name in ds:
        da = ds[name]
        model = str(da.attrs.get("model", "?"))
        units = da.attrs.get("units", "")
        rest = [d for d in da.dims if d not in time_dims(da)]
        label = f"{name} ({units})" + (f", sum over {', '.join(map(str, rest))}" if rest else "")
        da = da.load().sum(rest) if rest else da.load()
    else:
        return None
    base = time_dims(da)
    if len(base) != 1 or da.ndim != 1:
        return None
    t, y = _held(pd.DatetimeIndex(da[base[0]].values), da.values.astype(float), base[0])
    return Line(model, name, label, t, y)


def chosen(ds: xr.Dataset, model: str) -> list[str]:
    """The variables of `model` put on the timeline."""
    mine = sorted(str(v) for v in ds.data_vars if ds[v].attrs.get("model") == model
                  and time_dims(ds[v]))
    pref = [n for n in PREFERRED.get(model, ()) if n in mine or
            (n in DERIVED and DERIVED[n][0] in mine)]
    return pref or mine[:FALLBACK]


def city_timeline(ds: xr.Dataset, own: str = "drainage") -> dict[str, list[Line]]:
    """Model -> its series, for every model in the store other than `own`."""
    models = sorted({str(ds[v].attrs.get("model")) for v in ds.data_vars
                     if ds[v].attrs.get("model") not in (None, own) and time_dims(ds[v])})
    out = {}
    for m in models:
        lines = [s for s in (_series(ds, n) for n in chosen(ds, m)) if s is not None]
        if lines:
            out[m] = lines
    return out


def timeline_figure(model: str, lines: list[Line], x_range=None, height: int = 200):
    """One model's series on the drainage charts' x range (shared: zoom one, zoom all)."""
    from bokeh.plotting import figure

    from dashboards.theme import PALETTE, bilingual, style

    kw = {"x_range": x_range} if x_range is not None else {}
    fig = figure(height=height, sizing_mode="stretch_width", x_axis_type="datetime", **kw,
                 title=f"{bilingual('City timeline')}: {model}",
                 x_axis_label=bilingual("time"), tools="pan,xwheel_zoom,reset,save")
    for i, s in enumerate(lines):
        fig.step(s.t_ms, s.y, mode="after", legend_label=s.label, line_width=2,
                 color=PALETTE[i % len(PALETTE)])
    style(fig)
    fig.legend.location = "top_left"  # as on the drainage charts; a click hides a line
    fig.legend.label_text_font_size = "7pt"
    fig.legend.background_fill_alpha = 0.5
    return fig
