"""Street KPIs that respond to the response, and the water books of a run.

KPIs are counted on the street, after the trucks, the bank and the inlets have acted, so a
policy that removes street water shows in them (SWMM's system flood volume is counted before
the street and cannot respond to trucks).

Books: rain = infiltrated + evaporated + left on the ground (incl. LID storage) + to the
river (outfalls and pumps) + over the bank + by trucks + change of sewer storage + left on
the street, with SWMM's own runoff and routing totals and the street's ledger; the
difference over the rain volume is the run's surface-plus-sewer continuity error.
"""

from __future__ import annotations

import numpy as np

from twin.core.errors import TwinError


class StreetKpis:
    """Accumulates road-hours above the lane limit, time above it per point, time to drain,
    and the peaks of street water and closures: every stride, whatever the report step."""

    def __init__(self, n_points: int, limit_m: float, storm_end_s: float):
        self.limit_m = limit_m
        self.storm_end_s = storm_end_s
        self.point_s_above = np.zeros(n_points)
        self.point_run_s = np.zeros(n_points)  # current spell above the limit
        self.point_longest_s = np.zeros(n_points)
        self.edge_hours = 0.0
        self.last_wet_s = 0.0  # last stride end with any point above the limit
        self.peak_street_m3 = 0.0
        self.peak_closed_edges = 0

    def update(self, now_s: float, dt_s: float, depth_m: np.ndarray, n_closed_edges: int,
               street_m3: float):
        self.peak_street_m3 = max(self.peak_street_m3, street_m3)
        self.peak_closed_edges = max(self.peak_closed_edges, n_closed_edges)
        above = depth_m > self.limit_m
        self.point_s_above += above * dt_s
        self.point_run_s = np.where(above, self.point_run_s + dt_s, 0.0)
        np.maximum(self.point_longest_s, self.point_run_s, out=self.point_longest_s)
        self.edge_hours += n_closed_edges * dt_s / 3600.0
        if above.any():
            self.last_wet_s = now_s

    def time_to_drain_h(self, horizon_s: float, wet_at_end: bool) -> float:
        """Hours from the storm's end until no point is above the limit (0 if none is then;
        NaN if the street is still wet at the horizon)."""
        if wet_at_end:
            return float("nan")
        return max(self.last_wet_s - self.storm_end_s, 0.0) / 3600.0


BOOKS = (  # name, long name (all m3)
    ("rain_volume", "rain on the subcatchments (SWMM runoff totals)"),
    ("infiltrated_volume", "rain infiltrated into the ground, LID units included (SWMM)"),
    ("evaporated_volume", "evaporated from surfaces and sewers (SWMM)"),
    ("surface_storage_change", "water left on the ground and in LID units at the end (SWMM)"),
    ("sewer_storage_change", "change of water held in the sewers and wet wells (SWMM)"),
    ("river_outflow_volume", "sewer water into the river: pumped and gravity outfalls (SWMM)"),
    ("street_received_volume", "sewer flooding onto the streets (SWMM's flooding)"),
    ("street_returned_volume", "street water back into the sewer through the inlets"),
    ("street_to_river_volume", "street water over the bank into the river"),
    ("street_final_volume", "water on the streets at the end"),
    ("mobile_pumped_volume", "street water removed by mobile pumps"),
)


def books(totals: dict, street, returned_to_sewer: bool) -> tuple[dict[str, float], float]:
    """The run's books (m3) and the surface-plus-sewer continuity error (% of rain)."""
    t = totals
    b = {
        "rain_volume": t["runoff_rainfall"],
        "infiltrated_volume": t["runoff_infiltration"],
        "evaporated_volume": t["runoff_evaporation"] + t["routing_evaporation_loss"],
        "surface_storage_change": t["runoff_final_storage"] - t["runoff_init_storage"],
        "sewer_storage_change": t["routing_final_storage"] - t["routing_initial_storage"],
        "river_outflow_volume": t["routing_outflow"],
        "street_received_volume": street.received_m3,
        "street_returned_volume": street.returned_m3,
        "street_to_river_volume": street.to_river_m3,
        "street_final_volume": float(street.volume_m3.sum()),
        "mobile_pumped_volume": street.pumped_m3,
    }
    out = (b["infiltrated_volume"] + b["evaporated_volume"] + b["surface_storage_change"]
           + b["sewer_storage_change"] + b["river_outflow_volume"] + t["routing_seepage_loss"]
           + b["street_to_river_volume"] + b["street_final_volume"] + b["mobile_pumped_volume"])
    if not returned_to_sewer:  # drained at the inlet rate but not routed: leaves the books
        out += b["street_returned_volume"]
    # inflows SWMM got besides runoff other than the street's (user networks' own inflows)
    other_in = (t["routing_external_inflow"] + t["routing_dry_weather_inflow"]
                + t["routing_groundwater_inflow"] + t["routing_II_inflow"]
                - (b["street_returned_volume"] if returned_to_sewer else 0.0))
    rain = b["rain_volume"]
    err = 100.0 * (rain + max(other_in, 0.0) - out) / rain if rain > 0 else 0.0
    return b, err


def check_absurd(label: str, summary, rain_m3: float, max_err_pct: float,
                 routing_checked: bool, returned_m3: float = 0.0) -> None:
    """Refuse a run whose rain or areas are absurd, rather than write it as a result.

    The flood volume compared with the rain is net of the street water that drained back
    into the sewer (`returned_m3`): with dual drainage the same water may flood, drain back
    and flood again, and SWMM counts it every time."""
    ro = summary.runoff_continuity_error_pct
    rt = summary.routing_continuity_error_pct
    if ro is not None and abs(ro) > max_err_pct:
        raise TwinError(f"drainage run on {label}: SWMM runoff continuity error {ro:g}% exceeds "
                        f"{max_err_pct:g}% (max_continuity_error_pct); check the rain and the "
                        "subcatchment areas; not written as a result")
    if routing_checked and rt is not None and abs(rt) > max_err_pct:
        raise TwinError(f"drainage run on {label}: SWMM routing continuity error {rt:g}% "
                        f"exceeds {max_err_pct:g}% (max_continuity_error_pct); not written as "
                        "a result")
    net = summary.system_flood_volume_m3 - returned_m3
    if rain_m3 > 0 and net > rain_m3 * 1.001:
        raise TwinError(f"drainage run on {label}: net flood volume {net:.0f} m3 exceeds the "
                        f"rain volume {rain_m3:.0f} m3; the network's rain or areas are absurd; "
                        "not written as a result")
