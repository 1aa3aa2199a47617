"""Storm drills from form inputs (the emergency planner's dashboard): one call turns a storm
choice, faults at times and a number of mobile pumps into a validated Scenario that
`twin.core.run.run` executes. It builds the same document a scenario file would hold and
passes it through the same validation, so a form can never make a run a file could not."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from pathlib import Path

from twin.core.errors import ScenarioError
from twin.core.scenario import Scenario, parse_scenario
from twin.models.drainage.storms import PRESETS, preset_storm

DRAIN_AFTER_STORM_H = 4.0  # simulated time after the rain stops, so the streets drain
MIN_HORIZON_H = 6.0


def _at(minutes: float, key: str) -> str:
    """An event time "H:MM" since the start (whole minutes: events act at 60 s strides)."""
    if not isinstance(minutes, (int, float)) or isinstance(minutes, bool) or minutes < 0 \
            or not math.isfinite(minutes) or abs(minutes - round(minutes)) > 1e-9:
        raise ScenarioError(None, key, f"got {minutes!r}; allowed: whole minutes >= 0")
    m = int(round(minutes))
    return f"{m // 60}:{m % 60:02d}"


def _station(which: str | int, stations: list[str], key: str) -> str:
    """A pumping-station name from a name, a SWMM pump id or an index into the city's list."""
    if isinstance(which, bool):
        raise ScenarioError(None, key, f"got {which!r}; allowed: a station name or index")
    if isinstance(which, int):
        if not 0 <= which < len(stations):
            raise ScenarioError(None, key, f"station index {which} out of range; the city has "
                                f"{len(stations)} pumping stations: {', '.join(stations)}")
        return stations[which]
    if which in ("", *stations) or which.startswith("P_") and which[2:] in stations:
        return which
    raise ScenarioError(None, key, f"unknown pumping station {which!r}; allowed: "
                        + ", ".join(stations) + " (or an index, or '' for all)")


def _city_doc(city: str | Path) -> tuple[dict, list[str]]:
    from twin.city.builtin import BUILTIN
    from twin.city.io import open_city
    from twin.core.scenario import CitySpec

    if isinstance(city, str) and city in BUILTIN:
        doc, spec = {"builtin": city}, CitySpec(builtin=city)
    else:
        path = Path(city).resolve()
        if not (path / "city.json").is_file():
            raise ScenarioError(None, "city", f"got {city!r}; allowed: a built-in city ("
                                + ", ".join(BUILTIN) + ") or a folder written by `twin city`")
        doc, spec = {"path": str(path)}, CitySpec(builtin=None, path=path)
    sites = open_city(spec).sites
    return doc, [str(sites.name[i]) for i in sites.of_kind("pumping_station")]


def drill_scenario(city: str | Path = "demo", *, return_period_y: float = 20.0,
                   duration_min: float = 120.0, peak_position: float = 0.4,
                   preset: str | None = None, formula: str = "guangzhou_central",
                   pump_outages: Sequence[tuple] = (), inlet_blockages: Sequence[tuple] = (),
                   mobile_pumps: int = 0, mobile_pumps_at_min: float = 0.0,
                   horizon_h: float | None = None,
                   start: dt.datetime = dt.datetime(2024, 7, 1), seed: int = 1,
                   name: str = "storm_drill") -> Scenario:
    """A storm drill on a city's generated drainage network, as a validated Scenario.

    - storm: a Chicago design storm (`formula`, `return_period_y`, `duration_min`,
      `peak_position`), or a historical reconstruction when `preset` is one of `PRESETS`;
    - pump_outages: `(station, at_min, back_min)`: station by name ("PS01"), SWMM pump id
      ("P_PS01"), index into the city's pumping stations, or "" for all; `back_min` None =
      power not back during the drill;
    - inlet_blockages: `(node, at_min, capacity_fraction, cleared_min)`: node as SWMM id
      ("J12") or road-node index (12); `cleared_min` None = not cleared;
    - mobile_pumps: trucks called in at `mobile_pumps_at_min` (0 = on standby from the start);
    - horizon_h: default the storm plus 4 h of draining, at least 6 h.
    Raises ScenarioError naming the form field (e.g. `pump_outages[1]`) on bad input.
    """
    city_doc, stations = _city_doc(city)
    if preset is not None and preset not in PRESETS:
        raise ScenarioError(None, "preset", f"got {preset!r}; allowed: " + ", ".join(PRESETS)
                            + " or None for a design storm")
    drainage: dict = {"city_formula": formula, "return_period_years": return_period_y,
                      "duration_min": duration_min, "peak_position": peak_position}
    if preset is None:
        drainage["storm"] = "design"
        storm_h = duration_min / 60.0 if isinstance(duration_min, (int, float)) else 0.0
    else:
        drainage.update(storm="preset", preset=preset)
        storm_h = preset_storm(preset).duration_s / 3600.0
    if horizon_h is None:
        horizon_h = max(MIN_HORIZON_H, storm_h + DRAIN_AFTER_STORM_H)
    events: list[dict] = []
    forms: list[tuple[str, str, float]] = []  # per event: form row, its time field, minutes
    for i, item in enumerate(pump_outages):
        key = f"pump_outages[{i}]"
        which, at_min, back_min = _unpack(item, 2, key, "(station, at_min, back_min)")
        events.append(_event(key, "pump_outage", at_min, back_min, "back_min",
                             "restore_after_h",
                             station=_station(which, stations, key + ".station")))
        forms.append((key, key + ".at_min", at_min))
    for i, item in enumerate(inlet_blockages):
        key = f"inlet_blockages[{i}]"
        node, at_min, fraction, cleared = _unpack(item, 3, key, "(node, at_min, "
                                                  "capacity_fraction, cleared_min)")
        if isinstance(node, int) and not isinstance(node, bool):
            node = f"J{node}"
        events.append(_event(key, "inlet_blockage", at_min, cleared, "cleared_min",
                             "clear_after_h", node=node, capacity_fraction=fraction))
        forms.append((key, key + ".at_min", at_min))
    if mobile_pumps and mobile_pumps_at_min:
        events.append({"at": _at(mobile_pumps_at_min, "mobile_pumps_at_min"), "model": "drainage",
                       "kind": "mobile_pumps", "trucks": mobile_pumps})
        forms.append(("mobile_pumps", "mobile_pumps_at_min", mobile_pumps_at_min))
    elif mobile_pumps:
        drainage["mobile_pumps"] = mobile_pumps
    doc = {"scenario": {"name": name, "description": _describe(drainage, events),
                        "start": start, "horizon_hours": horizon_h, "seed": seed},
           "city": city_doc, "models": {"drainage": drainage}, "events": events}
    try:
        return parse_scenario(doc, None)
    except ScenarioError as e:
        raise _as_form_error(e, forms, horizon_h) from None


def _as_form_error(e: ScenarioError, forms: list[tuple[str, str, float]],
                   horizon_h: float) -> ScenarioError:
    """A scenario error on `events[k].field` told in the form's own terms."""
    m = re.fullmatch(r"events\[(\d+)\]\.(\w+)", e.key or "")
    if not m or int(m[1]) >= len(forms):
        return e
    row, time_key, at_min = forms[int(m[1])]
    if m[2] == "at":
        return ScenarioError(None, time_key, f"got {at_min:g}; allowed: 0 to "
                             f"{60 * horizon_h:g} min, within the drill's {horizon_h:g} h")
    return ScenarioError(None, f"{row}.{m[2]}", e.message)


def _unpack(item, n_required: int, key: str, shape: str) -> tuple:
    """A form row as a tuple of n_required fields plus an optional end time (None)."""
    if not isinstance(item, (tuple, list)) or len(item) not in (n_required, n_required + 1):
        raise ScenarioError(None, key, f"got {item!r}; allowed: {shape}")
    return (*item, None)[:n_required + 1]


def _event(key: str, kind: str, at_min, end_min, end_name: str, after_field: str,
           **payload) -> dict:
    """An event table at `at_min`, with the time until it ends (h) when `end_min` is given."""
    ev = {"at": _at(at_min, key + ".at_min"), "model": "drainage", "kind": kind, **payload}
    if end_min is not None:
        if not isinstance(end_min, (int, float)) or end_min <= at_min:
            raise ScenarioError(None, f"{key}.{end_name}", f"got {end_min!r}; allowed: a time "
                                f"after at_min ({at_min}) or None")
        ev[after_field] = (end_min - at_min) / 60.0
    return ev


def _describe(drainage: dict, events: list[dict]) -> str:
    storm = (f"preset {drainage['preset']} (reconstruction)" if drainage["storm"] == "preset"
             else f"{drainage['return_period_years']}-year {drainage['duration_min']}-min "
                  f"design storm, r={drainage['peak_position']}")
    return f"storm drill: {storm}; {len(events)} timed events"
