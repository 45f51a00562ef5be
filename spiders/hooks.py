"""The built-in crawler plugin: the four source kinds, and running their spiders in
one Scrapy process (to store, for ``crawl``; or to collect, for ``sources test``)."""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from monitor.hookspecs import SourceKind, hookimpl
from monitor.ingest import kinds as k
from monitor.models import FetchResult, Source


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


def _run(sources: list[Source], kinds: dict[str, SourceKind], run_id: int | None,
         overrides: dict[str, Any]) -> None:
    # Scrapy is imported here, not at module level, so that commands that never
    # crawl (list, review, export, tui) start without loading it.
    from scrapy.crawler import AsyncCrawlerProcess
    from scrapy.utils.misc import load_object

    from spiders import settings as crawl_settings

    extra = json.loads(os.environ.get("TWINWATCH_SCRAPY_SETTINGS") or "{}")  # for experiments
    process = AsyncCrawlerProcess(crawl_settings.as_dict({**overrides, **extra}))
    # Scrapy sets LOG_LEVEL on its handler only, so every debug line ("Crawled (200)
    # …") is still built as a LogRecord and then dropped: a measurable share of a big
    # crawl's CPU. Setting the level on the loggers drops them before that.
    logging.getLogger("scrapy").setLevel(process.settings.get("LOG_LEVEL"))
    for name in crawl_settings.QUIET_LOGGERS:  # after Scrapy has configured logging
        logging.getLogger(name).setLevel(logging.CRITICAL)
    for name, kind in kinds.items():
        chosen = [s for s in sources if s.kind == name]
        if chosen:
            spider = load_object(kind.spider.replace(":", "."))
            process.crawl(spider, sources=chosen, run_id=run_id, kind=kind)
    process.start(install_signal_handlers=True)


@hookimpl(trylast=True)
def crawl_sources(db_path: str, sources: list[Source], run_id: int, settings: dict[str, Any],
                  kinds: dict[str, SourceKind]) -> bool:
    from monitor.ingest.workers import ExtractPool, default_workers
    from spiders.pipelines import SHARED

    workers = settings.pop("TWINWATCH_EXTRACT_WORKERS", None)
    processes = settings.pop("TWINWATCH_CRAWL_PROCESSES", None)
    pool = ExtractPool(default_workers(len(sources)) if workers is None else int(workers),
                       eager=any(s.last_raw_fp is None for s in sources),
                       analysis=any(s.fetched_before for s in sources))
    n = default_processes(len(sources)) if processes is None else max(1, int(processes))
    token = f"pool-{run_id}"
    SHARED[token] = pool
    try:
        if n > 1 and len(sources) > 1:
            from spiders.shards import crawl_sharded

            crawl_sharded(db_path, sources, kinds, run_id, settings, n, pool)
        else:
            _run(sources, kinds, run_id, {**settings, "TWINWATCH_DB": db_path, "TWINWATCH_POOL": token})
    finally:
        pool.close()
        SHARED.pop(token, None)
    return True


def default_processes(sources: int) -> int:
    """Crawler processes for a crawl of ``sources`` sources: one for small crawls
    (a process costs a second of start-up), else one per core."""
    from monitor.ingest.workers import SMALL_CRAWL

    return 1 if sources < SMALL_CRAWL else max(1, os.cpu_count() or 1)


@hookimpl(trylast=True)
def fetch_sources(sources: list[Source], settings: dict[str, Any],
                  kinds: dict[str, SourceKind]) -> list[FetchResult]:
    from spiders.pipelines import SHARED

    results: list[FetchResult] = []
    SHARED["results"] = results
    try:
        _run(sources, kinds, None, {**settings, "TWINWATCH_RESULTS": "results",
                                    "ITEM_PIPELINES": {"spiders.pipelines.CollectPipeline": 300}})
    finally:
        SHARED.pop("results", None)
    return results
