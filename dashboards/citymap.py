"""The city map from the city's own geometry (districts, roads, river, sites, networks), in
local metres: no tile server, so it works offline. Layers are Bokeh ColumnDataSources whose
columns are updated in place (a time slider changes colours, not the figure)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from bokeh.models import ColorBar, ColumnDataSource, HoverTool, LinearColorMapper
from bokeh.plotting import figure

from dashboards.theme import DEPTH_PALETTE, bilingual, style
from twin.city import City

ROAD_COLOURS = {0: "#9aa0a6", 1: "#5f6368", 2: "#3c4043"}
CLOSED = "#d62728"
WET_M = 0.01  # street water below this draws a road in its class colour


@dataclass
class CityMap:
    """A map figure and the sources the apps update."""

    fig: object
    roads: ColumnDataSource
    points: ColumnDataSource
    mapper: LinearColorMapper
    layers: dict = field(default_factory=dict)  # more sources an app adds (name -> source)


def city_map(city: City | None, *, title: str = "", height: int = 520, depth_max_m: float = 0.5,
             point_label: str = "node", value_title: str = "water depth (m)",
             palette=DEPTH_PALETTE, value_format: str = "0.00", colour_bar: bool = True,
             frame_px: int | None = None) -> CityMap:
    """Districts, roads, river and an empty point layer (drainage nodes, hot spots).
    Without a city (a drill on a user network) only the point layer is drawn. With
    `frame_px` the plot area is fitted to the city (its longer side frame_px, true aspect),
    so no width is left empty; otherwise it stretches to the page width."""
    size = ({"sizing_mode": "stretch_width", "height": height, "match_aspect": True}
            if frame_px is None or city is None else fitted(city, frame_px))
    fig = figure(title=title, **size, x_axis_label="x (m)", y_axis_label="y (m)",
                 tools="pan,wheel_zoom,box_zoom,reset,save", output_backend="canvas")
    roads = ColumnDataSource({"xs": [], "ys": [], "colour": [], "width": [], "edge": []})
    if city is not None:
        _draw_city(fig, city, roads)
    mapper = LinearColorMapper(palette=list(palette), low=0.0, high=depth_max_m)
    points = ColumnDataSource({"x": [], "y": [], "value": [], "label": [], "size": []})
    pr = fig.scatter("x", "y", source=points, size="size", line_color="#333333",
                     fill_color={"field": "value", "transform": mapper})
    fig.add_tools(HoverTool(renderers=[pr], tooltips=[(point_label, "@label"),
                                                     ("value", f"@value{{{value_format}}}")]))
    if colour_bar:
        fig.add_layout(ColorBar(color_mapper=mapper, title=bilingual(value_title), width=10),
                       "right")
    if fig.legend:  # below the map, so it hides no district (layers added later join it)
        fig.legend.orientation = "horizontal"
        fig.add_layout(fig.legend[0], "below")
    return CityMap(style(fig), roads, points, mapper)


def fitted(city: City, frame_px: int, pad: float = 0.04) -> dict:
    """Figure sizes and ranges that show the whole city at its true aspect."""
    from bokeh.models import Range1d

    d, st = city.districts, city.sites
    xs = np.concatenate([d.x0, d.x1, city.roads.node_x, np.asarray(st.x, dtype=float)])
    ys = np.concatenate([d.y0, d.y1, city.roads.node_y, np.asarray(st.y, dtype=float)])
    x0, x1, y0, y1 = xs.min(), xs.max(), ys.min(), ys.max()
    dx, dy = (x1 - x0) or 1.0, (y1 - y0) or 1.0
    x0, x1, y0, y1 = x0 - pad * dx, x1 + pad * dx, y0 - pad * dy, y1 + pad * dy
    scale = frame_px / max(x1 - x0, y1 - y0)
    # fixed outer sizes (axes, title and toolbar around the frame): a frame_width pinned
    # beside a wide legend below lets Bokeh clip the frame
    return {"x_range": Range1d(x0, x1), "y_range": Range1d(y0, y1),
            "width": int((x1 - x0) * scale) + 110, "height": int((y1 - y0) * scale) + 75}


def _draw_city(fig, city: City, roads: ColumnDataSource) -> None:
    d = city.districts
    polys = [np.array(d.polygon(i)) for i in range(len(d))]
    dist = ColumnDataSource({"xs": [p[:, 0] for p in polys], "ys": [p[:, 1] for p in polys],
                             "name": [f"{d.name[i]} {d.name_zh[i]}" for i in range(len(d))],
                             "population": [int(v) for v in d.population],
                             "cx": [p[:4, 0].mean() for p in polys],
                             "cy": [p[:4, 1].mean() for p in polys],
                             "lx": [p[:, 0].min() + 25 for p in polys],
                             "ly": [p[:, 1].max() - 25 for p in polys]})
    r = fig.patches("xs", "ys", source=dist, fill_color="#f1f3f4", fill_alpha=0.6,
                    line_color="#bdc1c6", line_dash="dashed")
    fig.add_tools(HoverTool(renderers=[r], tooltips=[("district", "@name"),
                                                    ("population", "@population{0,0}")]))
    # names in the districts' top-left corners on a light box: readable (>= 4.5:1) and off
    # the road grid's nodes, where the points sit
    fig.text("lx", "ly", text="name", source=dist, text_font_size="9pt", text_color="#3c4043",
             text_align="left", text_baseline="top", background_fill_color="white",
             background_fill_alpha=0.85, padding=1)
    fig.line(city.river_xy[:, 0], city.river_xy[:, 1], line_width=6, color="#7fb3e6",
             legend_label="river 河流")
    rd = city.roads
    u, v = rd.edge_u, rd.edge_v
    roads.data = {
        "xs": [[float(rd.node_x[a]), float(rd.node_x[b])] for a, b in zip(u, v, strict=True)],
        "ys": [[float(rd.node_y[a]), float(rd.node_y[b])] for a, b in zip(u, v, strict=True)],
        "colour": [ROAD_COLOURS[int(c)] for c in rd.edge_class],
        "width": [1.0 + float(c) for c in rd.edge_class],
        "edge": list(range(rd.n_edges)),
    }
    fig.multi_line("xs", "ys", source=roads, line_color="colour", line_width="width")


def depth_colour(depth_m: float, high_m: float) -> str:
    """The depth palette's colour for a street water depth."""
    k = int(np.clip(depth_m / high_m * len(DEPTH_PALETTE), 0, len(DEPTH_PALETTE) - 1))
    return DEPTH_PALETTE[k]


def colour_roads(cmap: CityMap, city: City, closed_edges, edge_depth_m=None,
                 high_m: float = 0.5, colour_of=None) -> None:
    """Closed roads red and thick, wet roads by street water depth, the others by class
    (in place: one data update)."""
    cls = city.roads.edge_class
    colours = [ROAD_COLOURS[int(c)] for c in cls]
    widths = [1.0 + float(c) for c in cls]
    if edge_depth_m is not None:
        for e in np.flatnonzero(np.asarray(edge_depth_m) >= WET_M):
            colours[e] = (colour_of or (lambda v: depth_colour(v, high_m)))(
                float(edge_depth_m[e]))
            widths[e] = 3.0
    for e in closed_edges:
        colours[int(e)] = CLOSED
        widths[int(e)] = 4.0
    cmap.roads.data.update(colour=colours, width=widths)
