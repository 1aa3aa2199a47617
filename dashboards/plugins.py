"""A plugin's own dashboard: the `twin.dashboards` entry-point group.

Each entry point names either a callable `fn(store_path) -> Panel viewable` (shown for every
run store) or a class with a classmethod `applies(ds) -> bool` (shown for the run stores it
accepts; `cls(store_path)` is the viewable, or has `__panel__`). `twin serve` adds one route
per plugin, `/plugin-<name>`, when at least one store fits; a plugin that does not import is
left out with the reason on `/index`, never a traceback."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.metadata import entry_points as _entry_points
from pathlib import Path

import panel as pn
import xarray as xr

from dashboards.data import options
from dashboards.stores import StoreInfo

GROUP = "twin.dashboards"


def entry_points():
    """The group's entry points (tests replace this function to register a fake one)."""
    return list(_entry_points(group=GROUP))


@dataclass(frozen=True)
class Plugin:
    name: str
    route: str
    target: object

    @property
    def title(self) -> str:
        return str(getattr(self.target, "title", None) or self.name)

    def fits(self, store: StoreInfo) -> bool:
        if store.kind != "run":
            return False
        applies = getattr(self.target, "applies", None)
        if applies is None:
            return True
        try:
            return bool(applies(xr.open_zarr(store.path, consolidated=None)))
        except Exception:  # noqa: BLE001 - a plugin's bug hides its app for this store only
            return False


def plugins() -> tuple[list[Plugin], list[str]]:
    """The loaded plugins, and why the others were left out."""
    found, problems = [], []
    for ep in entry_points():
        try:
            target = ep.load()
        except Exception as e:  # noqa: BLE001 - a broken plugin must not stop the server
            problems.append(f"{GROUP} entry point {ep.name!r} ({ep.value}) does not import: {e}")
            continue
        if not callable(target):
            problems.append(f"{GROUP} entry point {ep.name!r} ({ep.value}) is not a callable "
                            "or class")
            continue
        slug = re.sub(r"[^a-z0-9_-]+", "-", ep.name.lower()).strip("-") or "plugin"
        found.append(Plugin(ep.name, f"plugin-{slug}", target))
    return found, problems


def plugin_app(plugin: Plugin, stores: list[StoreInfo]):
    """A page with a store picker and the plugin's viewable for the picked store."""
    from dashboards.theme import template

    fits = [s for s in stores if plugin.fits(s)]
    opts = options(fits)
    select = pn.widgets.Select(label="results 结果", options=opts,
                               value=next(iter(opts.values()), None), sizing_mode="stretch_width")
    main = pn.Column(sizing_mode="stretch_width")

    def show(path):
        if not path:
            main[:] = [pn.pane.Markdown(f"No store fits the plugin {plugin.name!r}.")]
            return
        try:
            main[:] = [pn.panel(plugin.target(Path(path)))]
        except Exception as e:  # noqa: BLE001 - shown on the page, the server goes on
            main[:] = [pn.pane.Alert(f"plugin {plugin.name!r} failed on {path}: {e}",
                                     alert_type="danger")]

    select.param.watch(lambda e: show(e.new), "value")
    show(select.value)
    return template(plugin.title, [main], [select])


def plugin_routes(stores: list[StoreInfo]) -> tuple[dict, list[str]]:
    """Route -> (title, app factory) for the plugins that fit a store; problems."""
    found, problems = plugins()
    routes = {}
    for p in found:
        if any(p.fits(s) for s in stores):
            routes[p.route] = (p.title, lambda p=p: plugin_app(p, stores))
        else:
            problems.append(f"dashboard plugin {p.name!r}: no store it applies to")
    return routes, problems
