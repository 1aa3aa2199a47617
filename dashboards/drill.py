"""Storm drill (emergency planner): the city map with the drainage network, waterlogging
points and roads coloured by street water, a time slider with play/pause, points ranked by
depth and duration, pump stations, closed roads, a form for a new drill run in the
background, and a static HTML briefing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import panel as pn
import xarray as xr
from bokeh.models import ColumnDataSource, Range1d, Span
from bokeh.plotting import figure

from dashboards.citymap import CityMap, city_map, colour_roads
from dashboards.data import city_of, options, times, with_models
from dashboards.network import Network, drainage_network, edges_at
from dashboards.stores import StoreInfo, inspect_store
from dashboards.theme import PALETTE, bilingual, style, table, template
from dashboards.timeline import city_timeline, timeline_figure

BASE = "drainage_time"  # the drainage model's own time base (end of each stride)
WET_M = 0.05  # street water counted as waterlogging (m)
OPTIONAL = ("mobile_pumps_at_node",)  # newer drainage stores only
VARS = ("ponded_depth", "road_closed", "pump_setting", "pump_flow", "n_closed_road_edges",
        "max_ponded_depth", "node_flood_volume", "node_flood_hours", "system_flood_volume",
        "storm_depth", "mobile_pumps_on_site")


@dataclass
class Drill:
    """The arrays a drill view needs (a few hundred kB), read from the store once."""

    name: str
    path: Path
    time: pd.DatetimeIndex
    nodes: list[str]
    pumps: list[str]
    ponded: np.ndarray  # (time, node) m
    closed: np.ndarray  # (time, node) 0/1
    pump_setting: np.ndarray  # (time, pump)
    pump_flow: np.ndarray  # (time, pump) m3/s
    n_closed_edges: np.ndarray
    mobile_on_site: np.ndarray
    mobile_at: np.ndarray | None  # (time, node) trucks pumping at each point
    totals: dict
    per_node: pd.DataFrame
    city: object
    net: Network
    node_edges: list
    stride_h: float
    timeline: dict = field(default_factory=dict)  # other models' series (timeline.py)
    overlays: list = field(default_factory=list)  # other models' places (OVERLAYS)

    @property
    def peak(self) -> int:
        """Frame with the most street water."""
        return int(np.argmax(self.ponded.sum(axis=1))) if len(self.time) else 0

    def edge_depth(self, t: int) -> np.ndarray | None:
        if self.city is None:
            return None
        out = np.zeros(self.city.roads.n_edges)
        for i, edges in enumerate(self.node_edges):
            if len(edges):
                np.maximum.at(out, edges, self.ponded[t, i])
        return out

    def closed_edges(self, t: int) -> set[int]:
        return {int(e) for i in np.flatnonzero(self.closed[t]) for e in self.node_edges[i]}


def load_drill(path: str | Path) -> Drill:
    """Only the drill variables of a run store (lazy open, then these few loaded)."""
    path = Path(path)
    ds = xr.open_zarr(path, consolidated=None)
    missing = [v for v in VARS if v not in ds]
    if missing:
        raise ValueError(f"{path}: not a storm drill (no {', '.join(missing)})")
    timeline = city_timeline(ds)  # the other subsystems, a few series each
    overlays = _overlays(ds)
    ds = ds[list(VARS) + [v for v in OPTIONAL if v in ds]].load()
    city = city_of(ds)
    net = drainage_network(ds, city)
    time = times(ds, BASE)
    stride_h = float((time[1] - time[0]).total_seconds() / 3600) if len(time) > 1 else 1.0
    ponded = ds["ponded_depth"].values
    closed = ds["road_closed"].values
    nodes = [str(n) for n in ds["node"].values]
    district = _districts(city, net)
    per_node = pd.DataFrame({
        "point": nodes, "district": district,
        "peak (m)": np.round(ds["max_ponded_depth"].values, 3),
        f"> {WET_M * 100:.0f} cm (h)": np.round((ponded > WET_M).sum(0) * stride_h, 2),
        "closed (h)": np.round(closed.sum(0) * stride_h, 2),
        "flood (m3)": np.round(ds["node_flood_volume"].values, 0),
        "overflow (h)": np.round(ds["node_flood_hours"].values, 2)})
    totals = {"system flood volume (m3)": float(ds["system_flood_volume"]),
              "storm depth (mm)": float(ds["storm_depth"]),
              "points ever closed": int(closed.max(0).sum()) if len(time) else 0,
              "most road edges closed at once": int(ds["n_closed_road_edges"].max())}
    return Drill(ds.attrs.get("scenario", path.stem), path, time, nodes,
                 [str(p) for p in ds["pump"].values], ponded, closed,
                 ds["pump_setting"].values, ds["pump_flow"].values,
                 ds["n_closed_road_edges"].values, ds["mobile_pumps_on_site"].values,
                 ds["mobile_pumps_at_node"].values if "mobile_pumps_at_node" in ds else None,
                 totals, per_node, city, net, edges_at(city, net.road_node), stride_h,
                 timeline, overlays)


# other subsystems' places on the drill map: (variable, x coord, y coord, legend, marker, colour)
OVERLAYS = (
    ("gas_incidents", "gas_segment_x_m", "gas_segment_y_m",
     "gas leaks 燃气泄漏", "diamond", "#ff7f0e"),
)


def _overlays(ds) -> list[tuple[str, list, list, str, str]]:
    """Where other models of the store had trouble during the drill (static marks)."""
    out = []
    for var, cx, cy, label, marker, colour in OVERLAYS:
        if var in ds and cx in ds.coords and cy in ds.coords:
            hit = np.asarray(ds[var].values) > 0
            if hit.any():
                out.append((label, ds[cx].values[hit].tolist(), ds[cy].values[hit].tolist(),
                            marker, colour))
    return out


def _districts(city, net: Network) -> list[str]:
    if city is None or not net.on_city:
        return [""] * len(net.x)
    d = city.districts
    out = []
    for x, y in zip(net.x, net.y, strict=True):
        inside = np.flatnonzero((d.x0 <= x) & (x <= d.x1) & (d.y0 <= y) & (y <= d.y1))
        out.append(f"{d.name[inside[0]]} {d.name_zh[inside[0]]}" if len(inside) else "")
    return out


def ranked_points(d: Drill, top: int = 15) -> pd.DataFrame:
    """Waterlogging points ranked by depth, then by duration (dry points left out)."""
    cols = ["peak (m)", f"> {WET_M * 100:.0f} cm (h)"]
    df = d.per_node[d.per_node[cols[0]] > 0].sort_values(cols, ascending=False)
    return df.head(top).reset_index(drop=True)


def pump_states(d: Drill, t: int) -> pd.DataFrame:
    """Each pumping station at frame t and over the drill."""
    off_h = (d.pump_setting < 0.5).sum(0) * d.stride_h
    return pd.DataFrame({"station": [p.removeprefix("P_") for p in d.pumps],
                         "now": ["on 运行" if s >= 0.5 else "OFF 停运" for s in d.pump_setting[t]],
                         "flow now (m3/s)": np.round(d.pump_flow[t], 2),
                         "off (h)": np.round(off_h, 2),
                         "peak (m3/s)": np.round(d.pump_flow.max(0), 2)})


def drill_map(d: Drill, t: int, *, height: int = 470) -> CityMap:
    """The map at frame t (a fresh figure: apps and briefings each get their own)."""
    cm = city_map(d.city if d.net.on_city else None, title=bilingual("street water depth (m)"),
                  height=height, point_label="point", value_title="water depth (m)")
    if d.net.pipes_xs:
        r = cm.fig.multi_line(d.net.pipes_xs, d.net.pipes_ys, line_color="#6a51a3",
                              line_alpha=0.45, line_width=1.5, legend_label="drainage pipes 管网")
        cm.fig.renderers.remove(r)
        cm.fig.renderers.insert(-1, r)  # under the points
    if d.mobile_at is not None:
        trucks = ColumnDataSource({"x": [], "y": [], "n": []})
        cm.fig.scatter("x", "y", source=trucks, marker="triangle", size=13, fill_color="#e07b00",
                       line_color="#202124", legend_label="mobile pumps 移动泵车")
        cm.layers["trucks"] = trucks
    for label, xs, ys, marker, colour in d.overlays if d.net.on_city else ():
        cm.fig.scatter(xs, ys, marker=marker, size=16, fill_color=colour, line_color="#202124",
                       legend_label=label)
    if not d.net.on_city:  # a user network: its own coordinates, not the city's metres
        cm.fig.xaxis.axis_label = "x (network file coordinates)"
        cm.fig.yaxis.axis_label = "y (network file coordinates)"
    show_frame(cm, d, t)
    return cm


def show_frame(cm: CityMap, d: Drill, t: int) -> None:
    """Colours of frame t: points by street water, roads by depth, closed roads red."""
    depth = d.ponded[t]
    cm.points.data = {"x": d.net.x, "y": d.net.y, "value": np.round(depth, 3),
                      "label": d.nodes, "size": 5 + 14 * np.clip(depth / 0.5, 0, 1)}
    if "trucks" in cm.layers:
        at = np.flatnonzero(d.mobile_at[t] > 0)
        cm.layers["trucks"].data = {"x": d.net.x[at], "y": d.net.y[at],
                                    "n": d.mobile_at[t][at]}
    if d.city is not None and d.net.on_city:
        colour_roads(cm, d.city, d.closed_edges(t), d.edge_depth(t))


def time_figure(d: Drill, series: dict[str, np.ndarray], y_label: str, title: str,
                height: int = 190, step: bool = False, x_range=None):
    kw = {"x_range": x_range} if x_range is not None else {}
    fig = figure(height=height, sizing_mode="stretch_width", x_axis_type="datetime",
                 title=title, **kw, x_axis_label=bilingual("time"), y_axis_label=y_label,
                 tools="pan,xwheel_zoom,reset,save")
    for i, (name, y) in enumerate(series.items()):
        kw = {"legend_label": name, "color": PALETTE[i % len(PALETTE)], "line_width": 2}
        (fig.step(d.time, y, mode="after", **kw) if step else fig.line(d.time, y, **kw))
    fig.legend.location = "top_left"
    return style(fig)


class DrillView:
    """The widgets and figures of one drill; `set_frame` moves them all in place."""

    def __init__(self, d: Drill):
        self.d = d
        peak = d.peak
        self.map = drill_map(d, peak)
        n = max(len(d.time) - 1, 1)
        self.slider = pn.widgets.IntSlider(name=bilingual("time") + " (frame)", start=0, end=n,
                                           value=peak, sizing_mode="stretch_width",
                                           css_classes=["time-slider"])
        self.play = pn.widgets.Toggle(name="▶ play 播放", button_type="primary", width=110)
        self.clock = pn.pane.Markdown("", margin=(0, 10))
        self.cursor = []
        x = (Range1d(d.time[0], d.time[-1]) if len(d.time) > 1 else None)  # one axis for all
        self.pumps_fig = time_figure(d, {p.removeprefix("P_"): d.pump_flow[:, i]
                                         for i, p in enumerate(d.pumps)},
                                     "pump flow (m3/s)", bilingual("Pumping stations"),
                                     x_range=x)
        closed = {"road edges closed": d.n_closed_edges,
                  "points closed": d.closed.sum(1), "mobile pumps on site": d.mobile_on_site}
        self.closed_fig = time_figure(d, closed, "count (1)", bilingual("Closed roads"),
                                      step=True, x_range=x)
        self.timeline_figs = [timeline_figure(m, lines, self.pumps_fig.x_range)
                              for m, lines in d.timeline.items()]
        for fig in (self.pumps_fig, self.closed_fig, *self.timeline_figs):
            span = Span(location=d.time[peak].value / 1e6 if len(d.time) else 0,
                        dimension="height", line_color="#d62728", line_dash="dashed")
            fig.add_layout(span)
            self.cursor.append(span)
        self.points = table(ranked_points(d), height=250)
        self.pump_table = table(pump_states(d, peak))
        self.slider.param.watch(lambda e: self.set_frame(e.new), "value")
        self.play.param.watch(self._toggle, "value")
        self._cb = None
        self.set_frame(peak)

    def set_frame(self, t: int) -> None:
        d = self.d
        t = int(np.clip(t, 0, max(len(d.time) - 1, 0)))
        show_frame(self.map, d, t)
        for span in self.cursor:
            span.location = d.time[t].value / 1e6
        self.pump_table.object = pump_states(d, t)
        wet = int((d.ponded[t] > WET_M).sum())
        self.clock.object = (f"**{d.time[t]:%Y-%m-%d %H:%M}** · +{(t + 1) * d.stride_h:.2f} h · "
                             f"{wet} points with > {WET_M * 100:.0f} cm · "
                             f"{int(d.closed[t].sum())} closed")

    def _toggle(self, e) -> None:
        if e.new:
            self.play.name = "❚❚ pause 暂停"
            step = max(1, len(self.d.time) // 120)
            if self.slider.value >= self.slider.end:
                self.slider.value = 0

            def tick():
                if self.slider.value >= self.slider.end:
                    self.play.value = False
                else:
                    self.slider.value = min(self.slider.value + step, self.slider.end)

            self._cb = pn.state.add_periodic_callback(tick, period=400)
        else:
            self.play.name = "▶ play 播放"
            if self._cb is not None:
                self._cb.stop()
                self._cb = None

    def layout(self):
        totals = " · ".join(f"{k}: **{_num(v)}**" for k, v in self.d.totals.items())
        head = pn.Row(self.play, self.slider, self.clock, sizing_mode="stretch_width")
        right = pn.Column(f"#### {bilingual('Waterlogging points')}: peak street water (m), ranked",
                          self.points, f"#### {bilingual('Pumping stations')}",
                          self.pump_table, width=490)
        return pn.Column(pn.pane.Markdown(f"**{self.d.name}** · {totals}"), head,
                         pn.Row(pn.pane.Bokeh(self.map.fig, sizing_mode="stretch_width"), right,
                                sizing_mode="stretch_width"),
                         pn.Row(pn.pane.Bokeh(self.pumps_fig, sizing_mode="stretch_width"),
                                pn.pane.Bokeh(self.closed_fig, sizing_mode="stretch_width"),
                                sizing_mode="stretch_width"),
                         *self._timeline_rows(), sizing_mode="stretch_width")

    def _timeline_rows(self) -> list:
        """The other subsystems, two charts a row, under the drainage charts."""
        figs = [pn.pane.Bokeh(f, sizing_mode="stretch_width") for f in self.timeline_figs]
        return [pn.Row(*figs[i:i + 2], sizing_mode="stretch_width")
                for i in range(0, len(figs), 2)]


def _num(v) -> str:
    if isinstance(v, float):
        return "n/a" if v != v else f"{v:,.0f}"
    return str(v)


def app(stores: list[StoreInfo], results_dir: Path):
    from dashboards.drillpanel import new_drill_panel

    drills = with_models(stores, "drainage")
    opts = options(drills)
    select = pn.widgets.Select(name=bilingual("drill"), options=opts,
                               value=next(iter(opts.values()), None), sizing_mode="stretch_width")
    main = pn.Column(sizing_mode="stretch_width")
    state: dict = {}

    def show(path):
        if not path:
            main[:] = [pn.pane.Markdown("No storm drill store yet: run one with "
                                        "`twin run scenarios/drainage/drill_pump_outage.toml` "
                                        "or set up a new drill on the left.")]
            return
        if state.get("view") and state["view"].play.value:
            state["view"].play.value = False
        try:
            state["view"] = DrillView(load_drill(path))
        except (ValueError, OSError) as e:
            main[:] = [pn.pane.Alert(str(e), alert_type="danger")]
            return
        main[:] = [state["view"].layout()]

    select.param.watch(lambda e: show(e.new), "value")
    show(select.value)

    def added(store: Path) -> None:
        info = inspect_store(store)
        select.options = {**select.options, **options([info])}
        select.value = str(store)

    city = state["view"].d.city if state.get("view") else None
    base = _city_spec(select.value)
    form = new_drill_panel(results_dir / "drills", base, city,
                           state["view"].d if state.get("view") else None, added)
    from dashboards.briefing import briefing_download

    brief = briefing_download(lambda: state["view"].d if state.get("view") else None)
    sidebar = [select, brief, form]
    return template("Storm drill", [main], sidebar)


def _city_spec(path) -> dict:
    import json

    if not path:
        return {"builtin": "demo"}
    ds = xr.open_zarr(path, consolidated=None)
    spec = json.loads(ds.attrs.get("city_spec", "{}"))
    for keys in (("path",), ("builtin",), ("households", "seed")):  # as a scenario names it
        if spec.get(keys[0]) is not None:
            return {k: spec[k] for k in keys}
    return {"builtin": "demo"}
