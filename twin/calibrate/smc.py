"""ABC by sequential Monte Carlo (Toni et al. 2009; weights and the kernel of Beaumont et
al. 2009, "Adaptive approximate Bayesian computation"), over the project's runs.

Why our own rather than pyabc's DaskDistributedSampler: every run is a whole scenario (a
second or more), so the sampler's cleverness matters less than three things pyabc makes
awkward: (1) common random numbers (every particle runs with the spec's seed), (2) results
independent of the number of workers (proposals are drawn from a seed per generation and
round, simulated in batches, and accepted in proposal order: the first N within the
tolerance), and (3) a resume that is exact (the store is rewritten at the end of each
generation; a killed calibration continues from the last one with the same bits). It is
also about 150 lines.

Generation 0 draws N particles from the prior and accepts them all. Generation t sets the
tolerance to the `quantile` of the previous distances, proposes from the weighted previous
particles perturbed by a Gaussian with twice their weighted covariance (internal
coordinates: logs for log priors), and simulates rounds of proposals until N are within the
tolerance. Weights: prior / sum_j w_j K(theta | theta_j). It stops after `generations`, when
the tolerance reaches `min_tolerance` or the acceptance falls below `min_acceptance`.

Distance: the root mean square of (simulated - observed) / sd over the fitted rows, sd
from the noise model; 1 means "within the observation noise on average".
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from twin.calibrate import priors as PR
from twin.calibrate.simulate import RowCalc, Simulator
from twin.calibrate.spec import CalibrationSpec
from twin.core.errors import TwinError


def row_calcs(spec: CalibrationSpec) -> dict[str, list[tuple[int, RowCalc]]]:
    """Per place: (row index, how to compute it) for every row of the spec."""
    out: dict[str, list[tuple[int, RowCalc]]] = {}
    for i, r in enumerate(spec.rows):
        q = spec.quantities[r.obs.series]
        pl = spec.places[r.place]
        out.setdefault(r.place, []).append((i, RowCalc(
            q.var, q.select, q.sum, q.mean, q.window, np.datetime64(r.obs.start),
            np.datetime64(r.obs.end), pl.population if q.scale == "population" else None,
            q.scale if isinstance(q.scale, float) else 1.0)))
    return out


def fit_places(spec: CalibrationSpec) -> list[str]:
    return sorted({spec.rows[i].place for i in spec.fit_rows()})


def simulate(spec: CalibrationSpec, sim: Simulator, z: np.ndarray,
             places: list[str]) -> np.ndarray:
    """Predictions (len(z), rows) at internal coordinates z; rows of other places NaN."""
    calcs = row_calcs(spec)
    out = np.full((len(z), len(spec.rows)), np.nan)
    changes = PR.values(spec.priors, z)
    for place in places:
        idx, rows = zip(*calcs[place], strict=True)
        keep = spec.places[place].keep
        mine = [tuple(c for c in ch if c[0] not in keep) for ch in changes]
        out[:, list(idx)] = sim.map(spec.places[place].base, spec.seed, tuple(rows), mine)
    return out


def distances(spec: CalibrationSpec, pred: np.ndarray) -> np.ndarray:
    fit = spec.fit_rows()
    obs = np.array([spec.rows[i].obs.value for i in fit])
    sd = np.array([spec.sd(i) for i in fit])
    d = np.sqrt(np.mean(((pred[:, fit] - obs) / sd) ** 2, axis=1))
    return np.where(np.isfinite(d), d, np.inf)


@dataclass
class State:
    """The last finished generation and the diagnostics of every generation so far."""

    generation: int
    z: np.ndarray  # (N, d) internal coordinates
    weight: np.ndarray
    distance: np.ndarray
    pred: np.ndarray  # (N, rows)
    tolerance: list[float] = field(default_factory=list)
    acceptance: list[float] = field(default_factory=list)
    ess: list[float] = field(default_factory=list)
    simulations: list[int] = field(default_factory=list)
    done: bool = False


def ess(w: np.ndarray) -> float:
    return float(1.0 / np.sum(w**2))


def _rng(spec: CalibrationSpec, gen: int, rnd: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(spec.seed, spawn_key=(7, gen, rnd)))


def first_generation(spec: CalibrationSpec, sim: Simulator) -> State:
    n = spec.abc["population"]
    z = PR.sample_internal(spec.priors, _rng(spec, 0, 0), n)
    pred = simulate(spec, sim, z, fit_places(spec))
    d = distances(spec, pred)
    ok = np.isfinite(d)  # a failed run (NaN prediction) is a rejected particle
    if not ok.any():
        raise TwinError(f"{spec.path or spec.name}: every run of the first generation failed "
                        "or gave no value for a fitted row; run the base scenario alone "
                        "(`twin run`) to see why")
    w = ok / ok.sum()
    return State(0, z, w, d, pred, [math.inf], [float(ok.mean())], [ess(w)], [n])


def next_generation(spec: CalibrationSpec, sim: Simulator, st: State) -> State:
    n, q = spec.abc["population"], spec.abc["quantile"]
    finite = st.distance[np.isfinite(st.distance)]
    eps = float(np.quantile(finite, q)) if len(finite) else math.inf
    eps = max(eps, spec.abc["min_tolerance"])
    cov = 2.0 * np.atleast_2d(np.cov(st.z.T, aweights=st.weight, ddof=0))
    cov += 1e-12 * np.eye(len(cov))
    kern = stats.multivariate_normal(np.zeros(len(cov)), cov, allow_singular=True)
    places = fit_places(spec)
    acc_z, acc_pred, acc_d, tried, proposed = [], [], [], 0, 0
    rate = max(st.acceptance[-1] if st.generation else 0.5, 0.02)  # accepted per proposal
    rnd = 0
    while len(acc_z) < n:
        rng = _rng(spec, st.generation + 1, rnd)
        # generous rounds (at least half a population): a round waits for its slowest run,
        # so many small rounds leave workers idle; sized from the spec, never the workers
        m = max(math.ceil((n - len(acc_z)) / rate * 1.5), math.ceil(n / 2))
        parents = rng.choice(len(st.z), size=m, p=st.weight)
        z = st.z[parents] + rng.multivariate_normal(np.zeros(len(cov)), cov, size=m,
                                                    method="cholesky")
        inside = np.isfinite(PR.logpdf_internal(spec.priors, z))
        z = z[inside]  # outside the prior's bounds: rejected without a run
        tried += len(z)
        proposed += m
        rnd += 1
        if len(z):
            pred = simulate(spec, sim, z, places)
            d = distances(spec, pred)
            ok = d <= eps
            acc_z += list(z[ok])
            acc_pred += list(pred[ok])
            acc_d += list(d[ok])
        rate = max(len(acc_z) / proposed, 0.5 * spec.abc["min_acceptance"])
        if rnd > 5 and len(acc_z) / max(tried, 1) < 0.5 * spec.abc["min_acceptance"]:
            break  # hopeless: keep what was found and stop after this generation
    z, pred, d = np.array(acc_z[:n]), np.array(acc_pred[:n]), np.array(acc_d[:n])
    if len(z) < 2:
        st.done = True
        return st
    logp = PR.logpdf_internal(spec.priors, z)
    dens = np.array([np.sum(st.weight * kern.pdf(zi - st.z)) for zi in z])
    w = np.exp(logp - logp.max()) / np.maximum(dens, 1e-300)
    w /= w.sum()
    acc = len(acc_z) / max(tried, 1)
    new = State(st.generation + 1, z, w, d, pred, st.tolerance + [eps],
                st.acceptance + [acc], st.ess + [ess(w)], st.simulations + [tried])
    new.done = (new.generation + 1 >= spec.abc["generations"]
                or eps <= spec.abc["min_tolerance"] or acc < spec.abc["min_acceptance"]
                or len(z) < n)
    return new


def run_smc(spec: CalibrationSpec, sim: Simulator, state: State | None = None,
            on_generation: Callable[[State], None] | None = None) -> State:
    """Generations until a stopping rule holds; `on_generation` saves and reports each."""
    if state is None:
        state = first_generation(spec, sim)
        state.done = spec.abc["generations"] <= 1
        if on_generation:
            on_generation(state)
    while not state.done:
        state = next_generation(spec, sim, state)
        if on_generation:
            on_generation(state)
    return state


def predictive(spec: CalibrationSpec, sim: Simulator, st: State) -> np.ndarray:
    """Predictions at every posterior particle for every row, held-out places included."""
    pred = st.pred.copy()
    others = [p for p in {r.place for r in spec.rows} if p not in fit_places(spec)]
    if others:
        extra = simulate(spec, sim, st.z, sorted(others))
        pred = np.where(np.isnan(pred), extra, pred)
    return pred
