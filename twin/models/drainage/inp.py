"""Read, check, modify and write EPA SWMM 5 `.inp` files.

twin keeps the file as lines (so a written file is the user's file plus our edits) and checks
what SWMM would otherwise reject with a less local message: unknown sections, missing or
non-numeric fields, links to undefined nodes. Every error names the file and the line.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from twin.core.errors import TwinError

SECTIONS = {
    "TITLE", "OPTIONS", "REPORT", "FILES", "RAINGAGES", "EVAPORATION", "TEMPERATURE",
    "ADJUSTMENTS", "SUBCATCHMENTS", "SUBAREAS", "INFILTRATION", "LID_CONTROLS", "LID_USAGE",
    "AQUIFERS", "GROUNDWATER", "GWF", "SNOWPACKS", "JUNCTIONS", "OUTFALLS", "DIVIDERS",
    "STORAGE", "CONDUITS", "PUMPS", "ORIFICES", "WEIRS", "OUTLETS", "XSECTIONS", "TRANSECTS",
    "STREETS", "INLETS", "INLET_USAGE", "LOSSES", "CONTROLS", "POLLUTANTS", "LANDUSES",
    "COVERAGES", "LOADINGS", "BUILDUP", "WASHOFF", "TREATMENT", "INFLOWS", "DWF", "RDII",
    "HYDROGRAPHS", "CURVES", "TIMESERIES", "PATTERNS", "MAP", "POLYGONS", "COORDINATES",
    "VERTICES", "LABELS", "SYMBOLS", "BACKDROP", "TAGS", "PROFILES", "EVENTS",
}
NODE_SECTIONS = ("JUNCTIONS", "OUTFALLS", "DIVIDERS", "STORAGE")
LINK_SECTIONS = ("CONDUITS", "PUMPS", "ORIFICES", "WEIRS", "OUTLETS")
# minimum number of fields and which fields (0-based) must be numbers
_SHAPE = {
    "JUNCTIONS": (2, (1, 2, 3, 4, 5)),
    "OUTFALLS": (3, (1,)),
    "STORAGE": (5, (1, 2, 3)),
    "CONDUITS": (7, (3, 4, 5, 6)),
    "PUMPS": (4, ()),
    "ORIFICES": (5, ()),
    "WEIRS": (5, ()),
    "XSECTIONS": (3, ()),
    "SUBCATCHMENTS": (8, (3, 4, 5, 6)),
    "RAINGAGES": (5, ()),
}
US_UNITS = {"CFS", "GPM", "MGD"}
FLOW_TO_M3S = {"CFS": 0.028316846592, "GPM": 6.30901964e-05, "MGD": 0.0438126364,
               "CMS": 1.0, "LPS": 0.001, "MLD": 0.0115740741}


class InpError(TwinError):
    """A SWMM input file is missing or malformed; names the file and the line."""


@dataclass
class Line:
    """One data line of a section: its 1-based line number, raw text and fields."""

    lineno: int
    text: str
    fields: list[str]


def split_fields(text: str) -> list[str]:
    """Fields of a line: whitespace separated, comments after ';' dropped, "quoted" kept."""
    if '"' not in text:  # nearly every line: the same fields, at C speed
        return text.split(";", 1)[0].split()
    out, cur, quoted = [], [], False
    for ch in text:
        if ch == '"':
            quoted = not quoted
            continue
        if ch == ";" and not quoted:
            break
        if ch.isspace() and not quoted:
            if cur:
                out.append("".join(cur))
                cur = []
            continue
        cur.append(ch)
    if cur:
        out.append("".join(cur))
    return out


def _is_number(s: str) -> bool:
    try:
        v = float(s)
    except ValueError:
        return False
    return math.isfinite(v)


_TOKEN = re.compile(r"[A-Za-z0-9_.\-]{1,40}")


def _show(token: str) -> str:
    """A name or value from the file, quoted, only when it is a short plain token: error
    messages never echo a line of whatever file was given (it may not be a SWMM file)."""
    return repr(token) if _TOKEN.fullmatch(token) else "(a value that is not a plain name)"


# Plausible ranges of the values an error would otherwise let through to a result (a 1e12 ha
# catchment floods 3.8e15 m3). SI values; US-unit files are converted before the check.
# Upper bounds are far beyond real urban networks: the largest SWMM subcatchments in
# published urban models are tens of km2, the longest sewer conduits a few km.
LIMITS = {
    "area_ha": (0.0, 1.0e5, "subcatchment area", "ha", "up to 100,000 ha (1,000 km2)"),
    "imperv_pct": (0.0, 100.0, "impervious share", "%", "0 to 100 %"),
    "width_m": (0.0, 1.0e5, "subcatchment width", "m", "above 0 and up to 100 km"),
    "slope_pct": (0.0, 1000.0, "subcatchment slope", "%", "0 to 1,000 % (84 degrees)"),
    "length_m": (0.0, 1.0e5, "conduit length", "m", "above 0 and up to 100 km"),
    "roughness": (0.0, 1.0, "Manning roughness", "", "above 0 and up to 1"),
    "elevation_m": (-1.0e4, 1.0e4, "invert elevation", "m", "-10,000 to 10,000 m"),
    "depth_m": (0.0, 1.0e3, "maximum depth", "m", "0 to 1,000 m"),
}
_HA_PER_ACRE, _M_PER_FT = 0.40468564224, 0.3048


@dataclass
class Inp:
    """A SWMM input file as ordered sections of lines."""

    path: Path
    sections: dict[str, list[Line]] = field(default_factory=dict)
    headers: dict[str, int] = field(default_factory=dict)

    def copy(self) -> Inp:
        """An independent copy to edit (lines and their fields are new objects)."""
        return Inp(self.path, {k: [Line(ln.lineno, ln.text, list(ln.fields)) for ln in v]
                               for k, v in self.sections.items()}, dict(self.headers))

    # --- reading ---------------------------------------------------------------------
    def rows(self, section: str) -> list[Line]:
        return self.sections.get(section, [])

    def option(self, key: str, default: str | None = None) -> str | None:
        for ln in self.rows("OPTIONS"):
            if ln.fields and ln.fields[0].upper() == key.upper():
                return " ".join(ln.fields[1:])
        return default

    @property
    def flow_units(self) -> str:
        return (self.option("FLOW_UNITS", "CFS") or "CFS").upper()

    @property
    def us_units(self) -> bool:
        return self.flow_units in US_UNITS

    def names(self, section: str) -> list[str]:
        return [ln.fields[0] for ln in self.rows(section) if ln.fields]

    def node_names(self) -> list[str]:
        return [n for s in NODE_SECTIONS for n in self.names(s)]

    def link_names(self) -> list[str]:
        return [n for s in LINK_SECTIONS for n in self.names(s)]

    def coordinates_m(self) -> tuple[dict[str, tuple[float, float]], bool]:
        """Node map coordinates from [COORDINATES], in metres when [MAP] UNITS says METERS or
        FEET (converted); the flag is False when the file's map units are not lengths."""
        units = next((ln.fields[1].upper() for ln in self.rows("MAP")
                      if len(ln.fields) > 1 and ln.fields[0].upper() == "UNITS"), "NONE")
        k = {"METERS": 1.0, "FEET": 0.3048}.get(units, 1.0)
        xy = {ln.fields[0]: (float(ln.fields[1]) * k, float(ln.fields[2]) * k)
              for ln in self.rows("COORDINATES")
              if len(ln.fields) > 2 and _is_number(ln.fields[1]) and _is_number(ln.fields[2])}
        return xy, units in ("METERS", "FEET")

    def start_end(self) -> tuple[dt.datetime, dt.datetime]:
        """Simulation start and end date-times from [OPTIONS]."""
        def when(d, t):
            date = dt.datetime.strptime(self.option(d, "01/01/2000"), "%m/%d/%Y")
            hms = (self.option(t, "00:00:00") or "0:00:00").split(":")
            hms = [int(float(x)) for x in hms] + [0] * (3 - len(hms))
            return date + dt.timedelta(hours=hms[0], minutes=hms[1], seconds=hms[2])
        return when("START_DATE", "START_TIME"), when("END_DATE", "END_TIME")

    # --- editing ---------------------------------------------------------------------
    def set_option(self, key: str, value: str) -> None:
        rows = self.sections.setdefault("OPTIONS", [])
        for ln in rows:
            if ln.fields and ln.fields[0].upper() == key.upper():
                ln.fields = [ln.fields[0], str(value)]
                ln.text = f"{ln.fields[0]:<20} {value}"
                return
        rows.append(Line(0, f"{key:<20} {value}", [key, str(value)]))

    def set_rows(self, section: str, texts: list[str]) -> None:
        """Replace a section's data lines (created if missing)."""
        self.sections[section] = [Line(0, t, split_fields(t)) for t in texts]

    def scale_rain(self, factor: float) -> None:
        """Multiply every value of the time series that rain gauges read by `factor`."""
        series = set()
        for ln in self.rows("RAINGAGES"):
            f = ln.fields
            if len(f) >= 6 and f[4].upper() == "TIMESERIES":
                series.add(f[5])
            elif len(f) >= 5 and f[4].upper() == "FILE":
                raise InpError(f"{self.path}:{ln.lineno}: rain gauge {f[0]} reads a file; "
                               "rain scaling needs TIMESERIES gauges")
        for ln in self.rows("TIMESERIES"):
            if ln.fields and ln.fields[0] in series:
                ln.fields = [ln.fields[0]] + _scale_series_fields(ln.fields[1:], factor,
                                                                  self.path, ln.lineno)
                ln.text = " ".join(ln.fields)

    def write(self, path: str | Path) -> Path:
        path = Path(path)
        out = []
        for sec, rows in self.sections.items():
            out.append(f"[{sec}]")
            out.extend(r.text for r in rows)
            out.append("")
        path.write_text("\n".join(out) + "\n", encoding="utf-8")
        return path


def _scale_series_fields(fields: list[str], factor: float, path, lineno) -> list[str]:
    out, i = [], 0
    while i < len(fields):
        tok = fields[i]
        if "/" in tok or tok.upper() == "FILE":  # a date, or FILE (refused by the caller)
            out.append(tok)
            i += 1
            continue
        if i + 1 >= len(fields) or not _is_number(fields[i + 1]):
            raise InpError(f"{path}:{lineno}: [TIMESERIES] time {tok!r} has no numeric value")
        out += [tok, f"{float(fields[i + 1]) * factor:.10g}"]
        i += 2
    return out


def read_inp(path: str | Path) -> Inp:
    """Parse and check a SWMM `.inp`; raises InpError naming the file and line."""
    path = Path(path)
    if not path.is_file():
        raise InpError(f"SWMM input file not found: {path}")
    try:
        raw_bytes = path.read_bytes()
    except OSError as e:
        raise InpError(f"{path}: cannot read the SWMM input file ({e.strerror})") from None
    if b"\x00" in raw_bytes:
        raise InpError(f"{path}: not a text file (a SWMM .inp is text)")
    try:
        text = raw_bytes.decode("utf-8")
    except UnicodeDecodeError:
        text = raw_bytes.decode("latin-1")
    inp = Inp(path)
    current = None
    for lineno, raw in enumerate(text.splitlines(), start=1):
        s = raw.strip()
        if not s or s.startswith(";"):
            if current is not None and s.startswith(";"):
                inp.sections[current].append(Line(lineno, raw, []))
            continue
        if s.startswith("["):
            name = s[1:s.find("]")].upper() if "]" in s else ""
            if name not in SECTIONS:
                raise InpError(f"{path}:{lineno}: unknown section [{_show(name)[1:-1]}]; "
                               "allowed: the sections of SWMM 5 ([TITLE], [OPTIONS], ...)"
                               if _TOKEN.fullmatch(name) else
                               f"{path}:{lineno}: not a SWMM section header")
            current = name
            inp.sections.setdefault(name, [])
            inp.headers[name] = lineno
            continue
        if current is None:
            raise InpError(f"{path}:{lineno}: data before the first [SECTION] header; is "
                           "this a SWMM 5 input file?")
        inp.sections[current].append(Line(lineno, raw, split_fields(raw)))
    check(inp)
    return inp


def check(inp: Inp) -> None:
    """Field counts, numbers, duplicate names and references between sections."""
    p = inp.path
    for sec, (min_fields, numeric) in _SHAPE.items():
        for ln in inp.rows(sec):
            f = ln.fields
            if not f:
                continue
            if len(f) < min_fields:
                raise InpError(f"{p}:{ln.lineno}: [{sec}] {_show(f[0])} has {len(f)} fields, "
                               f"needs at least {min_fields}")
            for k in numeric:
                if k < len(f) and not _is_number(f[k]):
                    raise InpError(f"{p}:{ln.lineno}: [{sec}] {_show(f[0])} field {k + 1} must "
                                   f"be a number (finite), got {_show(f[k])}")
    nodes: dict[str, int] = {}
    for sec in NODE_SECTIONS:
        for ln in inp.rows(sec):
            if ln.fields:
                if ln.fields[0] in nodes:
                    raise InpError(f"{p}:{ln.lineno}: node {ln.fields[0]!r} defined twice "
                                   f"(first at line {nodes[ln.fields[0]]})")
                nodes[ln.fields[0]] = ln.lineno
    links = set()
    for sec in LINK_SECTIONS:
        for ln in inp.rows(sec):
            f = ln.fields
            if not f:
                continue
            if len(f) < 3:
                raise InpError(f"{p}:{ln.lineno}: [{sec}] line needs name, from and to nodes")
            for end in f[1:3]:
                if end not in nodes:
                    raise InpError(f"{p}:{ln.lineno}: [{sec}] link {f[0]!r} refers to undefined "
                                   f"node {end!r}")
            links.add(f[0])
    for ln in inp.rows("XSECTIONS"):
        if ln.fields and ln.fields[0] not in links:
            raise InpError(f"{p}:{ln.lineno}: [XSECTIONS] undefined link {ln.fields[0]!r}")
    gages = set(inp.names("RAINGAGES"))
    subs = set(inp.names("SUBCATCHMENTS"))
    for ln in inp.rows("SUBCATCHMENTS"):
        f = ln.fields
        if f and f[1] not in gages:
            raise InpError(f"{p}:{ln.lineno}: subcatchment {f[0]!r} uses undefined rain gauge "
                           f"{f[1]!r}")
        if f and f[2] not in nodes and f[2] not in subs:
            raise InpError(f"{p}:{ln.lineno}: subcatchment {f[0]!r} drains to undefined "
                           f"{f[2]!r}")
    units = inp.flow_units
    if units not in FLOW_TO_M3S:
        ln = next(r for r in inp.rows("OPTIONS") if r.fields and r.fields[0].upper() == "FLOW_UNITS")
        raise InpError(f"{p}:{ln.lineno}: FLOW_UNITS {units!r}; allowed: "
                       + ", ".join(FLOW_TO_M3S))
    if not nodes:
        raise InpError(f"{p}: no nodes ([JUNCTIONS], [OUTFALLS], [STORAGE] or [DIVIDERS])")
    check_values(inp)
    check_continuity(inp)


def check_values(inp: Inp) -> None:
    """Areas, widths, slopes, lengths, roughness, elevations and depths in plausible ranges
    (`LIMITS`), each error naming the element and its line."""
    us = inp.us_units
    area_k, len_k = (_HA_PER_ACRE, _M_PER_FT) if us else (1.0, 1.0)
    checks = {"SUBCATCHMENTS": ((3, "area_ha", area_k), (4, "imperv_pct", 1.0),
                                (5, "width_m", len_k), (6, "slope_pct", 1.0)),
              "CONDUITS": ((3, "length_m", len_k), (4, "roughness", 1.0)),
              "JUNCTIONS": ((1, "elevation_m", len_k), (2, "depth_m", len_k)),
              "STORAGE": ((1, "elevation_m", len_k), (2, "depth_m", len_k)),
              "OUTFALLS": ((1, "elevation_m", len_k),)}
    positive = {"area_ha", "width_m", "length_m", "roughness"}
    for sec, fields in checks.items():
        for ln in inp.rows(sec):
            f = ln.fields
            for k, key, scale in fields:
                if k >= len(f) or not _is_number(f[k]):
                    continue
                v = float(f[k]) * scale
                lo, hi, what, unit, allowed = LIMITS[key]
                if not (lo < v if key in positive else lo <= v) or v > hi:
                    raise InpError(f"{inp.path}:{ln.lineno}: [{sec}] {_show(f[0])}: {what} "
                                   f"{v:.6g} {unit} is not plausible; allowed: {allowed}")


def check_continuity(inp: Inp) -> None:
    """Every node reaches an outfall (or a storage unit) through links, direction aside: a
    part of the network that does not fills without end or is a typing error."""
    parent: dict[str, str] = {n: n for n in inp.node_names()}

    def root(n: str) -> str:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for sec in LINK_SECTIONS:
        for ln in inp.rows(sec):
            if len(ln.fields) >= 3:
                a, b = root(ln.fields[1]), root(ln.fields[2])
                parent[a] = b
    ends = {root(n) for sec in ("OUTFALLS", "STORAGE") for n in inp.names(sec)}
    for ln in inp.rows("JUNCTIONS"):
        if ln.fields and root(ln.fields[0]) not in ends:
            cut = sum(1 for n in parent if root(n) == root(ln.fields[0]))
            raise InpError(f"{inp.path}:{ln.lineno}: [JUNCTIONS] {_show(ln.fields[0])} reaches "
                           f"no outfall or storage unit through any link (a part of "
                           f"{cut} node(s) cut off from the network); connect it or remove it")


def prepared_copy(src: Inp, folder: Path, *, rain_scale: float = 1.0,
                  threads: int = 1, name: str = "model.inp") -> Path:
    """Write the network for a run into `folder`: THREADS forced (default 1, since more
    OpenMP threads than free cores made SWMM runs 5-7x slower), rain scaled if asked."""
    inp = src.copy()
    inp.set_option("THREADS", str(threads))
    _absolute_files(inp, src.path.parent)
    if rain_scale != 1.0:
        inp.scale_rain(rain_scale)
    return inp.write(folder / name)


def _absolute_files(inp: Inp, base: Path) -> None:
    """Make file names read by gauges and time series absolute (the copy lives elsewhere)."""
    for sec, pos in (("RAINGAGES", 5), ("TIMESERIES", 2)):
        for ln in inp.rows(sec):
            f = ln.fields
            key = 4 if sec == "RAINGAGES" else 1
            if len(f) > pos and f[key].upper() == "FILE" and not Path(f[pos]).is_absolute():
                f[pos] = str((base / f[pos]).resolve())
                ln.text = " ".join(f"\"{x}\"" if i == pos else x for i, x in enumerate(f))


def full_flow_m3_per_s(inp: Inp, link: str) -> float:
    """Manning full-bore flow of a conduit (circular or rectangular-like shapes), m3/s.

    Used to turn a capacity fraction into SWMM's per-link flow limit; other shapes use the
    rectangle of their two first dimensions, which is what a blockage fraction needs.
    """
    elev = {ln.fields[0]: float(ln.fields[1]) for s in NODE_SECTIONS for ln in inp.rows(s)
            if ln.fields and len(ln.fields) > 1 and _is_number(ln.fields[1])}
    row = next((ln for ln in inp.rows("CONDUITS") if ln.fields and ln.fields[0] == link), None)
    xs = next((ln for ln in inp.rows("XSECTIONS") if ln.fields and ln.fields[0] == link), None)
    if row is None or xs is None:
        raise InpError(f"{inp.path}: no conduit {link!r} with a cross-section")
    f = row.fields
    length, n = float(f[3]), float(f[4])
    slope = max(abs(elev.get(f[1], 0.0) + float(f[5]) - elev.get(f[2], 0.0) - float(f[6]))
                / max(length, 1e-6), 1e-4)
    shape, g1 = xs.fields[1].upper(), float(xs.fields[2])
    g2 = float(xs.fields[3]) if len(xs.fields) > 3 and _is_number(xs.fields[3]) else 0.0
    if shape in ("CIRCULAR", "FORCE_MAIN", "FILLED_CIRCULAR") or g2 <= 0:
        area, radius = 3.141592653589793 * g1**2 / 4, g1 / 4
    else:
        area, radius = g1 * g2, g1 * g2 / (2 * (g1 + g2))
    k = 1.49 if inp.us_units else 1.0
    q = k / n * area * radius ** (2 / 3) * slope**0.5
    return q * (FLOW_TO_M3S["CFS"] if inp.us_units else 1.0)


_SWMM_AT_LINE = re.compile(r"at line (\d+) of \[([A-Z_]+)\] section")


def locate_swmm_errors(message: str, written: str | Path, source: Inp) -> str:
    """SWMM's own input errors name a line of the copy twin wrote ("at line 482 of
    [XSECTIONS] section"); this names the user's file and line instead, by finding the same
    element in `source` (the engine calls it on the report's ERROR lines)."""
    try:
        lines = Path(written).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return message

    def where(m: re.Match) -> str:
        k, sec = int(m.group(1)), m.group(2)
        # SWMM abbreviates section names in its messages ([XSECT], [RAINGAGE])
        sec = next((name for name in source.sections if name.startswith(sec)), sec)
        fields = split_fields(lines[k - 1]) if 0 < k <= len(lines) else []
        row = next((ln for ln in source.rows(sec) if fields and ln.fields[:1] == fields[:1]),
                   None)
        if row is None or not row.lineno:
            return f"in [{sec}] of the network twin prepared from {source.path}"
        return f"at {source.path}:{row.lineno} ([{sec}] {_show(fields[0])})"

    return _SWMM_AT_LINE.sub(where, message)
