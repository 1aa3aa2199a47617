"""The posterior store (Zarr): one variable per free parameter named `model.param` along
`sample`, `weight` and `distance` along `sample`; per-generation `tolerance`,
`acceptance`, `ess` and `simulations` along `generation`; and the posterior-predictive
check of every observation (fitted and held out) along `observation`.

The store is rewritten whole at the end of every generation (into a temporary folder,
then renamed), so a killed calibration leaves the last finished generation, and
`--resume` continues from it with the same bits an uninterrupted run would give.
"""

from __future__ import annotations

import json
import os
import shutil
import warnings
from pathlib import Path

import numpy as np
import xarray as xr

import twin
from twin.calibrate.smc import State
from twin.calibrate.spec import CalibrationSpec
from twin.core.errors import TwinError

PREDICTIVE_Q = (0.05, 0.5, 0.95)


def dataset(spec: CalibrationSpec, st: State, method: str, pred: np.ndarray | None = None,
            complete: bool = False, rng_seed: int = 0) -> xr.Dataset:
    n = len(st.z)
    data = {}
    for i, p in enumerate(spec.priors):
        vals = np.exp(st.z[:, i]) if p.log else st.z[:, i]
        data[p.key] = xr.Variable(("sample",), vals, {"prior": p.describe(), "lo": p.lo,
                                                       "hi": p.hi, "integer": int(p.integer)})
    data["weight"] = xr.Variable(("sample",), st.weight, {"units": "1", "long_name":
                                                          "normalised importance weight"})
    data["distance"] = xr.Variable(("sample",), st.distance, {"units": "1", "long_name":
                                   "RMS of (simulated - observed) / sd over fitted rows"})
    data["internal"] = xr.Variable(("sample", "parameter"), st.z)
    data["tolerance"] = xr.Variable(("generation",), np.array(st.tolerance))
    data["acceptance"] = xr.Variable(("generation",), np.array(st.acceptance))
    data["ess"] = xr.Variable(("generation",), np.array(st.ess), {"long_name":
                              "effective sample size 1 / sum(w^2)"})
    data["simulations"] = xr.Variable(("generation",), np.array(st.simulations, dtype=np.int64))
    data["particle_prediction"] = xr.Variable(("sample", "observation"), st.pred)
    rows = spec.rows
    coords = {"sample": np.arange(n), "generation": np.arange(len(st.tolerance)),
              "parameter": list(spec.keys), "observation": [r.obs.id for r in rows]}
    data["observed"] = xr.Variable(("observation",), [r.obs.value for r in rows])
    data["observed_sd"] = xr.Variable(("observation",), [spec.sd(i) for i in range(len(rows))])
    data["held_out"] = xr.Variable(("observation",), [r.held_out for r in rows])
    data["unit"] = xr.Variable(("observation",), np.array([r.obs.unit for r in rows], dtype=object))
    if pred is not None:
        rng = np.random.default_rng(rng_seed)
        sd = np.array([spec.sd(i) for i in range(len(rows))])
        noisy = pred + rng.normal(size=pred.shape) * sd  # predictive: model + observation noise
        qs = [_wquantile(noisy, st.weight, q) for q in PREDICTIVE_Q]
        mean = np.nansum(pred * st.weight[:, None], axis=0)
        data["predicted_mean"] = xr.Variable(("observation",), mean)
        for q, v in zip(PREDICTIVE_Q, qs, strict=True):
            data[f"predictive_p{int(q * 100):02d}"] = xr.Variable(("observation",), v)
        obs = data["observed"].values
        data["inside_90"] = xr.Variable(("observation",), (obs >= qs[0]) & (obs <= qs[2]))
        data["relative_error"] = xr.Variable(("observation",), mean / obs - 1.0)
    attrs = {"kind": "calibration", "calibration": spec.name, "spec_hash": spec.digest,
             "method": method, "complete": complete, "twin_version": twin.__version__,
             "seed": spec.seed, "generation": st.generation, "smc_done": bool(st.done), "parameters": json.dumps(spec.keys),
             "observations": _relative(spec.observations_path, spec.path),
             "seeds": "every run uses the spec's seed (common random numbers)"}
    return xr.Dataset(data, coords=coords, attrs=attrs)


def _relative(target: Path, spec_path: Path | None) -> str:
    """The observations file as the spec names it (relative to the spec), never a path of
    the machine that ran the calibration."""
    if spec_path is None:
        return Path(target).name
    return os.path.relpath(Path(target).resolve(), Path(spec_path).resolve().parent)


def _wquantile(x: np.ndarray, w: np.ndarray, q: float) -> np.ndarray:
    out = np.empty(x.shape[1])
    for j in range(x.shape[1]):
        ok = np.isfinite(x[:, j])
        if not ok.any():
            out[j] = np.nan
            continue
        o = np.argsort(x[ok, j])
        cw = np.cumsum(w[ok][o])
        out[j] = x[ok, j][o][min(np.searchsorted(cw, q * cw[-1]), ok.sum() - 1)]
    return out


def weighted_quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    return float(_wquantile(np.asarray(x)[:, None], np.asarray(w), q)[0])


def write(ds: xr.Dataset, out: Path) -> Path:
    """Replace the store at `out` by `ds`: written whole under a project-owned temporary
    name beside it, then swapped in (the old one is deleted only once the new is there)."""
    from twin.core.paths import swap_in, temp_beside

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_beside(out)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds.to_zarr(tmp, mode="w-", consolidated=False)
        swap_in(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return out


def open_posterior(path: str | Path) -> xr.Dataset:
    path = Path(path)
    if not (path / "zarr.json").is_file():
        raise TwinError(f"{path}: no posterior store here (zarr.json missing)")
    ds = xr.open_zarr(path, consolidated=False).load()
    if ds.attrs.get("kind") != "calibration":
        raise TwinError(f"{path} is not a calibration store (kind {ds.attrs.get('kind')!r})")
    return ds


def load_state(path: Path, spec: CalibrationSpec) -> State:
    """The last finished generation of an interrupted calibration (for --resume)."""
    ds = open_posterior(path)
    if ds.attrs["spec_hash"] != spec.digest:
        raise TwinError(f"{path} was made from a different spec or observations (hash "
                        f"{ds.attrs['spec_hash']}, now {spec.digest}); run without --resume "
                        "into another --out")
    return State(int(ds.attrs["generation"]), ds["internal"].values, ds["weight"].values,
                 ds["distance"].values, ds["particle_prediction"].values,
                 list(ds["tolerance"].values), list(ds["acceptance"].values),
                 list(ds["ess"].values), [int(x) for x in ds["simulations"].values],
                 done=bool(ds.attrs.get("smc_done", False)))
