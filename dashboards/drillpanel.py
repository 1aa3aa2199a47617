"""The new-drill form of the storm drill app: inputs, a run button, a progress bar polled
from the page, and a callback that puts the finished drill on the map."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import panel as pn

from dashboards.drillform import RETURN_PERIODS, DrillInputs, DrillJob, default_name
from dashboards.theme import bilingual
from twin.core.errors import TwinError


def new_drill_panel(folder: Path, city_spec: dict, city, drill, on_done: Callable[[Path], None]):
    from twin.models.drainage.storms import PRESETS

    stations = ([str(n) for k, n in zip(city.sites.kind, city.sites.name, strict=True)
                 if k == "pumping_station"] if city is not None else [])
    nodes = list(drill.nodes) if drill is not None else []
    w = {
        "name": pn.widgets.TextInput(name="name 名称", value=default_name()),
        "storm": pn.widgets.RadioButtonGroup(options={"design 设计暴雨": "design",
                                                      "historical 历史": "preset"},
                                             value="design", button_type="light"),
        "return_period_years": pn.widgets.Select(name="return period (years) 重现期",
                                                 options=list(RETURN_PERIODS), value=20),
        "duration_min": pn.widgets.Select(name="duration (min) 历时",
                                          options=[60, 120, 180, 360, 720], value=120),
        "peak_position": pn.widgets.FloatSlider(name="peak position r 雨峰位置", start=0.1,
                                                end=0.9, step=0.05, value=0.4),
        "preset": pn.widgets.Select(name="historical storm 历史暴雨", options=list(PRESETS)),
        "horizon_hours": pn.widgets.FloatInput(name="drill length (h, 0 = auto) 演练时长",
                                               value=0.0, start=0.0, end=48.0, step=0.5),
        "outage_stations": pn.widgets.MultiChoice(name="pump stations losing power 停电泵站",
                                                  options=stations),
        "outage_at_min": pn.widgets.IntInput(name="power lost at (min) 停电时刻", value=60,
                                             start=0, step=15),
        "outage_back_after_min": pn.widgets.IntInput(
            name="power back after (min, 0 = never) 恢复供电", value=0, start=0, step=15),
        "blocked_nodes": pn.widgets.MultiChoice(name="blocked inlets (nodes) 雨水口堵塞",
                                                options=nodes),
        "blockage_at_min": pn.widgets.IntInput(name="blocked at (min) 堵塞时刻", value=0,
                                               start=0, step=15),
        "blockage_capacity_fraction": pn.widgets.FloatSlider(
            name="capacity left 剩余过流能力", start=0.0, end=1.0, step=0.05, value=0.3),
        "mobile_pumps": pn.widgets.IntInput(name="mobile pump trucks 移动泵车", value=0,
                                            start=0, end=200),
        "mobile_pumps_at_min": pn.widgets.IntInput(name="trucks called at (min) 调派时刻",
                                                   value=0, start=0, step=15),
    }
    for widget in w.values():
        widget.sizing_mode = "stretch_width"
    run = pn.widgets.Button(name="Run drill 开始演练", button_type="success",
                            sizing_mode="stretch_width")
    bar = pn.indicators.Progress(name="progress", value=0, max=100, visible=False,
                                 sizing_mode="stretch_width")
    status = pn.pane.Markdown("", sizing_mode="stretch_width", css_classes=["drill-status"])
    job: dict = {}

    def sync_storm(e=None):
        design = w["storm"].value == "design"
        for k in ("return_period_years", "duration_min", "peak_position"):
            w[k].visible = design
        w["preset"].visible = not design

    w["storm"].param.watch(sync_storm, "value")
    sync_storm()

    def poll():
        j = job.get("job")
        if j is None:
            return
        bar.value = int(100 * j.fraction)
        status.object = j.message + (f" ({bar.value}%)" if j.state == "running" else "")
        if j.state != "running":
            job["cb"].stop()
            job.clear()
            run.disabled = False
            bar.visible = j.state == "running"
            if j.state == "done":
                on_done(j.store)

    def start(_e):
        if job:
            return
        values = {k: (tuple(v.value) if isinstance(v.value, list) else v.value)
                  for k, v in w.items()}
        try:
            inputs = DrillInputs(**values, city=city_spec)
            j = DrillJob(inputs, folder)
        except TwinError as e:
            status.object = f"⚠ {e}"
            return
        job["job"] = j
        run.disabled = True
        bar.value, bar.visible = 0, True
        status.object = j.message
        job["cb"] = pn.state.add_periodic_callback(poll, period=300)

    run.on_click(start)
    return pn.Card(*w.values(), run, bar, status, title=bilingual("New drill"),
                   collapsed=False, sizing_mode="stretch_width")
