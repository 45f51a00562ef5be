"""The plugins an extraction process analyzes with, loaded once for all of them.

:class:`monitor.workers.ExtractPool` starts its processes from a forkserver that
imports this module first: the plugin manager (analyzers, their models and word
lists: most of an extraction process's memory) is then built once in the
forkserver, and every extraction process forked from it shares those pages
copy-on-write instead of loading its own copy. The forkserver runs no event loop
and no threads of the crawl, so forking from it is safe.

A forkserver outlives the pool that started it (it serves the whole parent
process): :func:`current` checks that the installed plugins are still those it
loaded, and loads afresh if not.
"""

from __future__ import annotations

from importlib.metadata import entry_points

from monitor.plugin_manager import GROUP, PluginManager, make_plugin_manager


def installed() -> tuple[tuple[str, str], ...]:
    """The entry points a plugin manager would load now, as (name, value) pairs."""
    return tuple(sorted((ep.name, ep.value) for ep in entry_points(group=GROUP)))


def _load() -> tuple[tuple[tuple[str, str], ...], PluginManager | None]:
    try:
        return installed(), make_plugin_manager()
    except Exception:  # a forkserver preload must not fail: the workers then load their own
        return (), None


_LOADED = _load()


def current() -> PluginManager:
    """The preloaded plugin manager when the installed plugins are still those it
    loaded, else a new one."""
    plugins, pm = _LOADED
    if pm is not None and plugins == installed():
        return pm
    return make_plugin_manager()
