"""SURROGATE of SWMM flooding for big sweeps and dashboard sliders.

Not a hydraulic model: per node, a monotone power-law interpolation of SWMM's flood volume
against the rain multiplier, fitted to a handful of real SWMM runs of the same network and the
same storm shape. Between two calibration multipliers s_a < s < s_b the node volume is
V(s) = V_a (s / s_a)^k with k fitted so that V(s_b) = V_b (geometric interpolation, which
follows the convex growth of flooding with rain); below the first multiplier that floods a
node the node's volume falls to zero linearly from the last dry multiplier.

Domain of validity: the calibrated network, the calibrated storm shape, and rain multipliers
within the calibration range (default x0.5 to x2.5, i.e. the shape's depth times those
factors); pumps, inlets and controls as in the calibration runs. Outside that range
`predict` raises unless `extrapolate=True`. Every number it returns is labelled surrogate.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from twin.models.drainage.engine import run_plain

LABEL = "SURROGATE (calibrated on SWMM; not a SWMM result)"
DOMAIN = ("the calibrated network and storm shape only; rain multiplier within [{lo:g}, {hi:g}] "
          "of the calibration storm; pumps, inlets and controls as in the calibration runs "
          "(no faults, no mobile pumps); end-of-run flood volume per node only (no timing, no "
          "depths)")
DEFAULT_SCALES = (0.5, 0.7, 0.9, 1.15, 1.4, 1.7, 2.1, 2.6)


@dataclass(frozen=True)
class FloodSurrogate:
    """Per-node flood volume against rain multiplier, fitted to SWMM runs."""

    network: str
    node_ids: tuple[str, ...]
    scales: np.ndarray  # calibration multipliers, increasing [k]
    volume_m3: np.ndarray  # SWMM node flood volume [k, node], made non-decreasing in k
    label: str = LABEL

    @property
    def domain(self) -> tuple[float, float]:
        return float(self.scales[0]), float(self.scales[-1])

    def predict_nodes(self, scale, *, extrapolate: bool = False) -> np.ndarray:
        """Node flood volumes (m3) for one or many multipliers: shape [..., node]."""
        s = np.atleast_1d(np.asarray(scale, dtype=float))
        lo, hi = self.domain
        if not extrapolate and (np.any(s < lo - 1e-9) or np.any(s > hi + 1e-9)):
            raise ValueError(f"{self.label}: rain multiplier outside the calibrated domain "
                             f"[{lo:g}, {hi:g}] of {self.network}")
        sc, v = self.scales, self.volume_m3
        j = np.clip(np.searchsorted(sc, s, side="right") - 1, 0, len(sc) - 2)  # segment
        sa, sb = sc[j], sc[j + 1]
        va, vb = v[j], v[j + 1]  # [n_s, node]
        ratio = (s / sa)[:, None]
        wet = (va > 0) & (vb > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            k = np.where(wet, np.log(vb / np.where(wet, va, 1.0)) / np.log(sb / sa)[:, None], 0.0)
            geo = va * ratio**k
        lin = va + (vb - va) * ((s - sa) / (sb - sa))[:, None]  # from dry to wet: linear
        out = np.where(wet, geo, lin)
        out = np.maximum(out, 0.0)
        return out if np.ndim(scale) else out[0]

    def predict_total(self, scale, *, extrapolate: bool = False):
        """System flood volume (m3), the sum over nodes."""
        return self.predict_nodes(scale, extrapolate=extrapolate).sum(axis=-1)

    @property
    def domain_text(self) -> str:
        lo, hi = self.domain
        return DOMAIN.format(lo=lo, hi=hi)

    def to_dataset(self, scales, *, node_x_m=None, node_y_m=None) -> xr.Dataset:
        """Predictions for rain multipliers `scales` as a Dataset labelled surrogate in every
        long_name and in its attrs (with the domain of validity and the calibration runs)."""
        s = np.atleast_1d(np.asarray(scales, float))
        nodes = self.predict_nodes(s)
        coords = {"rain_scale": ("rain_scale", s, {"units": "1", "long_name": "multiplier on "
                                                   "the calibration storm's rain"}),
                  "node": ("node", list(self.node_ids))}
        for name, xy in (("node_x_m", node_x_m), ("node_y_m", node_y_m)):
            if xy is not None:
                coords[name] = ("node", np.asarray(xy, float), {"units": "m"})
        attrs = {"surrogate": 1, "label": self.label, "network": self.network,
                 "domain_of_validity": self.domain_text,
                 "calibration_rain_scales": self.scales.tolist()}
        return xr.Dataset({
            "node_flood_volume": (("rain_scale", "node"), nodes, {
                "units": "m3", "long_name": f"{self.label}: flood volume per node"}),
            "system_flood_volume": ("rain_scale", nodes.sum(axis=1), {
                "units": "m3", "long_name": f"{self.label}: system flood volume"}),
            "calibration_node_flood_volume": (("calibration_scale", "node"), self.volume_m3, {
                "units": "m3", "long_name": "SWMM node flood volume of the calibration runs "
                "(made non-decreasing in rain)"}),
        }, coords={**coords, "calibration_scale": ("calibration_scale", self.scales)},
            attrs=attrs)

    @classmethod
    def from_dataset(cls, ds: xr.Dataset) -> FloodSurrogate:
        """Rebuild a surrogate saved with `to_dataset(...).to_zarr(...)` (no SWMM needed)."""
        if not ds.attrs.get("surrogate"):
            raise ValueError("not a surrogate dataset (attribute 'surrogate' missing)")
        return cls(str(ds.attrs["network"]), tuple(str(n) for n in ds["node"].values),
                   np.asarray(ds["calibration_scale"].values, float),
                   np.asarray(ds["calibration_node_flood_volume"].values, float))


def calibrate_city(city, storm, start, horizon_s: float, folder: Path,
                   scales=DEFAULT_SCALES) -> tuple[FloodSurrogate, dict[str, tuple[float, float]]]:
    """Calibrate on the network generated for a city and storm (written into `folder`);
    returns the surrogate and each node's position in city metres."""
    from twin.models.drainage.citynet import build_city_network

    net = build_city_network(city, Path(folder), storm, start, horizon_s)
    sur, _ = calibrate(net.path, scales)
    r = city.roads
    xy = {nid: (float(r.node_x[k]), float(r.node_y[k])) for nid, k in
          net.junction_road_node.items()}
    return sur, xy


def calibrate(network: str | Path, scales=DEFAULT_SCALES) -> tuple[FloodSurrogate, list]:
    """Run SWMM at each multiplier and fit the surrogate; returns it and the SWMM summaries."""
    scales = np.sort(np.asarray(scales, dtype=float))
    runs = [run_plain(network, rain_scale=float(s)) for s in scales]
    ids = runs[0].node_ids
    vol = np.array([[dict(zip(r.node_ids, r.node_flood_volume_m3, strict=True))[n] for n in ids]
                    for r in runs])
    vol = np.maximum.accumulate(vol, axis=0)  # flooding never falls as rain grows
    return FloodSurrogate(Path(network).name, tuple(ids), scales, vol), runs
