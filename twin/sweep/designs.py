"""Designs: where in the uncertainty space the scenarios of a sweep lie.

Every design samples the unit hypercube (one column per uncertainty); `Uncertainty.value`
maps each column to parameter values (linear or log ranges, integers, lists of values). So
ranges, integers and choices mix freely in every design, and the analysis (Sobol, Morris)
works on the same unit-space matrix that SALib sampled.

The order of runs is fixed here too: replicate-major, then scenario, then policy, so that
adding replicates appends runs at the end of the store and a run's index never changes.
"""

from __future__ import annotations

import itertools
import json
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from twin.sweep.spec import Design, SweepSpec, Uncertainty


def n_scenarios(design: Design, uncs: tuple[Uncertainty, ...]) -> int:
    """Number of scenarios (design points) without sampling them."""
    d = len(uncs)
    if design.kind == "posterior":
        return design.samples
    if design.kind == "full_factorial":
        return int(np.prod([len(_grid(u, design.levels)) for u in uncs], dtype=np.int64))
    if design.kind == "latin_hypercube":
        return design.samples
    if design.kind == "sobol":
        return design.samples * ((2 * d + 2) if design.second_order else (d + 2))
    return design.samples * (d + 1)  # morris


def _grid(u: Uncertainty, levels: int) -> np.ndarray:
    """Unit-space grid of one uncertainty: every listed value (or every integer, if there are
    at most `levels`), else `levels` evenly spaced points from lo to hi."""
    k = u.levels
    if k is not None and (u.values is not None or k <= levels):
        return (np.arange(k) + 0.5) / k
    return np.linspace(0.0, 1.0, levels)


def salib_problem(uncs: tuple[Uncertainty, ...]) -> dict:
    """The SALib problem: every uncertainty on [0, 1] (values are mapped afterwards)."""
    return {"num_vars": len(uncs), "names": [u.key for u in uncs],
            "bounds": [[0.0, 1.0]] * len(uncs)}


def unit_design(design: Design, uncs: tuple[Uncertainty, ...]) -> np.ndarray:
    """The design matrix in unit space, shape (scenarios, uncertainties)."""
    d = len(uncs)
    if design.kind == "posterior":
        return posterior_unit(design.posterior, design.samples, design.seed, uncs)
    if design.kind == "full_factorial":
        if not uncs:
            return np.zeros((1, 0))
        axes = [_grid(u, design.levels) for u in uncs]
        return np.array(list(itertools.product(*axes)), dtype=np.float64).reshape(-1, d)
    if design.kind == "latin_hypercube":
        from scipy.stats import qmc

        return qmc.LatinHypercube(d=d, rng=np.random.default_rng(design.seed)).random(
            design.samples)
    if design.kind == "sobol":
        from SALib.sample import sobol

        return sobol.sample(salib_problem(uncs), design.samples,
                            calc_second_order=design.second_order, seed=design.seed)
    from SALib.sample import morris

    return morris.sample(salib_problem(uncs), design.samples, num_levels=design.levels,
                         seed=design.seed)


def scenario_values(spec: SweepSpec, unit: np.ndarray) -> list[dict]:
    """Parameter values of each scenario: [{"model.param": value, ...}, ...]."""
    return [{u.key: u.value(float(x)) for u, x in zip(spec.uncertainties, row, strict=True)}
            for row in unit]


def run_position(run: int, n_scen: int, n_pol: int) -> tuple[int, int, int]:
    """(replicate, scenario, policy) of a run index."""
    rep, rest = divmod(run, n_scen * n_pol)
    scen, pol = divmod(rest, n_pol)
    return rep, scen, pol


# --------------------------------------------------------------------------------------
# Calibrated ensembles: `kind = "posterior"`, `posterior = "path"` (a `twin calibrate` store)
# --------------------------------------------------------------------------------------
def posterior_uncertainties(path) -> tuple[Uncertainty, ...]:
    """One uncertainty per calibrated parameter, ranging over its prior's bounds (so its
    unit-space column maps back to the drawn value, and PRIM and the coordinates treat it
    like any range)."""
    from twin.calibrate.store import open_posterior
    from twin.sweep.spec import Uncertainty

    ds = open_posterior(path)
    out = []
    for key in json.loads(ds.attrs["parameters"]):
        a = ds[key].attrs
        model, _, name = key.partition(".")
        out.append(Uncertainty(key, model, name, lo=float(a["lo"]), hi=float(a["hi"]),
                               integer=bool(a.get("integer", 0))))
    return tuple(out)


def posterior_unit(path, samples: int, seed: int, uncs: tuple[Uncertainty, ...]) -> np.ndarray:
    """`samples` joint parameter sets drawn from the posterior by its weights (systematic
    resampling: every particle of weight w appears about w x samples times), in unit space
    of `uncs` (other uncertainties of the sweep get a Latin hypercube column)."""
    from scipy.stats import qmc

    from twin.calibrate.store import open_posterior

    ds = open_posterior(path)
    w = np.asarray(ds["weight"].values, dtype=float)
    rng = np.random.default_rng(seed)
    picks = np.searchsorted(np.cumsum(w / w.sum()), (rng.uniform() + np.arange(samples))
                            / samples).clip(0, len(w) - 1)
    picks = rng.permutation(picks)
    lhs = qmc.LatinHypercube(d=max(1, len(uncs)), rng=rng).random(samples)
    unit = np.empty((samples, len(uncs)))
    for j, u in enumerate(uncs):
        if u.key in ds.data_vars and "lo" in ds[u.key].attrs:
            x = np.asarray(ds[u.key].values, dtype=float)[picks]
            if u.integer:  # the middle of the value's cell (Uncertainty.value floors)
                unit[:, j] = ((x - u.lo + 0.5) / u.levels).clip(0.0, 1.0)
            else:
                unit[:, j] = ((x - u.lo) / (u.hi - u.lo)).clip(0.0, 1.0)
        else:
            unit[:, j] = lhs[:, j]
    return unit


def parse_posterior(design_doc: dict, path, base) -> tuple:
    """`[design] kind = "posterior", posterior = "store"` checked for `twin.sweep.spec`:
    (absolute store path, its uncertainties, its hash for the sweep's digest); every
    calibrated parameter must be a number parameter of the base scenario."""
    from pathlib import Path

    from twin.calibrate.store import open_posterior
    from twin.core import params as P
    from twin.core.errors import ScenarioError, TwinError

    where = "design.posterior"
    text = design_doc.get("posterior")
    if not isinstance(text, str):
        raise ScenarioError(path, where, "missing; allowed: the path of a posterior store "
                            "written by `twin calibrate`, relative to this sweep file")
    p = Path(text)
    p = p if p.is_absolute() else ((Path(path).parent if path else Path.cwd()) / p).resolve()
    try:
        ds = open_posterior(p)
    except TwinError as e:
        raise ScenarioError(path, where, str(e)) from None
    if not ds.attrs.get("complete"):
        raise ScenarioError(path, where, f"{p} is an unfinished calibration; finish it with "
                            "`twin calibrate SPEC --resume`")
    uncs = posterior_uncertainties(p)
    for u in uncs:
        if u.model not in base.models:
            raise ScenarioError(path, where, f"{p} calibrates {u.key}, and the base scenario "
                                "has no model " + repr(u.model))
        names = [i.name for i in P.describe(type(base.models[u.model]))]
        if u.param not in names:
            raise ScenarioError(path, where, f"{p} calibrates {u.key}, which is not a "
                                f"parameter of {u.model}")
    return p, uncs, str(ds.attrs["spec_hash"]) + f":{int(ds.sizes['sample'])}"
