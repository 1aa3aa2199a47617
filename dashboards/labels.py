"""Words and numbers a planner reads: which direction of an output is bad (from the model's
metadata), human labels for outputs and policies (from long names, units and parameter
docs), and plain numbers with thousands separators and units.

The `bad` convention: a model declares an output with `recorder.declare(..., bad="high")`
(or "low"); the attribute travels into run and sweep stores. Until every model does,
`BAD_FALLBACK` names the outputs of the built-in models (matched on the output name, then
on the recorded variable's name); an output found in neither is "unknown" and the
comparison then asks the analyst instead of guessing."""

from __future__ import annotations

import math
import re

# output-name patterns -> the bad direction, for stores whose models predate the `bad` attr
BAD_FALLBACK = (
    (r"participation|separation|capture|purity|sorted_share|adoption", "low"),
    (r"flood|street_water|ponded|waterlog|closed|hours_above|time_to_drain|overflow"
     r"|landfill|missed|late|truck_km|cost|leak|incident|interrupt|failure|cut_off"
     r"|turned_away|at_risk|emission|co2", "high"),
)
UNIT_WORDS = {"1": "", "m3": "m³", "m3/s": "m³/s", "h": "h", "m": "m", "mm": "mm",
              "mm/h": "mm/h", "t": "t", "km": "km", "CNY": "CNY", "%": "%"}


def bad_direction(name: str, attrs: dict) -> str | None:
    """'high', 'low', or None when neither the model nor the fallback says."""
    bad = attrs.get("bad")
    if bad in ("high", "low"):
        return bad
    for pattern, direction in BAD_FALLBACK:
        if re.search(pattern, name):
            return direction
    return None


def plain(v, units: str = "", digits: int | None = None) -> str:
    """A number as a reader writes it: 423,300 m³, 0.153, 12.5 h; never 4.233e+05."""
    if v is None:
        return "n/a"
    try:
        x = float(v)
    except (TypeError, ValueError):
        return str(v)
    if not math.isfinite(x):
        return "n/a"
    if digits is None:
        a = abs(x)
        digits = 0 if a >= 100 else 1 if a >= 10 else 2 if a >= 1 else 3 if a >= 0.01 else 4
    text = f"{x:,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".") if digits else text
    if text in ("-0", ""):
        text = "0"
    u = UNIT_WORDS.get(units, units)
    return f"{text} {u}".strip() if u and u != "share" else text


def unit_word(units: str) -> str:
    return UNIT_WORDS.get(units, units)


def output_label(name: str, attrs: dict) -> str:
    """'share of households sorting (participation_mean)', with units when not a share."""
    long = str(attrs.get("long_name") or "").strip()
    u = unit_word(str(attrs.get("units", "")))
    head = long or name.replace("_", " ")
    if len(head) > 60:
        head = head[:57].rsplit(" ", 1)[0] + "..."
    tail = f", {u}" if u else (", share" if attrs.get("units") == "1" else "")
    return f"{head} ({name}{tail})"


def param_doc(key: str) -> tuple[str, str]:
    """A 'model.param' key's doc line and unit word (from the model's parameter dataclass;
    ('', '') when the model is not installed)."""
    from twin.core import registry
    from twin.core.params import describe

    model, _, name = key.partition(".")
    try:
        info = {p.name: p for p in describe(registry.get(model).Params)}[name]
    except Exception:  # noqa: BLE001 - a plugin not installed here: the raw key is shown
        return "", ""
    doc = info.doc.split(" (")[0].split(";")[0].split(", ")[0].strip()
    unit = ""
    for suffix, word in (("_per_month", "/month"), ("_cny", " CNY"), ("_m", " m"),
                         ("_h", " h"), ("_min", " min"), ("_m3_per_s", " m³/s"),
                         ("_km", " km"), ("_share", ""), ("_years", " years")):
        if name.endswith(suffix):
            unit = word
            break
    if name.endswith("_cny_per_month"):
        unit = " CNY/month"
    return doc, unit


def policy_label(name: str, settings: dict[str, float]) -> str:
    """'campaign: extra adoption hazard from the campaign 0.3/month' from a policy's lever
    settings; the policy's own name when it sets nothing."""
    parts = []
    for key, value in settings.items():
        if isinstance(value, str):  # a choice lever: its name and the choice read best
            parts.append(f"{key.rpartition('.')[2].replace('_', ' ')}: {value}")
            continue
        doc, unit = param_doc(key)
        what = doc or key.rpartition(".")[2].replace("_", " ")
        parts.append(f"{what} {plain(value)}{unit}")
    return f"{name}: " + "; ".join(parts) if parts else f"{name}: no policy lever set"
