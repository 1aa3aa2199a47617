"""Conduit sections for a design flow: standard circular pipes, then box culverts, then
parallel barrels of the largest box, so no design flow is ever silently capped.

Full-bore capacity by Manning (n = 0.013, concrete). Sizes: GB 50014 practice lists
circular pipes up to DN 3000; above that drainage trunks are reinforced-concrete box
culverts (here up to 6.0 x 3.0 m, a common largest precast/cast-in-place section), and
beyond a single box, barrels side by side.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MANNING_PIPE = 0.013
PIPE_SIZES_M = (0.4, 0.5, 0.6, 0.8, 1.0, 1.2, 1.5, 1.8, 2.0, 2.4, 3.0)
BOX_SIZES_M = ((3.0, 2.5), (3.5, 2.5), (4.0, 2.5), (4.0, 3.0), (5.0, 3.0), (6.0, 3.0))  # w, h


@dataclass(frozen=True)
class Section:
    """A conduit section: circular (diameter) or box (width x height), `barrels` in parallel."""

    shape: str  # "CIRCULAR" or "RECT_CLOSED"
    height_m: float
    width_m: float
    barrels: int = 1

    @property
    def area_m2(self) -> float:
        one = (math.pi / 4 * self.height_m**2 if self.shape == "CIRCULAR"
               else self.width_m * self.height_m)
        return one * self.barrels

    def full_flow_m3_per_s(self, slope: float) -> float:
        if self.shape == "CIRCULAR":
            r = self.height_m / 4
        else:
            r = self.width_m * self.height_m / (2 * (self.width_m + self.height_m))
        one = self.area_m2 / self.barrels * r ** (2 / 3) * math.sqrt(slope) / MANNING_PIPE
        return one * self.barrels

    def full_velocity_m_per_s(self, slope: float) -> float:
        return self.full_flow_m3_per_s(slope) / self.area_m2

    def xsection_row(self, link: str) -> str:
        """The [XSECTIONS] line (Geom1 = height/diameter, Geom2 = width for boxes)."""
        g2 = 0.0 if self.shape == "CIRCULAR" else self.width_m
        return f"{link} {self.shape} {self.height_m:.2f} {g2:.2f} 0 0 {self.barrels}"

    @property
    def label(self) -> str:
        one = (f"DN{self.height_m * 1000:.0f}" if self.shape == "CIRCULAR"
               else f"box {self.width_m:g}x{self.height_m:g} m")
        return one if self.barrels == 1 else f"{self.barrels} x {one}"


def section_for(q_m3_per_s: float, slope: float) -> Section:
    """The smallest section whose full-bore flow at `slope` carries q."""
    for d in PIPE_SIZES_M:
        s = Section("CIRCULAR", d, d)
        if s.full_flow_m3_per_s(slope) >= q_m3_per_s:
            return s
    for w, h in BOX_SIZES_M:
        s = Section("RECT_CLOSED", h, w)
        if s.full_flow_m3_per_s(slope) >= q_m3_per_s:
            return s
    w, h = BOX_SIZES_M[-1]
    one = Section("RECT_CLOSED", h, w).full_flow_m3_per_s(slope)
    return Section("RECT_CLOSED", h, w, max(2, math.ceil(q_m3_per_s / one)))
