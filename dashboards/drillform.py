"""A new storm drill from form inputs: turned into a Scenario by the drainage model's own
`drill_scenario` (one validation for forms and files), written beside its results as a
scenario file (so the drill can be rerun with `twin run`), and run in a background thread
while the page polls its progress. SWMM runs in its own child process, so the server stays
responsive and two drills do not share engine state."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from twin.core.errors import ScenarioError, TwinError
from twin.core.scenario import Scenario

RETURN_PERIODS = (1, 2, 3, 5, 10, 20, 30, 50, 100)


@dataclass
class DrillInputs:
    """What an emergency planner sets up (event times in minutes since the drill's start)."""

    name: str
    storm: str = "design"  # or "preset"
    return_period_years: float = 20.0
    duration_min: float = 120.0
    peak_position: float = 0.4
    preset: str = "zhengzhou_2021_peak_hour"
    horizon_hours: float = 0.0  # 0 = the storm plus 4 h of draining, at least 6 h
    outage_stations: tuple[str, ...] = ()
    outage_at_min: int = 60
    outage_back_after_min: int = 0  # 0 = power not back during the drill
    blocked_nodes: tuple[str, ...] = ()
    blockage_at_min: int = 0
    blockage_capacity_fraction: float = 0.3
    mobile_pumps: int = 0
    mobile_pumps_at_min: int = 0  # 0 = on standby from the start
    city: dict = field(default_factory=lambda: {"builtin": "demo"})


def slug(name: str) -> str:
    s = re.sub(r"[^A-Za-z0-9_-]+", "-", name.strip()).strip("-").lower()
    if not s:
        raise TwinError("give the drill a name (letters, digits, - or _)")
    return s[:60]


def drill_of(f: DrillInputs) -> Scenario:
    """The form as a validated Scenario (ScenarioError naming the form field otherwise)."""
    from twin.models.drainage.drills import drill_scenario

    if "builtin" in f.city:
        city: str | Path = f.city["builtin"]
    elif "path" in f.city:
        city = Path(f.city["path"])
    else:
        raise ScenarioError(None, "city", "a drill needs a built-in or saved city (`twin city`);"
                            " this run's city was generated from a household count")
    back = f.outage_back_after_min
    return drill_scenario(
        city, return_period_y=f.return_period_years, duration_min=f.duration_min,
        peak_position=f.peak_position, preset=f.preset if f.storm == "preset" else None,
        pump_outages=[(st, f.outage_at_min, f.outage_at_min + back if back else None)
                      for st in f.outage_stations],
        inlet_blockages=[(n, f.blockage_at_min, f.blockage_capacity_fraction, None)
                         for n in f.blocked_nodes],
        mobile_pumps=f.mobile_pumps, mobile_pumps_at_min=f.mobile_pumps_at_min,
        horizon_h=f.horizon_hours or None, name=f"drill-{slug(f.name)}")


# --- a Scenario back to a scenario file (twin.core.scenario only reads them) ----------------
def _toml(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str | Path):
        return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, dt.datetime | dt.date):
        return v.isoformat()
    if isinstance(v, tuple | list):
        return "[" + ", ".join(_toml(x) for x in v) + "]"
    return repr(v)


def _fields(obj, skip_defaults: bool) -> list[str]:
    """`key = value` lines of a parameter dataclass (defaults left out of model tables)."""
    out = []
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        if v is None or skip_defaults and f.default is not dataclasses.MISSING and v == f.default:
            continue
        out.append(f"{f.name} = {_toml(v)}")
    return out


def _at(at_s: float, start: dt.datetime) -> str:
    if at_s % 60:
        return _toml(start + dt.timedelta(seconds=at_s))
    days, m = divmod(int(at_s) // 60, 1440)
    return _toml((f"{days}d " if days else "") + f"{m // 60:02d}:{m % 60:02d}")


def scenario_toml(s: Scenario) -> str:
    """A scenario file that `load_scenario` reads back to the same run (same digest)."""
    lines = ["# Storm drill set up in the dashboard (twin serve); rerun with `twin run`",
             "[scenario]", f"name = {_toml(s.name)}", f"description = {_toml(s.description)}",
             f"start = {_toml(s.start)}", f"horizon_hours = {s.horizon_s / 3600.0!r}",
             f"seed = {s.seed}", "", "[city]"]
    c = s.city
    lines += ([f"path = {_toml(c.path)}"] if c.path else
              [f"households = {c.households}", f"seed = {c.seed}"] if c.households else
              [f"builtin = {_toml(c.builtin)}"])
    for name, p in s.models.items():
        lines += ["", f"[models.{name}]", *_fields(p, skip_defaults=True)]
    for e in s.events:
        lines += ["", "[[events]]", f"at = {_at(e.at_s, s.start)}", f"model = {_toml(e.model)}",
                  f"kind = {_toml(e.kind)}", *_fields(e.payload, skip_defaults=False)]
    return "\n".join(lines) + "\n"


class DrillJob:
    """One drill running in a thread: `fraction`, `state` ('running', 'done', 'failed'),
    `message`, and the store path when done. Bad inputs raise ScenarioError before any
    file is written."""

    def __init__(self, inputs: DrillInputs, folder: Path):
        self.scenario = drill_of(inputs)
        name = slug(inputs.name)
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.toml = self.folder / f"{name}.toml"
        self.store = self.folder / f"{name}.zarr"
        self.toml.write_text(scenario_toml(self.scenario), encoding="utf-8")
        self.fraction = 0.0
        self.state = "running"
        self.message = f"running {self.scenario.name}"
        self.started = time.monotonic()
        self.thread = threading.Thread(target=self._run, name=f"drill-{name}", daemon=True)
        self.thread.start()

    def _progress(self, done_s: float, horizon_s: float) -> None:
        self.fraction = min(done_s / horizon_s, 1.0)

    def _run(self) -> None:
        from twin.core.results import write_results
        from twin.core.run import run

        try:
            ds = run(self.scenario, progress=self._progress)
            write_results(ds, self.store)
            flood = float(ds["system_flood_volume"])
            self.message = (f"{self.scenario.name}: done in {time.monotonic() - self.started:.0f}"
                            f" s, flood volume {flood:,.0f} m3")
            self.state = "done"
        except Exception as e:  # noqa: BLE001 - shown to the planner, the server goes on
            self.message = f"{self.scenario.name} failed: {e}"
            self.state = "failed"
        self.fraction = 1.0


def default_name() -> str:
    return "drill-" + dt.datetime.now().strftime("%H%M%S")
