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
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from twin.sweep.spec import Design, SweepSpec, Uncertainty


def n_scenarios(design: Design, uncs: tuple[Uncertainty, ...]) -> int:
    """Number of scenarios (design points) without sampling them."""
    d = len(uncs)
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
