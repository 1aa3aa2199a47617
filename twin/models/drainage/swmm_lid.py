"""Sponge-city measures as SWMM LID controls on a share of every subcatchment.

`lid_share` is the share of each subcatchment's area turned into LID units; bioretention
cells and permeable pavement also take the runoff of twice their own area of impervious
ground (a 1:2 loading; sponge-city practice sizes bioretention at about 5-10% of the area
it serves, MOHURD 2014 Technical Guide for Sponge City Construction, so this is a modest
loading), green roofs take only their own rain. Layer values are typical ones from the EPA
SWMM 5 Reference Manual Vol. III (LID) examples, not a calibrated local design.
"""

from __future__ import annotations

LID_KINDS = ("bioretention", "permeable_pavement", "green_roof", "mix")
_CONTROLS = {
    "bioretention": ["LID_BR BC", "LID_BR SURFACE 150 0.0 0.1 1.0 5",
                     "LID_BR SOIL 600 0.5 0.2 0.1 50 10 90",
                     "LID_BR STORAGE 300 0.75 10 0", "LID_BR DRAIN 0 0.5 0 6"],
    "permeable_pavement": ["LID_PP PP", "LID_PP SURFACE 2 0.0 0.012 1.0 5",
                           "LID_PP PAVEMENT 150 0.15 0 100 0",
                           "LID_PP STORAGE 300 0.75 10 0", "LID_PP DRAIN 0 0.5 0 6"],
    "green_roof": ["LID_GR GR", "LID_GR SURFACE 20 0.0 0.1 1.0 5",
                   "LID_GR SOIL 150 0.5 0.2 0.1 50 10 90", "LID_GR DRAINMAT 30 0.5 0.1"],
}
_ID = {"bioretention": "LID_BR", "permeable_pavement": "LID_PP", "green_roof": "LID_GR"}
_LOADING = {"bioretention": 2.0, "permeable_pavement": 2.0, "green_roof": 0.0}


def lid_sections(subs: list[tuple[str, float, float]], share: float,
                 kind: str) -> dict[str, list[str]]:
    """[LID_CONTROLS] and [LID_USAGE] for subcatchments (id, area m2, imperviousness %)."""
    if kind not in LID_KINDS:
        raise ValueError(f"unknown LID kind {kind!r}; allowed: {', '.join(LID_KINDS)}")
    if not 0.0 < share < 0.9:
        raise ValueError("LID share must be in (0, 0.9)")
    kinds = list(_ID) if kind == "mix" else [kind]
    controls = [row for k in kinds for row in _CONTROLS[k]]
    usage = []
    for sub, area_m2, imperv_pct in subs:
        imp_m2 = area_m2 * (1.0 - share) * imperv_pct / 100.0  # SWMM: % of the non-LID area
        for k in kinds:
            unit = area_m2 * share / len(kinds)
            from_imp = min(100.0, 100.0 * _LOADING[k] * unit / max(imp_m2, 1e-9))
            width = unit**0.5
            usage.append(f"{sub} {_ID[k]} 1 {unit:.2f} {width:.2f} 0 {from_imp:.2f} 0")
    return {"LID_CONTROLS": controls, "LID_USAGE": usage}
