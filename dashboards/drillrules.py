"""The new-drill form's rules: one range per field, taken from the drainage model's own
parameter ranges where the field is a scenario key, checked as the planner types (beside
the field, in the form's label) and again before the drill runs (the same function)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """A number field: its label, range and unit (`whole` for counts)."""

    label: str
    lo: float
    hi: float
    unit: str
    whole: bool = False
    key: str = ""  # the drainage parameter it sets (its range is the parameter's)


MAX_DRILL_H = 48.0  # a drill is run interactively: two days at most (longer: `twin run`)


def _param_range(name: str, lo: float, hi: float) -> tuple[float, float]:
    """The drainage parameter's allowed range (the form's fallback if not found)."""
    from twin.core.params import describe
    from twin.models.drainage.params import DrainageParams

    info = {p.name: p for p in describe(DrainageParams)}.get(name)
    if info is None:
        return lo, hi
    return (info.lo if info.lo is not None else lo, info.hi if info.hi is not None else hi)


def rules() -> dict[str, Rule]:
    """Field -> Rule (event times are checked against the drill's length separately)."""
    dur = _param_range("duration_min", 5.0, 1440.0)
    rp = _param_range("return_period_years", 1.0, 1000.0)
    pk = _param_range("peak_position", 0.05, 0.95)
    mp = _param_range("mobile_pumps", 0, 200)
    return {
        "return_period_years": Rule("return period (years) 重现期", *rp, "years",
                                    key="return_period_years"),
        "duration_min": Rule("duration (min) 历时", *dur, "min", key="duration_min"),
        "peak_position": Rule("peak position r 雨峰位置", *pk, "", key="peak_position"),
        "horizon_hours": Rule("drill length (h, 0 = auto) 演练时长", 0.0, MAX_DRILL_H, "h"),
        "outage_at_min": Rule("power lost at (min) 停电时刻", 0, 60 * MAX_DRILL_H, "min",
                              whole=True),
        "outage_back_after_min": Rule("power back after (min, 0 = never) 恢复供电", 0,
                                      60 * MAX_DRILL_H, "min", whole=True),
        "blockage_at_min": Rule("blocked at (min) 堵塞时刻", 0, 60 * MAX_DRILL_H, "min",
                                whole=True),
        "blockage_capacity_fraction": Rule("capacity left 剩余过流能力", 0.0, 1.0, "(share)"),
        "mobile_pumps": Rule("mobile pump trucks 移动泵车", *mp, "trucks", whole=True,
                             key="mobile_pumps"),
        "mobile_pumps_at_min": Rule("trucks called at (min) 调派时刻", 0, 60 * MAX_DRILL_H,
                                    "min", whole=True),
    }


TIMED = ("outage_at_min", "blockage_at_min", "mobile_pumps_at_min")


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.4g}"


def parse(rule: Rule, text) -> tuple[float | None, str]:
    """The field's number, or None and what is wrong (in the form's words)."""
    raw = str(text).strip().replace(",", "")
    try:
        v = float(raw)
    except ValueError:
        return None, f"“{text}” is not a number; allowed: {_fmt(rule.lo)} to {_fmt(rule.hi)}" \
                     f" {rule.unit}".rstrip()
    if v != v or v in (float("inf"), float("-inf")):
        return None, "not a number"
    if rule.whole and not v.is_integer():
        return None, f"got {raw}; allowed: a whole number of {rule.unit}"
    if not rule.lo <= v <= rule.hi:
        return None, (f"got {_fmt(v)}; allowed: {_fmt(rule.lo)} to {_fmt(rule.hi)} "
                      f"{rule.unit}").rstrip()
    return (int(v) if rule.whole else v), ""


def drill_hours(values: dict) -> float:
    """The drill's length: the field, or the storm plus draining time (as the model does)."""
    from twin.models.drainage.drills import DRAIN_AFTER_STORM_H, MIN_HORIZON_H

    h = values.get("horizon_hours") or 0.0
    if h:
        return float(h)
    if values.get("storm", "design") == "design":
        storm_h = float(values.get("duration_min") or 0) / 60.0
    else:
        from twin.models.drainage.storms import preset_storm

        try:
            storm_h = preset_storm(values.get("preset")).duration_s / 3600.0
        except Exception:  # noqa: BLE001 - an unknown preset is the model's error to name
            storm_h = 0.0
    return max(MIN_HORIZON_H, storm_h + DRAIN_AFTER_STORM_H)


def check(raw: dict) -> tuple[dict, dict[str, str]]:
    """Parsed values and field -> message for every field that breaks its rule; event
    times must fall within the drill (0 to its length in minutes)."""
    values, errors = dict(raw), {}
    for name, rule in rules().items():
        if name in raw:
            v, msg = parse(rule, raw[name])
            if msg:
                errors[name] = f"{rule.label}: {msg}"
            else:
                values[name] = v
    if not errors.keys() & {"horizon_hours", "duration_min"}:
        end = 60 * drill_hours(values)
        used = {"outage_at_min": bool(values.get("outage_stations")),
                "blockage_at_min": bool(values.get("blocked_nodes")),
                "mobile_pumps_at_min": bool(values.get("mobile_pumps"))}
        for name in TIMED:
            if name in errors or not used[name]:
                continue
            if not 0 <= values[name] <= end:
                errors[name] = (f"{rules()[name].label}: got {_fmt(values[name])}; allowed: 0 "
                                f"to {_fmt(end)} min (the drill lasts {_fmt(end / 60)} h)")
    return values, errors
