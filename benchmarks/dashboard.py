"""Dashboard speed through a real browser: time to first render of the comparison app on a
1,000-run sweep store, and time for a slider update (goals <= 3 s and <= 300 ms), reported
beside the store's size. The store comes from a real sweep (households sorting adoption on
the demo city, 60 days per run) run in this process."""

from __future__ import annotations

from pathlib import Path

BASE = """# households sorting adoption on the demo city: the base of the dashboard sweeps
[scenario]
name = "sorting-base"
start = 2019-01-01
horizon_days = {days}
seed = 7
[city]
builtin = "demo"
[models.households]
initial_participation = 0.1
campaign_start = 2019-01-15   # policies set the campaign's strength and the incentive
incentive_start = 2019-01-15
"""

SWEEP = """# three sorting policies under uncertain behaviour (Morris design)
[sweep]
name = "{name}"
base = "base.toml"
replicates = {replicates}
root_seed = 7
chunk_runs = {chunk}
[design]
kind = "morris"
samples = {samples}
levels = 4
[uncertainties]
"households.imitation_per_month" = {{ range = [0.05, 1.5] }}
"households.innovation_per_month" = {{ range = [0.001, 0.02] }}
"households.kg_per_person_day" = {{ range = [0.8, 1.2] }}
[policies.no_policy]
[policies.campaign]
"households.campaign_intensity_per_month" = 0.3
[policies.incentive]
"households.incentive_cny_per_month" = 10.0
"households.incentive_response_per_cny_month" = 0.02
[outputs]
participation_mean = {{ var = "participation", reduce = "mean" }}
separation_rate = {{ var = "sorted_share", reduce = "mean" }}
participation = {{ var = "participation", reduce = "mean", over = ["district"] }}
[analysis]
sensitivity = ["participation_mean"]
discover = [{{ output = "participation_mean", below = 0.3 }}]
"""


def write_sweep(folder: Path, *, name: str = "sorting", samples: int = 2, replicates: int = 1,
                days: int = 60, chunk: int = 16) -> Path:
    """A sweep file (and its base scenario) in `folder`: samples x 4 scenarios x 3 policies
    x replicates runs."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "base.toml").write_text(BASE.format(days=days), encoding="utf-8")
    path = folder / f"{name}.toml"
    path.write_text(SWEEP.format(name=name, samples=samples, replicates=replicates,
                                 chunk=chunk), encoding="utf-8")
    return path


DOC_TEXT = """(needle) => {
  for (const doc of window.Bokeh.documents)
    for (const m of doc.all_models)
      if (typeof m.text === 'string' && m.text.includes(needle)) return m.text;
  return null;
}"""
RENDERED = """() => {
  for (const doc of window.Bokeh.documents)
    for (const m of doc.all_models)
      if (m.data && m.data.q1 && m.data.q1.length > 0) return true;
  return false;
}"""


def _size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def _serve(store: Path, folder: Path):
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = (folder / "serve.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "twin.cli", "serve", str(store), "--port",
                             str(port), "--results", str(folder)], stdout=log,
                            stderr=subprocess.STDOUT,
                            env={**os.environ, "BOKEH_ALLOW_WS_ORIGIN": f"127.0.0.1:{port}"})
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/liveness", timeout=2)
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("twin serve did not come up")


def measure(url: str, renders: int = 3, moves: int = 5) -> tuple[list, list, list, list]:
    """Seconds to first render of /comparison: the first page after the server started
    (cold), then fresh pages (new sessions, empty browser cache); the index page of the same
    server as a reference (what any Panel page costs on this machine now); and seconds from a key press on the threshold slider to the updated sentences."""
    import time

    from playwright.sync_api import sync_playwright

    from benchmarks import CHROMIUM_FLAGS

    cold, first, update, index = [], [], [], []
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        for i in range(renders + 1):
            page = b.new_page(viewport={"width": 1366, "height": 768})
            t0 = time.perf_counter()
            page.goto(f"{url}/comparison")
            page.wait_for_function(RENDERED, timeout=120_000, polling="raf")
            # the first load after start also opens the store and imports the apps
            (first if i else cold).append(time.perf_counter() - t0)
            if i:  # reference: the index page (one Markdown pane) in the same template
                ref = b.new_page(viewport={"width": 1366, "height": 768})
                t0 = time.perf_counter()
                ref.goto(f"{url}/index")
                ref.wait_for_function("window.Bokeh && window.Bokeh.documents.length > 0 && "
                                      "document.body.innerText.length > 0", polling="raf")
                index.append(time.perf_counter() - t0)
                ref.close()
            if i == renders:
                handle = page.locator(".threshold-slider .noUi-handle")
                handle.focus()
                for _ in range(moves):
                    page.evaluate(f"window.__text = ({DOC_TEXT})('PRIM')")
                    t0 = time.perf_counter()
                    handle.press("ArrowRight")
                    page.wait_for_function(f"({DOC_TEXT})('PRIM') !== window.__text",
                                           timeout=60_000, polling="raf")
                    update.append(time.perf_counter() - t0)
            page.close()
        b.close()
    return cold, first, update, index


def run(quick: bool = False) -> list[dict]:
    import contextlib
    import io
    import tempfile
    import time

    from twin.sweep.command import run_file

    samples = 8 if quick else 84  # x 4 scenarios (Morris, 3 factors) x 3 policies
    with tempfile.TemporaryDirectory(prefix="twin-bench-dash-") as tmp:
        folder = Path(tmp)
        sweep = write_sweep(folder, samples=samples, replicates=1, days=30, chunk=64)
        t0 = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):  # keep stdout for the JSON lines
            store = run_file(sweep, out=folder / "sorting.zarr", workers=0, quiet=True)
        sweep_s = time.perf_counter() - t0
        return rows(store, folder) + drill_rows(folder) + [
            {"benchmark": "dashboard", "figure": "sweep_wall_s", "value": round(sweep_s, 1),
             "unit": "s"}]


DRILL = """[scenario]
name = "bench-drill"
start = 2024-07-01T00:00:00
horizon_hours = 2
seed = 1
[city]
builtin = "demo"
[models.drainage]
storm = "design"
return_period_years = 20.0
duration_min = 60.0
mobile_pumps = 2
[[events]]
at = "00:30"
model = "drainage"
kind = "pump_outage"
station = "PS01"
restore_after_h = 1.0
"""
# frames the drill's player has shown: the time slider's value, read on every animation
# frame (the map's colours follow it in the same browser callback; frames with equal data,
# such as the dry ones before the rain, cannot be told apart by the map's sources)
COUNT_FRAMES = """(ms) => new Promise((done) => {
  let slider = null;
  for (const doc of window.Bokeh.documents)
    for (const m of doc.all_models)
      if (m.format && m.format.code && m.end !== undefined) slider = m;
  let frames = 0, last = slider.value;
  const t0 = performance.now();
  const tick = () => {
    if (slider.value !== last) { frames += 1; last = slider.value; }
    if (performance.now() - t0 < ms) requestAnimationFrame(tick);
    else done(frames / (ms / 1000));
  };
  requestAnimationFrame(tick);
})"""


def measure_play(url: str, seconds: float = 4.0) -> float:
    """Map frames shown per second while the drill's player runs (from its first frame)."""
    from playwright.sync_api import sync_playwright

    from benchmarks import CHROMIUM_FLAGS

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        page = b.new_page(viewport={"width": 1366, "height": 768})
        page.goto(f"{url}/drill")
        page.wait_for_selector(".time-slider .noUi-handle", timeout=120_000)
        page.wait_for_function("window.Bokeh && window.Bokeh.documents.length > 0")
        handle = page.locator(".time-slider .noUi-handle")
        handle.focus()
        handle.press("Home")
        page.wait_for_timeout(500)
        page.get_by_role("button", name="▶ play 播放").click()  # timed from the click
        fps = page.evaluate(COUNT_FRAMES, seconds * 1000)
        b.close()
    return float(fps)


def drill_rows(folder: Path) -> list[dict]:
    """Run a two-hour drill, serve it and measure the player."""
    import subprocess
    import sys

    from dashboards.drillview import FPS

    (folder / "drill.toml").write_text(DRILL, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "twin.cli", "run", str(folder / "drill.toml"),
                    "--out", str(folder / "drill.zarr"), "--quiet"], check=True,
                   capture_output=True)
    proc, url = _serve(folder / "drill.zarr", folder)
    try:
        fps = measure_play(url)
    finally:
        proc.terminate()
        proc.wait(10)
    return [{"benchmark": "dashboard", "figure": "play_frames_per_s", "value": round(fps, 1),
             "unit": "1/s"},
            {"benchmark": "dashboard", "figure": "play_frames_promised_per_s", "value": FPS,
             "unit": "1/s"}]


def rows(store: Path, folder: Path) -> list[dict]:
    """Serve `store` and measure it through the browser."""
    import statistics

    import xarray as xr

    n_runs = xr.open_zarr(store).sizes["run"]
    proc, url = _serve(store, folder)
    try:
        cold, first, update, index = measure(url)
    finally:
        proc.terminate()
        proc.wait(10)
    row = lambda fig, v, u: {"benchmark": "dashboard", "figure": fig, "value": v,  # noqa: E731
                             "unit": u}
    return [row("first_render_s", round(statistics.median(first), 3), "s"),
            row("first_render_cold_s", round(cold[0], 3), "s"),
            row("index_render_s", round(statistics.median(index), 3), "s"),
            row("first_render_over_index", round(statistics.median(first)
                                                 / statistics.median(index), 2), "x"),
            row("slider_update_s", round(statistics.median(update), 3), "s"),
            row("store_runs", int(n_runs), "runs"),
            row("store_size_mb", round(_size_mb(store), 2), "MB")]
