"""The `twin` command: run scenarios, sweeps and the demo; inspect models and cities.

User mistakes (bad files, unknown names, unreachable services) end with one line on stderr
and exit status 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import time
from pathlib import Path

from twin.core.errors import TwinError
from twin.core.numbers import plain

RESULTS_DIR = Path("results")
DEMO_SCENARIOS = (  # the main job on the built-in city, in this order
    "scenarios/waste/today.toml",
    "scenarios/waste/expansion_plan.toml",
    "scenarios/drainage/storm_drill.toml",
    "scenarios/city/compound_storm_drill.toml",
)


def _progress(desc: str, stream=None):
    """A tqdm bar over simulated time on a terminal; elsewhere (a log, a batch job) one line
    on stderr per tenth of the horizon, so a long run is never silent."""
    stream = stream or sys.stderr
    if not getattr(stream, "isatty", lambda: False)():
        return _log_progress(desc, stream)
    from tqdm import tqdm

    bar = tqdm(total=100, desc=desc, unit="%", leave=False, disable=None,
               bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining}")

    def update(done_s: float, horizon_s: float) -> None:
        bar.n = round(100 * done_s / horizon_s)
        bar.refresh()
        if done_s >= horizon_s:
            bar.close()

    return update


LOG_EVERY_S = 60.0  # a log line at least this often (wall time), besides every tenth


def _log_progress(desc: str, stream):
    t0 = time.perf_counter()
    shown = [-1, t0]  # last tenth logged, when the last line was written

    def update(done_s: float, horizon_s: float) -> None:
        tenth = int(10 * done_s / horizon_s) if horizon_s > 0 else 10
        now = time.perf_counter()
        if tenth > shown[0] or (now - shown[1] >= LOG_EVERY_S and done_s < horizon_s):
            shown[0], shown[1] = max(tenth, shown[0]), now
            unit, unit_s = ("hour", 3600.0) if horizon_s < 2 * 86400 else ("day", 86400.0)
            print(f"twin: {desc}: {int(100 * done_s / max(horizon_s, 1e-9))}% of simulated "
                  f"time ({unit} {plain(done_s / unit_s, 6)} of {plain(horizon_s / unit_s, 6)}"
                  f"), {now - t0:.0f} s", file=stream, flush=True)

    return update


# Results stores keep time as datetime64[ns]: these are the first and last instants a
# scenario's calendar can reach.
FIRST_INSTANT = dt.datetime(1677, 9, 22)
LAST_INSTANT = dt.datetime(2262, 4, 11)


def check_seed(value: int | None, flag: str) -> None:
    """Seeds feed numpy's SeedSequence: integers from 0 to 2**63 - 1."""
    if value is not None and not 0 <= value < 2**63:
        raise TwinError(f"{flag} must be an integer from 0 to {2**63 - 1}, not {value}")


def check_calendar(scenario) -> None:
    """A scenario's start and end must be instants a results store can hold, and its
    start has no time zone (twin runs on the city's local clock: refused, not converted,
    since the city's zone is not known)."""
    where = scenario.path or scenario.name
    start = scenario.start.replace(tzinfo=None)
    try:
        end = start + dt.timedelta(seconds=scenario.horizon_s)
    except OverflowError:  # past year 9999
        end = dt.datetime.max
    if start < FIRST_INSTANT or end > LAST_INSTANT:
        raise TwinError(f"{where}: scenario.start {start:%Y-%m-%d} plus the horizon ends "
                        f"{end:%Y-%m-%d}; allowed: start and end from {FIRST_INSTANT:%Y-%m-%d}"
                        f" to {LAST_INSTANT:%Y-%m-%d} (results store times as datetime64[ns])")
    if scenario.path is not None:
        _check_start_zone(scenario.path)


def _check_start_zone(path: Path) -> None:
    """The scenario loader drops a zone from `start`; read it again to refuse it."""
    from twin.core.scenario import read_toml

    head = read_toml(path)[0].get("scenario", {})
    start = head.get("start") if isinstance(head, dict) else None
    if isinstance(start, dt.datetime) and start.tzinfo is not None:
        raise TwinError(f"{path}: scenario.start {start.isoformat()} has a time zone; "
                        "allowed: a local date-time without an offset (the city's clock); "
                        "refused rather than converted, since the city's zone is not known")


def run_one(path: str | Path, out: Path | None = None, *, seed: int | None = None,
            replicate: int = 0, quiet: bool = False, overwrite: bool = False) -> Path:
    """Validate, run and store one scenario; print its summary table.

    Everything that could stop the store from being written is checked before the run
    (seed, calendar, the output name, an existing store without `overwrite`)."""
    from twin.core import registry
    from twin.core.paths import check_out, default_store
    from twin.core.results import check_replace, write_results
    from twin.core.run import run
    from twin.core.scenario import load_scenario

    check_seed(seed, "--seed")
    check_seed(replicate, "--replicate")
    scenario = load_scenario(path)
    check_calendar(scenario)
    out = check_out(out) if out is not None else default_store(scenario.name, RESULTS_DIR)
    check_replace(out, overwrite=overwrite)
    t0 = time.perf_counter()
    ds = run(scenario, root_seed=seed, replicate=replicate,
             progress=None if quiet else _progress(scenario.name))
    elapsed = time.perf_counter() - t0
    write_results(ds, out, overwrite=overwrite)
    rows = [r for name in scenario.models for r in registry.get(name).summarize(ds)]
    print(f"\n{scenario.name}: {scenario.horizon_s / 86400:g} days on city "
          f"'{ds.attrs['city']}', seed {ds.attrs['seed_root']}, {elapsed:.1f} s")
    print(format_table(rows))
    print(f"results: {out}")
    return out


def format_table(rows: list[tuple[str, float, str]]) -> str:
    """Rows of (label, value, unit) as an aligned text table."""
    if not rows:
        return "  (no headline figures)"
    w = max(len(r[0]) for r in rows)
    return "\n".join(f"  {label:<{w}}  {_fmt(value):>12}  {unit}" for label, value, unit in rows)


def _fmt(v: float) -> str:
    v = float(v)
    if v != v:
        return "n/a"
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:,.3g}"


def cmd_run(args) -> int:
    if args.until_known:
        return _run_until_known(args)
    run_one(args.scenario, Path(args.out) if args.out else None, seed=args.seed,
            replicate=args.replicate, quiet=args.quiet, overwrite=args.overwrite)
    return 0


def _run_until_known(args) -> int:
    """Replicates of a waste scenario until its headline figures are known (each replicate
    stored as <out>/<scenario>-r<i>.zarr; the waste app pools them)."""
    from twin.core.scenario import load_scenario
    from twin.models.waste.replicates import main as replicates_until_known

    if "waste" not in load_scenario(args.scenario).models:
        raise TwinError(f"{args.scenario}: --until-known needs a scenario with [models.waste] "
                        "(it replicates until the waste headline figures are known)")
    replicates_until_known(args.scenario, out_dir=Path(args.out) if args.out else RESULTS_DIR)
    return 0


def cmd_demo(args) -> int:
    """Run the main job on the built-in city and say where the results are."""
    from twin.sweep.command import demo as demo_sweeps

    root = Path(args.root)
    done = []
    for rel in DEMO_SCENARIOS:
        path = root / rel
        if path.is_file():
            # the demo's own stores under results/ are rebuilt each time
            done.append(run_one(path, quiet=args.quiet, overwrite=True))
    done += demo_sweeps(root, quiet=args.quiet)  # small versions of scenarios/sweeps/
    if not done:
        raise TwinError(f"no demo scenarios found under {root}; run from the twin checkout")
    print("\nDemo results:\n" + "\n".join(f"  {p}" for p in done))
    demo_briefing_step(done)
    return 0


def demo_briefing_step(stores: list[Path]) -> Path:
    """End the demo with the static briefing of its results and how to open the live apps."""
    from dashboards.briefing import demo_briefing

    out = demo_briefing(stores, RESULTS_DIR / "briefing.html")
    print(f"\nBriefing (static HTML): {out}\nLive apps: twin serve --results {RESULTS_DIR}  "
          "(then open http://127.0.0.1:5006/index)")
    return out


def cmd_models(args) -> int:
    """List registered models, or one model's parameters and events."""
    from twin.core import registry
    from twin.core.params import describe

    if not args.name:
        for name in registry.names():
            cls = registry.get(name)
            print(f"{name:<12} {(cls.__doc__ or '').strip().splitlines()[0]}")
        return 0
    cls = registry.get(args.name)
    print(f"[models.{args.name}]  {(cls.__doc__ or '').strip().splitlines()[0]}")
    for p in describe(cls.Params):
        print(f"  {p.name} = {p.default!r}\n      {p.doc}; allowed: {p.allowed()}")
    for kind, payload in cls.events.items():
        fields = ", ".join(f"{p.name}" for p in describe(payload))
        print(f"  event {kind!r}: {(payload.__doc__ or '').strip()} fields: {fields}")
    for label, names in (("requires", cls.requires), ("uses (when present)", cls.uses),
                         ("publishes", [c.name for c in cls.publishes]), ("reads", cls.reads)):
        if names:
            print(f"  {label}: {', '.join(names)}")
    return 0


def cmd_city(args) -> int:
    """Generate (and optionally save) a synthetic city and print its summary."""
    from twin.city import BUILTIN, generate_city, save_city
    from twin.city.builtin import builtin_city
    from twin.city.generate import (
        COLLECTION_POINT_HOUSEHOLDS_RANGE,
        HOUSEHOLDS_PER_COLLECTION_POINT,
    )

    hpp = (HOUSEHOLDS_PER_COLLECTION_POINT if args.households_per_point is None
           else args.households_per_point)
    lo, hi = COLLECTION_POINT_HOUSEHOLDS_RANGE
    if not lo <= hpp <= hi:
        raise TwinError(f"--households-per-point must be from {lo} to {hi}, not {hpp}")
    check_seed(args.seed, "--seed")
    save = _check_save(args.save, args.overwrite) if args.save else None
    if args.builtin:
        if args.builtin not in BUILTIN:
            raise TwinError(f"unknown built-in city {args.builtin!r}; built-in: "
                            + ", ".join(BUILTIN))
        city = builtin_city(args.builtin, hpp)
    else:
        if not 1_000 <= args.households <= 5_000_000:
            raise TwinError("--households must be from 1000 to 5000000")
        city = generate_city(args.households, args.seed, households_per_point=hpp)
    for k, v in city.summary().items():
        print(f"  {k:<20} {v}")
    if save is not None:
        from twin.core.paths import swap_in, temp_beside

        tmp = temp_beside(save)
        try:
            save_city(city, tmp)
            swap_in(tmp, save)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        print(f"saved: {save}")
    return 0


def _check_save(text: str, overwrite: bool) -> Path:
    """`--save FOLDER`: a new folder, or a saved city replaced with --overwrite; never a
    file or a folder of other things."""
    from twin.core.paths import check_out

    path = check_out(text, "--save")
    if path.is_file() or path.is_symlink():
        raise TwinError(f"--save {path}: a file is there; choose a folder for the city")
    if path.is_dir() and any(path.iterdir()):
        if not (path / "city.json").is_file():
            raise TwinError(f"--save {path}: the folder holds other things; choose a new or "
                            "empty folder")
        if not overwrite:
            raise TwinError(f"--save {path}: a saved city is there; pass --overwrite to "
                            "replace it, or choose another folder")
    return path


def cmd_validate(args) -> int:
    """Rerun every validation test (external truths) with pytest: twin's own and those a
    plugin registers in the `twin.validations` entry-point group (a module or package of
    pytest tests)."""
    import pytest

    tests = Path(args.root) / "tests" / "validation"
    if not tests.is_dir():
        raise TwinError(f"{tests}: no validation tests here; run from the twin checkout")
    paths = [str(tests), *validation_paths()]
    return pytest.main([*paths, "-q", "-m", "slow or not slow"])


def validation_paths() -> list[str]:
    """Test files or folders of the plugins' `twin.validations` entry points."""
    from importlib.metadata import entry_points

    out = []
    for ep in entry_points(group="twin.validations"):
        try:
            mod = ep.load()
        except Exception as e:  # a broken plugin is reported, not a traceback
            raise TwinError(f"twin.validations entry point {ep.name!r} ({ep.value}) does not "
                            f"import: {e}") from None
        f = Path(getattr(mod, "__file__", "") or "")
        if not f.is_file():
            raise TwinError(f"twin.validations entry point {ep.name!r} is not a module of tests")
        out.append(str(f.parent if f.name == "__init__.py" else f))
    return out


def cmd_channels(args) -> int:
    """The couplings between models, generated from the registered models."""
    from twin.core import registry
    from twin.coupling import catalogue, channels_page

    classes = [registry.get(n) for n in registry.names()]
    chans = catalogue(classes)
    if args.markdown:
        print(channels_page(chans, classes), end="")
        return 0
    for name in sorted(chans):
        c = chans[name]
        readers = ", ".join(sorted(k.name for k in classes if name in k.reads)) or "-"
        print(f"{name}  [{c.units}]  {c.producer} -> {readers}\n    {' '.join(c.doc.split())}")
    return 0


def cmd_serve(args) -> int:
    """Serve the dashboards on 127.0.0.1 (another address only with --allow-remote)."""
    from dashboards.serve import serve

    serve(args.stores, address=args.address, port=args.port, results_dir=args.results,
          allow_remote=args.allow_remote, show=args.show)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="twin", description=__doc__.splitlines()[0])
    from twin import __version__

    p.add_argument("--version", action="version", version=f"twin {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    r = sub.add_parser("run", help="run one scenario file and store its results as Zarr")
    r.add_argument("scenario", help="scenario TOML file")
    r.add_argument("--out", help="results store (default results/<scenario name>.zarr)")
    r.add_argument("--seed", type=int, help="root seed (default: the scenario's)")
    r.add_argument("--replicate", type=int, default=0, help="replicate number (default 0)")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.add_argument("--overwrite", action="store_true",
                   help="replace an existing results store at --out (never a sweep or "
                   "calibration store, nor a folder that is not a twin store)")
    r.add_argument("--until-known", action="store_true",
                   help="waste: run replicates until the headline figures are known within "
                   "their stated half-widths (--out is then a folder, default results/)")
    r.set_defaults(func=cmd_run)
    d = sub.add_parser("demo", help="run the main job on the built-in city")
    d.add_argument("--root", default=".", help="twin checkout holding scenarios/ (default .)")
    d.add_argument("--quiet", action="store_true", help="no progress bars")
    d.set_defaults(func=cmd_demo)
    m = sub.add_parser("models", help="list models, or show one model's parameters and events")
    m.add_argument("name", nargs="?", help="model name")
    m.set_defaults(func=cmd_models)
    c = sub.add_parser("city", help="generate a synthetic city, print its summary, save it")
    c.add_argument("--builtin", help="a built-in city by name (demo, small, large)")
    c.add_argument("--households", type=int, default=20_000, help="households (1000-5000000)")
    c.add_argument("--seed", type=int, default=0, help="generator seed")
    c.add_argument("--households-per-point", type=int,
                   help="households sharing a collection point (default 400)")
    c.add_argument("--save", help="folder to write city.zarr, city.json and city.geojson")
    c.add_argument("--overwrite", action="store_true", help="replace a city saved at --save")
    c.set_defaults(func=cmd_city)
    v = sub.add_parser("validate", help="rerun every validation test against external truths")
    v.add_argument("--root", default=".", help="twin checkout (default .)")
    v.set_defaults(func=cmd_validate)
    ch = sub.add_parser("channels", help="list the channels models publish and read")
    ch.add_argument("--markdown", action="store_true", help="the docs page (docs/channels.md)")
    ch.set_defaults(func=cmd_channels)
    sv = sub.add_parser("serve", help="serve the Panel dashboards for results stores")
    sv.add_argument("stores", nargs="*", help="results stores (default: all under --results)")
    sv.add_argument("--address", default="127.0.0.1", help="listen address (default 127.0.0.1)")
    sv.add_argument("--port", type=int, default=5006, help="port (default 5006)")
    sv.add_argument("--results", default="results", help="results folder (default results)")
    sv.add_argument("--allow-remote", action="store_true",
                    help="allow a non-loopback --address (exposes the apps to the network)")
    sv.add_argument("--show", action="store_true", help="open a browser")
    sv.set_defaults(func=cmd_serve)
    from twin.calibrate.command import add_parser as add_calibrate
    from twin.sweep.command import add_parser as add_sweep

    add_sweep(sub)
    add_calibrate(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except TwinError as e:
        print(f"twin: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("twin: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
