"""The plugins an extraction process analyzes with, loaded once for all of them.

:class:`monitor.ingest.workers.ExtractPool` starts its processes from a forkserver that
imports this module first: the plugins an extraction uses (the kinds, the text
extractor, the analyzers with their models and word lists: most of an extraction
process's memory) are then loaded once in the forkserver, and every extraction
process forked from it shares those pages copy-on-write instead of loading its own
copy. The forkserver runs no event loop and no threads of the crawl, so forking
from it is safe.

Plugins load when one of their hooks is first called (:mod:`monitor.plugin_manager`),
and analyzers load their models (language profiles, gazetteer) on first use:
:func:`_warm_up` runs one extraction and one analysis of a small sample so that
both are loaded in the forkserver, not once per worker. A crawl whose sources were
all never fetched cannot produce a change (a first fetch is the baseline), so
nothing will be analyzed: its pool starts the forkserver with
``TWINWATCH_WARM_ANALYZERS=0`` and only the extraction is warmed up: the analyzers
are not even imported (about 1 s of CPU and 110 MB less; a later analysis in that
process loads them on first use).

A forkserver lives as long as the pool that started it (it is stopped with it), but
a process may import this module for other reasons: :func:`current` checks that the
installed plugins are still those it loaded, and loads afresh if not.
"""

from __future__ import annotations

import gc
import os
from importlib.metadata import entry_points

from monitor.analyze.run import analyze
from monitor.collector import loading
from monitor.config import extract_nice, warm_analyzers
from monitor.ingest.extract import feeds
from monitor.ingest.kinds import page_extract
from monitor.models import ChangeDraft, FetchResult, Source
from monitor.plugin_manager import GROUP, PluginManager, make_plugin_manager, source_kinds

SAMPLE = (
    "The municipal council of Ixelles approved the twinning with Kinshasa and Nablus. "
    "Le conseil communal de Liège a voté la coopération avec Lubumbashi. "
    "De gemeenteraad van Gent keurde de stedenband met Mopti goed. "
    "Der Gemeinderat von Eupen unterstützt die Partnerschaft mit Ouagadougou."
)


def installed() -> tuple[tuple[str, str], ...]:
    """The entry points a plugin manager would load now, as (name, value) pairs."""
    return tuple(sorted((ep.name, ep.value) for ep in entry_points(group=GROUP)))


def _warm_up(pm: PluginManager, analyzers: bool = True) -> None:
    """Extract (and with ``analyzers``, analyze) :data:`SAMPLE` once, loading the
    plugins a job calls and what they load on first use."""
    source_kinds(pm)  # every job asks for its source's kind
    feeds.feedparser()  # imported by a feed's first job otherwise, in every worker
    source = Source(0, "http://127.0.0.1/")
    html = f"<html><body><main><h1>Council</h1><p>{SAMPLE}</p></main></body></html>".encode()
    page_extract(pm, source, FetchResult(0, source.url, 200, {"content-type": "text/html"}, html))
    if analyzers:
        analyze(pm, ChangeDraft(source, "page-changed", source.url, "Council", (SAMPLE,), (), text=SAMPLE))


def _load() -> tuple[tuple[tuple[str, str], ...], PluginManager | None]:
    nice = extract_nice()
    if nice:
        os.nice(nice)  # before the warm-up: it is the first CPU the forkserver takes
    try:
        with loading():
            pm = make_plugin_manager()
            _warm_up(pm, analyzers=warm_analyzers())
        # Out of the collector's sight: a collection would write to every object's
        # header and so copy, in each worker, the pages it shares with the forkserver.
        gc.freeze()
        return installed(), pm
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
