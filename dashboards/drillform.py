"""A new storm drill from form inputs: written as a scenario file (data, like every
scenario, so the drill can be rerun from the command line) and run in a background thread
while the page polls its progress. SWMM runs in its own child process, so the server stays
responsive and two drills do not share engine state."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from twin.core.errors import TwinError

RETURN_PERIODS = (1, 2, 3, 5, 10, 20, 30, 50, 100)


@dataclass
class DrillInputs:
    """What an emergency planner sets up (times in hours since the drill's start)."""

    name: str
    storm: str = "design"  # or "preset"
    return_period_years: float = 20.0
    duration_min: float = 120.0
    peak_position: float = 0.4
    preset: str = "zhengzhou_2021_peak_hour"
    horizon_hours: float = 4.0
    outage_stations: tuple[str, ...] = ()
    outage_at_h: float = 1.0
    outage_restore_after_h: float = 0.0
    blocked_nodes: tuple[str, ...] = ()
    blockage_at_h: float = 0.0
    blockage_capacity_fraction: float = 0.3
    mobile_pumps: int = 0
    city: dict = field(default_factory=lambda: {"builtin": "demo"})


def slug(name: str) -> str:
    s = re.sub(r"[^A-Za-z0-9_-]+", "-", name.strip()).strip("-").lower()
    if not s:
        raise TwinError("give the drill a name (letters, digits, - or _)")
    return s[:60]


def _hhmm(hours: float) -> str:
    m = int(round(hours * 60))
    return f"{m // 60:02d}:{m % 60:02d}"


def _toml_value(v) -> str:
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(v)


def scenario_text(f: DrillInputs) -> str:
    """The drill as a scenario file."""
    lines = ["# Storm drill set up in the dashboard (twin serve)", "[scenario]",
             f'name = "drill-{slug(f.name)}"', f"description = {_toml_value(f.name)}",
             "start = 2024-07-01T00:00:00", f"horizon_hours = {float(f.horizon_hours)!r}",
             "seed = 1", "", "[city]"]
    lines += [f"{k} = {_toml_value(v)}" for k, v in f.city.items() if v is not None]
    lines += ["", "[models.drainage]", f'storm = "{f.storm}"']
    if f.storm == "design":
        lines += [f"return_period_years = {float(f.return_period_years)!r}",
                  f"duration_min = {float(f.duration_min)!r}",
                  f"peak_position = {float(f.peak_position)!r}"]
    else:
        lines.append(f"preset = {_toml_value(f.preset)}")
    lines.append(f"mobile_pumps = {int(f.mobile_pumps)}")
    for st in f.outage_stations:
        lines += ["", "[[events]]", f'at = "{_hhmm(f.outage_at_h)}"', 'model = "drainage"',
                  'kind = "pump_outage"', f"station = {_toml_value(st)}",
                  f"restore_after_h = {float(f.outage_restore_after_h)!r}"]
    for node in f.blocked_nodes:
        lines += ["", "[[events]]", f'at = "{_hhmm(f.blockage_at_h)}"', 'model = "drainage"',
                  'kind = "inlet_blockage"', f"node = {_toml_value(node)}",
                  f"capacity_fraction = {float(f.blockage_capacity_fraction)!r}"]
    return "\n".join(lines) + "\n"


class DrillJob:
    """One drill running in a thread: `fraction`, `state` ('running', 'done', 'failed'),
    `message`, and the store path when done."""

    def __init__(self, inputs: DrillInputs, folder: Path):
        from twin.core.scenario import load_scenario

        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        name = slug(inputs.name)
        self.toml = self.folder / f"{name}.toml"
        self.store = self.folder / f"{name}.zarr"
        self.toml.write_text(scenario_text(inputs), encoding="utf-8")
        self.scenario = load_scenario(self.toml)  # a mistake stops here, with its key
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
