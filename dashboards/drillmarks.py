"""What a planner reads off a drill besides the depths: depth classes that mean something on
a street, the events of the drill (outages, restores, truck dispatches) found in the recorded
series and marked on every chart, the rain graph, and where idle trucks would help most."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from bokeh.models import Label, Span

# street water classes (upper bound m, legend, colour): the lane limit of GB 51222-2017
# (15 cm), a car's door sill (about 30 cm), vehicles float and walking is unsafe (about
# 50 cm), an underpass or cellar (1.5 m). Colours reach at least 3:1 against the districts'
# fill (#f1f3f4), the non-text contrast WCAG 2.1 asks for a mark.
DRY_M = 0.01
DEPTH_CLASSES = (
    (DRY_M, "dry < 1 cm 无积水", "#7d8287"),
    (0.15, "1-15 cm passable 可通行", "#3b8ad9"),
    (0.30, "15-30 cm lane shut 封道", "#1f5fa8"),
    (0.50, "30-50 cm cars stall 熄火", "#7b3294"),
    (1.50, "0.5-1.5 m no walking 危险", "#c2185b"),
    (np.inf, "> 1.5 m underpass 下穿", "#4a0018"),
)
CLASS_SIZE = (5, 8, 11, 14, 17, 20)


def depth_class(depth_m) -> np.ndarray:
    """Index into DEPTH_CLASSES of each depth."""
    bounds = np.array([b for b, _, _ in DEPTH_CLASSES[:-1]])
    return np.searchsorted(bounds, np.asarray(depth_m, dtype=float), side="right")


def class_colours(depth_m) -> tuple[list[str], list[int]]:
    """Fill colour and marker size of each depth's class."""
    k = depth_class(depth_m)
    return [DEPTH_CLASSES[i][2] for i in k], [CLASS_SIZE[i] for i in k]


@dataclass(frozen=True)
class Mark:
    """One event of the drill, read from the recorded series."""

    time: pd.Timestamp
    kind: str  # "outage", "restore", "trucks"
    text: str
    colour: str


MARK_STYLE = {"outage": ("#c0392b", "dashed"), "restore": ("#2a9d4b", "dotted"),
              "trucks": ("#e07b00", "dotdash")}


def marks_of(d) -> list[Mark]:
    """Outages and restores (a station's setting crossing 0.5) and truck dispatches (more
    trucks on site than a stride before), in time order."""
    out = []
    on = d.pump_setting >= 0.5
    for j, pump in enumerate(d.pumps):
        name = pump.removeprefix("P_")
        for t in np.flatnonzero(np.diff(on[:, j].astype(int)) != 0) + 1:
            kind = "restore" if on[t, j] else "outage"
            out.append(Mark(d.time[t], kind, f"{name} {'back' if on[t, j] else 'off'}",
                            MARK_STYLE[kind][0]))
        if len(on) and not on[0, j]:
            out.append(Mark(d.time[0], "outage", f"{name} off", MARK_STYLE["outage"][0]))
    trucks = np.asarray(d.mobile_on_site, dtype=float)
    prev = np.concatenate([[0.0], trucks[:-1]])
    for t in np.flatnonzero(trucks > prev):
        out.append(Mark(d.time[t], "trucks", f"+{int(trucks[t] - prev[t])} trucks",
                        MARK_STYLE["trucks"][0]))
    return sorted(out, key=lambda m: m.time)


def mark_figure(fig, marks: list[Mark], *, labels: bool = True) -> None:
    """Draw each event as a vertical line (its kind's colour and dash), labelled at the top."""
    for i, m in enumerate(marks):
        colour, dash = MARK_STYLE[m.kind]
        ms = m.time.value / 1e6
        fig.add_layout(Span(location=ms, dimension="height", line_color=colour,
                            line_dash=dash, line_width=2))
        if labels:
            fig.add_layout(Label(x=ms, y=4 + 13 * (i % 3), x_units="data", y_units="screen",
                                 text=m.text, text_font_size="9pt", text_color="#202124",
                                 background_fill_color="white", background_fill_alpha=0.8,
                                 x_offset=3))


def marks_table(marks: list[Mark]) -> pd.DataFrame:
    """The event timeline as rows (clock time, what happened)."""
    kinds = {"outage": "power lost 停电", "restore": "power back 恢复", "trucks": "trucks 泵车"}
    return pd.DataFrame({"time": [f"{m.time:%H:%M}" for m in marks],
                         "event": [kinds[m.kind] for m in marks],
                         "what": [m.text for m in marks]})


def rain_figure(d, x_range=None, height: int = 170):
    """Rain intensity over the drill (mm/h, the stride before each time), events marked."""
    from bokeh.plotting import figure

    from dashboards.theme import bilingual, style

    kw = {"x_range": x_range} if x_range is not None else {}
    fig = figure(height=height, sizing_mode="stretch_width", x_axis_type="datetime", **kw,
                 title=bilingual("Rain"), x_axis_label=bilingual("time"),
                 y_axis_label="rain (mm/h)", tools="pan,xwheel_zoom,reset,save")
    if d.rain is not None:
        fig.step(d.time, d.rain, mode="before", color="#0b5fa5", line_width=2,
                 legend_label="rain intensity 雨强 (mm/h)")
        fig.varea_step(d.time, 0, d.rain, fill_color="#0b5fa5", fill_alpha=0.25,
                       step_mode="before")
        fig.legend.location = "top_right"
    return style(fig)


def suggest_trucks(d, n: int | None = None) -> pd.DataFrame:
    """Where trucks would do most: the points with the most street water above the lane
    limit over the drill (depth above 15 cm times hours), trucks already there left out.
    A ranking for the planner, not an optimisation: travel time is not weighed."""
    above = np.clip(d.ponded - 0.15, 0, None).sum(0) * d.stride_h  # m h above the limit
    served = (d.mobile_at.max(0) > 0) if d.mobile_at is not None else np.zeros(len(d.nodes),
                                                                               bool)
    order = [i for i in np.argsort(-above) if above[i] > 0 and not served[i]]
    n = n if n is not None else max(3, int(np.max(d.mobile_on_site, initial=0)))
    rows = order[:n]
    return pd.DataFrame({"point": [d.nodes[i] for i in rows],
                         "district": [d.per_node["district"].iloc[i] for i in rows],
                         "m·h above 15 cm": np.round(above[rows], 2),
                         "peak (m)": np.round(d.ponded[:, rows].max(0), 2)})
