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
    "gas": ("Gas network safety", "dashboards.gas", "run"),
    "parking": ("Parking", "dashboards.parking", "run"),
}


def index_page(stores: list[StoreInfo], problems: list[str], extra: dict | None = None,
               routes=None):
    """The landing page: the apps (plugins' too) and the stores found (and why others were
    left out)."""
    from dashboards.theme import bilingual, template

    titles = {**{r: t for r, (t, _, _) in APPS.items() if r in (routes or APPS)},
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
    apps: dict = {}
    for route, (_title, module, _kind) in APPS.items():
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as e:
            if e.name == module:  # an app not written yet: no route, nothing to report
                continue
            problems.append(f"app /{route} left out: {module} does not import ({e})")
            continue
        except Exception as e:  # noqa: BLE001 - one broken app must not stop the others
            problems.append(f"app /{route} left out: {module} does not import ({e})")
            continue
        apps[route] = (lambda mod=mod: mod.app(stores, results_dir))
    for route, (_title, make) in extra.items():
        apps[route] = make
    served = set(apps)
    apps["index"] = lambda: index_page(stores, problems, extra, served)
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
    from panel.io.server import get_server

    server = get_server(apps, address=address, port=port, show=show, title="twin",
                        websocket_origin=origin, liveness=True, start=False)
    confine_component_route(server)
    server.start()
    server.io_loop.start()


# Panel's `/components/<module>/<class>/...` route imports whatever module a URL names; the
# apps only ever ask it for the resources of modules already loaded from these packages.
COMPONENT_PACKAGES = ("panel", "bokeh", "dashboards")


def component_allowed(module: str) -> bool:
    """A component resource may be served only from a module already imported from one of
    COMPONENT_PACKAGES (a URL never makes the server import anything)."""
    import sys

    return module in sys.modules and module.split(".")[0] in COMPONENT_PACKAGES


def confine_component_route(server) -> int:
    """Replace Panel's component-resource handler by one that refuses (404) any module
    `component_allowed` does not accept; the number of routes replaced."""
    from panel.io.server import ComponentResourceHandler
    from tornado.web import HTTPError

    class ConfinedComponentHandler(ComponentResourceHandler):
        def parse_url_path(self, path: str) -> str:
            if not component_allowed(path.split("/", 1)[0]):
                raise HTTPError(404, "Module not found")
            return super().parse_url_path(path)

    replaced = 0
    for rule in server._tornado.wildcard_router.rules:
        if rule.target is ComponentResourceHandler:
            rule.target = ConfinedComponentHandler
            replaced += 1
    return replaced
