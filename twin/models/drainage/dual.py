"""Dual drainage in the drainage model: the street coupled to SWMM stride by stride, added
pumping capacity, the street KPIs and the run's water books (a mixin of `DrainageModel`,
kept apart so the model module stays readable)."""

from __future__ import annotations

import numpy as np

from twin.core.errors import TwinError
from twin.models.drainage.books import BOOKS, StreetKpis, books, check_absurd
from twin.models.drainage.citynet import NetworkDesign

TIME = "drainage_time"
# books whose larger value is worse: sewer flooding onto the streets, water left on them
BAD_BOOKS = {"street_received_volume", "street_final_volume"}


def network_design(p) -> NetworkDesign:
    """The generated network's design basis from the drainage parameters."""
    return NetworkDesign(pipe_p_years=p.pipe_design_return_period_years, formula=p.city_formula,
                         inlet_time_min=p.inlet_time_min, pump_scale=p.pump_capacity_scale,
                         renewal_km=p.renewal_km, renewal_p_years=p.renewal_return_period_years,
                         lid_share=p.lid_share, lid_kind=p.lid_kind, pump_criterion=p.pump_design,
                         station_storage_m3_per_ha=p.station_storage_m3_per_ha)


class DualDrainage:
    """Street <-> sewer exchange, bank overflow, added pumps, KPIs and books."""

    def _setup_dual(self, net) -> None:
        """After the Street exists: bank weirs, low points, where inlet water goes."""
        p, n = self.params, len(self.nodes)
        mode = p.street_return
        self.return_to_sewer = (mode == "sewer") or (mode == "auto" and p.network is None)
        self.flood_cum = np.zeros(n)
        self.inflow_now = np.zeros(n)
        self.low_points = tuple(net.low_points) if net is not None else ()
        self.design_report = dict(net.report) if net is not None else {}
        if net is not None:
            bank = set(net.bank_points)
            self.street.bank_weir_m = np.array([p.bank_weir_length_m if nid in bank else 0.0
                                                for nid in self.nodes])
        self.pump_base: dict[str, float] = {}  # pump id -> setting with added capacity
        self.pump_design = dict(net.pump_capacity_m3_per_s) if net is not None else {}
        self.pump_out: set[str] = set()
        end = self.storm.duration_s if self.storm is not None else 0.0
        self.kpis = StreetKpis(n, p.road_closure_depth_m, float(end))

    def _declare_street(self) -> None:
        rec = self.ctx.recorder
        rec.declare("street_water_volume", units="m3", time_dim=TIME, bad="high",
                    long_name="water on the streets (after inlets, bank and trucks)")
        rec.declare("street_return_rate", units="m3/s", time_dim=TIME,
                    long_name="street water draining back through the inlets (over the "
                    "stride before)")
        for name, long in BOOKS:
            if name != "mobile_pumped_volume":
                rec.declare(name, units="m3", long_name=long, time_dim=None,
                            **({"bad": "high"} if name in BAD_BOOKS else {}))
        for name, dims, units, long in (
                ("water_balance_error", (), "%", "surface plus sewer continuity error: rain "
                 "not accounted for by the books, % of rain"),
                ("road_edge_hours_closed", (), "h", "road-edge hours closed by water above the "
                 "lane limit"),
                ("point_hours_above_limit", ("node",), "h", "hours the point's street water "
                 "was above the lane limit"),
                ("waterlogging_point_long", ("node",), "1", "1 where street water stayed above "
                 f"the lane limit for longer than {self.params.waterlogging_min_duration_min:g} "
                 "min at a stretch (a waterlogging point in the stated sense)"),
                ("n_waterlogging_points", (), "1", "points above the lane limit for longer "
                 f"than {self.params.waterlogging_min_duration_min:g} min"),
                ("time_to_drain", (), "h", "hours from the storm's end until no point is above "
                 "the lane limit (NaN: still wet at the horizon)"),
                ("peak_street_water_volume", (), "m3", "most water on the streets at any "
                 "stride end (every stride, whatever report_step_s)"),
                ("peak_closed_road_edges", (), "1", "most road edges closed at once, at any "
                 "stride end (every stride, whatever report_step_s)"),
                ("low_point", ("node",), "1", "1 at the generated network's reported low points "
                 "(lower than every street neighbour; street water collects there)")):
            rec.declare(name, dims=dims, units=units, long_name=long, time_dim=None,
                        dtype=np.int8 if name in ("waterlogging_point_long", "low_point")
                        else np.float64, **({} if name == "low_point" else {"bad": "high"}))

    def _street_step(self, st: dict, now_s: float, dt_s: float) -> tuple[np.ndarray, bool]:
        """Advance the street by one stride with SWMM's state `st`; returns (flooding rate,
        closures changed) and hands the water draining back to SWMM for the next stride."""
        flood = st["flood_m3_per_s"][self.keep]
        vol = st["flood_volume_m3"]
        inflow = np.maximum(vol - self.flood_cum, 0.0)
        self.flood_cum = vol.copy()
        changed = self.street.update(inflow, flood > 0, dt_s)
        back = self.street.returning
        last = now_s + self.params.stride_s > self.ctx.horizon_s + 1e-6
        if self.return_to_sewer:
            if last:  # SWMM ends here: the water stays on the street, booked there
                self.street.volume_m3 += back
                self.street.returned_m3 -= float(back.sum())
                back = np.zeros_like(back)
            rate = back / self.params.stride_s
            diff = np.flatnonzero(rate != self.inflow_now)
            if len(diff) and not st["done"]:
                self.run.set_inflows([self.nodes[i] for i in diff], rate[diff])
                self.inflow_now = rate
        street_m3 = float(self.street.volume_m3.sum())
        self.kpis.update(now_s, dt_s, self.street.depth_m, len(self.closed_edges), street_m3)
        if not self.reporting(now_s):
            return flood, changed
        rec = self.ctx.recorder
        rec.append("street_water_volume", now_s, street_m3)
        rec.append("street_return_rate", now_s, float(back.sum() / max(dt_s, 1e-9)))
        return flood, changed

    def _lookahead_s(self) -> float:
        # street water handed back to SWMM is a command every stride: no running ahead
        return 0.0 if self.return_to_sewer else float(self.params.lookahead_s)

    # ------------------------------------------------------------------ pumps
    def _add_capacity(self, station: str, added_m3_per_s: float) -> None:
        pids = self._pumps_of(station)
        design = {pid: self.pump_design.get(pid, 0.0) for pid in pids}
        total = sum(design.values())
        if total <= 0:
            raise TwinError(f"event pump_capacity: station {station!r} has no design capacity "
                            "known to twin (a user network's pump curve); allowed: the stations "
                            "of a generated network")
        for pid in pids:
            share = design[pid] / total
            base = self.pump_base.get(pid, 1.0)
            self.pump_base[pid] = base + added_m3_per_s * share / design[pid]
            if pid not in self.pump_out:  # SWMM: a curve pump's flow scales with its setting
                self.run.set_pump(pid, self.pump_base[pid])

    def _set_pumps(self, station: str, on: bool) -> None:
        for pid in self._pumps_of(station):
            if on:
                self.pump_out.discard(pid)
                base = self.pump_base.get(pid)
                self.run.set_pump(pid, base)
            else:
                self.pump_out.add(pid)
                self.run.set_pump(pid, 0.0)

    # ------------------------------------------------------------------ end
    def _finish_books(self, s) -> None:
        p, rec, st = self.params, self.ctx.recorder, self.street
        b, err = books(s.totals_m3, st, self.return_to_sewer)
        check_absurd(self.network_label, s, b["rain_volume"], p.max_continuity_error_pct,
                     routing_checked=p.network is None,
                     returned_m3=st.returned_m3 if self.return_to_sewer else 0.0)
        if abs(st.balance_error_m3) > 1e-6 * max(st.received_m3, 1.0):
            raise TwinError(f"drainage: the street's books do not close ({st.balance_error_m3:g}"
                            " m3); a bug, please report")
        for name, _ in BOOKS:
            if name != "mobile_pumped_volume":
                rec.set(name, b[name])
        rec.set("water_balance_error", err)
        k = self.kpis
        rec.set("road_edge_hours_closed", k.edge_hours)
        rec.set("point_hours_above_limit", k.point_s_above / 3600.0)
        long = k.point_longest_s > 60.0 * p.waterlogging_min_duration_min
        rec.set("waterlogging_point_long", long)
        rec.set("n_waterlogging_points", float(long.sum()))
        wet = bool(np.any(st.depth_m > p.road_closure_depth_m))
        rec.set("time_to_drain", k.time_to_drain_h(self.ctx.horizon_s, wet))
        rec.set("peak_street_water_volume", k.peak_street_m3)
        rec.set("peak_closed_road_edges", float(k.peak_closed_edges))
        low = set(self.low_points)
        rec.set("low_point", np.array([nid in low for nid in self.nodes]))
