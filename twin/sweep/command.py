"""`twin sweep SWEEP [--scheduler ADDRESS] [--resume] [--out PATH] [--workers N]`: run a
sweep file into a Zarr store, then print (and save beside the store) its analysis."""

from __future__ import annotations

import json
from pathlib import Path

from twin.core.errors import TwinError

RESULTS_DIR = Path("results")
# small versions of the shipped sweeps for `make demo` (same files, fewer samples)
DEMO_SWEEPS = {
    "scenarios/sweeps/rainstorm_waterlogging.toml": {"samples": 2},
    "scenarios/sweeps/sorting_adoption.toml": {"samples": 2, "replicates": 1,
                                               "max_replicates": 2},
}
DEMO_WORKERS = 2


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "sweep", help="run a sweep file (many scenarios and policies) on Dask into one store",
        description="Run every scenario x policy x replicate of a sweep file on a local Dask "
        "cluster (default) or an existing one, store the KPIs in one Zarr store, and print "
        "the paired comparisons, sensitivity indices and scenario discovery it asks for.")
    p.add_argument("sweep", help="sweep TOML file (see scenarios/sweeps/)")
    p.add_argument("--out", help="sweep store (default results/<sweep name>.zarr)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="use the Dask cluster at ADDRESS (tcp://host:port) instead of a "
                   "local one")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="local worker processes (default: one per core; 0 runs in this "
                   "process without Dask)")
    p.add_argument("--resume", action="store_true",
                   help="continue an interrupted sweep in --out (finished runs are kept)")
    p.add_argument("--samples", type=int, help="override the design's samples (smaller runs)")
    p.add_argument("--replicates", type=int, help="override the sweep's replicates")
    p.add_argument("--max-replicates", type=int, metavar="N",
                   help="override [compare] max_replicates (replicates added for precision)")
    p.add_argument("--connect-timeout", type=float, default=10.0, metavar="S",
                   help="seconds to wait for --scheduler and its workers (default 10)")
    p.add_argument("--overwrite", action="store_true", help="replace a finished sweep store "
                   "at --out (kept until the new sweep is complete)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=main)


def run_file(path: str | Path, *, out: str | Path | None = None, workers: int | None = None,
             scheduler: str | None = None, resume: bool = False, samples: int | None = None,
             replicates: int | None = None, max_replicates: int | None = None,
             connect_timeout_s: float = 10.0, quiet: bool = False, client=None,
             overwrite: bool = False) -> Path:
    """Run (or resume) a sweep file, print its summary and analysis; returns the store."""
    from twin.sweep.analysis import format_report
    from twin.sweep.runner import run_sweep
    from twin.sweep.spec import load_sweep
    from twin.sweep.store import open_sweep

    if workers is not None and workers < 0:
        raise TwinError("--workers must be 0 (this process) or more")
    if workers is not None and scheduler:
        raise TwinError("give --workers (a local cluster) or --scheduler (an existing one), "
                        "not both")
    spec = load_sweep(path, samples=samples, replicates=replicates,
                      max_replicates=max_replicates)
    out = Path(out) if out else RESULTS_DIR / f"{spec.name}.zarr"
    where = (f"the Dask cluster at {scheduler}" if scheduler else "this process"
             if workers == 0 else "a local Dask cluster" if client is None else
             "the given Dask cluster")
    if not quiet:
        print(f"{spec.name}: {'resuming' if resume else 'running'} on {where} into {out}")
    s = run_sweep(spec, out, workers=workers, scheduler=scheduler, client=client,
                  resume=resume, progress=not quiet, connect_timeout_s=connect_timeout_s,
                  overwrite=overwrite)
    print(f"{spec.name}: {s.n_runs} runs ({s.already_done} already done, {s.computed} run now, "
          f"{s.failed} failed) on {s.workers or 1} worker(s) in {s.elapsed_s:.1f} s; "
          f"{s.batch_runs or 1} run(s) per task")
    for note in s.notes:
        print(f"  {note}")
    print(format_report(json.loads(open_sweep(out).attrs["analysis"])))
    print(f"results: {out} (analysis in its `analysis` attribute: docs/sweeps.md)")
    return out


def main(args) -> int:
    run_file(args.sweep, out=args.out, workers=args.workers, scheduler=args.scheduler,
             resume=args.resume, samples=args.samples, replicates=args.replicates,
             max_replicates=args.max_replicates,
             connect_timeout_s=args.connect_timeout, quiet=args.quiet,
             overwrite=args.overwrite)
    return 0


def demo(root: str | Path = ".", quiet: bool = False) -> list[Path]:
    """Small versions of the shipped sweeps on the built-in city (for `twin demo`), on one
    local cluster of 2 single-threaded worker processes on loopback."""

    from twin.sweep.runner import local_client, local_cluster

    paths = [(Path(root) / rel, small) for rel, small in DEMO_SWEEPS.items()]
    paths = [(p, small) for p, small in paths if p.is_file()]
    if not paths:
        return []
    done = []
    with local_cluster(DEMO_WORKERS) as cluster, \
            local_client(cluster) as client:
        for path, small in paths:
            done.append(run_file(path, out=RESULTS_DIR / f"{path.stem}_demo.zarr",
                                 quiet=quiet, client=client, overwrite=True, **small))
    return done
