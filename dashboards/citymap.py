"""The city map from the city's own geometry (districts, roads, river, sites, networks), in
local metres: no tile server, so it works offline. Layers are Bokeh ColumnDataSources whose
columns are updated in place (a time slider changes colours, not the figure)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from bokeh.models import ColorBar, ColumnDataSource, HoverTool, LinearColorMapper
from bokeh.plotting import figure

from dashboards.theme import DEPTH_PALETTE, bilingual
from twin.city import City

ROAD_COLOURS = {0: "#9aa0a6", 1: "#5f6368", 2: "#3c4043"}
CLOSED = "#d62728"


@dataclass
class CityMap:
    """A map figure and the sources the apps update."""

    fig: object
    roads: ColumnDataSource
    points: ColumnDataSource
    mapper: LinearColorMapper


def city_map(city: City, *, title: str = "", height: int = 520, depth_max_m: float = 0.5,
             point_label: str = "node") -> CityMap:
    """Districts, roads, river and an empty point layer (drainage nodes, hot spots)."""
    fig = figure(title=title, height=height, sizing_mode="stretch_width", match_aspect=True,
                 x_axis_label="x (m)", y_axis_label="y (m)", tools="pan,wheel_zoom,box_zoom,reset,save",
                 output_backend="canvas")
    d = city.districts
    polys = [np.array(d.polygon(i)) for i in range(len(d))]
    dist = ColumnDataSource({"xs": [p[:, 0] for p in polys], "ys": [p[:, 1] for p in polys],
                             "name": [f"{d.name[i]} {d.name_zh[i]}" for i in range(len(d))],
                             "population": [int(v) for v in d.population],
                             "cx": [p[:4, 0].mean() for p in polys],
                             "cy": [p[:4, 1].mean() for p in polys]})
    r = fig.patches("xs", "ys", source=dist, fill_color="#f1f3f4", fill_alpha=0.6,
                    line_color="#bdc1c6", line_dash="dashed")
    fig.add_tools(HoverTool(renderers=[r], tooltips=[("district", "@name"),
                                                    ("population", "@population{0,0}")]))
    fig.text("cx", "cy", text="name", source=dist, text_font_size="9pt", text_color="#5f6368",
             text_align="center")
    fig.line(city.river_xy[:, 0], city.river_xy[:, 1], line_width=6, color="#7fb3e6",
             legend_label="river 河流")
    rd = city.roads
    u, v = rd.edge_u, rd.edge_v
    roads = ColumnDataSource({
        "xs": [[float(rd.node_x[a]), float(rd.node_x[b])] for a, b in zip(u, v, strict=True)],
        "ys": [[float(rd.node_y[a]), float(rd.node_y[b])] for a, b in zip(u, v, strict=True)],
        "colour": [ROAD_COLOURS[int(c)] for c in rd.edge_class],
        "width": [1.0 + float(c) for c in rd.edge_class],
        "edge": list(range(rd.n_edges)),
    })
    fig.multi_line("xs", "ys", source=roads, line_color="colour", line_width="width")
    mapper = LinearColorMapper(palette=list(DEPTH_PALETTE), low=0.0, high=depth_max_m)
    points = ColumnDataSource({"x": [], "y": [], "value": [], "label": [], "size": []})
    pr = fig.scatter("x", "y", source=points, size="size", line_color="#333333",
                     fill_color={"field": "value", "transform": mapper})
    fig.add_tools(HoverTool(renderers=[pr], tooltips=[(point_label, "@label"),
                                                     ("value", "@value{0.00}")]))
    fig.add_layout(ColorBar(color_mapper=mapper, title=bilingual("water depth (m)")), "right")
    fig.legend.location = "top_left"
    fig.legend.background_fill_alpha = 0.6
    return CityMap(fig, roads, points, mapper)


def colour_roads(cmap: CityMap, city: City, closed_edges) -> None:
    """Closed roads red, the others by class (in place)."""
    colours = [ROAD_COLOURS[int(c)] for c in city.roads.edge_class]
    for e in closed_edges:
        colours[int(e)] = CLOSED
    cmap.roads.data["colour"] = colours
