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
from bokeh.models import ColumnDataSource, HoverTool
from bokeh.plotting import figure

from dashboards.citymap import CLOSED, CityMap, city_map, colour_roads
from dashboards.data import city_of, options, times, with_models
from dashboards.drillmarks import DEPTH_CLASSES, class_colours
from dashboards.network import Network, drainage_network, edges_at
from dashboards.stores import StoreInfo, inspect_store, missing_chunks
from dashboards.theme import PALETTE, bilingual, style, template
from dashboards.timeline import city_timeline

PUMP_ON, PUMP_OFF = "#2a9d4b", "#d62728"
BASE = "drainage_time"  # the drainage model's own time base (end of each stride)
WET_M = 0.05  # street water counted as waterlogging (m)
OPTIONAL = ("mobile_pumps_at_node", "rain_intensity",  # newer drainage stores only
            "peak_closed_road_edges")
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
    rain: np.ndarray | None = None  # (time,) mm/h over the stride before
    pump_xy: tuple | None = None  # (x, y) of each pump's station, city metres
    description: str = ""  # the scenario's storm and events, in words

    @property
    def marks(self) -> list:
        """Outages, restores and truck dispatches (drillmarks.marks_of), computed once."""
        if "_marks" not in self.__dict__:
            from dashboards.drillmarks import marks_of

            self.__dict__["_marks"] = marks_of(self)
        return self.__dict__["_marks"]

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
    gaps = missing_chunks(path, [*VARS, *(v for v in OPTIONAL if v in ds)])
    if gaps:
        raise ValueError(f"{path}: incomplete store, chunks missing in {', '.join(gaps)} "
                         "(rerun the drill; nothing is shown rather than dry streets)")
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
              "most road edges closed at once": int(ds["peak_closed_road_edges"])
              if "peak_closed_road_edges" in ds else int(ds["n_closed_road_edges"].max())}
    return Drill(ds.attrs.get("scenario", path.stem), path, time, nodes,
                 [str(p) for p in ds["pump"].values], ponded, closed,
                 ds["pump_setting"].values, ds["pump_flow"].values,
                 ds["n_closed_road_edges"].values, ds["mobile_pumps_on_site"].values,
                 ds["mobile_pumps_at_node"].values if "mobile_pumps_at_node" in ds else None,
                 totals, per_node, city, net, edges_at(city, net.road_node), stride_h,
                 timeline, overlays,
                 ds["rain_intensity"].values if "rain_intensity" in ds else None,
                 _pump_xy(ds), _describe(ds))


def _pump_xy(ds) -> tuple | None:
    if "pump_x_m" in ds.coords and "pump_y_m" in ds.coords:
        return np.asarray(ds["pump_x_m"].values), np.asarray(ds["pump_y_m"].values)
    return None


def _describe(ds) -> str:
    """The storm in words, from the store's own labels (the rain's long name)."""
    for var in ("storm_depth", "rain_intensity"):
        if var in ds:
            name = str(ds[var].attrs.get("long_name", ""))
            if ":" in name:
                return name.split(":", 1)[1].strip()
            if "(" in name:
                return name[name.index("(") + 1:].rstrip(")")
    return ""


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


def drill_map(d: Drill, t: int, *, height: int = 470, frame_px: int | None = None) -> CityMap:
    """The map at frame t (a fresh figure: apps and briefings each get their own): points
    and wet roads by depth class, closed roads red, pumping stations by state, trucks, and
    a legend entry for every mark."""
    cm = city_map(d.city if d.net.on_city else None, title=bilingual("street water depth (m)"),
                  height=height, point_label="point", value_title="water depth (m)",
                  colour_bar=False, frame_px=frame_px)
    fig = cm.fig
    pts = next(r for r in fig.renderers if getattr(r, "data_source", None) is cm.points)
    pts.glyph.fill_color = {"field": "colour"}
    if d.net.pipes_xs:
        r = fig.multi_line(d.net.pipes_xs, d.net.pipes_ys, line_color="#6a51a3",
                           line_alpha=0.45, line_width=1.5, legend_label="drainage pipes 管网")
        fig.renderers.remove(r)
        fig.renderers.insert(-1, r)  # under the points
    if d.city is not None and d.net.on_city:
        fig.line([np.nan], [np.nan], line_color=CLOSED, line_width=4,
                 legend_label="closed road 封闭道路")
    for _bound, label, colour in DEPTH_CLASSES:  # the classes, in the legend only
        fig.scatter([np.nan], [np.nan], marker="circle", size=10, fill_color=colour,
                    line_color="#333333", legend_label=label)
    if d.pump_xy is not None and d.net.on_city:
        src = ColumnDataSource({"x": [], "y": [], "name": [], "state": [], "colour": []})
        r = fig.scatter("x", "y", source=src, marker="square", size=15, line_color="#202124",
                        fill_color={"field": "colour"})  # legend: one static entry per state
        fig.scatter([np.nan], [np.nan], marker="square", size=12, fill_color=PUMP_ON,
                    line_color="#202124", legend_label="pumping station running 泵站运行")
        fig.text("x", "y", text="name", source=src, x_offset=10, y_offset=-4,
                 text_font_size="9pt", text_color="#202124")
        fig.add_tools(HoverTool(renderers=[r], tooltips=[("station", "@name"),
                                                         ("now", "@state")]))
        fig.scatter([np.nan], [np.nan], marker="square", size=12, fill_color=PUMP_OFF,
                    line_color="#202124", legend_label="station without power 停运")
        cm.layers["pumps"] = src
    if d.mobile_at is not None:
        trucks = ColumnDataSource({"x": [], "y": [], "n": []})
        fig.scatter("x", "y", source=trucks, marker="triangle", size=13, fill_color="#e07b00",
                    line_color="#202124", legend_label="mobile pumps 移动泵车")
        cm.layers["trucks"] = trucks
    for label, xs, ys, marker, colour in d.overlays if d.net.on_city else ():
        fig.scatter(xs, ys, marker=marker, size=16, fill_color=colour, line_color="#202124",
                    legend_label=label)
    if not d.net.on_city:  # a user network: its own coordinates, not the city's metres
        fig.xaxis.axis_label = "x (network file coordinates)"
        fig.yaxis.axis_label = "y (network file coordinates)"
    if fig.legend:
        fig.legend.ncols = 2
        if frame_px is not None and d.net.on_city:  # room for the legend under the frame
            fig.height += 22 * ((len(fig.legend[0].items) + 1) // 2) + 20
        fig.legend.label_text_font_size = "9pt"
    show_frame(cm, d, t)
    return cm


def show_frame(cm: CityMap, d: Drill, t: int) -> None:
    """Colours of frame t: points and roads by depth class, closed roads red, stations by
    state."""
    depth = d.ponded[t]
    colour, size = class_colours(depth)
    cm.points.data = {"x": d.net.x, "y": d.net.y, "value": np.round(depth, 3),
                      "label": d.nodes, "size": size, "colour": colour}
    if "trucks" in cm.layers:
        at = np.flatnonzero(d.mobile_at[t] > 0)
        cm.layers["trucks"].data = {"x": d.net.x[at], "y": d.net.y[at],
                                    "n": d.mobile_at[t][at]}
    if "pumps" in cm.layers:
        on = d.pump_setting[t] >= 0.5
        cm.layers["pumps"].data = {
            "x": d.pump_xy[0], "y": d.pump_xy[1],
            "name": [p.removeprefix("P_") for p in d.pumps],
            "state": [f"on, {q:,.1f} m3/s" if o else "OFF (no power)"
                      for o, q in zip(on, d.pump_flow[t], strict=True)],
            "colour": [PUMP_ON if o else PUMP_OFF for o in on]}
    if d.city is not None and d.net.on_city:
        colour_roads(cm, d.city, d.closed_edges(t), d.edge_depth(t),
                     colour_of=lambda v: class_colours([v])[0][0])


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


def _num(v) -> str:
    if isinstance(v, float):
        return "n/a" if v != v else f"{v:,.0f}"
    return str(v)


def empty_hint() -> str:
    """What to run when there is no drill yet (a scenario file that exists)."""
    root = Path(__file__).resolve().parents[1] / "scenarios" / "drainage"
    named = [p for p in ("storm_drill.toml", "design_20y.toml") if (root / p).is_file()]
    run = (f"`twin run scenarios/drainage/{named[0]}`" if named
           else "`twin run` on a scenario with `[models.drainage]`")
    return (f"No storm drill store yet. Run one with {run}, then reload this page, or set "
            "one up in the **New drill 新演练** tab (the built-in demo city's pumping "
            "stations are listed there).")


def app(stores: list[StoreInfo], results_dir: Path):
    from dashboards.briefing import briefing_download
    from dashboards.drillcompare import compare_panel
    from dashboards.drillpanel import new_drill_panel
    from dashboards.drillview import DrillView

    drills = with_models(stores, "drainage")
    opts = options(drills)
    select = pn.widgets.Select(name=bilingual("drill"), options=opts,
                               value=next(iter(opts.values()), None), sizing_mode="stretch_width")
    main = pn.Column(sizing_mode="stretch_width")
    compare = pn.Column(sizing_mode="stretch_width")
    state: dict = {}
    brief = briefing_download(lambda: state["view"].d if state.get("view") else None)

    def show(path):
        state["view"] = None
        brief.disabled = True
        compare[:] = [compare_panel(dict(select.options), path)]
        if not path:
            main[:] = [pn.pane.Alert(empty_hint(), alert_type="info")]
            return
        try:
            state["view"] = DrillView(load_drill(path))
        except Exception as e:  # noqa: BLE001 - a damaged store: a short alert, app goes on
            main[:] = [pn.pane.Alert(short_reason(path, e), alert_type="danger")]
            return
        brief.disabled = False
        main[:] = [state["view"].layout()]

    select.param.watch(lambda e: show(e.new), "value")
    show(select.value)

    def added(store: Path) -> None:
        info = inspect_store(store)
        select.options = {**select.options, **options([info])}
        select.value = str(store)
        tabs.active = 0  # the new drill on the map

    view = state.get("view")
    city = view.d.city if view else _builtin_city()
    form = new_drill_panel(results_dir / "drills", _city_spec(select.value), city,
                           view.d if view else None, added)
    tabs = pn.Tabs(("Drill 演练", main), ("Side by side 对比", compare),
                   ("New drill 新演练", form), dynamic=False, sizing_mode="stretch_width")
    return template("Storm drill", [tabs], [select, brief])


def short_reason(path, e: Exception) -> str:
    """One line naming the store and what is wrong (never a traceback or server paths)."""
    name = Path(str(path)).name
    if isinstance(e, ValueError | OSError) and str(e):
        text = str(e).replace(str(Path(str(path)).parent) + "/", "")
        return text if name in text else f"{name}: {text}"
    return (f"{name}: damaged or partial results store ({type(e).__name__}); "
            "rerun the drill to rewrite it")


def _builtin_city():
    """The built-in demo city (its pumping stations for the form when no drill exists)."""
    from types import SimpleNamespace

    from twin.city.io import open_city

    try:
        return open_city(SimpleNamespace(builtin="demo", households=None, seed=0, path=None))
    except Exception:  # noqa: BLE001 - the form then offers no station list
        return None


def _city_spec(path) -> dict:
    import json

    if not path:
        return {"builtin": "demo"}
    try:
        spec = json.loads(xr.open_zarr(path, consolidated=None).attrs.get("city_spec", "{}"))
    except Exception:  # noqa: BLE001 - a damaged store: the form offers the built-in city
        return {"builtin": "demo"}
    for keys in (("path",), ("builtin",), ("households", "seed")):  # as a scenario names it
        if spec.get(keys[0]) is not None:
            return {k: spec[k] for k in keys}
    return {"builtin": "demo"}
