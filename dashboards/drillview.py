"""The drill page's view: a clock-time slider and a player that run in the browser (every
frame's colours are prepared once and shipped with the page, so playing does not wait on
the server), the map, the rain graph and charts with the drill's events marked, the ranked
points following the slider and linked to the map, and suggested truck places."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import panel as pn
from bokeh.models import ColumnDataSource, CustomJSTickFormatter, Range1d, Span, TapTool

from dashboards.citymap import CLOSED, ROAD_COLOURS
from dashboards.drill import (
    WET_M,
    Drill,
    drill_map,
    pump_states,
    show_frame,
    time_figure,
)
from dashboards.drillmarks import (
    CLASS_SIZE,
    DEPTH_CLASSES,
    depth_class,
    mark_figure,
    marks_table,
    rain_figure,
    suggest_trucks,
)
from dashboards.theme import bilingual, table
from dashboards.timeline import timeline_figure

MAP_PX = 400  # the map's plot area (longer side), fitted to the city
FPS = 10  # frames the player shows per second
PLAY_S = 30.0  # longest a whole drill takes to play (longer drills skip frames)
JS_FRAME_LIMIT = 3_000_000  # frame cells shipped to the page at most (else server updates)
TABLES_EVERY_S = 1.0  # while playing, tables and the clock line are redrawn this often
LIMIT_M = 0.15  # the lane limit, for the ranked table's duration column

FRAME_JS = """
const t = Math.max(0, Math.min(cb_obj.value, depth.length - 1));
const k = cls[t], n = k.length, colour = new Array(n), size = new Array(n);
for (let i = 0; i < n; i++) { colour[i] = palette[k[i]]; size[i] = sizes[k[i]]; }
points.data = Object.assign({}, points.data, {value: depth[t], colour: colour, size: size});
if (roads !== null && road_code.length) {
  const r = road_code[t], rc = new Array(r.length), rw = new Array(r.length);
  for (let e = 0; e < r.length; e++) {
    if (r[e] < 0) { rc[e] = road_base[e]; rw[e] = road_width[e]; }
    else if (r[e] >= palette.length) { rc[e] = closed; rw[e] = 4.0; }
    else { rc[e] = palette[r[e]]; rw[e] = 3.0; }
  }
  roads.data = Object.assign({}, roads.data, {colour: rc, width: rw});
}
if (pumps !== null) {
  const on = pump_on[t];
  pumps.data = Object.assign({}, pumps.data, {
    colour: on.map((o) => o ? pump_colours[0] : pump_colours[1]), state: pump_state[t]});
}
if (trucks !== null) {
  const at = truck_at[t];
  trucks.data = {x: at.map((i) => px[i]), y: at.map((i) => py[i]), n: at.map(() => 1)};
}
for (const s of spans) s.location = times[t];
"""

PLAY_JS = """
const key = '__drill_player_' + slider.id;
if (window[key]) { clearInterval(window[key]); window[key] = null; }
if (cb_obj.active) {
  if (slider.value >= slider.end) slider.value = slider.start;
  window[key] = setInterval(() => {
    if (slider.value >= slider.end) {
      clearInterval(window[key]); window[key] = null; cb_obj.active = false; return;
    }
    slider.value = Math.min(slider.value + step, slider.end);
  }, period);
}
"""


def clock_labels(d: Drill) -> list[str]:
    """The slider's label of each frame: clock time, and the day when the drill spans days."""
    days = len({t.date() for t in d.time}) > 1
    return [f"{t:%m-%d %H:%M}" if days else f"{t:%H:%M}" for t in d.time]


def frame_arrays(d: Drill, cm) -> dict:
    """Every frame's depth classes, road states, pump states and truck places, ready for the
    browser (small integers; the palette and sizes go along once)."""
    from dashboards.drill import PUMP_OFF, PUMP_ON

    k = depth_class(d.ponded)
    out = {"depth": np.round(d.ponded, 3).tolist(), "cls": k.astype(int).tolist(),
           "palette": [c for _, _, c in DEPTH_CLASSES], "sizes": list(CLASS_SIZE),
           "closed": CLOSED, "times": [t.value / 1e6 for t in d.time],
           "px": np.asarray(d.net.x).tolist(), "py": np.asarray(d.net.y).tolist()}
    if d.city is not None and d.net.on_city:
        n_e = d.city.roads.n_edges
        codes = np.full((len(d.time), n_e), -1, dtype=int)
        for t in range(len(d.time)):
            depth = d.edge_depth(t)
            wet = depth >= 0.01
            codes[t, wet] = depth_class(depth[wet])
            codes[t, list(d.closed_edges(t))] = len(DEPTH_CLASSES)
        cls = d.city.roads.edge_class
        out |= {"road_code": codes.tolist(),
                "road_base": [ROAD_COLOURS[int(c)] for c in cls],
                "road_width": [1.0 + float(c) for c in cls]}
    else:
        out |= {"road_code": [], "road_base": [], "road_width": []}
    on = d.pump_setting >= 0.5
    out |= {"pump_on": on.tolist(), "pump_colours": [PUMP_ON, PUMP_OFF],
            "pump_state": [[f"on, {q:,.1f} m3/s" if o else "OFF (no power)"
                            for o, q in zip(on[t], d.pump_flow[t], strict=True)]
                           for t in range(len(d.time))]}
    at = d.mobile_at if d.mobile_at is not None else np.zeros_like(d.ponded, dtype=int)
    out["truck_at"] = [np.flatnonzero(row > 0).tolist() for row in at]
    out |= {"points": cm.points, "roads": cm.roads if out["road_code"] else None,
            "pumps": cm.layers.get("pumps"), "trucks": cm.layers.get("trucks")}
    return out


def ranked_now(d: Drill, t: int, top: int = 10) -> pd.DataFrame:
    """The wet points at frame t, deepest first (then by their peak), with their peak and
    hours above the lane limit so far."""
    now = d.ponded[t]
    so_far = (d.ponded[: t + 1] > LIMIT_M).sum(0) * d.stride_h
    peak = d.ponded.max(0)
    order = [i for i in np.lexsort((-peak, -now)) if peak[i] > WET_M][:top]
    return pd.DataFrame({"point": [d.nodes[i] for i in order],
                         "district": [d.per_node["district"].iloc[i] for i in order],
                         "now m": np.round(now[order], 2),
                         "peak m": np.round(peak[order], 2),
                         "h > 15 cm": np.round(so_far[order], 2)})


class DrillView:
    """The widgets and figures of one drill; `set_frame` moves the tables and the clock
    (the map and the time cursors move in the browser)."""

    def __init__(self, d: Drill):
        self.d = d
        peak = d.peak
        self.map = drill_map(d, peak, frame_px=MAP_PX)
        n = max(len(d.time) - 1, 1)
        labels = clock_labels(d)
        fmt = CustomJSTickFormatter(args={"labels": labels},
                                    code="return labels[Math.round(tick)] || '';")
        self.slider = pn.widgets.IntSlider(name=bilingual("time") + " (clock)", start=0, end=n,
                                           value=peak, sizing_mode="stretch_width",
                                           format=fmt, css_classes=["time-slider"])
        self.play = pn.widgets.Toggle(name="▶ play 播放", button_type="primary", width=110)
        self.clock = pn.pane.Markdown("", margin=(0, 10), css_classes=["drill-clock"])
        x = Range1d(d.time[0], d.time[-1]) if len(d.time) > 1 else None  # one axis for all
        self.rain_fig = rain_figure(d, x_range=x)
        x = self.rain_fig.x_range
        self.pumps_fig = time_figure(d, {p.removeprefix("P_"): d.pump_flow[:, i]
                                         for i, p in enumerate(d.pumps)},
                                     "pump flow (m3/s)", bilingual("Pumping stations"),
                                     x_range=x)
        closed = {"road edges closed": d.n_closed_edges,
                  "points closed": d.closed.sum(1), "mobile pumps on site": d.mobile_on_site}
        self.closed_fig = time_figure(d, closed, "count (1)", bilingual("Closed roads"),
                                      step=True, x_range=x)
        self.timeline_figs = [timeline_figure(m, lines, x) for m, lines in d.timeline.items()]
        self.figs = [self.rain_fig, self.pumps_fig, self.closed_fig, *self.timeline_figs]
        self.cursor = []
        for fig in self.figs:
            mark_figure(fig, d.marks)
            span = Span(location=d.time[peak].value / 1e6 if len(d.time) else 0,
                        dimension="height", line_color="#202124", line_width=2)
            fig.add_layout(span)
            self.cursor.append(span)
        tips = suggest_trucks(d)
        idx = [d.nodes.index(p) for p in tips["point"]]
        self.map.fig.scatter(np.asarray(d.net.x)[idx], np.asarray(d.net.y)[idx],
                             marker="inverted_triangle", size=14, fill_alpha=0,
                             line_color="#e07b00", line_width=2.5,
                             legend_label="suggested truck place 建议泵车位置")
        self.focus = ColumnDataSource({"x": [], "y": []})
        self.map.fig.scatter("x", "y", source=self.focus, marker="circle", size=28,
                             fill_alpha=0, line_color="#202124", line_width=3)
        self.points = table(ranked_now(d, peak), css_classes=["ranked-points"])
        self.locate = pn.widgets.Select(name="show a point on the map 在地图上显示",
                                        options=["(none)"], sizing_mode="stretch_width")
        self.locate.param.watch(self._picked, "value")
        self.map.fig.add_tools(TapTool())
        self.map.points.selected.on_change("indices", self._tapped)
        self.pump_table = table(pump_states(d, peak))
        self.events_table = table(marks_table(d.marks)) if d.marks else pn.pane.Markdown(
            "No outage, restore or truck dispatch in this drill.")
        self.trucks_table = table(tips)
        self._wire_browser_frames(peak)
        self.slider.param.watch(lambda e: self.set_frame(e.new), "value")
        self.play.param.watch(self._named, "value")
        self._shown_at = 0.0
        self.set_frame(peak)

    def _wire_browser_frames(self, peak: int) -> None:
        d = self.d
        self.in_browser = d.ponded.size * 2 <= JS_FRAME_LIMIT
        if self.in_browser:
            args = frame_arrays(d, self.map) | {"spans": self.cursor}
            self.slider.jscallback(value=FRAME_JS, args=args)
        step = max(1, int(np.ceil(len(d.time) / (PLAY_S * FPS))))
        self.play.jscallback(value=PLAY_JS, args={"slider": self.slider, "step": step,
                                                   "period": int(1000 / FPS)})

    def set_frame(self, t: int) -> None:
        d = self.d
        t = int(np.clip(t, 0, max(len(d.time) - 1, 0)))
        if not self.in_browser:
            show_frame(self.map, d, t)
            for span in self.cursor:
                span.location = d.time[t].value / 1e6
        now = time.monotonic()
        if self.play.value and now - self._shown_at < TABLES_EVERY_S:
            return  # while playing, the tables follow a few times a second (page layout is
            # the costly part of a frame), and exactly again on pause
        self._shown_at = now
        ranked = ranked_now(d, t)
        self.points.object = ranked
        keep = self.locate.value if self.locate.value in d.nodes else None
        self.locate.options = ["(none)", *ranked["point"], *([keep] if keep and keep not in
                                                              list(ranked["point"]) else [])]
        self.pump_table.object = pump_states(d, t)
        wet = int((d.ponded[t] > WET_M).sum())
        self.clock.object = (f"**{d.time[t]:%Y-%m-%d %H:%M}** · +{(t + 1) * d.stride_h:.2f} h · "
                             f"{wet} points with > {WET_M * 100:.0f} cm · "
                             f"{int(d.closed[t].sum())} closed")

    def _named(self, e) -> None:
        self.play.name = "❚❚ pause 暂停" if e.new else "▶ play 播放"
        if not e.new:
            self.set_frame(self.slider.value)

    def _picked(self, e) -> None:
        """A point picked under the ranked table: ring it on the map."""
        if e.new not in self.d.nodes:
            self.focus.data = {"x": [], "y": []}
            return
        i = self.d.nodes.index(e.new)
        self.focus.data = {"x": [float(self.d.net.x[i])], "y": [float(self.d.net.y[i])]}

    def _tapped(self, _attr, _old, new) -> None:
        """A point tapped on the map: ringed, and picked in the list under the table."""
        if not new:
            return
        name = self.d.nodes[new[0]]
        if name not in self.locate.options:
            self.locate.options = [*self.locate.options, name]
        self.locate.value = name

    def layout(self):
        from dashboards.drill import _num

        totals = " · ".join(f"{k}: **{_num(v)}**" for k, v in self.d.totals.items())
        storm = f" · {self.d.description}" if self.d.description else ""
        head = pn.Row(self.play, self.slider, self.clock, sizing_mode="stretch_width")
        right = pn.Column(f"#### {bilingual('Waterlogging points')} now, deepest first",
                          self.points, self.locate, f"#### {bilingual('Pumping stations')}",
                          self.pump_table, sizing_mode="stretch_width", min_width=380)
        below = pn.Row(pn.Column("#### Events 事件", self.events_table, width=300),
                       pn.Column("#### Suggested truck places 建议泵车位置 (most water above "
                                 "15 cm, not yet served; travel time not weighed)",
                                 self.trucks_table, sizing_mode="stretch_width"),
                       sizing_mode="stretch_width")
        return pn.Column(pn.pane.Markdown(f"**{self.d.name}**{storm} · {totals}"), head,
                         pn.Row(pn.pane.Bokeh(self.map.fig), right,
                                sizing_mode="stretch_width"),
                         *self._chart_rows(), below, sizing_mode="stretch_width")

    def _chart_rows(self) -> list:
        """Rain, pumps, closures and the other subsystems, two charts a row."""
        figs = [pn.pane.Bokeh(f, sizing_mode="stretch_width") for f in self.figs]
        return [pn.Row(*figs[i:i + 2], sizing_mode="stretch_width")
                for i in range(0, len(figs), 2)]
