"""Occupancy by facility and hour for the map, sized so a 1 M-household city stays small.

Off-street lots and garages (and the district pools of residential, shared and added spaces)
are recorded one row each along `parking_lot`, with map coordinates; kerb faces, which
number tens of thousands in a large city, are aggregated per district and recorded per
district. A lot opened by an event mid-run is folded into its district's pool row of the
same access and level (the dims of a results store are fixed at declare time).
"""

from __future__ import annotations

import numpy as np

from twin.models.parking.params import ACCESS
from twin.models.parking.supply import KERB, pool_name

LOT_KINDS = ("kerb", "lot", "garage", "pool")


class FacilityOutput:
    """Row mapping from facilities to recorded rows, fixed at the start of the run."""

    def __init__(self, fac, city):
        self.names = list(city.districts.name)
        self.rows = [f for f in range(len(fac)) if fac.kind[f] != KERB]
        self.row_of = {f: i for i, f in enumerate(self.rows)}
        self.fac = fac

    def declare(self, rec) -> None:
        fac, rows = self.fac, self.rows
        rec.coord("parking_lot", [fac.name[f] for f in rows], long_name="off-street lot, "
                  "garage or district pool of spaces")
        rec.coord("parking_lot_x", [fac.x[f] for f in rows], dim="parking_lot", units="m",
                  long_name="lot easting")
        rec.coord("parking_lot_y", [fac.y[f] for f in rows], dim="parking_lot", units="m",
                  long_name="lot northing")
        rec.coord("parking_lot_district", [self.names[fac.district[f]] for f in rows],
                  dim="parking_lot", long_name="district of the lot")
        rec.coord("parking_lot_kind", [LOT_KINDS[fac.kind[f]] for f in rows],
                  dim="parking_lot", long_name="kind of facility")
        rec.coord("parking_lot_access", [ACCESS[fac.access[f]] for f in rows],
                  dim="parking_lot", long_name="who may park")
        rec.declare("parking_lot_occupancy", dims=("parking_lot",), units="1", time_dim="hour",
                    long_name="time-mean occupied share of the lot's usable spaces (NaN when "
                    "it has none: closed, flooded, cut off or empty pool)")
        rec.declare("parking_lot_spaces", dims=("parking_lot",), units="1", time_dim="hour",
                    long_name="usable spaces of the lot (lots opened mid-run included in "
                    "their district pool)")
        rec.declare("parking_kerb_occupancy", dims=("district",), units="1", time_dim="hour",
                    long_name="time-mean occupied share of the district's usable kerb spaces")

    def _row(self, f: int) -> int:
        r = self.row_of.get(f)
        if r is None:  # opened mid-run
            fac = self.fac
            pool = fac.index(pool_name(fac.access[f], fac.underground[f],
                                       self.names[fac.district[f]]))
            r = self.row_of[f] = self.row_of[pool]
        return r

    def record(self, rec, t0: float, mean_occ: np.ndarray, cap: np.ndarray) -> None:
        fac = self.fac
        kind = np.asarray(fac.kind)
        mean_occ = np.where(cap > 0, mean_occ, 0.0)  # cars left in a closed lot do not count
        off = np.flatnonzero(kind != KERB)
        rows = np.array([self._row(int(f)) for f in off], np.int64)
        n = len(self.rows)
        occ = np.bincount(rows, weights=mean_occ[off], minlength=n)
        spaces = np.bincount(rows, weights=cap[off], minlength=n)
        share = np.full(n, np.nan)
        np.divide(occ, spaces, out=share, where=spaces > 0)
        rec.append("parking_lot_occupancy", t0, share)
        rec.append("parking_lot_spaces", t0, spaces)
        kerb = kind == KERB
        d = np.asarray(fac.district)
        nd = len(self.names)
        k_occ = np.bincount(d[kerb], weights=mean_occ[kerb], minlength=nd)
        k_cap = np.bincount(d[kerb], weights=cap[kerb], minlength=nd)
        rec.append("parking_kerb_occupancy", t0,
                   np.divide(k_occ, k_cap, out=np.full(nd, np.nan), where=k_cap > 0))
