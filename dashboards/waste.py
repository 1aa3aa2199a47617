"""Sorting adoption and waste (policy analyst, city management): adoption, capture and
purity curves; tonnes by stream and destination against treatment capacity; landfill and
the zero-landfill goal; overflow hot spots on the city map."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import panel as pn
import xarray as xr
from bokeh.models import ColumnDataSource, Span
from bokeh.palettes import Category10
from bokeh.plotting import figure

from dashboards.citymap import city_map
from dashboards.data import city_of, options, times, with_models
from dashboards.stores import StoreInfo
from dashboards.theme import HOT_PALETTE, PALETTE, bilingual, style, table, template

ADOPTION = {"participation": "participation", "food_capture": "capture",
            "food_purity": "purity"}
COLOURS = {"incineration": PALETTE[1], "digestion": PALETTE[2], "recycling": PALETTE[0],
           "hazardous_treatment": PALETTE[4], "landfill": PALETTE[3]}


@dataclass
class Waste:
    """The few arrays the views draw (reduced from the store as they are read)."""

    name: str
    time: pd.DatetimeIndex
    adoption: pd.DataFrame | None  # city-wide shares over time
    by_district: pd.DataFrame | None  # participation per district over time
    by_destination: pd.DataFrame | None  # t/day over time, one column per destination
    stream_dest: pd.DataFrame | None  # mean t/day, stream x destination
    capacity_t: dict  # plant -> t/day (plants with a finite capacity)
    offered_t: pd.DataFrame | None  # t/day arriving at each plant (the capacity it would need)
    capacity_rows: list  # the waste model's own headline: capacity vs what zero landfill needs
    landfill: pd.Series | None
    overflow: pd.DataFrame | None  # per collection point
    city: object


def _adoption(ds: xr.Dataset, time: pd.DatetimeIndex):
    """City-wide adoption shares (household-weighted) and participation per district (%)."""
    w = ds["households"].load() if "households" in ds else None
    cols = {}
    for var, short in ADOPTION.items():
        da = ds[var].load()
        cols[bilingual(short)] = 100 * (da.weighted(w).mean("district") if w is not None
                                        else da.mean("district")).values
    part = ds["participation"].load()
    names = (ds["district_zh"].values if "district_zh" in ds.coords
             else [""] * part.sizes["district"])
    by_district = pd.DataFrame(100 * part.values, index=time,
                               columns=[f"{a} {b}".strip() for a, b in
                                        zip(part["district"].values, names, strict=True)])
    return pd.DataFrame(cols, index=time), by_district


def _overflow(ds: xr.Dataset) -> pd.DataFrame:
    """Overflow events per collection point over the run, where the run recorded the point."""
    cp = ds["overflow_events_total"].load()
    sort = ds["sorting_point"].values if "sorting_point" in ds else np.zeros(cp.size)
    return pd.DataFrame({"point": [str(n) for n in cp["collection_point"].values],
                         "x": cp["point_x_m"].values, "y": cp["point_y_m"].values,
                         "events": cp.values,
                         "kind": np.where(sort > 0, "sorting house 分类收集站",
                                          "legacy point 普通收集点")})


def load_waste(path: str | Path) -> Waste:
    ds = xr.open_zarr(Path(path), consolidated=None)
    city = city_of(ds)
    time = times(ds, "day")
    adoption, by_district = _adoption(ds, time) if "participation" in ds else (None, None)
    by_dest = stream_dest = landfill = offered = None
    capacity = {}
    if "tonnes_by_destination" in ds:
        tbd = ds["tonnes_by_destination"].load()
        by_dest = pd.DataFrame(tbd.sum("stream").values, index=time,
                               columns=[str(d) for d in tbd["destination"].values])
        sd = tbd.mean("day").to_pandas()
        sd.index = [bilingual(str(s)) for s in sd.index]
        sd.columns = [bilingual(str(c)) for c in sd.columns]
        stream_dest = sd.round(2).reset_index(names="stream (t/day)")
        landfill = ds["landfill_tonnes"].load().to_pandas()
    if "plant_capacity_t" in ds:
        cap = ds["plant_capacity_t"].load()
        capacity = {str(k): float(v) for k, v in zip(cap["plant"].values, cap.values,
                                                      strict=True) if np.isfinite(v)}
        off = ds["plant_offered_t"].load()
        offered = pd.DataFrame(off.values, index=time,
                               columns=[str(k) for k in off["plant"].values])
    rows = []
    if "plant_capacity_t" in ds:
        from twin.core import registry

        rows = [r for r in registry.get("waste").summarize(ds) if "capacity" in r[0]
                or "needed" in r[0]]
    overflow = (_overflow(ds) if {"overflow_events_total", "point_x_m"} <= set(ds.variables)
                else None)
    return Waste(ds.attrs.get("scenario", Path(path).stem), time, adoption, by_district,
                 by_dest, stream_dest, capacity, offered, rows, landfill, overflow, city)


def _lines(df: pd.DataFrame, title: str, y_label: str, height: int = 320, y_range=None):
    fig = figure(height=height, sizing_mode="stretch_width", x_axis_type="datetime",
                 title=title, x_axis_label=bilingual("time"), y_axis_label=y_label,
                 tools="pan,wheel_zoom,reset,save")
    if y_range:
        fig.y_range.start, fig.y_range.end = y_range
    colours = PALETTE if len(df.columns) <= len(PALETTE) else Category10[10]
    for i, c in enumerate(df.columns):
        fig.line(df.index, df[c].values, legend_label=str(c), line_width=2,
                 color=colours[i % len(colours)])
    style(fig)
    fig.legend.orientation = "horizontal"
    fig.add_layout(fig.legend[0], "below")
    return fig


def adoption_figure(w: Waste):
    return _lines(w.adoption, bilingual("Adoption, capture and purity") + " (households)",
                  "share (%)", y_range=(0, 100))


def district_figure(w: Waste):
    fig = _lines(w.by_district, bilingual("Participation by district"),
                 "households sorting (%)", y_range=(0, 100))
    fig.legend.orientation = "vertical"
    fig.legend.ncols = 3
    fig.legend.label_text_font_size = "7pt"
    return fig


def destination_figure(w: Waste):
    """Tonnes by destination, stacked per day."""
    df = w.by_destination
    cols = [c for c in df.columns if df[c].sum() > 0] or list(df.columns)
    src = ColumnDataSource({"t": df.index, **{c: df[c].values for c in cols}})
    fig = figure(height=330, sizing_mode="stretch_width", x_axis_type="datetime",
                 title=bilingual("Tonnes by destination"), x_axis_label=bilingual("time"),
                 y_axis_label="waste (t/day)", tools="pan,wheel_zoom,reset,save")
    fig.varea_stack(cols, x="t", source=src, color=[COLOURS.get(c, "#999") for c in cols],
                    legend_label=[bilingual(c) for c in cols], alpha=0.8)
    fig.y_range.start = 0
    style(fig)
    fig.legend.orientation = "vertical"
    fig.legend.ncols = 3
    fig.add_layout(fig.legend[0], "below")
    return fig


def plant_figure(w: Waste):
    """Tonnes arriving at each plant (solid) against its capacity (dashed, same colour):
    above the dashed line the plant turns waste away to landfill."""
    df = w.offered_t
    fig = figure(height=330, sizing_mode="stretch_width", x_axis_type="datetime",
                 title=bilingual("Plant load") + " vs " + bilingual("treatment capacity"),
                 x_axis_label=bilingual("time"), y_axis_label="waste arriving (t/day)",
                 tools="pan,wheel_zoom,reset,save")
    for plant, cap in w.capacity_t.items():
        c = COLOURS.get(plant, "#999")
        fig.line(df.index, df[plant].values, color=c, line_width=2,
                 legend_label=f"{bilingual(plant)} (capacity {cap:,.1f}: dashed)")
        fig.line(df.index[[0, -1]], [cap, cap], color=c, line_width=2, line_dash="dashed")
    fig.y_range.start = 0
    style(fig)
    fig.legend.orientation = "vertical"
    fig.add_layout(fig.legend[0], "below")
    return fig


def landfill_figure(w: Waste):
    fig = figure(height=330, sizing_mode="stretch_width", x_axis_type="datetime",
                 title=f"{bilingual('Landfill')} vs {bilingual('zero-landfill goal')}",
                 x_axis_label=bilingual("time"), y_axis_label="raw waste landfilled (t/day)",
                 tools="pan,wheel_zoom,reset,save")
    s = w.landfill
    fig.vbar(s.index, top=s.values, width=0.8 * 86_400_000, color=PALETTE[3],
             legend_label="landfilled 填埋量")
    fig.add_layout(Span(location=0, dimension="width", line_color="#2a9d4b", line_width=3))
    fig.line([], [], color="#2a9d4b", line_width=3, legend_label="goal: 0 t/day 目标")
    fig.y_range.start = 0
    style(fig)
    fig.legend.orientation = "horizontal"
    fig.add_layout(fig.legend[0], "below")
    return fig


def overflow_map(w: Waste, height: int = 420):
    ov = w.overflow
    high = max(float(ov["events"].max()), 1.0)
    cm = city_map(w.city, title=bilingual("Overflow hot spots") + " (events over the run)",
                  height=height, depth_max_m=high, point_label="collection point",
                  value_title="overflow events", palette=HOT_PALETTE, value_format="0")
    cm.points.data = {"x": ov["x"].values, "y": ov["y"].values, "value": ov["events"].values,
                      "label": [f"{p} ({k})" for p, k in zip(ov["point"], ov["kind"],
                                                              strict=True)],
                      "size": 6 + 14 * np.sqrt(ov["events"].values / high)}
    return cm.fig


def landfill_line(w: Waste) -> str:
    s = w.landfill
    zero = int((s <= 1e-9).sum())
    text = (f"**{bilingual('Landfill')}**: {s.mean():,.1f} t/day on average; zero landfill on "
            f"**{zero} of {len(s)} days** (goal: every day).")
    if w.capacity_rows:
        text += " " + "; ".join(f"{label.strip()}: {v:,.{0 if v >= 100 else 1}f} {u}"
                                for label, v, u in w.capacity_rows) + "."
    return text


def waste_section(path) -> list:
    """Bokeh models for the static briefing."""
    from bokeh.models import Div

    w = load_waste(path)
    out = [Div(text=f"<h2>{bilingual('Sorting adoption and waste')}: {w.name}</h2>")]
    if w.adoption is not None:
        out.append(adoption_figure(w))
    if w.by_destination is not None:
        from dashboards.briefing import html_table

        md = landfill_line(w).replace("**", "")
        out += [destination_figure(w)]
        out += [plant_figure(w)] if w.capacity_t else []
        out += [landfill_figure(w), Div(text=f"<p>{md}</p><h3>{bilingual('Tonnes by stream and destination')} "
                    f"(mean t/day)</h3>{html_table(w.stream_dest)}")]
    if w.overflow is not None:
        out.append(overflow_map(w, height=520))
    return out


def view(path: str):
    w = load_waste(path)
    rows = []
    if w.adoption is not None:
        rows.append(pn.Row(pn.pane.Bokeh(adoption_figure(w), sizing_mode="stretch_width"),
                           pn.pane.Bokeh(district_figure(w), sizing_mode="stretch_width"),
                           sizing_mode="stretch_width"))
    if w.by_destination is not None:
        rows.append(pn.pane.Markdown(landfill_line(w)))
        plants = (pn.pane.Bokeh(plant_figure(w), sizing_mode="stretch_width")
                  if w.capacity_t else pn.Spacer())
        rows.append(pn.Row(pn.pane.Bokeh(destination_figure(w), sizing_mode="stretch_width"),
                           plants, sizing_mode="stretch_width"))
        right = pn.Column(pn.pane.Bokeh(landfill_figure(w), sizing_mode="stretch_width"),
                          f"#### {bilingual('Tonnes by stream and destination')} (mean t/day)",
                          table(w.stream_dest), width=520)
        left = (pn.pane.Bokeh(overflow_map(w), sizing_mode="stretch_width")
                if w.overflow is not None else pn.Spacer())
        rows.append(pn.Row(left, right, sizing_mode="stretch_width"))
    else:
        rows.append(pn.pane.Markdown("This store has no waste-collection results (households "
                                     "only): tonnes, landfill and hot spots need the waste "
                                     "model."))
    return pn.Column(pn.pane.Markdown(f"**{w.name}** · {len(w.time)} days"), *rows,
                     sizing_mode="stretch_width")


def app(stores: list[StoreInfo], results_dir: Path):
    runs = with_models(stores, "waste", "households")
    opts = options(runs)
    select = pn.widgets.Select(name="results 结果", options=opts,
                               value=next(iter(opts.values()), None), sizing_mode="stretch_width")
    main = pn.Column(sizing_mode="stretch_width")

    def show(path):
        main[:] = [view(path)] if path else [pn.pane.Markdown(
            "No households or waste store yet: run `twin run scenarios/waste/expansion_plan.toml`.")]

    select.param.watch(lambda e: show(e.new), "value")
    show(select.value)
    return template("Sorting adoption and waste", [main], [select])
