"""Static HTML briefings: the key maps and tables of a drill (and of the demo's results) in
one self-contained file (Bokeh's JavaScript inlined), readable offline and mailable."""

from __future__ import annotations

import datetime as dt
import html
import re
from io import BytesIO
from pathlib import Path

import pandas as pd
import panel as pn
from bokeh.embed import file_html
from bokeh.layouts import column
from bokeh.models import Div
from bokeh.resources import INLINE

# Bokeh draws a Div's text in its own shadow root, so the page's CSS does not reach it: each
# Div carries this style. Print: A4 portrait, 15 mm margins, no toolbars, nothing split.
CSS = ("<style>body,:host{font-family:sans-serif;color:#202124;font-size:11pt}"
       "table{border-collapse:collapse;font-size:10pt;margin:6px 0}"
       "td,th{border:1px solid #5f6368;padding:3px 8px;text-align:right}"
       "td:first-child,th:first-child{text-align:left}"
       "th{background:#e8f0fe}h1,h2{color:#0b5fa5}h2{break-before:auto}"
       "table,figure,.keep{break-inside:avoid}"
       "@page{size:A4 portrait;margin:15mm}"
       "@media print{.bk-toolbar,.bk-tool-button{display:none!important}"
       "body{max-width:180mm}}</style>")
PRINT_PX = 680  # figure width that fits A4 portrait between 15 mm margins


def html_table(df: pd.DataFrame) -> str:
    """A bordered table with plain numbers (thousands separators, no 4.2e+05)."""
    from dashboards.labels import plain

    shown = df.copy()
    for c in shown.columns:
        if pd.api.types.is_float_dtype(shown[c]) or pd.api.types.is_integer_dtype(shown[c]):
            shown[c] = [plain(v) for v in shown[c]]
    return CSS + shown.to_html(index=False, border=1)


def for_print(fig, height: int | None = None):
    """A figure as printed: fixed A4 width, no toolbar."""
    fig.sizing_mode = "fixed"
    fig.width = PRINT_PX
    if height:
        fig.height = height
    fig.toolbar_location = None
    return fig


def assumptions(d) -> str:
    """The drill's storm, events and the model settings a reader must know, in words."""
    import json

    from dashboards.labels import plain

    ds_attrs = {}
    try:
        import xarray as xr

        ds_attrs = xr.open_zarr(d.path, consolidated=None).attrs
    except Exception:  # noqa: BLE001 - an in-memory drill: the description alone
        pass
    params = json.loads(ds_attrs.get("parameters", "{}")).get("drainage", {})
    keys = (("mobile_pumps", "mobile pump trucks", ""),
            ("mobile_pump_rate_m3_per_s", "rate per truck", "m3/s"),
            ("pump_capacity_scale", "pumping capacity scale", ""),
            ("lid_share", "sponge-city (LID) share of the area", ""),
            ("renewal_km", "pipe renewed", "km"),
            ("pipe_design_return_period_years", "pipes sized for", "years"))
    items = [f"<li>storm: {html.escape(d.description or 'as recorded')}</li>",
             f"<li>start {d.time[0]:%Y-%m-%d %H:%M}, {plain(len(d.time) * d.stride_h)} h "
             f"simulated in {plain(d.stride_h * 60)} min strides</li>"] if len(d.time) else []
    items += [f"<li>{label}: {plain(params[k], u)}</li>" for k, label, u in keys if k in params]
    items.append("<li>street water on a street at 15 cm closes a lane (GB 51222-2017); "
                 "the depth classes are 15 cm, 30 cm, 50 cm and 1.5 m</li>")
    return "<h3>Scenario and assumptions</h3><ul>" + "".join(items) + "</ul>"


def drill_section(d) -> list:
    """Bokeh models of a drill: the scenario and its assumptions, the event timeline, the
    map at the worst moment, the rain, pumps and closures over time (events marked), ranked
    points and pumping stations."""
    from dashboards.drill import drill_map, pump_states, ranked_points, time_figure
    from dashboards.drillmarks import mark_figure, marks_table, rain_figure, suggest_trucks
    from dashboards.labels import plain
    from dashboards.theme import bilingual

    peak = d.peak
    totals = "".join(f"<li>{html.escape(k)}: <b>{plain(v)}</b></li>" for k, v in d.totals.items())
    events = (html_table(marks_table(d.marks)) if d.marks
              else "<p>No outage, restore or truck dispatch.</p>")
    head = Div(text=f"{CSS}<h2>{bilingual('Storm drill')}: {html.escape(d.name)}</h2>"
               f"{assumptions(d)}<h3>Outcome</h3><ul>{totals}<li>worst moment: "
               f"<b>{d.time[peak]:%Y-%m-%d %H:%M}</b></li></ul>"
               f"<h3>Event timeline 事件</h3>{events}", width=PRINT_PX)
    cm = drill_map(d, peak, frame_px=460)
    cm.fig.title.text = f"street water and closed roads at {d.time[peak]:%H:%M}"
    cm.fig.toolbar_location = None
    rain = for_print(rain_figure(d), 200)
    closed = for_print(time_figure(d, {"road edges closed": d.n_closed_edges,
                                       "points closed": d.closed.sum(1)}, "count (1)",
                                   bilingual("Closed roads"), step=True, x_range=rain.x_range))
    pumps = for_print(time_figure(d, {p.removeprefix("P_"): d.pump_flow[:, i]
                                      for i, p in enumerate(d.pumps)}, "pump flow (m3/s)",
                                  bilingual("Pumping stations"), x_range=rain.x_range))
    for fig in (rain, closed, pumps):
        mark_figure(fig, d.marks)
    tables = Div(text=f"{CSS}<h3>{bilingual('Waterlogging points')}</h3>"
                 f"{html_table(ranked_points(d))}"
                 f"<h3>{bilingual('Pumping stations')}</h3>"
                 f"{html_table(pump_states(d, peak).drop(columns=['now', 'flow now (m3/s)']))}"
                 f"<h3>Suggested truck places 建议泵车位置</h3>"
                 f"{html_table(suggest_trucks(d))}", width=PRINT_PX)
    from dashboards.timeline import timeline_figure

    others = [for_print(timeline_figure(m, lines, rain.x_range))
              for m, lines in d.timeline.items()]
    return [head, cm.fig, rain, pumps, closed, tables, *others]


def page(title: str, sections: list) -> str:
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    top = Div(text=f"{CSS}<h1>{html.escape(title)}</h1><p>twin briefing, written {stamp}. "
              "Maps are drawn from the city's own geometry, in metres.</p>", width=PRINT_PX)
    doc = file_html(column([top, *sections]), INLINE, title)
    doc = doc.replace("</head>", CSS + "</head>", 1)  # the page itself (print rules)
    # Panel adds a module shim loaded from the server; a static file needs only Bokeh
    return re.sub(r'<script src="[^"]*"></script>\n?', "", doc)


def drill_briefing(d) -> str:
    return page(f"Storm drill briefing: {d.name}", drill_section(d))


def briefing_download(current):
    """A download button for the briefing of the drill `current()` returns."""
    def make():
        d = current()
        if d is None:
            return BytesIO(b"no drill selected")
        return BytesIO(drill_briefing(d).encode("utf-8"))

    return pn.widgets.FileDownload(callback=make, filename="drill_briefing.html",
                                   label="Briefing (HTML) 下载简报", button_type="primary",
                                   sizing_mode="stretch_width")


def sweep_section(path) -> list:
    """A sweep's paired differences and scenario-discovery sentences, as `twin sweep`
    computed them."""
    from dashboards.comparison import open_sweep
    from dashboards.theme import bilingual

    sw = open_sweep(path)
    from twin.sweep.analysis import PRIM_MIN_FAILURES

    items = [d["sentence"] for d in sw.report.get("differences", []) if "sentence" in d]
    # findings only where they hold: PRIM boxes on enough failures, sensitivity rows whose
    # interval is narrow enough; the others are named with what they would need
    for d in sw.report.get("discovery", []):
        if "sentence" in d and d.get("reported", d.get("failures", 0) >= PRIM_MIN_FAILURES):
            items.append(d["sentence"])
    for r in sw.report.get("sensitivity", []):
        if r.get("reported"):
            key = "mu_star" if "mu_star" in r else "ST"
            items.append(f"sensitivity of {r['output']} to {r['parameter']} under "
                         f"{r.get('policy') or 'all policies'}: {key} "
                         f"{r[key]:.3g} (95% interval {r[key + '_low']:.3g} to "
                         f"{r[key + '_high']:.3g})")
        elif r.get("finding"):
            items.append(f"{r['output']} / {r['parameter']}: {r['finding']}")
    body = "".join(f"<li>{html.escape(t)}</li>" for t in items) or "<li>no analysis saved</li>"
    return [Div(text=f"{CSS}<h2>{bilingual('Scenario comparison')}: {html.escape(sw.name)}"
                f"</h2><p>{sw.n_runs:,} runs, design {sw.design}.</p><ul>{body}</ul>",
                width=PRINT_PX)]


def demo_briefing(stores: list[Path], out: Path) -> Path:
    """The briefing of `twin demo`: every drill and waste store among `stores`."""
    from dashboards.drill import load_drill
    from dashboards.stores import inspect_store
    from dashboards.waste import comparison_section, waste_section
    from twin.core.errors import TwinError

    sections, waste_runs = [], []
    for p in stores:
        try:
            info = inspect_store(p)
        except TwinError as e:  # say so in the briefing rather than lose the others
            sections.append(Div(text=f"<p>left out: {html.escape(str(e))}</p>"))
            continue
        if info.kind == "sweep":
            sections += sweep_section(p)
        elif "drainage" in info.models:
            sections += drill_section(load_drill(p))
        elif "waste" in info.models or "households" in info.models:
            sections += waste_section(p)
            if "waste" in info.models:
                waste_runs.append(p)
    if len(waste_runs) > 1:  # today against the plan(s), side by side
        sections += comparison_section(waste_runs)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page("twin demo briefing", sections), encoding="utf-8")
    return out
