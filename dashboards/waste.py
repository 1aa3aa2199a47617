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
    available_t: pd.DataFrame | None  # t/day each plant could treat after outages
    capacity_rows: list  # the waste model's own headline: capacity vs what zero landfill needs
    landfill: pd.Series | None
    overflow: pd.DataFrame | None  # per collection point
    city: object
    spinup_days: int = 0  # leading days left out of the landfill sentence (headline's window)


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
    by_dest = stream_dest = landfill = offered = available = None
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
        if "plant_available_t" in ds:
            av = ds["plant_available_t"].load()
            available = pd.DataFrame(av.values, index=time,
                                     columns=[str(k) for k in av["plant"].values])
    rows = []
    if "plant_capacity_t" in ds:
        from twin.core import registry

        rows = [r for r in registry.get("waste").summarize(ds) if "capacity" in r[0]
                or "needed" in r[0]]
    overflow = (_overflow(ds) if {"overflow_events_total", "point_x_m"} <= set(ds.variables)
                else None)
    spinup = 0
    if landfill is not None:
        from twin.models.waste.headline import report_window

        spinup = ds.sizes["day"] - report_window(ds).sizes["day"]
    return Waste(ds.attrs.get("scenario", Path(path).stem), time, adoption, by_district,
                 by_dest, stream_dest, capacity, offered, available, rows, landfill, overflow,
                 city, spinup)


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
    """Tonnes arriving at each plant (solid) against its capacity (dashed, same colour) and
    the capacity left after maintenance and breakdowns (dotted): above the dotted line the
    excess waits in the plant's bunker (or, once it is full, goes on)."""
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
        if w.available_t is not None and plant in w.available_t:
            fig.step(df.index, w.available_t[plant].values, color=c, line_width=1,
                     line_dash="dotted", mode="after")
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
    none = "" if float(ov["events"].max()) > 0 else ": none in this run, every point shown"
    cm = city_map(w.city, title=bilingual("Overflow hot spots") + f" (events over the run{none})",
                  height=height, depth_max_m=high, point_label="collection point",
                  value_title="overflow events", palette=HOT_PALETTE, value_format="0")
    cm.points.data = {"x": ov["x"].values, "y": ov["y"].values, "value": ov["events"].values,
                      "label": [f"{p} ({k})" for p, k in zip(ov["point"], ov["kind"],
                                                              strict=True)],
                      "size": 6 + 14 * np.sqrt(ov["events"].values / high)}
    return cm.fig


def landfill_line(w: Waste) -> str:
    """The landfill sentence over the reported window only: the spin-up days start from empty
    containers and bunkers, so counting them would flatter zero landfill (headline.py)."""
    s = w.landfill.iloc[w.spinup_days:]
    zero = int((s <= 1e-9).sum())
    after = f" after {w.spinup_days} spin-up days" if w.spinup_days else ""
    text = (f"**{bilingual('Landfill')}**: {s.mean():,.1f} t/day on average; zero landfill on "
            f"**{zero} of {len(s)} days**{after} (goal: every day).")
    if w.capacity_rows:
        text += " " + "; ".join(f"{label.strip()}: {v:,.{0 if v >= 100 else 1}f} {u}"
                                for label, v, u in w.capacity_rows) + "."
    return text


PLAN_FIGURES = ("landfill_share", "zero_landfill_days", "recycling_rate", "cost_cny", "co2_t")


def plan_stores(stores: list[StoreInfo]) -> list[StoreInfo]:
    """Run stores of the waste model (the plans an analyst can put side by side)."""
    return with_models(stores, "waste")


def comparison_html(df: pd.DataFrame) -> str:
    """The side-by-side table, overloaded plants' cells highlighted (red)."""
    import html as _html

    hot = set(df.attrs.get("overloads", []))
    head = "".join(f"<th>{_html.escape(str(c))}</th>" for c in df.columns)
    body = []
    for row, vals in df.iterrows():
        cells = "".join(
            f"<td style='background:#fde0dc;color:#a50e0e;font-weight:bold'>{_html.escape(v)}"
            "</td>" if (row, col) in hot else f"<td>{_html.escape(str(v))}</td>"
            for col, v in vals.items())
        body.append(f"<tr><th style='text-align:left'>{_html.escape(str(row))}</th>{cells}</tr>")
    return (f"<table class='plan-comparison'><tr><th>figure</th>{head}</tr>{''.join(body)}"
            "</table><p style='font-size:9pt'>mean +- 95% half-width; red: days a plant was "
            "offered more than its available capacity (its bunker took the rest)</p>")


def comparison_figures(long: pd.DataFrame) -> list:
    """One bar chart per headline figure: plans side by side, whiskers = 95% interval."""
    from bokeh.models import Whisker

    figs = []
    plans = list(dict.fromkeys(long["scenario"]))
    short = [p.removeprefix("waste-") for p in plans]
    for k in PLAN_FIGURES:
        d = long[long["figure"] == k].set_index("scenario").reindex(plans)
        if d.empty:
            continue
        src = ColumnDataSource({"plan": short, "mean": d["mean"].fillna(0).values,
                                "lo": (d["mean"] - d["half_width"]).fillna(0).values,
                                "hi": (d["mean"] + d["half_width"]).fillna(0).values,
                                "colour": [PALETTE[i % len(PALETTE)] for i in range(len(plans))]})
        fig = figure(x_range=short, height=260, width=360, title=str(d["label"].iloc[0]),
                     y_axis_label=str(d["unit"].iloc[0]), tools="save")
        fig.vbar(x="plan", top="mean", width=0.7, source=src, color="colour")
        fig.add_layout(Whisker(source=src, base="plan", lower="lo", upper="hi"))
        fig.y_range.start = 0
        fig.xaxis.major_label_orientation = 0.6
        style(fig, legend=False)
        figs.append(fig)
    return figs


def plan_comparison(paths: list) -> tuple[pd.DataFrame, list]:
    """(side-by-side table, bar charts) of the runs at `paths` (runs of one scenario pooled
    as replicates)."""
    from twin.models.waste.compare import compare, headline_table

    datasets = [xr.open_zarr(Path(p), consolidated=None) for p in paths]
    datasets = [ds for ds in datasets if "landfill_tonnes" in ds]
    if not datasets:
        return pd.DataFrame(), []
    return compare(datasets), comparison_figures(headline_table(datasets))


def comparison_section(paths: list) -> list:
    """Bokeh models of the plan comparison for the printable briefing."""
    from bokeh.layouts import gridplot
    from bokeh.models import Div

    df, figs = plan_comparison(paths)
    if df.empty:
        return []
    out = [Div(text=f"<h2>{bilingual('Plan comparison')}</h2>{comparison_html(df)}",
               sizing_mode="stretch_width")]
    if figs:
        out.append(gridplot(figs, ncols=3, toolbar_location=None))
    return out


def comparison_view(paths: list):
    df, figs = plan_comparison(paths)
    if df.empty:
        return pn.pane.Markdown("Pick two or more waste runs to compare.")
    return pn.Column(pn.pane.HTML(comparison_html(df), sizing_mode="stretch_width"),
                     pn.GridBox(*[pn.pane.Bokeh(f) for f in figs], ncols=3),
                     sizing_mode="stretch_width")


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
    plans = options(plan_stores(stores))
    pick = pn.widgets.MultiChoice(name="plans to compare 方案比较", options=plans,
                                  value=list(plans.values())[:6], sizing_mode="stretch_width")
    versus = pn.Column(sizing_mode="stretch_width")

    def show_plans(paths):
        versus[:] = [comparison_view(paths)]

    pick.param.watch(lambda e: show_plans(e.new), "value")
    show_plans(pick.value)
    tabs = pn.Tabs(("One run 单次运行", main), ("Plan comparison 方案比较", versus),
                   sizing_mode="stretch_width")
    return template("Sorting adoption and waste", [tabs], [select, pick])
