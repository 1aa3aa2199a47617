"""Calibration on Dask: parallel efficiency on 2 local workers against this machine's
two-process ceiling (as `benchmarks/sweep.py` measures it; goal >= 0.95) and the runs an
ABC-SMC posterior of the sorting spec takes.

Efficiency: a small ABC-SMC of `calibration/sorting/spec.toml` (population 24, 2
generations: a few hundred households runs of 0.3-1 s) run serially in a warm plain process
(no Dask) and on a warm local cluster of 2 single-threaded worker processes, in ABBA
rounds; efficiency = serial time / (2 x cluster time), median over rounds. The ceiling is
the serial calibration run twice at once in two plain processes; `efficiency_vs_two_processes`
is the ratio. Every run of a generation's round waits for the round (the SMC accepts in
proposal order), so the tail of each round is what the cluster loses.

`runs_to_posterior`: model runs (proposals simulated, plus the posterior-predictive runs of
the held-out city) of the spec at its own settings (quick: the small one).
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks import ROOT

SPEC = ROOT / "calibration" / "sorting" / "spec.toml"


def _row(fig: str, value: float, unit: str) -> dict:
    return {"benchmark": "calibrate", "figure": fig, "value": value, "unit": unit}


def _spec(small: bool):
    from twin.calibrate.spec import load_calibration

    spec = load_calibration(SPEC)
    if small:
        spec = dataclasses.replace(spec, abc={**spec.abc, "population": 24, "generations": 2})
    return spec


def serve(out: str) -> None:
    """A serial calibrator: warm up, say `ready`, then calibrate once per line read."""
    from twin.calibrate.command import calibrate

    spec = _spec(True)
    calibrate(spec, Path(out) / "warm.zarr", workers=0, quiet=True)
    print("ready", flush=True)
    for i, _ in enumerate(sys.stdin):
        t0 = time.perf_counter()
        calibrate(spec, Path(out) / f"t{i}.zarr", workers=0, quiet=True)
        print(time.perf_counter() - t0, flush=True)


class _Serial:
    def __init__(self, tmp: Path, tag: str):
        out = tmp / f"serial-{tag}"
        out.mkdir()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "import sys; from benchmarks.calibrate import serve; "
             "serve(sys.argv[1])", str(out)], cwd=ROOT, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True)

    def line(self) -> str:
        got = self.proc.stdout.readline()
        if not got:
            raise RuntimeError("serial calibration failed")
        return got.strip()

    def start(self) -> None:
        self.proc.stdin.write("run\n")
        self.proc.stdin.flush()

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def run(quick: bool = False) -> list[dict]:
    from twin.calibrate.command import calibrate
    from twin.calibrate.store import open_posterior
    from twin.sweep.runner import local_client, local_cluster

    spec = _spec(True)
    rounds = 1 if quick else 4
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        a, b = _Serial(tmp, "a"), _Serial(tmp, "b")
        a.line()
        b.line()
        serial, pair, par = [], [], []
        with local_cluster(2) as cluster, local_client(cluster) as client:
            calibrate(spec, tmp / "warm2.zarr", client=client, quiet=True)

            def one_serial():
                a.start()
                serial.append(float(a.line()))
                a.start()
                b.start()
                pair.append(max(float(a.line()), float(b.line())))

            def one_cluster(i):
                t0 = time.perf_counter()
                calibrate(spec, tmp / f"par{i}.zarr", client=client, quiet=True)
                par.append(time.perf_counter() - t0)

            try:
                for i in range(rounds):
                    if i % 2 == 0:
                        one_serial()
                        one_cluster(i)
                    else:
                        one_cluster(i)
                        one_serial()
            finally:
                a.close()
                b.close()
            full = _spec(quick)
            t0 = time.perf_counter()
            ds = open_posterior(calibrate(full, tmp / "full.zarr", client=client, quiet=True))
            full_s = time.perf_counter() - t0
    effs = [s / (2 * p) for s, p in zip(serial, par, strict=True)]
    ceilings = [s / p for s, p in zip(serial, pair, strict=True)]
    eff, ceiling = float(np.median(effs)), float(np.median(ceilings))
    predictive = ds.sizes["sample"] * len({r.place for r in full.rows
                                           if r.place not in _fit_places(full)})
    return [
        _row("parallel_efficiency_2_workers", round(eff, 3), "1"),
        _row("two_processes_efficiency", round(ceiling, 3), "1"),
        _row("efficiency_vs_two_processes", round(eff / ceiling, 3), "1"),
        _row("serial_calibration_s", round(float(np.median(serial)), 2), "s"),
        _row("runs_to_posterior", int(ds["simulations"].sum()) + predictive, "1"),
        _row("generations", int(ds.sizes["generation"]), "1"),
        _row("final_tolerance", round(float(ds["tolerance"][-1]), 3), "1"),
        _row("posterior_s_2_workers", round(full_s, 1), "s"),
    ]


def _fit_places(spec):
    from twin.calibrate.smc import fit_places

    return fit_places(spec)
