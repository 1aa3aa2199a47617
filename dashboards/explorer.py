"""Run explorer (researcher, any model): every variable of a run store, plugins' included,
picked by model and labelled with its long name and units; a time series on the variable's own
time base (a line per entity, or the sum or mean over the entity dim); a map when the entity
dim has a place in the city (sites, drainage nodes, road edges, districts: `entities.py`),
with a time slider on the variable's base. Reads one variable at a time from the store."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import panel as pn
import xarray as xr
from bokeh.models import ColorBar, ColumnDataSource, HoverTool, Span
from bokeh.palettes import Category10, Viridis256
from bokeh.plotting import figure

from dashboards.citymap import city_map
from dashboards.data import city_of, options, time_dim, times, with_models
from dashboards.entities import Layer, map_dim
from dashboards.stores import StoreInfo
from dashboards.theme import bilingual, style, template
from twin.core.recorder import time_dims

MAX_LINES = 20  # a line per entity: the entities with the largest values
SHORT = 60  # series this short get markers too (a 1-day run has one daily value)
REDUCE = {"sum 合计": "sum", "mean 平均": "mean", "each 逐个": "each"}
EMPTY_POINTS = {"x": [], "y": [], "value": [], "label": [], "size": []}
EMPTY_SHAPES = {"xs": [], "ys": [], "value": [], "label": []}


def option_label(name: str, da: xr.DataArray) -> str:
    """'name: long name [units]' (long names shortened to fit the sidebar)."""
    ln = str(da.attrs.get("long_name", ""))
    ln = ln if len(ln) <= 48 else ln[:46].rstrip() + "…"
    units = da.attrs.get("units", "")
    return f"{name}: {ln} [{units}]" if units else f"{name}: {ln}"


def catalogue(ds: xr.Dataset) -> dict[str, dict[str, str]]:
    """Model -> {label: variable}, models in run order, then any others (a plugin's)."""
    order = [m for m in str(ds.attrs.get("models", "")).split(",") if m]
    groups: dict[str, dict[str, str]] = {}
    for name in sorted(ds.data_vars):
        da = ds[name]
        if da.ndim == 0:
            continue  # a headline number: listed in the store summary, nothing to draw
        model = str(da.attrs.get("model", "other"))
        groups.setdefault(model, {})[option_label(str(name), da)] = str(name)
    return {m: groups[m] for m in sorted(groups, key=lambda m: (m not in order,
                                                                order.index(m) if m in order
                                                                else 0, m))}


def ms(t: pd.DatetimeIndex) -> np.ndarray:
    """Datetimes as Bokeh's milliseconds since the epoch."""
    return np.asarray(t.values.astype("datetime64[ms]").astype(np.int64), dtype=float)


class Selection:
    """One variable reduced to (time, entity), (time,), (entity,) arrays, in memory."""

    def __init__(self, ds: xr.Dataset, name: str, city, how: str):
        da = ds[name]
        self.name, self.da = name, da
        self.base = time_dim(da)
        self.layer: Layer | None = map_dim(ds, da, city)
        rest = [d for d in da.dims if d != self.base]
        self.entity = self.layer.dim if self.layer else (rest[0] if rest else None)
        others = [d for d in rest if d != self.entity]
        arr = da.load().astype(float)
        if others:
            arr = arr.mean(others) if how == "mean" else arr.sum(others)
        order = [d for d in (self.base, self.entity) if d is not None]
        self.values = np.asarray(arr.transpose(*order).values, dtype=float)
        self.others = others
        self.time = times(ds, self.base) if self.base else None
        self.labels = ([str(v) for v in ds[self.entity].values] if self.entity in ds.coords
                       else [str(i) for i in range(ds.sizes[self.entity])]
                       ) if self.entity else []

    @property
    def units(self) -> str:
        return str(self.da.attrs.get("units", ""))

    def frame(self, t: int) -> np.ndarray:
        """Entity values at row t (the static values of a variable without a time base)."""
        return self.values[t] if self.base else self.values

    def peak(self) -> int:
        if not self.base or not len(self.time):
            return 0
        tot = np.nansum(np.abs(self.values.reshape(len(self.time), -1)), axis=1)
        return int(np.argmax(tot))

    def lines(self, how: str) -> tuple[list[str], list[np.ndarray]]:
        """Series to draw: one per entity (largest first, at most MAX_LINES), or the sum or
        the mean over the entity dim."""
        v = self.values
        if self.entity is None:
            return [self.name], [v]
        if how == "each":
            top = np.argsort(-np.nan_to_num(np.nanmax(np.abs(v), axis=0)))[:MAX_LINES]
            return [self.labels[k] for k in top], [v[:, k] for k in top]
        reduce = np.nanmean if how == "mean" else np.nansum
        return [f"{how} over {self.entity}"], [reduce(v, axis=1)]


class Explorer:
    """Widgets and figures of a session; another store, variable or frame updates them in
    place (the map is drawn again only for a store on another city)."""

    def __init__(self, path: str | Path):
        self.variable = pn.widgets.Select(label="variable 变量", groups={"-": ["-"]},
                                          sizing_mode="stretch_width")
        self.how = pn.widgets.RadioButtonGroup(label="over the entities", options=REDUCE,
                                               value="sum", button_type="light",
                                               sizing_mode="stretch_width")
        self.slider = pn.widgets.IntSlider(label=bilingual("time") + " (row)", start=0, end=1,
                                           value=0, sizing_mode="stretch_width",
                                           css_classes=["explorer-slider"])
        self.clock = pn.pane.Markdown("", margin=(0, 10), css_classes=["explorer-clock"])
        self.about = pn.pane.Markdown("", sizing_mode="stretch_width",
                                      css_classes=["explorer-about"])
        self.head = pn.pane.Markdown("", sizing_mode="stretch_width")
        self.map_pane = pn.pane.Bokeh(sizing_mode="stretch_width")
        self.city_key, self._quiet = None, False
        self._build_series()
        self.open(path)
        self.variable.param.watch(lambda e: self._quiet or self.pick(), "value")
        self.how.param.watch(lambda e: self.pick(keep_frame=True), "value")
        self.slider.param.watch(lambda e: self.set_frame(e.new), "value")

    def open(self, path: str | Path) -> None:
        """Show another store (its first mapped time series)."""
        self.path = Path(path)
        self.ds = xr.open_zarr(self.path, consolidated=None)
        key = self.ds.attrs.get("city_spec")
        if key != self.city_key or self.city_key is None:
            self.city, self.city_key = city_of(self.ds), key
            self._build_map()
            self.map_pane.object = self.cmap.fig
            self._shown = None
        self.groups = catalogue(self.ds)
        a = self.ds.attrs
        self.head.object = (f"**{a.get('scenario', self.path.stem)}** · models "
                            f"{a.get('models', '?')} · time bases "
                            + ", ".join(f"`{d}` ({self.ds.sizes[d]})" for d in
                                        time_dims(self.ds)))
        self._quiet = True  # one pick, below, whether the value changed or not
        self.variable.param.update(groups=self.groups, value=self._default())
        self._quiet = False
        self.pick()

    def _default(self) -> str | None:
        """The first variable with a time base and a place on the map (else the first)."""
        names = [n for g in self.groups.values() for n in g.values()]
        for n in names:
            da = self.ds[n]
            if time_dim(da) and map_dim(self.ds, da, self.city) is not None:
                return n
        return names[0] if names else None

    def _build_map(self) -> None:
        self.cmap = cm = city_map(self.city, title="", height=470, point_label="entity",
                                  value_title="value", palette=Viridis256,
                                  value_format="0.[000]", frame_px=400)
        self.edges = ColumnDataSource(dict(EMPTY_SHAPES))
        self.areas = ColumnDataSource(dict(EMPTY_SHAPES))
        fill = {"field": "value", "transform": cm.mapper}
        a = cm.fig.patches("xs", "ys", source=self.areas, fill_color=fill, fill_alpha=0.75,
                           line_color="#5f6368")
        e = cm.fig.multi_line("xs", "ys", source=self.edges, line_color=fill, line_width=4)
        for r in (a, e):  # under the point layer, over the city
            cm.fig.renderers.remove(r)
            cm.fig.renderers.insert(-1, r)
        cm.fig.add_tools(HoverTool(renderers=[a, e], tooltips=[("entity", "@label"),
                                                             ("value", "@value{0.[000]}")]))

    def _build_series(self) -> None:
        self.lines = ColumnDataSource({"xs": [], "ys": [], "colour": [], "label": []})
        f = figure(height=470, sizing_mode="stretch_width", x_axis_type="datetime",
                   x_axis_label=bilingual("time"), tools="pan,wheel_zoom,box_zoom,reset,save")
        r = f.multi_line("xs", "ys", source=self.lines, line_color="colour", line_width=2)
        self.dots = ColumnDataSource({"x": [], "y": [], "colour": []})  # short series: markers
        f.scatter("x", "y", source=self.dots, color="colour", size=7)
        f.add_tools(HoverTool(renderers=[r], tooltips=[("", "@label"), ("value", "$y{0.[000]}"),
                                                      ("time", "$x{%F %T}")],
                              formatters={"$x": "datetime"}))
        self.cursor = Span(location=0, dimension="height", line_color="#d62728",
                           line_dash="dashed")
        f.add_layout(self.cursor)
        self.series_fig = style(f)

    # -- updates ---------------------------------------------------------------------------
    def pick(self, keep_frame: bool = False) -> None:
        name = self.variable.value
        if name is None:
            return
        from dashboards.drill import short_reason
        from dashboards.stores import missing_chunks

        gaps = missing_chunks(self.path, [name])
        try:
            if gaps:
                raise ValueError(f"{self.path.name}: chunks missing in {', '.join(gaps)}; "
                                 "not shown (a lost chunk would read as empty values)")
            s = self.sel = Selection(self.ds, name, self.city, self.how.value)
        except Exception as e:  # noqa: BLE001 - a damaged variable: one line, app goes on
            self.about.object = f"⚠ **{name}**: {short_reason(self.path, e)}"
            return
        self._shown = None  # the layer on the map: drawn afresh for a new variable
        da = s.da
        where = (f"map: {s.layer.kind} of `{s.layer.dim}`" if s.layer
                 else "no place on the map")
        reduced = f" · summed over {', '.join(s.others)}" if s.others and self.how.value != \
            "mean" else (f" · mean over {', '.join(s.others)}" if s.others else "")
        self.about.object = (f"**{name}** ({da.attrs.get('model', '?')}): "
                             f"{da.attrs.get('long_name', '')}  \nunits `{s.units or '-'}` · "
                             f"dims `{', '.join(map(str, da.dims))}` · time base "
                             f"`{s.base or 'none (end of run)'}` · {where}{reduced}")
        self._draw_series()
        self._set_range()
        n = len(s.time) if s.base else 1
        frame = min(self.slider.value, n - 1) if keep_frame else s.peak()
        with pn.io.hold():
            self.slider.param.update(start=0, end=max(n - 1, 1), value=frame,
                                     disabled=n <= 1)
            self.set_frame(frame)

    def _draw_series(self) -> None:
        s, f = self.sel, self.series_fig
        f.visible = s.base is not None
        if s.base is None:
            self.lines.data = {"xs": [], "ys": [], "colour": [], "label": []}
            self.dots.data = {"x": [], "y": [], "colour": []}
            return
        labels, ys = s.lines(self.how.value)
        x = ms(s.time)
        colours = Category10[10]
        cols = [colours[i % 10] for i in range(len(ys))]
        self.lines.data = {"xs": [x] * len(ys), "ys": [np.asarray(y, float) for y in ys],
                           "colour": cols, "label": labels}
        short = len(x) <= SHORT
        self.dots.data = {"x": np.tile(x, len(ys)) if short else [],
                          "y": np.concatenate(ys) if short and ys else [],
                          "colour": np.repeat(cols, len(x)) if short else []}
        f.title.text = (f"{s.name} on {s.base}" + (f" ({len(labels)} of {len(s.labels)} "
                        f"{s.entity}, largest first)" if self.how.value == "each" and s.entity
                        else ""))
        f.yaxis.axis_label = f"{s.name} ({s.units})" if s.units else s.name

    def _set_range(self) -> None:
        v = self.sel.values
        finite = v[np.isfinite(v)] if v.size else v
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if hi <= lo:
            hi = lo + 1.0
        self.cmap.mapper.update(low=lo, high=hi)
        for bar in (r for r in self.cmap.fig.right if isinstance(r, ColorBar)):
            bar.title = f"{self.sel.name} ({self.sel.units})" if self.sel.units else self.sel.name
        self._lo, self._hi = lo, hi

    def set_frame(self, t: int) -> None:
        s, cm = self.sel, self.cmap
        t = int(np.clip(t, 0, len(s.time) - 1 if s.base else 0))
        layer = s.layer
        vals = np.round(s.frame(t), 6) if layer else np.zeros(0)
        kind = layer.kind if layer else None
        size = None
        if kind == "points":
            span = (np.nan_to_num(vals, nan=self._lo) - self._lo) / (self._hi - self._lo)
            size = 6 + 12 * np.clip(span, 0, 1)
        target = {"points": cm.points, "edges": self.edges, "areas": self.areas}.get(kind)
        if layer is not None and layer is self._shown:  # the slider: new values only
            target.data.update(value=vals, **({"size": size} if size is not None else {}))
        else:
            pts, edges, areas = dict(EMPTY_POINTS), dict(EMPTY_SHAPES), dict(EMPTY_SHAPES)
            if kind == "points":
                pts = {"x": layer.x, "y": layer.y, "value": vals, "label": layer.labels,
                       "size": size}
            elif layer is not None:
                shapes = {"xs": layer.xs, "ys": layer.ys, "value": vals, "label": layer.labels}
                edges, areas = (shapes, areas) if kind == "edges" else (edges, shapes)
            cm.points.data, self.edges.data, self.areas.data = pts, edges, areas
            self._shown = layer
        when = f"{s.time[t]:%Y-%m-%d %H:%M}" if s.base else "end of run"
        cm.fig.title.text = (f"{s.name} at {when}" if layer else
                             f"{s.name}: no map (its dims have no place in the city)")
        if s.base:
            self.cursor.location = float(ms(s.time[t:t + 1])[0])
            self.clock.object = f"**{when}** · row {t + 1} of {len(s.time)} on `{s.base}`"
        else:
            self.clock.object = "static variable (end of run)"

    def layout(self):
        return pn.Column(self.head, self.about, pn.Row(self.slider, self.clock,
                                                       sizing_mode="stretch_width"),
                         pn.Row(self.map_pane,
                                pn.pane.Bokeh(self.series_fig, sizing_mode="stretch_width"),
                                sizing_mode="stretch_width"),
                         sizing_mode="stretch_width")


def app(stores: list[StoreInfo], results_dir: Path):
    runs = with_models(stores)
    opts = options(runs)
    select = pn.widgets.Select(label="results 结果", options=opts,
                               value=next(iter(opts.values()), None), sizing_mode="stretch_width")
    if select.value is None:
        return template("Run explorer", [pn.pane.Markdown(
            "No run store yet: `twin run scenarios/...`.")], [select])
    from dashboards.drill import short_reason

    try:
        x = Explorer(select.value)
    except Exception as e:  # noqa: BLE001 - a damaged store: a short alert, never a traceback
        return template("Run explorer", [pn.pane.Alert(short_reason(select.value, e),
                                                       alert_type="danger")], [select])

    def reopen(e):
        try:
            x.open(e.new)
        except Exception as err:  # noqa: BLE001 - the page stays, the reason is shown
            x.about.object = f"⚠ {short_reason(e.new, err)}"

    select.param.watch(reopen, "value")
    return template("Run explorer", [x.layout()],
                    [select, x.variable, "over the entities 实体汇总", x.how])

