"""The plugin manager loads a plugin when one of its hooks is first called, keeps
entry-point order whatever loads first, and loads plugins of unknown hooks up front."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import EntryPoint, entry_points

import pluggy

from monitor import hookspecs
from monitor.hookspecs import hookimpl
from monitor.plugin_manager import BUILTIN, BUILTIN_HOOKS, GROUP, LoadError, make_plugin_manager

HERE = "tests.monitor.test_plugin_manager"


class Early:
    """Two hooks."""

    @staticmethod
    @hookimpl
    def register_exporters() -> list[str]:
        return ["early"]

    @staticmethod
    @hookimpl
    def search_terms(lang: str) -> list[str]:
        return ["early"]


class Middle:
    """One hook."""

    @staticmethod
    @hookimpl
    def search_terms(lang: str) -> list[str]:
        return ["middle"]


class Late:
    """Two hooks."""

    @staticmethod
    @hookimpl
    def register_exporters() -> list[str]:
        return ["late"]

    @staticmethod
    @hookimpl
    def search_terms(lang: str) -> list[str]:
        return ["late"]


class Last:
    """One hook."""

    @staticmethod
    @hookimpl
    def search_terms(lang: str) -> list[str]:
        return ["last"]


def _ep(name: str, value: str) -> EntryPoint:
    return EntryPoint(name, value, GROUP)


def _manager(*found, report=None):
    """A manager of the entry points ``(name, class name, hooks)`` of this module."""
    pm = make_plugin_manager(load_entry_points=False, report=report)
    pm.add_entry_points([(_ep(name, f"{HERE}:{cls}"), hooks) for name, cls, hooks in found])
    return pm


def _loaded(pm) -> list[str]:
    return sorted(name for name, _ in pm.list_name_plugin())


def test_plugins_load_with_their_first_hook_and_errors_are_reported_then():
    """A plugin loads, or its failure is reported, when one of its hooks is first
    called, and not before."""
    reported: list[LoadError] = []
    pm = make_plugin_manager(load_entry_points=False, report=reported.append)
    pm.add_entry_points([(_ep("early", f"{HERE}:Early"), {"register_exporters", "search_terms"}),
                         (_ep("broken", "tests.no_such_module_here"), {"register_exporters"}),
                         (_ep("last", f"{HERE}:Last"), {"search_terms"})])
    assert _loaded(pm) == [] and reported == []
    assert pm.hook.register_exporters() == [["early"]]
    assert _loaded(pm) == ["early"]
    assert [e.name for e in pm.load_errors] == ["broken"] and reported == pm.load_errors
    assert "ModuleNotFoundError" in reported[0].message
    assert pm.hook.search_terms(lang="nl") == [["last"], ["early"]]
    assert _loaded(pm) == ["early", "last"]


def test_a_waiting_plugin_unregistered_by_name_never_loads():
    """``pm.unregister(name=...)`` takes out a plugin that has not loaded yet, as it takes
    out a loaded one (the dashboard's tests take the analyzers out this way)."""
    pm = _manager(("early", "Early", {"register_exporters", "search_terms"}),
                  ("last", "Last", {"search_terms"}))
    assert pm.unregister(name="last") is None
    assert pm.hook.search_terms(lang="nl") == [["early"]]
    assert _loaded(pm) == ["early"]


def test_a_plugin_loads_after_the_earlier_ones_it_shares_a_hook_with():
    """Loaded for one hook, a plugin brings the earlier plugins of its other hooks with
    it: each hook calls its plugins in entry-point order, the last first, as if all
    had loaded at once."""
    pm = _manager(("middle", "Middle", {"search_terms"}),
                  ("late", "Late", {"register_exporters", "search_terms"}))
    assert pm.hook.register_exporters() == [["late"]]
    assert _loaded(pm) == ["late", "middle"]
    assert pm.hook.search_terms(lang="nl") == [["late"], ["middle"]]


def test_a_plugin_of_unknown_hooks_loads_up_front_in_its_place():
    """A plugin with no declared hooks (a third-party one) loads when the manager is
    made, after the earlier plugins it shares a hook with; a later one still waits."""
    pm = _manager(("early", "Early", {"register_exporters", "search_terms"}),
                  ("middle", "Middle", {"search_terms"}), ("late", "Late", None),
                  ("last", "Last", {"search_terms"}))
    assert _loaded(pm) == ["early", "late", "middle"]
    assert pm.hook.search_terms(lang="nl") == [["last"], ["late"], ["middle"], ["early"]]
    assert pm.hook.register_exporters() == [["late"], ["early"]]


def test_a_plugin_registered_directly_comes_after_every_entry_point():
    """``pm.register`` (a test's or ``extra`` plugin) loads the waiting plugins of its
    hooks first, so it is called before them."""
    pm = _manager(("early", "Early", {"register_exporters", "search_terms"}),
                  ("last", "Last", {"search_terms"}))
    pm.register(Middle(), "direct")
    assert _loaded(pm) == ["direct", "early", "last"]
    assert pm.hook.search_terms(lang="nl") == [["middle"], ["last"], ["early"]]


def test_builtin_hooks_are_what_each_builtin_implements():
    """Every entry point of our distribution is in BUILTIN_HOOKS with exactly the hooks
    its plugin implements (else a hook would miss it, or it would load up front)."""
    ours = [ep for ep in entry_points(group=GROUP) if ep.dist is not None and ep.dist.name == BUILTIN]
    assert sorted(ep.name for ep in ours) == sorted(BUILTIN_HOOKS)
    for ep in ours:
        plain = pluggy.PluginManager(hookspecs.PROJECT)
        plain.add_hookspecs(hookspecs)
        plugin = ep.load()
        plain.register(plugin, ep.name)
        plain.check_pending()
        assert {h.name for h in plain.get_hookcallers(plugin) or []} == BUILTIN_HOOKS[ep.name], ep.name


def test_the_describe_listing_loads_everything():
    """`twinwatch plugins` (describe) shows every built-in, loaded or not yet."""
    from monitor.plugin_manager import describe

    pm = make_plugin_manager(distribution="twinwatch")
    assert {d["name"] for d in describe(pm)} == set(BUILTIN_HOOKS)


CRAWL = """
import json, sys
from monitor.plugin_manager import make_plugin_manager, notify, source_kinds
pm = make_plugin_manager(distribution="twinwatch")
source_kinds(pm)
pm.hook.crawl_sources.get_hookimpls()
notify(pm, None, [], {})
loaded = sorted(name for name, _ in pm.list_name_plugin())
heavy = [m for m in ("trafilatura", "openpyxl", "plugins.analyzers.relevance", "textual") if m in sys.modules]
from monitor.ingest.kinds import page_extract
from monitor.models import FetchResult, Source
s = Source(0, "http://127.0.0.1/")
text = b"The council approved the twinning with Mopti. " * 9
body = b"<html><body><main><h1>Council</h1><p>" + text + b"</p></main></body></html>"
page_extract(pm, s, FetchResult(0, s.url, 200, {"content-type": "text/html"}, body))
print(json.dumps([loaded, heavy, "html_text" in dict(pm.list_name_plugin()), "trafilatura" in sys.modules]))
"""


def test_a_crawl_loads_only_the_plugins_it_calls():
    """A process that crawls loads the crawler, the portal kinds and the notifier, and
    imports no extractor, analyzer, exporter or dashboard, until it extracts a page."""
    out = subprocess.run([sys.executable, "-c", CRAWL], capture_output=True, text=True, timeout=60,
                         check=True, env={**os.environ, "TWINWATCH_TRACE_PLUGINS": ""})
    loaded, heavy, extractor, trafilatura = json.loads(out.stdout)
    assert loaded == ["crawler", "notify", "portals"]
    assert heavy == []
    assert extractor and trafilatura


def test_a_first_pass_forkserver_loads_no_analyzer():
    """The extraction preload of a first pass (no analysis warm-up) loads the text
    extractor but does not import the analyzers."""
    code = ("import sys, monitor.ingest.preload as e; pm = e._LOADED[1]; "
            "print(sorted(n for n, _ in pm.list_name_plugin()), "
            "'plugins.analyzers.relevance' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True,
                         env={**os.environ, "TWINWATCH_WARM_ANALYZERS": "0"})
    assert out.stdout.strip() == "['crawler', 'html_text', 'portals'] False", out.stderr[-2000:]
