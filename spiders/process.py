"""One Scrapy process running the spiders of a crawl: :func:`run_spiders`.

Both ways a crawl runs start here: in this process (``spiders.hooks``, one process
for a small crawl, and ``sources test``) and in each crawler process of a sharded
crawl (``spiders.shards``). Which kinds exist and which pipeline stores the results
is the caller's; what the crawl settings are is :mod:`spiders.settings`.

Scrapy's own signal handlers are not installed: on its first SIGINT or SIGTERM Scrapy
stops gracefully, which means finishing every request already handed to the
downloader (a slow site's whole queue), and a crawl would go on long after Ctrl-C.
Here Ctrl-C raises ``KeyboardInterrupt`` and SIGTERM ``SystemExit`` (set up by the
caller, :func:`monitor.children.signals_exit`), which stop the crawl at once; what was
stored stays stored.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from monitor.collector import crawling
from monitor.hookspecs import SourceKind
from monitor.models import Source


def run_spiders(sources: list[Source], kinds: dict[str, SourceKind], run_id: int | None,
                overrides: dict[str, Any]) -> None:
    """Crawl ``sources`` with their kinds' spiders in one ``AsyncCrawlerProcess``
    (one crawler per kind) and return when all are done; the crawl settings plus
    ``overrides``, plus ``TWINWATCH_SCRAPY_SETTINGS`` (JSON) for experiments."""
    # Scrapy is imported here, not at module level, so that commands that never
    # crawl (list, review, export, tui) start without loading it.
    from scrapy.crawler import AsyncCrawlerProcess
    from scrapy.utils.misc import load_object

    from spiders import settings as crawl_settings
    from spiders.runstate import RUNS, SETTING

    extra = json.loads(os.environ.get("TWINWATCH_SCRAPY_SETTINGS") or "{}")  # for experiments
    # The crawlers of this run share each host's health and robots.txt (spiders.runstate).
    run_key = f"run-{run_id}-{os.getpid()}-{id(sources)}"
    process = AsyncCrawlerProcess(crawl_settings.as_dict({**overrides, SETTING: run_key, **extra}))
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
    crawling()  # what is loaded lives as long as the crawl; collect less often (monitor/collector.py)
    try:
        process.start(install_signal_handlers=False)
    finally:
        RUNS.pop(run_key, None)
