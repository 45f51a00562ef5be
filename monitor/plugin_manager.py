"""The plugin manager factory, and the helper that calls a collect-all hook one plugin at a time.

``make_plugin_manager()`` loads every entry point of the ``twinwatch`` group, each
on its own: a plugin that fails to import is recorded in ``pm.load_errors`` and
skipped, the others load. There is no module-level manager; whoever needs one
gets it passed in.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Any

import pluggy

from monitor import hookspecs
from monitor.hookspecs import SourceKind
from monitor.models import ChangeRow, CrawlSummary

GROUP = "twinwatch"


@dataclass(frozen=True)
class LoadError:
    """A plugin that could not be loaded, with why."""

    name: str
    value: str
    message: str


class PluginManager(pluggy.PluginManager):
    """pluggy's manager plus the load errors of our entry points."""

    def __init__(self) -> None:
        super().__init__(hookspecs.PROJECT)
        self.load_errors: list[LoadError] = []
        self.kinds_cache: dict[str, SourceKind] | None = None


def make_plugin_manager(
    *,
    load_entry_points: bool = True,
    distribution: str | None = None,
    extra: Iterable[object] = (),
) -> PluginManager:
    """A manager with our hook specs and the installed plugins.

    Args:
        load_entry_points: load the ``twinwatch`` entry-point group.
        distribution: only load entry points of this distribution (tests use
            ``"twinwatch"`` so third-party plugins installed on the machine stay out).
        extra: plugin objects to register as well (modules or instances).
    """
    pm = PluginManager()
    pm.add_hookspecs(hookspecs)
    if load_entry_points:
        for ep in entry_points(group=GROUP):
            if distribution and (ep.dist is None or ep.dist.name != distribution):
                continue
            _load(pm, ep)
    for plugin in extra:
        pm.register(plugin)
    pm.check_pending()
    if os.environ.get("TWINWATCH_TRACE_PLUGINS"):
        pm.trace.root.setwriter(lambda msg: print(msg, end=""))
        pm.enable_tracing()
    return pm


def _load(pm: PluginManager, ep: EntryPoint) -> None:
    if pm.get_plugin(ep.name) is not None or pm.is_blocked(ep.name):
        return
    try:
        plugin = ep.load()
        pm.register(plugin, name=ep.name)
    except Exception as exc:  # a broken plugin must not stop the program
        message = f"{type(exc).__name__}: {exc}"
        pm.load_errors.append(LoadError(ep.name, ep.value, message))


def call_each(
    pm: PluginManager, hook_name: str, on_error: Callable[[str, Exception], Any], **kwargs: Any
) -> list[tuple[str, Any]]:
    """Call every implementation of a collect-all hook on its own, in pluggy's order
    (last registered first); an exception becomes ``on_error(plugin_name, exc)``."""
    results: list[tuple[str, Any]] = []
    for impl in reversed(getattr(pm.hook, hook_name).get_hookimpls()):
        args = {name: kwargs[name] for name in impl.argnames}
        try:
            results.append((impl.plugin_name, impl.function(**args)))
        except Exception as exc:
            results.append((impl.plugin_name, on_error(impl.plugin_name, exc)))
    return results


def exporters(pm: PluginManager) -> dict[str, Any]:
    """Every registered exporter by format name (a later plugin replaces an earlier one)."""
    found: dict[str, Any] = {}

    def error(plugin: str, exc: Exception) -> list[Any]:
        pm.load_errors.append(LoadError(plugin, "register_exporters", f"{type(exc).__name__}: {exc}"))
        return []

    for _plugin, result in reversed(call_each(pm, "register_exporters", error)):
        for exporter in result or []:
            found[exporter.name] = exporter
    return found


def source_kinds(pm: PluginManager) -> dict[str, SourceKind]:
    """Every registered source kind by name (a later plugin replaces an earlier one);
    asked once per manager."""
    if pm.kinds_cache is None:
        found: dict[str, SourceKind] = {}

        def error(plugin: str, exc: Exception) -> list[Any]:
            pm.load_errors.append(LoadError(plugin, "register_source_kinds", f"{type(exc).__name__}: {exc}"))
            return []

        for _plugin, result in reversed(call_each(pm, "register_source_kinds", error)):
            for kind in result or []:
                found[kind.name] = kind
        pm.kinds_cache = found
    return pm.kinds_cache


def notify(pm: PluginManager, summary: CrawlSummary, changes: list[ChangeRow],
           config: dict[str, Any]) -> list[str]:
    """Call every notifier on its own; return one message per notifier that raised."""
    failures: list[str] = []

    def error(plugin: str, exc: Exception) -> None:
        failures.append(f"notifier {plugin} failed: {type(exc).__name__}: {exc}")

    call_each(pm, "notify_crawl", error, summary=summary, changes=changes, config=config)
    return failures


def describe(pm: PluginManager) -> list[dict[str, Any]]:
    """Loaded plugins with their hooks, for ``twinwatch plugins``."""
    out = []
    for name, plugin in sorted(pm.list_name_plugin(), key=lambda np: np[0]):
        hooks = sorted(h.name for h in pm.get_hookcallers(plugin) or [])
        out.append({"name": name, "module": getattr(plugin, "__name__", repr(plugin)), "hooks": hooks})
    return out
