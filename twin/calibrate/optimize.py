"""Point estimate by optuna (TPE): the parameters that minimise the ABC distance, for quick
fits. Trials are asked in rounds of one per worker and told back in order, so a seeded
study gives the same answer on one worker or many."""

from __future__ import annotations

import math

import numpy as np

from twin.calibrate.simulate import Simulator
from twin.calibrate.smc import State, distances, fit_places, simulate
from twin.calibrate.spec import CalibrationSpec


def run_optuna(spec: CalibrationSpec, sim: Simulator, trials: int | None = None,
               on_round=None) -> State:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=spec.seed % 2**32))
    n = trials or spec.trials
    width = max(1, sim.n_workers)
    zs, ds, preds = [], [], []
    while len(zs) < n:
        batch = [study.ask() for _ in range(min(width, n - len(zs)))]
        lo_hi = [(math.log(p.lo), math.log(p.hi)) if p.log else (p.lo, p.hi)
                 for p in spec.priors]
        z = np.array([[t.suggest_float(p.key, a, b) for p, (a, b) in
                       zip(spec.priors, lo_hi, strict=True)] for t in batch])
        pred = simulate(spec, sim, z, fit_places(spec))
        d = distances(spec, pred)
        for t, di in zip(batch, d, strict=True):
            study.tell(t, float(di) if np.isfinite(di) else 1e300)
        zs += list(z)
        ds += list(d)
        preds += list(pred)
        if on_round:
            on_round(len(zs), n, float(np.min(ds)))
    best = int(np.argmin(ds))
    return State(0, np.array([zs[best]]), np.ones(1), np.array([ds[best]]),
                 np.array([preds[best]]), [float(ds[best])], [1.0], [1.0], [n], done=True)
