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
    """Entry point 0 in the order test: two hooks."""

    @staticmethod
    @hookimpl
    def register_exporters() -> list[str]:
        return ["early"]

    @staticmethod
    @hookimpl
    def search_terms(lang: str) -> list[str]:
        return ["early"]


class Middle:
    """Entry point 1: one hook, shared with both others."""

    @staticmethod
    @hookimpl
    def search_terms(lang: str) -> list[str]:
        return ["middle"]


class Late:
    """Entry point 2, hooks not declared (as a third-party plugin): loaded up front."""

    @staticmethod
    @hookimpl
    def register_exporters() -> list[str]:
        return ["late"]

    @staticmethod
    @hookimpl
    def search_terms(lang: str) -> list[str]:
        return ["late"]


def _ep(name: str, value: str) -> EntryPoint:
    return EntryPoint(name, value, GROUP)


def _manager(report=None):
    pm = make_plugin_manager(load_entry_points=False, report=report)
    pm.add_entry_points([
        (_ep("early", f"{HERE}:Early"), {"register_exporters", "search_terms"}),
        (_ep("middle", f"{HERE}:Middle"), {"search_terms"}),
        (_ep("late", f"{HERE}:Late"), None),
        (_ep("broken", "tests.no_such_module_here"), {"register_exporters"}),
    ])
    return pm


def test_plugins_load_with_their_first_hook_and_errors_are_reported_then():
    """Only the plugin of unknown hooks loads up front; the others, and the failure of
    a broken one, come with the first call of one of their hooks."""
    reported: list[LoadError] = []
    pm = _manager(reported.append)
    assert [name for name, _ in pm.list_name_plugin()] == ["late"]
    assert pm.load_errors == [] and reported == []
    assert pm.hook.register_exporters() == [["late"], ["early"]]
    assert sorted(name for name, _ in pm.list_name_plugin()) == ["early", "late"]
    assert [e.name for e in pm.load_errors] == ["broken"] and reported == pm.load_errors
    assert "ModuleNotFoundError" in reported[0].message


def test_call_order_is_entry_point_order_whatever_loads_first():
    """A plugin loaded later than one placed after it in entry-point order is still
    called after it (pluggy calls the last registered first), as if all loaded at once."""
    pm = _manager()
    pm.hook.register_exporters()  # loads Early after Late
    assert pm.hook.search_terms(lang="nl") == [["late"], ["middle"], ["early"]]
    assert [i.plugin_name for i in pm.hook.register_exporters.get_hookimpls()] == ["early", "late"]
    extra = make_plugin_manager(load_entry_points=False, extra=[Middle()])
    extra.add_entry_points([(_ep("early", f"{HERE}:Early"), {"search_terms"})])
    assert extra.hook.search_terms(lang="nl") == [["middle"], ["early"]]  # registered directly: last


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
