"""The plugin manager factory, and the helper that calls a collect-all hook one plugin at a time.

``make_plugin_manager()`` finds every entry point of the ``twinwatch`` group. A plugin
is loaded (imported and registered) when a hook it implements is first called: a
crawl then never imports the text extractor nor the analyzers unless it extracts
inline, and an extraction worker loads them but never the exporters. This is the one
place that decides what a process loads; callers just call hooks.

To know a plugin's hooks without importing it, the built-ins (the entry points of
the ``twinwatch`` distribution) are listed in :data:`BUILTIN_HOOKS` (a test checks it
against what each one implements). Any other plugin is loaded when the manager is
made, so a third-party plugin is called for every hook it implements, as before.
Whatever the order plugins load in, each hook calls them in entry-point order (the
last first, as pluggy does), exactly as if all had loaded at once.

Each plugin loads on its own: one that fails to import is recorded in
``pm.load_errors`` (and reported through ``report``) and skipped, the others load.
There is no module-level manager; whoever needs one gets it passed in.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Any

import pluggy

from monitor import hookspecs
from monitor.hookspecs import SourceKind
from monitor.models import ChangeRow, CrawlSummary

GROUP = "twinwatch"

BUILTIN = "twinwatch"
"""The distribution whose entry points :data:`BUILTIN_HOOKS` describes."""

BUILTIN_HOOKS: dict[str, frozenset[str]] = {
    name: frozenset(hooks) for name, hooks in {
        "html_text": ("extract_text", "extraction_path"),
        "exporters": ("register_exporters",),
        "xlsx": ("register_exporters",),
        "datapackage": ("register_exporters",),
        "quickstatements": ("register_exporters",),
        "language": ("analyze_change",),
        "relevance": ("analyze_change",),
        "category": ("analyze_change",),
        "places": ("analyze_change",),
        "facts": ("analyze_change",),
        "events": ("analyze_change",),
        "search": ("search_terms",),
        "crawler": ("register_source_kinds", "crawl_sources", "fetch_sources"),
        "portals": ("register_source_kinds",),
        "notify": ("notify_crawl",),
        "dashboard": ("launch_dashboard",),
    }.items()
}
"""The hooks each built-in entry point (by name) implements: it is loaded when one of
them is first called. A built-in not listed here is loaded up front, like a
third-party plugin."""


@dataclass(frozen=True)
class LoadError:
    """A plugin that could not be loaded, with why."""

    name: str
    value: str
    message: str


@dataclass(frozen=True)
class _Waiting:
    """An entry point not loaded yet: its place among the entry points, and its hooks."""

    rank: int
    entry_point: EntryPoint
    hooks: frozenset[str]


class _OnDemand(pluggy.HookCaller):
    """A hook caller that first loads the plugins waiting for its hook."""

    __slots__ = ("_need",)

    def __init__(self, name: str, hook_execute: Any, need: Callable[[str], None]) -> None:
        super().__init__(name, hook_execute)
        self._need = need

    def get_hookimpls(self) -> list[Any]:
        self._need(self.name)
        return super().get_hookimpls()

    def __call__(self, **kwargs: object) -> Any:
        self._need(self.name)
        return super().__call__(**kwargs)

    def call_historic(self, *args: Any, **kwargs: Any) -> None:
        self._need(self.name)
        super().call_historic(*args, **kwargs)

    def call_extra(self, *args: Any, **kwargs: Any) -> Any:
        self._need(self.name)
        return super().call_extra(*args, **kwargs)


class PluginManager(pluggy.PluginManager):
    """pluggy's manager that loads entry points when their hooks are first called,
    plus the load errors of our entry points.

    Call order: pluggy calls the plugins of a hook in reverse registration order, so
    before a plugin is registered, every plugin still waiting that comes before it
    (in entry-point order; a plugin registered directly comes after them all) and
    shares a hook with it is loaded first. Nothing registered is ever moved, so
    another thread calling a hook meanwhile never misses a plugin."""

    def __init__(self, report: Callable[[LoadError], None] | None = None) -> None:
        super().__init__(hookspecs.PROJECT)
        self.load_errors: list[LoadError] = []
        self.kinds_cache: dict[str, SourceKind] | None = None
        self._report = report
        self._waiting: list[_Waiting] = []
        self._ready: set[str] = set()
        """Hooks no plugin waits for any more."""
        self._entry_points = 0
        self._lock = threading.RLock()

    def add_hookspecs(self, module_or_class: Any) -> None:
        for name in dir(module_or_class):
            if self.parse_hookspec_opts(module_or_class, name) is not None and \
                    getattr(self.hook, name, None) is None:
                setattr(self.hook, name, _OnDemand(name, self._hookexec, self._need))
        super().add_hookspecs(module_or_class)

    def register(self, plugin: Any, name: str | None = None) -> str | None:
        """Register ``plugin`` after every entry point: those waiting that share a
        hook with it are loaded first."""
        with self._lock:
            return self._admit(plugin, name, math.inf)

    def add_entry_points(self, found: Iterable[tuple[EntryPoint, Collection[str] | None]]) -> None:
        """Add plugins from entry points, in order: each with the hooks it implements
        waits until one of them is called; one with ``None`` (hooks unknown) loads now.
        A name already added is skipped."""
        with self._lock:
            seen = {w.entry_point.name for w in self._waiting}
            for ep, hooks in found:
                if ep.name in seen or self.get_plugin(ep.name) is not None:
                    continue
                seen.add(ep.name)
                waiting = _Waiting(self._entry_points, ep, frozenset(hooks or ()))
                self._entry_points += 1
                if hooks is None:
                    self._load(waiting)
                else:
                    self._waiting.append(waiting)
                    self._ready.difference_update(waiting.hooks)

    def unregister(self, plugin: Any | None = None, name: str | None = None) -> Any | None:
        """pluggy's ``unregister``; a plugin still waiting to load is dropped by its name,
        so it never loads (tests take the analyzers out this way)."""
        with self._lock:
            if plugin is None and name is not None and self.get_plugin(name) is None:
                self._waiting = [w for w in self._waiting if w.entry_point.name != name]
                return None
            return super().unregister(plugin, name)

    def load(self, hook_names: Iterable[str] | None = None) -> None:
        """Load now the plugins waiting for any of ``hook_names`` (every one with
        ``None``): for a listing of all plugins, or to load them ahead of use."""
        if hook_names is None:
            hook_names = {hook for waiting in self._waiting for hook in waiting.hooks}
        for name in sorted(hook_names):
            self._need(name)

    def _need(self, hook_name: str) -> None:
        if hook_name in self._ready:
            return
        with self._lock:
            if self._load_before(hook_name, math.inf):
                self.check_pending()
            self._ready.add(hook_name)

    def _load_before(self, hook_name: str, rank: float) -> bool:
        """Load the waiting plugins of ``hook_name`` placed before ``rank``, in order;
        whether there were any."""
        due = [w for w in self._waiting if hook_name in w.hooks and w.rank < rank]
        if due:
            self._waiting = [w for w in self._waiting if w not in due]
            for waiting in due:
                self._load(waiting)
        return bool(due)

    def _load(self, waiting: _Waiting) -> None:
        ep = waiting.entry_point
        if self.is_blocked(ep.name):
            return
        try:
            self._admit(ep.load(), ep.name, waiting.rank)
        except Exception as exc:  # a broken plugin must not stop the program
            error = LoadError(ep.name, ep.value, f"{type(exc).__name__}: {exc}")
            self.load_errors.append(error)
            if self._report is not None:
                self._report(error)

    def _admit(self, plugin: Any, name: str | None, rank: float) -> str | None:
        """Register ``plugin`` at place ``rank``, after the waiting plugins before it
        that share a hook with it."""
        for attr in dir(plugin):
            opts = self.parse_hookimpl_opts(plugin, attr)
            if opts is not None:
                self._load_before(opts.get("specname") or attr, rank)
        return super().register(plugin, name)


def make_plugin_manager(
    *,
    load_entry_points: bool = True,
    distribution: str | None = None,
    extra: Iterable[object] = (),
    report: Callable[[LoadError], None] | None = None,
) -> PluginManager:
    """A manager with our hook specs and the installed plugins, each loaded when a
    hook it implements is first called (see the module's docstring).

    Args:
        load_entry_points: load the ``twinwatch`` entry-point group.
        distribution: only load entry points of this distribution (tests use
            ``"twinwatch"`` so third-party plugins installed on the machine stay out).
        extra: plugin objects to register as well (modules or instances).
        report: called with each plugin that fails to load, when it does (the
            failures are also kept in ``pm.load_errors``).
    """
    pm = PluginManager(report)
    pm.add_hookspecs(hookspecs)
    if load_entry_points:
        named = _dist_names()
        pm.add_entry_points(
            (ep, _builtin_hooks(ep, named)) for ep in entry_points(group=GROUP)
            if not distribution or named(ep) == distribution
        )
    for plugin in extra:
        pm.register(plugin)
    pm.check_pending()
    if os.environ.get("TWINWATCH_TRACE_PLUGINS"):
        pm.trace.root.setwriter(lambda msg: print(msg, end=""))
        pm.enable_tracing()
    return pm


def _dist_names() -> Callable[[EntryPoint], str | None]:
    """The name of an entry point's distribution, read once per distribution: each
    ``Distribution.name`` reads and parses its METADATA file again, once for each of
    twinwatch's thirty entry points (a few hundredths of a second of every command)."""
    names: dict[Any, str] = {}  # a distribution hashes by identity

    def named(ep: EntryPoint) -> str | None:
        dist = ep.dist
        if dist is None:
            return None
        if dist not in names:
            names[dist] = dist.name
        return names[dist]

    return named


def _builtin_hooks(ep: EntryPoint, named: Callable[[EntryPoint], str | None]) -> frozenset[str] | None:
    """The hooks of a built-in entry point, None for any other (hooks unknown)."""
    if named(ep) != BUILTIN:
        return None
    return BUILTIN_HOOKS.get(ep.name)


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
    """Every plugin with its hooks, for ``twinwatch plugins`` (loads those still waiting)."""
    pm.load()
    out = []
    for name, plugin in sorted(pm.list_name_plugin(), key=lambda np: np[0]):
        hooks = sorted(h.name for h in pm.get_hookcallers(plugin) or [])
        out.append({"name": name, "module": getattr(plugin, "__name__", repr(plugin)), "hooks": hooks})
    return out
