"""`twin serve`: the Panel apps on 127.0.0.1 (another address only when asked)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import panel as pn

from dashboards.stores import StoreInfo, discover
from twin.core.errors import TwinError

APPS = {  # route -> (title, module, kind of store it shows)
    "comparison": ("Scenario comparison", "dashboards.comparison", "sweep"),
    "drill": ("Storm drill", "dashboards.drill", "run"),
    "waste": ("Sorting adoption and waste", "dashboards.waste", "run"),
    "explorer": ("Run explorer", "dashboards.explorer", "run"),
}


def index_page(stores: list[StoreInfo], problems: list[str], extra: dict | None = None):
    """The landing page: the apps (plugins' too) and the stores found (and why others were
    left out)."""
    from dashboards.theme import bilingual, template

    titles = {**{r: t for r, (t, _, _) in APPS.items()},
              **{r: f"{t} (plugin)" for r, (t, _) in (extra or {}).items()}}
    links = "\n".join(f"- [{bilingual(title)}](./{route})" for route, title in titles.items())
    found = "\n".join(f"- `{s.path}` ({s.kind}: {s.name})" for s in stores) or "- none"
    left = "\n".join(f"- {p}" for p in problems) or "- none"
    body = f"## Apps\n{links}\n\n## Stores\n{found}\n\n## Left out\n{left}"
    return template("dashboards", [pn.pane.Markdown(body)])


def make_apps(stores: list[StoreInfo], problems: list[str], results_dir: Path) -> dict:
    """Route -> app factory (a new document per browser session), with the routes of the
    `twin.dashboards` plugins that fit a store."""
    import importlib

    from dashboards.plugins import plugin_routes

    extra, left = plugin_routes(stores)
    problems = [*problems, *left]
    apps = {"index": lambda: index_page(stores, problems, extra)}
    for route, (_title, module, _kind) in APPS.items():
        mod = importlib.import_module(module)
        apps[route] = (lambda mod=mod: mod.app(stores, results_dir))
    for route, (_title, make) in extra.items():
        apps[route] = make
    return apps


def warm(apps: dict) -> None:
    """Build every app once before the first visitor comes: the first page then costs what
    any later one does (lazy imports, opened stores, first Bokeh models are paid here).
    A failure is left for the real request to report."""
    for make in apps.values():
        with contextlib.suppress(Exception):  # the visitor's own request shows the error
            make().get_root()


def serve(paths: list[str], *, address: str = "127.0.0.1", port: int = 5006,
          results_dir: str = "results", allow_remote: bool = False, show: bool = False) -> None:
    """Serve the apps until interrupted."""
    if address not in ("127.0.0.1", "localhost", "::1") and not allow_remote:
        raise TwinError(f"--address {address} exposes the apps beyond this machine; "
                        "add --allow-remote to do so")
    stores, problems = discover(paths, results_dir)
    if paths and not stores:
        raise TwinError("no store to show: " + "; ".join(problems))
    for p in problems:
        print(f"twin serve: left out {p}")
    origin = [f"{address}:{port}", f"localhost:{port}"] if address != "0.0.0.0" else ["*"]
    apps = make_apps(stores, problems, Path(results_dir))
    warm(apps)
    print(f"twin serve: http://{address}:{port}/index  (Ctrl-C to stop)", flush=True)
    pn.serve(apps, address=address, port=port,
             show=show, title="twin", websocket_origin=origin, liveness=True,
             threaded=False, start=True)
