"""The daily books: where every tonne is (containers, trucks, stations, in transit, treated,
landfilled), what the fleet did, and what it cost in money and CO2."""

from __future__ import annotations

import numpy as np

from twin.models.waste.params import (
    DESTINATIONS,
    DIGESTION,
    LANDFILL,
    RECYCLABLE,
    RECYCLING,
    STREAMS,
    WasteParams,
)

STOCKS = ("containers", "trucks", "stations", "transit", "bunkers")
COST_ITEMS = ("fuel", "labour", "gate_fees")
FLEETS = (*STREAMS, "transfer")


class Ledger:
    """Tonnes by state and the day's activity; `close_day` returns one day's KPIs."""

    def __init__(self):
        ns = len(STREAMS)
        self.generated = [0.0] * ns
        self.collected = [0.0] * ns  # updated in place by the truck processes
        self.by_dest = np.zeros((ns, len(DESTINATIONS)))
        self.stations = 0.0
        self.transit = 0.0
        self.bunkers = 0.0  # waiting in plant bunkers
        self.cum_generated = 0.0
        self.cum_collected = 0.0
        self.cum_unloaded = 0.0
        self.cum_disposed = 0.0
        self.transfer_km = 0.0
        self.transfer_hours = 0.0
        self.transfer_trips = 0
        self.informal = 0.0  # recyclables taken by informal collectors today

    # --- bookings from the processes --------------------------------------------------
    def move(self, src: str | None, dst: str | None, tonnes: float) -> None:
        """Tonnes from one stock to another (None: from a truck's unloading / to a plant)."""
        if src == "trucks":
            self.cum_unloaded += tonnes
        elif src is not None:
            setattr(self, src, getattr(self, src) - tonnes)
        if dst is not None and dst != "trucks":
            setattr(self, dst, getattr(self, dst) + tonnes)

    def dispose(self, stream: int, dest: int, tonnes: float) -> None:
        self.by_dest[stream, dest] += tonnes
        self.cum_disposed += tonnes

    def informal_collect(self, tonnes: float) -> None:
        """Recyclables informal collectors take from the points: recycled outside the formal
        system (no truck, no gate fee), so booked to recycling as soon as they are put out."""
        self.informal += tonnes
        self.dispose(RECYCLABLE, RECYCLING, tonnes)

    def transfer_trip(self, km_m: float, hours_s: float) -> None:
        self.transfer_km += km_m / 1000.0
        self.transfer_hours += hours_s / 3600.0
        self.transfer_trips += 1

    # --- the day's figures ------------------------------------------------------------
    def add_generated(self, tonnes_by_stream: np.ndarray) -> None:
        for s, t in enumerate(np.asarray(tonnes_by_stream, dtype=float).tolist()):
            self.generated[s] += t
            self.cum_generated += t

    def stocks(self, containers_t: float) -> np.ndarray:
        in_trucks = self.cum_collected + sum(self.collected) - self.cum_unloaded
        return np.array([containers_t, in_trucks, self.stations, self.transit, self.bunkers])

    def close_day(self, p: WasteParams, round_stats, containers_t: float, n_points: int,
                  transfer_trucks_used: int) -> dict[str, np.ndarray | float]:
        """One day's KPIs; resets the daily counters."""
        ns = len(STREAMS)
        stocks = self.stocks(containers_t)
        collected = np.asarray(self.collected, dtype=float)
        km = np.array([st.km / 1000.0 for st in round_stats] + [self.transfer_km])
        hours = np.array([st.hours for st in round_stats] + [self.transfer_hours])
        trucks = np.array([st.rounds for st in round_stats] + [transfer_trucks_used], float)
        stop_h = sum(st.stop_hours for st in round_stats)
        fuel_l = (km[:ns].sum() * p.collection_fuel_l_per_100km / 100.0
                  + km[ns] * p.transfer_fuel_l_per_100km / 100.0 + stop_h * p.stop_fuel_l_per_h)
        crew = np.array([*p.crew_per_truck, 1.0])
        cost = np.array([fuel_l * p.diesel_price_cny_per_l,
                         float((hours * crew).sum()) * p.wage_cny_per_h,
                         float(self.by_dest.sum(0) @ np.asarray(p.gate_fee_cny_per_t))
                         - self.informal * p.gate_fee_cny_per_t[RECYCLING]])
        landfill = float(self.by_dest[:, LANDFILL].sum())
        recovered = float(self.by_dest[:, [RECYCLING, DIGESTION]].sum())
        generated = float(sum(self.generated))
        total_collected = float(collected.sum())
        n_trucks = float(trucks[:ns].sum())
        out = {
            "generated_t": np.asarray(self.generated),
            "collected_t": collected,
            "tonnes_by_destination": self.by_dest.copy(),
            "landfill_tonnes": landfill,
            "informal_t": self.informal,
            "recycling_rate": recovered / generated if generated > 0 else np.nan,
            "zero_landfill": float(landfill <= 1e-9),
            "truck_km": km,
            "truck_hours": hours,
            "trucks_in_service": trucks,
            "stops_missed": np.array([float(st.missed) for st in round_stats]),
            "tonnes_per_truck_day": total_collected / n_trucks if n_trucks else np.nan,
            "tonnes_per_point_day": total_collected / n_points,
            "fuel_l": fuel_l,
            "cost_cny": cost,
            "co2_t": fuel_l * p.diesel_co2_kg_per_l / 1000.0,
            "stock_t": stocks,
            "mass_balance_residual_t": (self.cum_generated - stocks.sum() - self.cum_disposed),
        }
        self.cum_collected += total_collected
        self.generated = [0.0] * ns
        for s in range(ns):
            self.collected[s] = 0.0
        self.by_dest[:] = 0.0
        self.transfer_km = self.transfer_hours = 0.0
        self.transfer_trips = 0
        self.informal = 0.0
        return out
