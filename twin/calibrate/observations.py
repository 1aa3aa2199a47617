"""Observation tables: one observed figure per row, with the window it describes, its unit,
its uncertainty (and how that was set), its place and its source.

The schema is the form `calibration/sorting/observations.csv` always had, with an `id` per
row (so a calibration spec names the rows it fits and the rows it holds out) and the
uncertainty made explicit. A checker reports every problem at once as `file:row:column`.

Columns (CSV, UTF-8, header row; order free):

    id                 unique row name, e.g. sh_wet_2019_08
    city               the place the figure describes (a city, a gauge)
    series             the quantity, e.g. wet_waste, depth_m
    period_start/end   ISO dates (YYYY-MM-DD) or date-times; end >= start, both inclusive
    value, unit        the figure as published
    sd                 standard deviation of the figure's error, in `unit`; or
    low, high          a 90% interval, in `unit` (sd = (high - low) / 3.29)
    uncertainty_basis  how sd or the interval was set (rounding, a stated range, an assumption)
    note               free text (derived figures, bounds)
    source             publisher, date, title and address
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from dataclasses import dataclass
from pathlib import Path

from twin.core.errors import ScenarioError

REQUIRED = ("id", "city", "series", "period_start", "period_end", "value", "unit",
            "uncertainty_basis", "source")
OPTIONAL = ("sd", "low", "high", "note")
Z90 = 1.6448536269514722  # a 90% interval is +/- Z90 sd


@dataclass(frozen=True)
class Observation:
    """One checked row."""

    id: str
    city: str
    series: str
    start: dt.datetime
    end: dt.datetime  # inclusive
    value: float
    unit: str
    sd: float
    uncertainty_basis: str
    source: str
    note: str = ""
    row: int = 0  # line in the file (the header is line 1)


class ObservationsError(ScenarioError):
    """Every problem of an observations file, one `file:row:column: message` per line."""

    def __init__(self, path, problems: list[str]):
        super().__init__(path, None, f"{len(problems)} problem(s):\n  " + "\n  ".join(problems))
        self.problems = problems


def _when(text: str, end: bool) -> dt.datetime:
    """A date (whole day: 00:00, or 24:00 for an end) or a date-time."""
    if "T" in text or " " in text.strip():
        return dt.datetime.fromisoformat(text.strip())
    d = dt.date.fromisoformat(text.strip())
    t = dt.datetime.combine(d, dt.time())
    return t + dt.timedelta(days=1) - dt.timedelta(seconds=1) if end else t


def _number(text: str) -> float:
    v = float(text)
    if not math.isfinite(v):
        raise ValueError("not finite")
    return v


def parse_observations(text: str, path: str | Path | None = None) -> tuple[Observation, ...]:
    """Check every row; raise ObservationsError listing all problems."""
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    problems: list[str] = []
    where = str(path or "<observations>")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ObservationsError(path, [f"{where}:1: missing column(s) {', '.join(missing)}; "
                                       f"required: {', '.join(REQUIRED)}"])
    unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
    if unknown:
        problems.append(f"{where}:1: unknown column(s) {', '.join(unknown)}; allowed: "
                        + ", ".join(REQUIRED + OPTIONAL))
    out, seen = [], {}
    for line, row in enumerate(reader, start=2):
        def bad(col: str, msg: str, line=line) -> None:
            problems.append(f"{where}:{line}:{col}: {msg}")

        n_before = len(problems)
        for col in REQUIRED:
            if not (row.get(col) or "").strip():
                bad(col, "missing; every row needs " + col)
        rid = (row.get("id") or "").strip()
        if rid in seen:
            bad("id", f"{rid!r} repeats the id of line {seen[rid]}")
        seen.setdefault(rid, line)
        times = []
        for col, end in (("period_start", False), ("period_end", True)):
            try:
                times.append(_when(row.get(col) or "", end))
            except ValueError:
                if (row.get(col) or "").strip():
                    bad(col, f"got {row.get(col)!r}; allowed: YYYY-MM-DD or YYYY-MM-DDTHH:MM")
        if len(times) == 2 and times[1] < times[0]:
            bad("period_end", "before period_start")
        value = sd = math.nan
        try:
            value = _number(row.get("value") or "")
        except ValueError:
            if (row.get("value") or "").strip():
                bad("value", f"got {row.get('value')!r}; allowed: a number")
        sd_text, low, high = ((row.get(c) or "").strip() for c in ("sd", "low", "high"))
        if sd_text and (low or high):
            bad("sd", "give sd or low/high (a 90% interval), not both")
        elif sd_text:
            try:
                sd = _number(sd_text)
                if sd <= 0:
                    bad("sd", f"got {sd_text}; allowed: a number > 0 (in the row's unit)")
            except ValueError:
                bad("sd", f"got {sd_text!r}; allowed: a number > 0")
        elif low and high:
            try:
                lo, hi = _number(low), _number(high)
                if not lo < hi:
                    bad("high", f"the interval [{low}, {high}] is empty; low must be below high")
                else:
                    sd = (hi - lo) / (2 * Z90)
            except ValueError:
                bad("low", f"got [{low!r}, {high!r}]; allowed: two numbers")
        else:
            bad("sd", "missing uncertainty: give sd, or low and high (a 90% interval)")
        if len(problems) == n_before:
            out.append(Observation(rid, row["city"].strip(), row["series"].strip(), times[0],
                                   times[1], value, row["unit"].strip(), sd,
                                   row["uncertainty_basis"].strip(), row["source"].strip(),
                                   (row.get("note") or "").strip(), line))
    if not out and not problems:
        problems.append(f"{where}: no rows")
    if problems:
        raise ObservationsError(path, problems)
    return tuple(out)


def load_observations(path: str | Path) -> tuple[Observation, ...]:
    """Read and check an observations file."""
    path = Path(path)
    if not path.is_file():
        raise ScenarioError(path, None, "observations file not found")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(path, None, "not a UTF-8 text file") from None
    return parse_observations(text, path)


def write_observations(rows: list[Observation], path: str | Path) -> Path:
    """Write rows in the schema (used by `twin calibrate --simulate`)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    cols = list(REQUIRED[:7]) + ["sd", "uncertainty_basis", "note", "source"]
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for r in rows:
            w.writerow([r.id, r.city, r.series, r.start.isoformat(), r.end.isoformat(),
                        repr(r.value), r.unit, repr(r.sd), r.uncertainty_basis, r.note,
                        r.source])
    return path
