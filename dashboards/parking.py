"""Parking (traffic engineer, policy analyst): the occupancy map by hour with a time slider
(off-street lots one mark each, kerbs per district), search time by hour, drivers turned away
or parked illegally, and the price of kerbs and public lots over time, from a parking run.

The map is drawn from the city's own geometry (dashboards/citymap.py): it works offline."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import panel as pn
import xarray as xr
from bokeh.models import ColumnDataSource, HoverTool, LabelSet
from bokeh.plotting import figure

from dashboards.citymap import city_map
from dashboards.data import city_of, options, times, with_models
from dashboards.stores import StoreInfo
from dashboards.theme import PALETTE, style, template

TITLE = "Parking 停车"
OCC_PALETTE = ("#1a9850", "#91cf60", "#d9ef8b", "#fee08b", "#fc8d59", "#d73027")  # full: red
NO_SPACE = "#bdbdbd"  # a lot closed, flooded or cut off


@dataclass
class Parking:
    """What the views draw, reduced from a run store."""

    name: str
    city: object
    hours: pd.DatetimeIndex
    lots: pd.DataFrame  # one row per lot: name, x, y, kind, access, district
    lot_occ: np.ndarray  # [hour, lot] occupied share (NaN: no usable space)
    lot_spaces: np.ndarray  # [hour, lot]
    kerb_occ: np.ndarray  # [hour, district]
    districts: list[str]
    hourly: pd.DataFrame  # city-wide by hour: search, turned away, illegal, occupancy
    prices: pd.DataFrame  # by hour, one column per district (CNY/h)
    search_classes: pd.Series | None  # drivers who parked, by search-time class (min)


def load_parking(path: str | Path) -> Parking:
    ds = xr.open_zarr(Path(path), consolidated=None)
    hours = times(ds, "hour")
    lots = pd.DataFrame({k: np.asarray(ds[f"parking_lot_{k}"].values) for k in
                         ("x", "y", "kind", "access", "district")})
    lots.insert(0, "name", [str(s) for s in ds["parking_lot"].values])
    arr = ds["parking_arrivals"].sum("parking_group")
    w = arr.sum("district").values
    parked = arr - (ds["parking_turned_away"] + ds["parking_illegal"]).sum("parking_group")
    n = parked.sum("district").values  # the district means are over drivers who parked
    mean = (ds["parking_search_mean_min"] * parked).sum("district").values
    hourly = pd.DataFrame({
        "mean search (min)": np.divide(mean, n, out=np.zeros_like(mean), where=n > 0),
        "parked": n,
        "worst district P90 search (min)": ds["parking_search_p90_min"].max("district").values,
        "turned away": ds["parking_turned_away"].sum(("district", "parking_group")).values,
        "parked illegally": ds["parking_illegal"].sum(("district", "parking_group")).values,
        "arrivals": w}, index=hours)
    districts = [str(d) for d in ds["district"].values]
    prices = pd.DataFrame(ds["parking_price_mean_cny_per_h"].values, index=hours,
                          columns=districts)
    classes = None
    if "parking_search_drivers" in ds:  # stores written before it have only hourly means
        da = ds["parking_search_drivers"].sum("hour")
        classes = pd.Series(np.asarray(da.values, float),
                            index=[str(b) for b in da["parking_search_bin"].values])
    return Parking(str(ds.attrs.get("scenario", Path(path).stem)), city_of(ds), hours, lots,
                   np.asarray(ds["parking_lot_occupancy"].values, float),
                   np.asarray(ds["parking_lot_spaces"].values, float),
                   np.asarray(ds["parking_kerb_occupancy"].values, float), districts, hourly,
                   prices, classes)


def _colour(share: np.ndarray) -> list[str]:
    k = np.clip((np.nan_to_num(share) * len(OCC_PALETTE)).astype(int), 0, len(OCC_PALETTE) - 1)
    return [NO_SPACE if np.isnan(s) else OCC_PALETTE[i] for s, i in zip(share, k, strict=True)]


def _lot_data(p: Parking, h: int) -> dict:
    occ, spaces = p.lot_occ[h], p.lot_spaces[h]
    keep = spaces > 0  # empty district pools are not drawn
    return {"x": p.lots.x.values[keep], "y": p.lots.y.values[keep],
            "name": p.lots.name.values[keep], "kind": p.lots.kind.values[keep],
            "access": p.lots.access.values[keep], "spaces": spaces[keep],
            "pct": np.round(100 * occ[keep], 1), "colour": _colour(occ[keep]),
            "size": 8 + 3 * np.sqrt(spaces[keep] / max(spaces.max(), 1.0)) * 4}


def _kerb_data(p: Parking, h: int) -> dict:
    d = p.city.districts if p.city is not None else None
    cx = [(d.x0[i] + d.x1[i]) / 2 for i in range(len(d))] if d is not None else []
    cy = [(d.y0[i] + d.y1[i]) / 2 for i in range(len(d))] if d is not None else []
    occ = p.kerb_occ[h]
    return {"x": cx, "y": cy, "name": p.districts[:len(cx)],
            "pct": np.round(100 * occ[:len(cx)], 1), "colour": _colour(occ[:len(cx)])}


def hour_caption(p: Parking, h: int) -> str:
    """The hour the map shows, in words: kerbs and off-street spaces occupied city-wide."""
    occ, spaces = np.nan_to_num(p.lot_occ[h]), p.lot_spaces[h]
    lots = float((occ * spaces).sum() / spaces.sum()) if spaces.sum() > 0 else float("nan")
    kerb = float(np.nanmean(p.kerb_occ[h])) if np.isfinite(p.kerb_occ[h]).any() else np.nan
    closed = int((spaces <= 0).sum() - (p.lot_spaces.max(0) <= 0).sum())
    text = (f"**{p.hours[h]:%a %d %b %H:00}-{(p.hours[h].hour + 1) % 24:02d}:00**: kerbs "
            f"{100 * kerb:.0f}% occupied (district mean), off-street lots and pools "
            f"{100 * lots:.0f}%")
    return text + (f"; {closed} lot(s) without usable space" if closed > 0 else "")


def occupancy_map(p: Parking, h: int = 0):
    """The map and its two sources (lots, district kerbs), for the slider to update."""
    from bokeh.models import ColorBar, LinearColorMapper

    cm = city_map(p.city, title="Occupied share of spaces, hour-mean 停车占用率", height=520,
                  colour_bar=False, frame_px=560)
    fig = cm.fig
    lots, kerbs = ColumnDataSource(_lot_data(p, h)), ColumnDataSource(_kerb_data(p, h))
    rk = fig.scatter("x", "y", source=kerbs, marker="square", size=26, fill_color="colour",
                     line_color="#333333", fill_alpha=0.8,
                     legend_label="kerbs of the district (square) 路内泊位")
    rl = fig.scatter("x", "y", source=lots, size="size", fill_color="colour",
                     line_color="#333333", legend_label="off-street lot or pool (circle, size: "
                     "spaces) 路外停车场")
    fig.scatter([], [], marker="circle", size=10, fill_color=NO_SPACE, line_color="#333333",
                legend_label="no usable space (closed, flooded, cut off) 不可用")
    fig.add_tools(HoverTool(renderers=[rl], tooltips=[
        ("lot", "@name"), ("kind", "@kind (@access)"), ("spaces", "@spaces{0,0}"),
        ("occupied", "@pct{0.0} %")]))
    fig.add_tools(HoverTool(renderers=[rk], tooltips=[("district", "@name"),
                                                     ("kerb occupied", "@pct{0.0} %")]))
    mapper = LinearColorMapper(palette=list(OCC_PALETTE), low=0, high=100)
    fig.add_layout(ColorBar(color_mapper=mapper, title="occupied (%) 占用率", width=10),
                   "right")
    fig.legend.orientation = "vertical"
    if fig.legend[0] not in fig.below:
        fig.add_layout(fig.legend[0], "below")
    return fig, lots, kerbs


def _hour_fig(title: str, y_label: str, height: int = 280):
    return figure(height=height, sizing_mode="stretch_width", x_axis_type="datetime",
                  title=title, x_axis_label="time 时间", y_axis_label=y_label,
                  tools="pan,wheel_zoom,reset,save")


def _legend_below(fig) -> None:
    fig.legend.orientation = "horizontal"
    fig.add_layout(fig.legend[0], "below")


def search_figure(p: Parking):
    df = p.hourly
    fig = _hour_fig("Search time of drivers who parked, by hour 找车位时间", "search time (min)")
    for i, col in enumerate(("mean search (min)", "worst district P90 search (min)")):
        fig.step(df.index, df[col].values, mode="after", line_width=2, color=PALETTE[2 * i],
                 legend_label=col.replace(" (min)", ""))
    fig.y_range.start = 0
    style(fig)
    _legend_below(fig)
    return fig


def search_histogram(p: Parking):
    """Drivers who parked by their own search time (the run's every driver, not hourly
    means): most find their first choice free, the tail is what a planner acts on."""
    c = p.search_classes
    if c is None:
        return None
    total = max(float(c.sum()), 1.0)
    pct = 100 * c.values / total
    src = ColumnDataSource({"cls": list(c.index), "n": c.values, "pct": pct,
                            "text": [f"{v:.1f}%" if v >= 0.05 or n == 0 else "<0.1%"
                                     for v, n in zip(pct, c.values, strict=True)]})
    fig = figure(x_range=list(c.index), height=300, sizing_mode="stretch_width", tools="save",
                 title="Drivers who parked, by their search time 找车位时间分布 (whole run)",
                 x_axis_label="search time before parking (min)",
                 y_axis_label="share of drivers who parked (%)")
    fig.vbar(x="cls", top="pct", width=0.8, source=src, color=PALETTE[0],
             legend_label="share of drivers (%)")
    fig.add_layout(LabelSet(x="cls", y="pct", text="text", source=src, text_align="center",
                            y_offset=3, text_font_size="9pt"))
    fig.add_tools(HoverTool(tooltips=[("search", "@cls min"), ("drivers", "@n{0,0}"),
                                      ("share", "@pct{0.0} %")]))
    fig.y_range.start, fig.y_range.end = 0, 112
    style(fig)
    _legend_below(fig)
    return fig


def failures_figure(p: Parking):
    df = p.hourly
    src = ColumnDataSource({"t": df.index, "turned": df["turned away"].values,
                            "illegal": df["parked illegally"].values})
    fig = _hour_fig("Drivers turned away or parked illegally, by hour 未停到车与违停",
                    "drivers per hour")
    fig.vbar_stack(["turned", "illegal"], x="t", width=0.8 * 3_600_000, source=src,
                   color=[PALETTE[3], PALETTE[1]],
                   legend_label=["turned away (left without parking) 离开",
                                 "parked illegally 违停"])
    fig.y_range.start = 0
    style(fig)
    _legend_below(fig)
    return fig


def price_figure(p: Parking):
    fig = _hour_fig("Price of kerbs and public lots (capacity-weighted) 停车价格",
                    "price in the paid hours (CNY/h)")
    for i, d in enumerate(p.prices.columns):
        fig.step(p.prices.index, p.prices[d].values, mode="after", line_width=2,
                 color=PALETTE[i % len(PALETTE)], legend_label=d)
    style(fig)
    _legend_below(fig)
    return fig


def summary_text(p: Parking) -> str:
    df = p.hourly
    w, n = df["arrivals"].sum(), df["parked"].sum()
    mean = float((df["mean search (min)"] * df["parked"]).sum() / n) if n else 0.0
    return (f"### {p.name}\n{int(w):,} drivers arrived over {len(df)} hours; mean search "
            f"{mean:.2f} min; {int(df['turned away'].sum()):,} turned away; "
            f"{int(df['parked illegally'].sum()):,} parked illegally.")


def view(path: str):
    p = load_parking(path)
    fig, lots, kerbs = occupancy_map(p, 0)
    labels = [t.strftime("%a %d %b %H:00") for t in p.hours]
    slider = pn.widgets.DiscreteSlider(name="hour 时刻", options=labels, value=labels[0],
                                       sizing_mode="stretch_width")

    def move(e):
        h = labels.index(e.new)
        lots.data = _lot_data(p, h)
        kerbs.data = _kerb_data(p, h)
        caption.object = hour_caption(p, h)

    caption = pn.pane.Markdown(hour_caption(p, 0))
    slider.param.watch(move, "value")
    hist = search_histogram(p)
    charts = pn.Column(pn.pane.Bokeh(search_figure(p), sizing_mode="stretch_width"),
                       pn.pane.Bokeh(hist, sizing_mode="stretch_width") if hist is not None
                       else pn.pane.Alert("This store has no search-time classes "
                                          "(`parking_search_drivers`): rerun it to see the "
                                          "distribution.", alert_type="info"),
                       sizing_mode="stretch_width")
    return pn.Column(
        pn.pane.Markdown(summary_text(p)),
        pn.Tabs(("Occupancy map 占用地图", pn.Column(slider, caption, pn.pane.Bokeh(fig))),
                ("Search time 找车位时间", charts),
                ("Turned away, illegal 未停到与违停",
                 pn.pane.Bokeh(failures_figure(p), sizing_mode="stretch_width")),
                ("Prices 价格", pn.pane.Bokeh(price_figure(p), sizing_mode="stretch_width")),
                dynamic=True, sizing_mode="stretch_width"),
        sizing_mode="stretch_width")


def app(stores: list[StoreInfo], results_dir: Path):
    runs = with_models(stores, "parking")
    ropts = options(runs)
    run = pn.widgets.Select(name="parking run 停车运行结果", options=ropts,
                            value=next(iter(ropts.values()), None), sizing_mode="stretch_width")
    main = pn.Column(sizing_mode="stretch_width")

    def show(path):
        if not path:
            main[:] = [pn.pane.Alert("No parking run yet: `twin run "
                                     "scenarios/parking/today.toml`.", alert_type="info")]
            return
        try:
            main[:] = [view(path)]
        except Exception as e:  # noqa: BLE001 - a damaged store: a short alert, app goes on
            from dashboards.drill import short_reason

            main[:] = [pn.pane.Alert(short_reason(path, e).replace(
                "rerun the drill", "rerun its scenario"), alert_type="danger")]

    run.param.watch(lambda e: show(e.new), "value")
    show(run.value)
    return template(TITLE, [main], [run])
