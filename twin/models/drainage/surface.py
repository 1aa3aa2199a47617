"""Calibration factors on the subcatchment surface, written into a run's copy of the network.

Imperviousness, overland roughness and depression storage are what a drainage calibration
fits (issue 18). They are edited in the `Inp` the run is given (never the user's file),
like `rain_scale`, so a stepped run and a plain SWMM run of the same copy stay equal. At
the defaults (factors 1, storage None) the network is left untouched, byte for byte.
"""

from __future__ import annotations

from twin.models.drainage.inp import Inp, InpError

MM_PER_IN = 25.4


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def _field(ln, k: int, inp: Inp, section: str) -> float:
    try:
        return float(ln.fields[k])
    except (IndexError, ValueError):
        raise InpError(f"{inp.path}:{ln.lineno}: [{section}] field {k + 1} must be a number "
                       f"to apply the surface calibration, got {ln.text.strip()!r}") from None


def apply_surface(inp: Inp, *, imperviousness_scale: float = 1.0, roughness_scale: float = 1.0,
                  depression_storage_mm: float | None = None) -> int:
    """Scale every subcatchment's % impervious (capped at 100) and its N-Imperv and N-Perv,
    and set its S-Imperv (mm; inches on a US-unit file); returns the subcatchments edited."""
    if imperviousness_scale == 1.0 and roughness_scale == 1.0 and depression_storage_mm is None:
        return 0
    n = 0
    if imperviousness_scale != 1.0:
        for ln in inp.rows("SUBCATCHMENTS"):
            if len(ln.fields) > 4:
                imp = min(100.0, _field(ln, 4, inp, "SUBCATCHMENTS") * imperviousness_scale)
                ln.fields[4] = _fmt(imp)
                ln.text = " ".join(ln.fields)
                n += 1
    if roughness_scale != 1.0 or depression_storage_mm is not None:
        store = None
        if depression_storage_mm is not None:
            store = depression_storage_mm / MM_PER_IN if inp.us_units else depression_storage_mm
        for ln in inp.rows("SUBAREAS"):
            if len(ln.fields) < 7:
                continue
            if roughness_scale != 1.0:
                for k in (1, 2):
                    ln.fields[k] = _fmt(_field(ln, k, inp, "SUBAREAS") * roughness_scale)
            if store is not None:
                _field(ln, 3, inp, "SUBAREAS")
                ln.fields[3] = _fmt(store)
            ln.text = " ".join(ln.fields)
            n += 1
    return n
