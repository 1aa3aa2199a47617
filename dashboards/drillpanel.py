"""The new-drill form of the storm drill app: the Run button and status on top (always in
view), the fields in three columns, each number checked as it is typed against the same rule
the run applies (drillrules.py), the error shown under the field in the field's own label;
a progress bar polled from the page, and a callback that puts the finished drill on the map."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import panel as pn

from dashboards.drillform import RETURN_PERIODS, DrillInputs, DrillJob, default_name
from dashboards.drillrules import check, rules
from dashboards.theme import bilingual
from twin.core.errors import TwinError

NUMBERS = {"horizon_hours": "0", "outage_at_min": "60", "outage_back_after_min": "0",
           "blockage_at_min": "0", "mobile_pumps": "0", "mobile_pumps_at_min": "0"}
ERROR_CSS = [":host {color: #a50e0e; font-size: 13px; margin-top: -6px;}"]


def _fields(stations: list[str], nodes: list[str]) -> dict:
    from twin.models.drainage.storms import PRESETS

    r = rules()
    w = {
        "name": pn.widgets.TextInput(name="name 名称", value=default_name()),
        "storm": pn.widgets.RadioButtonGroup(options={"design 设计暴雨": "design",
                                                      "historical 历史": "preset"},
                                             value="design", button_type="light"),
        "return_period_years": pn.widgets.Select(name=r["return_period_years"].label,
                                                 options=list(RETURN_PERIODS), value=20),
        "duration_min": pn.widgets.Select(name=r["duration_min"].label,
                                          options=[60, 120, 180, 360, 720], value=120),
        "peak_position": pn.widgets.FloatSlider(name=r["peak_position"].label, start=0.1,
                                                end=0.9, step=0.05, value=0.4),
        "preset": pn.widgets.Select(name="historical storm 历史暴雨", options=list(PRESETS)),
        "outage_stations": pn.widgets.CheckBoxGroup(name="pump stations losing power 停电泵站",
                                                    options=stations, inline=True),
        "blocked_nodes": pn.widgets.MultiSelect(name="blocked inlets (nodes) 雨水口堵塞",
                                                options=nodes, size=4),
        "blockage_capacity_fraction": pn.widgets.FloatSlider(
            name=r["blockage_capacity_fraction"].label, start=0.0, end=1.0, step=0.05,
            value=0.3),
    }
    for key, default in NUMBERS.items():  # typed text kept as typed: checked, never altered
        rule = r[key]
        w[key] = pn.widgets.TextInput(name=rule.label, value=default,
                                      placeholder=f"{rule.lo:g} to {rule.hi:g} {rule.unit}")
    order = ("name", "storm", "return_period_years", "duration_min", "peak_position", "preset",
             "horizon_hours", "outage_stations", "outage_at_min", "outage_back_after_min",
             "blocked_nodes", "blockage_at_min", "blockage_capacity_fraction", "mobile_pumps",
             "mobile_pumps_at_min")
    return {k: w[k] for k in order}


def new_drill_panel(folder: Path, city_spec: dict, city, drill, on_done: Callable[[Path], None]):
    stations = ([str(n) for k, n in zip(city.sites.kind, city.sites.name, strict=True)
                 if k == "pumping_station"] if city is not None else [])
    nodes = list(drill.nodes) if drill is not None else []
    w = _fields(stations, nodes)
    errors = {k: pn.pane.Markdown("", stylesheets=ERROR_CSS, css_classes=["field-error"],
                                  visible=False, sizing_mode="stretch_width") for k in w}
    for widget in w.values():
        widget.sizing_mode = "stretch_width"
    run = pn.widgets.Button(name="Run drill 开始演练", button_type="success", width=200)
    bar = pn.indicators.Progress(name="progress", value=0, max=100, visible=False,
                                 sizing_mode="stretch_width")
    status = pn.pane.Markdown("", sizing_mode="stretch_width", css_classes=["drill-status"])
    job: dict = {}

    def values() -> dict:
        return {k: (tuple(v.value) if isinstance(v.value, list) else v.value)
                for k, v in w.items()}

    def show_errors(found: dict[str, str]) -> None:
        for k, pane in errors.items():
            pane.object = f"⚠ {found[k]}" if k in found else ""
            pane.visible = k in found

    def recheck(_e=None) -> dict[str, str]:
        found = check(values())[1]
        show_errors(found)
        return found

    for k, widget in w.items():
        if k != "name":
            widget.param.watch(recheck, "value")

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
        parsed, found = check(values())
        if found:
            show_errors(found)
            status.object = "⚠ " + "; ".join(found.values())
            return
        try:
            inputs = DrillInputs(**parsed, city=city_spec)
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
    cells = [pn.Column(*(["pump stations losing power 停电泵站"] if k == "outage_stations"
                         else []), widget, errors[k], sizing_mode="stretch_width")
             for k, widget in w.items()]
    hint = ("" if stations else "\n\nThis city has no pumping station list here, so no "
            "outage can be set up.")
    head = pn.Row(run, pn.Column(bar, status, sizing_mode="stretch_width"),
                  sizing_mode="stretch_width", styles={"position": "sticky", "top": "0",
                                                       "background": "white", "z-index": "2"})
    return pn.Column(f"#### {bilingual('New drill')}: a storm, faults and trucks; run in the "
                     f"background and shown when done{hint}", head,
                     pn.GridBox(*cells, ncols=3, sizing_mode="stretch_width"),
                     sizing_mode="stretch_width")
