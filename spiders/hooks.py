"""The built-in crawler plugin (the ``crawler`` entry point): the four source kinds,
and the ``crawl_sources`` and ``fetch_sources`` hooks, which run their spiders to
store (``crawl``: in this process, or sharded over several by ``spiders.shards``)
or to collect (``sources test``). Running spiders in one Scrapy process is
``spiders.process``; the spiders themselves are in their own modules."""

from __future__ import annotations

import os
from typing import Any

from monitor.children import stop_multiprocessing
from monitor.hookspecs import SourceKind, hookimpl
from monitor.ingest import kinds as k
from monitor.models import FetchResult, Source
from spiders.process import run_spiders


@hookimpl
def register_source_kinds() -> list[SourceKind]:
    return [
        SourceKind("page", "a web page; its main text (or --select region) is watched",
                   "spiders.page:PageSpider", k.page_extract),
        SourceKind("feed", "RSS, Atom or JSON Feed; each new entry's article is fetched",
                   "spiders.feed:FeedSpider", k.feed_extract, k.feed_links, reports_edits=True),
        SourceKind("listing", "a news index or sitemap.xml; each new article link is an item",
                   "spiders.listing:ListingSpider", k.listing_extract, k.listing_links),
        SourceKind("document", "a PDF (minutes, position papers), compared per paragraph",
                   "spiders.document:DocumentSpider", k.document_extract),
    ]


@hookimpl(trylast=True)
def crawl_sources(db_path: str, sources: list[Source], run_id: int, settings: dict[str, Any],
                  kinds: dict[str, SourceKind]) -> bool:
    from monitor.ingest.workers import ExtractPool, default_workers

    workers = settings.pop("TWINWATCH_EXTRACT_WORKERS", None)
    processes = settings.pop("TWINWATCH_CRAWL_PROCESSES", None)
    pool = ExtractPool(default_workers(len(sources)) if workers is None else int(workers),
                       eager=any(s.last_raw_fp is None for s in sources),
                       analysis=any(s.fetched_before for s in sources))
    pool.warm()  # its loading overlaps Scrapy's start, imports included: they come next
    from spiders.pipelines import SHARED  # imports Scrapy

    n = default_processes(sources) if processes is None else max(1, int(processes))
    token = f"pool-{run_id}"
    SHARED[token] = pool
    # Every crawler process reads and refreshes the robots.txt cache (spiders/robots.py).
    settings = {**settings, "TWINWATCH_ROBOTS_DB": db_path}
    try:
        if n > 1 and len(sources) > 1:
            from spiders.shards import crawl_sharded

            crawl_sharded(db_path, sources, kinds, run_id, settings, n, pool)
        else:
            run_spiders(sources, kinds, run_id,
                        {**settings, "TWINWATCH_DB": db_path, "TWINWATCH_POOL": token})
    finally:
        pool.close()
        SHARED.pop(token, None)
        stop_multiprocessing()  # nothing of the crawl outlives it (monitor.children)
    return True


SITES_PER_PROCESS = 32
"""Sites one crawler process keeps busy. A site takes one request at a time, so
a crawl's pace is set by how many sites it has, not how many sources: a process
of its own costs a second of CPU to start and every result a trip through a pipe,
which pays only when one process cannot keep up with that many sites at once
(``bench/crawl --latency 50``, 10 sites of 51 sources: one process started its
first request about 2.5 s sooner and used 40 % less CPU than two)."""


SHARD_CORES = 3
"""Cores a machine needs before a crawl is spread over several crawler processes. On
fewer, the extraction workers (one per core) already keep every core busy, so a second
crawler process adds only its cost: a second of CPU to start and a trip through a pipe,
pickled, for every result (``bench/crawl --sites 50 --pages 100 --latency 50``, 2 cores:
45.6 -> 37.5 CPU s on a first pass and 24.3 -> 18.1 on a recrawl with one process
instead of two, detection the same)."""


def default_processes(sources: list[Source]) -> int:
    """Crawler processes for a crawl of ``sources``: one for a small crawl, few sites
    or a machine of fewer than :data:`SHARD_CORES` cores, else one per
    :data:`SITES_PER_PROCESS` sites, at most one per core."""
    from urllib.parse import urlsplit

    from monitor.ingest.workers import SMALL_CRAWL

    if len(sources) < SMALL_CRAWL or (os.cpu_count() or 1) < SHARD_CORES:
        return 1
    sites = len({(urlsplit(s.url).hostname or "").lower() for s in sources})
    return max(1, min(os.cpu_count() or 1, -(-sites // SITES_PER_PROCESS)))


@hookimpl(trylast=True)
def fetch_sources(sources: list[Source], settings: dict[str, Any],
                  kinds: dict[str, SourceKind]) -> list[FetchResult]:
    from spiders.pipelines import SHARED

    results: list[FetchResult] = []
    SHARED["results"] = results
    try:
        run_spiders(sources, kinds, None, {**settings, "TWINWATCH_RESULTS": "results",
                                           "ITEM_PIPELINES": {"spiders.pipelines.CollectPipeline": 300}})
    finally:
        SHARED.pop("results", None)
    return results
