"""Gas network safety (utility engineer, policy analyst): the network map coloured by risk or
by the lowest pressure of the run; incidents over time by cause; the isolation areas of leaks
(mains whose valves were closed, customer-hours lost per service block); the renewal
comparison of a `gas_renewal` sweep store (paired differences to the reference policy).

Geometry comes from the store (each segment's two ends, in the city frame), so a network read
from a file is drawn like a generated one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import panel as pn
import xarray as xr
from bokeh.models import ColumnDataSource, HoverTool, Whisker
from bokeh.plotting import figure

from dashboards.citymap import city_map
from dashboards.data import city_of, options, params_of, times, with_models
from dashboards.stores import StoreInfo
from dashboards.theme import HOT_PALETTE, PALETTE, style, table, template

TITLE = "Gas network safety 燃气管网安全"
CAUSE_LABELS = {"ageing": "ageing 老化", "third_party": "third-party damage 第三方施工破坏",
                "indoor": "indoor hose/appliance 户内软管与灶具"}
CAUSE_COLOURS = {"ageing": PALETTE[5], "third_party": PALETTE[3], "indoor": PALETTE[1]}
PRESSURE_PALETTE = ("#a50026", "#d73027", "#fc8d59", "#fee08b", "#91cf60", "#1a9850")  # low: red
COLOUR_BY = {"risk": "risk: expected incidents per km-year 风险",
             "pressure": "lowest pressure over the run (kPa) 最低压力"}
# the gas_renewal sweep's outputs: (label, units of the value over one run)
SWEEP_KPIS = {
    "customer_hours_lost": ("customer-hours without gas", "h"),
    "leaks": ("leaks", "count"),
    "grade1_share_30min": ("grade-1 leaks made safe within 30 min", "%"),
    "risk_removed": ("expected incidents a year removed by renewal", "1/year"),
    "km_renewed": ("pipe renewed", "km"),
}
LEVER_LABELS = {"renewal_km_per_year": ("mains renewed", " km/yr"),
                "renewal_services_km_per_year": ("risers renewed", " km/yr"),
                "sensor_coverage": ("sensors", ""), "crews": ("crews", ""),
                "enforcement": ("enforcement", ""), "lpg_to_piped_per_year": ("LPG->piped", "/yr")}


@dataclass
class Gas:
    """What the views draw, reduced from a run store."""

    name: str
    city: object
    segments: pd.DataFrame  # one row per segment: geometry and end-of-run values
    leaks: pd.DataFrame  # leaks per day, one column per cause
    hourly: pd.DataFrame  # interrupted customers, open leaks
    summary: list
    lp_kpa: float


def _geometry(ds: xr.Dataset, ids: list[str]) -> pd.DataFrame:
    """Both ends of every segment (services: one point) and its pressure level."""
    xy = {k: np.asarray(ds[f"gas_segment_{k}_m"].values, float) for k in ("x", "y", "x0", "y0")
          if f"gas_segment_{k}_m" in ds.coords}
    x0, y0 = xy.get("x0", xy["x"]), xy.get("y0", xy["y"])
    is_main = np.array([s.startswith("main-") for s in ids])
    level = (np.asarray(ds["gas_segment_kind"].values, dtype=object) if "gas_segment_kind"
             in ds.coords else np.where(is_main, "low-pressure main", "service block"))
    return pd.DataFrame({"id": ids, "main": is_main, "level": level, "x0": x0, "y0": y0,
                         "x1": xy["x"], "y1": xy["y"]})


def load_gas(path: str | Path) -> Gas:
    ds = xr.open_zarr(Path(path), consolidated=None)
    city = city_of(ds)
    ids = [str(s) for s in ds["gas_segment"].values]
    seg = _geometry(ds, ids)
    for col, var in (("risk", "gas_risk_per_year"), ("down", "gas_customers_downstream"),
                     ("incidents", "gas_incidents"), ("closed_h", "gas_isolated_hours"),
                     ("cust_h", "gas_segment_customer_hours"),
                     ("low_bar", "gas_segment_lowest_bar")):
        seg[col] = np.asarray(ds[var].values, float) if var in ds else np.nan
    km = np.hypot(seg.x1 - seg.x0, seg.y1 - seg.y0) / 1000.0
    seg["risk_per_km"] = np.where(seg.main & (km > 0), seg.risk / np.maximum(km, 1e-9),
                                  seg.risk)
    day = times(ds, "day")
    lk = ds["gas_leaks"].load().sum("gas_district")
    leaks = pd.DataFrame(lk.values, index=day, columns=[str(c) for c in lk["gas_cause"].values])
    hourly = pd.DataFrame({"households without gas 停气户数": ds["gas_interrupted_customers"]
                           .values, "leaks not yet made safe 未处置泄漏": ds["gas_open_leaks"]
                           .values}, index=times(ds, "hour"))
    from twin.core import registry

    lp = float(params_of(ds, "gas").get("lp_bar", 0.03)) * 100.0
    return Gas(ds.attrs.get("scenario", Path(path).stem), city, seg, leaks, hourly,
               registry.get("gas").summarize(ds), lp)


# ------------------------------------------------------------------ the network map
SERVICE_LABEL = "service block (service lines, risers) 庭院管与立管"
LEVELS = (("medium-pressure main", "medium-pressure main 中压管", 5.0),
          ("low-pressure main", "low-pressure main 低压管", 2.5))


def _network_layers(fig, seg: pd.DataFrame, value, mapper, value_name: str, fmt: str) -> None:
    """Mains as lines (width by pressure level) and service blocks as points, coloured by
    `value` through `mapper`, each with its legend entry and hover."""
    value = np.asarray(value, float)
    rends = []
    for level, label, width in LEVELS:
        sel = (seg.level == level).values
        m = seg[sel]
        if not len(m):
            continue
        src = ColumnDataSource({"xs": [[a, b] for a, b in zip(m.x0, m.x1, strict=True)],
                                "ys": [[a, b] for a, b in zip(m.y0, m.y1, strict=True)],
                                "value": value[sel], "id": m.id.tolist(),
                                "down": m.down.values})
        rends.append(fig.multi_line("xs", "ys", source=src, line_width=width,
                                    line_color={"field": "value", "transform": mapper},
                                    legend_label=label))
    sel = (~seg.main).values
    s = seg[sel]
    src = ColumnDataSource({"x": s.x1.values, "y": s.y1.values, "value": value[sel],
                            "id": s.id.tolist(), "down": s.down.values})
    rends.append(fig.scatter("x", "y", source=src, size=6, line_color="#333333",
                             fill_color={"field": "value", "transform": mapper},
                             legend_label=SERVICE_LABEL))
    if sel.any():
        _swatch(fig, SERVICE_LABEL, int(np.nanargmax(np.nan_to_num(value[sel], nan=-1.0))))
    fig.add_tools(HoverTool(renderers=rends, tooltips=[
        ("segment", "@id"), (value_name, f"@value{{{fmt}}}"),
        ("households cut off if isolated", "@down{0,0}")]))


def network_map(g: Gas, colour_by: str = "risk", height: int = 500):
    seg = g.segments
    if colour_by == "pressure":
        value = seg.low_bar.values * 100.0
        high, palette, fmt = g.lp_kpa, PRESSURE_PALETTE, "0.00"
        name, title = "lowest pressure (kPa)", ("lowest pressure (kPa; medium-pressure "
                                                 "mains are above the scale)")
    else:
        value = seg.risk_per_km.values
        high = float(np.nanpercentile(value[seg.main.values], 95)) if seg.main.any() else 1.0
        palette, fmt, name = HOT_PALETTE, "0.000", "incidents per km-year"
        title = "expected incidents per km-year (service blocks: per year)"
    cm = city_map(g.city, title=f"{COLOUR_BY[colour_by]} · {g.name}", height=height,
                  depth_max_m=max(high, 1e-6), value_title=title, palette=palette,
                  value_format=fmt)
    if colour_by == "pressure":
        cm.mapper.high_color = palette[-1]
    _network_layers(cm.fig, seg, value, cm.mapper, name, fmt)
    _legend_below(cm.fig)
    return cm.fig


def _swatch(fig, label: str, index: int) -> None:
    """Draw a legend entry of a colour-mapped glyph with the colour of row `index`."""
    for item in fig.legend[0].items if fig.legend else []:
        if getattr(item.label, "value", item.label) == label:
            item.index = index


def _legend_below(fig, ncols: int | None = None) -> None:
    if fig.legend:
        leg = fig.legend[0]
        if ncols:
            leg.orientation, leg.ncols = "vertical", ncols
        else:
            leg.orientation = "horizontal"
        if leg not in fig.below:
            fig.add_layout(leg, "below")


def isolation_map(g: Gas, height: int = 540):
    """Mains whose valves were closed (red, thick) and customer-hours lost per service block."""
    seg = g.segments
    ch = np.nan_to_num(seg.cust_h.values)
    high = max(float(ch.max()), 1.0)
    cm = city_map(g.city, title=f"Isolation areas of leaks 泄漏关阀停气范围 · {g.name}",
                  height=height, depth_max_m=high,
                  value_title="customer-hours without gas over the run (h)",
                  palette=HOT_PALETTE, value_format="0,0.0")
    m = seg[seg.main]
    closed = m[np.nan_to_num(m.closed_h.values) > 0]
    cm.fig.multi_line([[a, b] for a, b in zip(m.x0, m.x1, strict=True)],
                      [[a, b] for a, b in zip(m.y0, m.y1, strict=True)], line_width=1.5,
                      color="#8ab4f8", legend_label="gas main 燃气管")
    src = ColumnDataSource({"xs": [[a, b] for a, b in zip(closed.x0, closed.x1, strict=True)],
                            "ys": [[a, b] for a, b in zip(closed.y0, closed.y1, strict=True)],
                            "id": closed.id.tolist(), "h": closed.closed_h.values,
                            "down": closed.down.values})
    r = cm.fig.multi_line("xs", "ys", source=src, line_width=7, color="#d62728",
                          legend_label="main with valves closed 关阀管段")
    cm.fig.add_tools(HoverTool(renderers=[r], tooltips=[
        ("segment", "@id"), ("valves closed (h)", "@h{0.0}"),
        ("households cut off", "@down{0,0}")]))
    sel = (~seg.main).values
    s = seg[sel]
    hit = ch[sel] > 0
    for mask, size, label in ((~hit, 3.0, "service block with gas 正常供气楼栋"),
                              (hit, 11.0, "block without gas 停气楼栋")):
        src = ColumnDataSource({"x": s.x1.values[mask], "y": s.y1.values[mask],
                                "value": ch[sel][mask], "id": s.id.values[mask].tolist()})
        r = cm.fig.scatter("x", "y", source=src, size=size, line_color="#333333",
                           fill_color={"field": "value", "transform": cm.mapper},
                           legend_label=label)
        cm.fig.add_tools(HoverTool(renderers=[r], tooltips=[
            ("service block", "@id"), ("customer-hours without gas", "@value{0,0.0}")]))
        if mask.any():  # the legend swatch shows the block that lost most
            _swatch(cm.fig, label, int(np.argmax(ch[sel][mask])))
    _legend_below(cm.fig, ncols=2)
    return cm.fig


def isolation_table(g: Gas) -> pd.DataFrame:
    seg = g.segments
    m = seg[seg.main & (np.nan_to_num(seg.closed_h.values) > 0)]
    rows = pd.DataFrame({"main closed": m.id, "valves closed (h)": m.closed_h.round(1),
                         "households cut off": m.down.astype(int)})
    s = seg[~seg.main & (np.nan_to_num(seg.cust_h.values) > 0)]
    blocks = pd.DataFrame({"service block": s.id, "customer-hours lost (h)": s.cust_h.round(1)})
    return rows, blocks.sort_values("customer-hours lost (h)", ascending=False).head(15)


# ------------------------------------------------------------------ incidents over time
def incidents_figure(g: Gas):
    df = g.leaks
    weekly = len(df) > 60
    if weekly:
        df = df.resample("7D").sum()
    unit = "week" if weekly else "day"
    cols = [c for c in df.columns if c in CAUSE_LABELS]
    src = ColumnDataSource({"t": df.index, **{c: df[c].values for c in cols}})
    fig = figure(height=330, sizing_mode="stretch_width", x_axis_type="datetime",
                 title=f"Leaks by cause 按原因的泄漏 (per {unit})",
                 x_axis_label="time 时间", y_axis_label=f"leaks that started (per {unit})",
                 tools="pan,wheel_zoom,reset,save")
    w = (7 if weekly else 1) * 0.8 * 86_400_000
    fig.vbar_stack(cols, x="t", width=w, source=src,
                   color=[CAUSE_COLOURS[c] for c in cols],
                   legend_label=[CAUSE_LABELS[c] for c in cols])
    fig.y_range.start = 0
    style(fig)
    _legend_below(fig)
    return fig


def hourly_figure(g: Gas):
    df = g.hourly
    fig = figure(height=300, sizing_mode="stretch_width", x_axis_type="datetime",
                 title="Households without gas and open leaks, hourly 逐时停气户数与未处置泄漏",
                 x_axis_label="time 时间", y_axis_label="households without gas",
                 tools="pan,wheel_zoom,reset,save")
    fig.step(df.index, df.iloc[:, 0].values, color=PALETTE[0], line_width=2, mode="after",
             legend_label=df.columns[0] + " (left axis)")
    from bokeh.models import LinearAxis, Range1d

    hi = max(float(df.iloc[:, 1].max()), 1.0)
    fig.extra_y_ranges = {"leaks": Range1d(0, hi * 1.2)}
    fig.add_layout(LinearAxis(y_range_name="leaks", axis_label="open leaks"), "right")
    fig.step(df.index, df.iloc[:, 1].values, color=PALETTE[3], line_width=2, mode="after",
             y_range_name="leaks", legend_label=df.columns[1] + " (right axis)")
    fig.y_range.start = 0
    style(fig)
    _legend_below(fig)
    return fig


def summary_text(g: Gas) -> str:
    def fmt(v, u):
        if not np.isfinite(v):
            return "n/a"
        if u == "1" and v <= 1:
            return f"{100 * v:.0f}%"
        if u == "1":
            return f"{v:,.0f}"
        if u == "bar":
            return f"{100 * v:.2f} kPa"
        return f"{v:,.1f} {u if u != '1' else ''}".strip()

    return " · ".join(f"{label}: **{fmt(v, u)}**" for label, v, u in g.summary)


# ------------------------------------------------------------------ renewal comparison
def policy_label(policy: str) -> str:
    """'renewal_services_km_per_year=3.13,crews=2' -> 'risers renewed 3.13 km/yr · crews 2'."""
    parts = []
    for kv in policy.split(","):
        k, _, v = kv.partition("=")
        name, suffix = LEVER_LABELS.get(k.split(".")[-1], (k, ""))
        if k.endswith("sensor_coverage") or k.endswith("enforcement"):
            v = f"{100 * float(v):.0f}%"
        parts.append(f"{name} {v}{suffix}")
    return " · ".join(parts)


def renewal_frame(path: str | Path) -> tuple[pd.DataFrame, str]:
    """Per policy: mean and 5-95% of each KPI over the runs, and the paired difference of
    customer-hours lost to the sweep's reference policy (mean and 95% CI)."""
    from dashboards.comparison import Sweep

    sw = Sweep(path)
    vals = {k: sw.values(k) for k in SWEEP_KPIS if k in sw.scalars}
    if {"grade1_made_safe", "grade1_within_30min"} <= set(sw.scalars):
        g1 = sw.values("grade1_made_safe")
        vals["grade1_share_30min"] = np.where(g1 > 0, 100 * sw.values("grade1_within_30min")
                                              / np.maximum(g1, 1e-9), np.nan)
    rows = []
    for pol in sw.policies:
        sel = (sw.policy == pol) & sw.ok
        row = {"policy": policy_label(pol), "key": pol, "runs": int(sel.sum())}
        for k, v in vals.items():
            x = v[sel]
            row[k] = np.nanmean(x) if np.isfinite(x).any() else np.nan
            row[k + "_lo"], row[k + "_hi"] = (np.nanpercentile(x, [5, 95]) if
                                              np.isfinite(x).any() else (np.nan, np.nan))
        if "risk_removed" in vals and "km_renewed" in vals:
            row["risk_per_km"] = row["risk_removed"] / row["km_renewed"] \
                if row["km_renewed"] > 0 else np.nan
        rows.append(row)
    df = pd.DataFrame(rows)
    ref = _reference(sw)
    if ref and "customer_hours_lost" in sw.scalars:
        diffs = {d.policy: d for d in sw.differences("customer_hours_lost", ref)}
        for col in ("diff", "diff_lo", "diff_hi"):
            df[col] = np.nan
        for i, pol in enumerate(df.key):
            d = diffs.get(pol)
            if d:
                df.loc[i, ["diff", "diff_lo", "diff_hi"]] = d.mean, d.low, d.high
    return df, ref or ""


def _reference(sw) -> str | None:
    """The reference of the sweep's own paired comparison (its analysis), else the first
    policy."""
    for d in sw.report.get("differences", []):
        if d.get("output") == "customer_hours_lost" and d.get("reference") in sw.policies:
            return d["reference"]
    return sw.policies[0] if sw.policies else None


def renewal_figure(df: pd.DataFrame, kpi: str):
    """Horizontal bars per policy: mean with the 5-95% range over scenarios and replicates."""
    label, units = SWEEP_KPIS[kpi]
    d = df.dropna(subset=[kpi])
    src = ColumnDataSource({"policy": d.policy.tolist(), "mean": d[kpi].values,
                            "lo": d[kpi + "_lo"].values, "hi": d[kpi + "_hi"].values,
                            "runs": d.runs.values})
    fig = figure(y_range=list(reversed(d.policy.tolist())), height=80 + 34 * len(d),
                 sizing_mode="stretch_width", title=f"{label} per policy ({units}, one run)",
                 x_axis_label=f"{label} ({units}): bar = mean, whisker = 5-95% over runs",
                 tools="save")
    fig.hbar(y="policy", right="mean", height=0.6, source=src, color=PALETTE[0],
             legend_label="mean over scenarios and replicates")
    fig.add_layout(Whisker(source=src, base="policy", lower="lo", upper="hi",
                           dimension="width", line_color="#333333"))
    fig.add_tools(HoverTool(tooltips=[("policy", "@policy"), ("mean", "@mean{0,0.00}"),
                                      ("5-95%", "@lo{0,0.00} to @hi{0,0.00}"), ("runs", "@runs")]))
    if len(d):
        lo, hi = float(np.nanmin(d[kpi + "_lo"])), float(np.nanmax(d[kpi + "_hi"]))
        fig.x_range.start, fig.x_range.end = min(0.0, lo), max(hi, 1e-9) * 1.08
    style(fig)
    _legend_below(fig)
    return fig


def renewal_table(df: pd.DataFrame) -> pd.DataFrame:
    cols = {"policy": "policy", "km_renewed": "km renewed",
            "risk_removed": "incidents/yr removed", "risk_per_km": "per km",
            "customer_hours_lost": "cust.-hours (h)", "diff": "Δ vs ref. (h)",
            "ci": "95% CI (h)"}
    df = df.copy()
    if "diff" in df:
        df["ci"] = [f"[{a:,.3g}, {b:,.3g}]" if np.isfinite(a) else "" for a, b in
                    zip(df.diff_lo, df.diff_hi, strict=True)]
    return df[[c for c in cols if c in df]].rename(columns=cols).fillna("–")


def renewal_view(path: str):
    df, ref = renewal_frame(path)
    kpi = pn.widgets.Select(name="KPI", options={f"{v[0]} ({v[1]})": k for k, v in
                                                 SWEEP_KPIS.items() if k in df},
                            value="customer_hours_lost", width=360)
    chart = pn.Column(sizing_mode="stretch_width")

    def draw(k):
        chart[:] = [pn.pane.Bokeh(renewal_figure(df, k), sizing_mode="stretch_width")]

    kpi.param.watch(lambda e: draw(e.new), "value")
    draw(kpi.value)
    note = (f"Reference policy 基准: **{policy_label(ref)}**. Paired differences use the same "
            "construction draws and seeds for every policy (common random numbers); a CI "
            "that straddles 0 is no evidence of a difference.")
    return pn.Column(kpi, chart, pn.pane.Markdown(note), table(renewal_table(df)),
                     sizing_mode="stretch_width")


# ------------------------------------------------------------------ the app
def view(path: str):
    g = load_gas(path)
    colour = pn.widgets.RadioButtonGroup(name="colour by", options={v: k for k, v in
                                                                    COLOUR_BY.items()},
                                         value="risk", button_type="light")
    net = pn.Column(sizing_mode="stretch_width")

    def draw(c):
        net[:] = [pn.pane.Bokeh(network_map(g, c), sizing_mode="stretch_width")]

    colour.param.watch(lambda e: draw(e.new), "value")
    draw(colour.value)
    mains, blocks = isolation_table(g)
    iso = pn.Row(pn.pane.Bokeh(isolation_map(g), sizing_mode="stretch_width"),
                 pn.Column("#### Mains isolated 关阀管段", table(mains),
                           "#### Service blocks without gas 停气楼栋", table(blocks), width=360),
                 sizing_mode="stretch_width")
    inc = pn.Column(pn.pane.Bokeh(incidents_figure(g), sizing_mode="stretch_width"),
                    pn.pane.Bokeh(hourly_figure(g), sizing_mode="stretch_width"),
                    sizing_mode="stretch_width")
    return pn.Column(pn.pane.Markdown(summary_text(g)),
                     pn.Tabs(("Network map 管网", pn.Column(colour, net,
                                                          sizing_mode="stretch_width")),
                             ("Incidents 事故", inc), ("Isolation 关阀停气", iso),
                             dynamic=True, sizing_mode="stretch_width"),
                     sizing_mode="stretch_width")


def app(stores: list[StoreInfo], results_dir: Path):
    runs, sweeps = with_models(stores, "gas"), with_models(stores, "gas", kind="sweep")
    ropts, sopts = options(runs), options(sweeps)
    run = pn.widgets.Select(name="gas run 燃气运行结果", options=ropts,
                            value=next(iter(ropts.values()), None), sizing_mode="stretch_width")
    sweep = pn.widgets.Select(name="renewal sweep 更新改造比较", options=sopts,
                              value=next(iter(sopts.values()), None),
                              sizing_mode="stretch_width")
    main, comp = pn.Column(sizing_mode="stretch_width"), pn.Column(sizing_mode="stretch_width")

    def show(path):
        main[:] = [view(path)] if path else [pn.pane.Markdown(
            "No gas run yet: `twin run scenarios/gas/today.toml`.")]

    def show_sweep(path):
        comp[:] = [renewal_view(path)] if path else [pn.pane.Markdown(
            "No gas sweep yet: `twin sweep scenarios/sweeps/gas_renewal.toml`.")]

    run.param.watch(lambda e: show(e.new), "value")
    sweep.param.watch(lambda e: show_sweep(e.new), "value")
    show(run.value)
    show_sweep(sweep.value)
    tabs = pn.Tabs(("Run 运行", main), ("Renewal comparison 更新改造比较", comp),
                   sizing_mode="stretch_width")
    return template(TITLE, [tabs], [run, sweep])
