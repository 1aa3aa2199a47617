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

CSS = ("<style>body{font-family:sans-serif;max-width:1100px;margin:auto;color:#202124}"
       "table{border-collapse:collapse;font-size:10pt;margin:6px 0}"
       "td,th{border:1px solid #dadce0;padding:3px 8px;text-align:right}"
       "th{background:#e8f0fe}h1{color:#0b5fa5}</style>")


def html_table(df: pd.DataFrame) -> str:
    return df.to_html(index=False, border=0, float_format=lambda v: f"{v:,.3g}")


def drill_section(d) -> list:
    """Bokeh models of a drill: summary, map at the worst moment, ranked points, pumps,
    closures over time."""
    from dashboards.drill import drill_map, pump_states, ranked_points, time_figure
    from dashboards.theme import bilingual

    peak = d.peak
    totals = "".join(f"<li>{html.escape(k)}: <b>{v:,.4g}</b></li>" for k, v in d.totals.items())
    head = Div(text=f"<h2>{bilingual('Storm drill')}: {html.escape(d.name)}</h2><ul>{totals}"
               f"<li>worst moment: <b>{d.time[peak]:%Y-%m-%d %H:%M}</b></li></ul>",
               sizing_mode="stretch_width")
    cm = drill_map(d, peak, height=560)
    cm.fig.title.text = f"street water and closed roads at {d.time[peak]:%H:%M}"
    closed = time_figure(d, {"road edges closed": d.n_closed_edges,
                             "points closed": d.closed.sum(1)}, "count (1)",
                         bilingual("Closed roads"), step=True)
    pumps = time_figure(d, {p.removeprefix("P_"): d.pump_flow[:, i]
                            for i, p in enumerate(d.pumps)}, "pump flow (m3/s)",
                        bilingual("Pumping stations"))
    tables = Div(text=f"<h3>{bilingual('Waterlogging points')}</h3>{html_table(ranked_points(d))}"
                 f"<h3>{bilingual('Pumping stations')}</h3>"
                 f"{html_table(pump_states(d, peak).drop(columns=['now', 'flow now (m3/s)']))}",
                 sizing_mode="stretch_width")
    from dashboards.timeline import timeline_figure

    others = [timeline_figure(m, lines, pumps.x_range) for m, lines in d.timeline.items()]
    return [head, cm.fig, tables, pumps, closed, *others]


def page(title: str, sections: list) -> str:
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    top = Div(text=f"{CSS}<h1>{html.escape(title)}</h1><p>twin briefing, written {stamp}. "
              "Maps are drawn from the city's own geometry, in metres.</p>",
              sizing_mode="stretch_width")
    doc = file_html(column([top, *sections], sizing_mode="stretch_width"), INLINE, title)
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
    items = [d["sentence"] for d in sw.report.get("differences", []) if "sentence" in d]
    items += [d["sentence"] for d in sw.report.get("discovery", []) if "sentence" in d]
    body = "".join(f"<li>{html.escape(t)}</li>" for t in items) or "<li>no analysis saved</li>"
    return [Div(text=f"<h2>{bilingual('Scenario comparison')}: {html.escape(sw.name)}</h2>"
                f"<p>{sw.n_runs:,} runs, design {sw.design}.</p><ul>{body}</ul>",
                sizing_mode="stretch_width")]


def demo_briefing(stores: list[Path], out: Path) -> Path:
    """The briefing of `twin demo`: every drill and waste store among `stores`."""
    from dashboards.drill import load_drill
    from dashboards.stores import inspect_store
    from dashboards.waste import waste_section
    from twin.core.errors import TwinError

    sections = []
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
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page("twin demo briefing", sections), encoding="utf-8")
    return out
