"""Real-browser fixtures: `twin serve` in a subprocess on 127.0.0.1 and Debian's chromium
driven by Playwright (never `playwright install`). Each page records console errors and any
request to a host other than loopback, so tests can assert the apps work offline."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from benchmarks import CHROMIUM_FLAGS
from benchmarks.dashboard import DRILL as BENCH_DRILL

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).parent / "screenshots"
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}

pytestmark = pytest.mark.browser


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A `twin serve` process; stopped (with its children) at teardown."""

    def __init__(self, stores: list[Path], results_dir: Path, cwd: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = results_dir / f"serve-{self.port}.log"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "twin.cli", "serve", *map(str, stores), "--port",
             str(self.port), "--results", str(results_dir)],
            cwd=cwd, stdout=self.log.open("w"), stderr=subprocess.STDOUT,
            env={**os.environ, "BOKEH_ALLOW_WS_ORIGIN": f"127.0.0.1:{self.port}"})
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"twin serve exited: {self.log.read_text()[-2000:]}")
            try:
                urllib.request.urlopen(f"{self.url}/liveness", timeout=2)
                return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"twin serve did not come up: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} missing: `make system-deps` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A 1366x768 page; `page.console_errors` and `page.outside_requests` are recorded."""
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)
    pg = ctx.new_page()
    pg.console_errors = []
    pg.outside_requests = []
    pg.on("console", lambda m: pg.console_errors.append(m.text) if m.type == "error" else None)

    def on_request(req):
        host = urlparse(req.url).hostname
        if req.url.startswith(("http:", "https:", "ws:", "wss:")) and host not in LOOPBACK:
            pg.outside_requests.append(req.url)

    pg.on("request", on_request)
    yield pg
    ctx.close()


@pytest.fixture
def page800(browser):
    """A 1280x800 page (the small laptop size the apps must fit), recording as `page` does."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    pg = ctx.new_page()
    pg.console_errors, pg.outside_requests = [], []
    pg.on("console", lambda m: pg.console_errors.append(m.text) if m.type == "error" else None)
    pg.on("request", lambda r: pg.outside_requests.append(r.url) if r.url.startswith(
        ("http:", "https:", "ws:", "wss:")) and urlparse(r.url).hostname not in LOOPBACK
        else None)
    yield pg
    ctx.close()


@contextlib.contextmanager
def launched(launch: str, folder: Path, root: Path):
    """Serve apps with a small launcher script (`python -c launch folder port`) until the
    block ends; yields the base URL once /liveness answers."""
    port = free_port()
    log = (folder / "serve.log").open("w")
    proc = subprocess.Popen([sys.executable, "-c", launch, str(folder), str(port)], cwd=root,
                            stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, "PYTHONPATH": str(root)})
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if proc.poll() is not None:
                raise RuntimeError((folder / "serve.log").read_text()[-2000:])
            try:
                urllib.request.urlopen(f"{url}/liveness", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def screenshot(page, name: str) -> Path:
    """Save a screenshot for review (tests/browser/screenshots/, git-ignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


# ------------------------------------------------------------------------------------------
# Small real stores, built once per session: a storm drill and a waste run (`twin run`), a
# sorting-adoption sweep (`twin sweep`, 48 runs), and a folder that is not a store.
DRILL = BENCH_DRILL.replace('name = "bench-drill"', 'name = "test-drill"')  # one drill


def _twin(*args: str, cwd: Path, wait: bool = True):
    p = subprocess.Popen([sys.executable, "-m", "twin.cli", *args, "--quiet"], cwd=cwd,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return _done(p, args) if wait else (p, args)


def _done(p: subprocess.Popen, args) -> None:
    out, err = p.communicate()
    if p.returncode:
        raise RuntimeError(f"twin {' '.join(args)} failed:\n{out[-2000:]}\n{err[-3000:]}")


def whole_city_scenario(root: Path) -> str:
    """Households + waste + drainage on one clock: the compound storm drill (two days, the
    storm at 09:00 on the first), or an equivalent when the scenario file is not there."""
    path = root / "scenarios/city/compound_storm_drill.toml"
    if path.is_file():
        return path.read_text(encoding="utf-8")
    return ("[scenario]\nname = \"compound_storm_drill\"\nstart = 2024-07-01T00:00:00\n"
            "horizon_days = 2\nseed = 7\n[city]\nbuiltin = \"demo\"\n[models.households]\n"
            "[models.waste]\n[models.drainage]\nstorm = \"design\"\n"
            "return_period_years = 20.0\nduration_min = 180.0\n")


@pytest.fixture(scope="session")
def results(tmp_path_factory) -> Path:
    """A results folder with real stores (about forty seconds to build)."""
    from benchmarks.dashboard import write_sweep

    root = Path(__file__).resolve().parents[2]
    folder = tmp_path_factory.mktemp("results")
    # the longest build runs beside the others (named to sort after drill and waste, so
    # those apps still open on their own stores first)
    (folder / "whole_city.toml").write_text(whole_city_scenario(root), encoding="utf-8")
    city = _twin("run", str(folder / "whole_city.toml"), "--out",
                 str(folder / "whole_city_drill.zarr"), cwd=root, wait=False)
    (folder / "drill.toml").write_text(DRILL, encoding="utf-8")
    _twin("run", str(folder / "drill.toml"), "--out", str(folder / "drill.zarr"), cwd=root)
    waste = (root / "scenarios/waste/expansion_plan.toml").read_text(encoding="utf-8")
    (folder / "waste.toml").write_text(waste.replace("horizon_days = 28", "horizon_days = 5"),
                                       encoding="utf-8")
    _twin("run", str(folder / "waste.toml"), "--out", str(folder / "waste.zarr"), cwd=root)
    sweep = write_sweep(folder / "sweep", samples=2, replicates=2, days=30)
    _twin("sweep", str(sweep), "--workers", "0", "--out", str(folder / "sorting.zarr"), cwd=root)
    (folder / "not_a_store.zarr").mkdir()
    _done(*city)
    return folder


@pytest.fixture(scope="session")
def server(results):
    """`twin serve` over the results folder (stores found by discovery)."""
    srv = Server([], results, Path(__file__).resolve().parents[2])
    yield srv
    srv.stop()
