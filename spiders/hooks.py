"""The built-in crawler plugin: runs the spiders in one Scrapy process."""

from __future__ import annotations

import logging
from typing import Any

from monitor.hookspecs import hookimpl
from monitor.models import Source


@hookimpl(trylast=True)
def crawl_sources(db_path: str, sources: list[Source], run_id: int, settings: dict[str, Any]) -> bool:
    # Scrapy is imported here, not at module level, so that commands that never
    # crawl (list, review, export, tui) start without loading it.
    from scrapy.crawler import AsyncCrawlerProcess

    from spiders import settings as crawl_settings
    from spiders.feed import FeedSpider
    from spiders.page import PageSpider

    spiders = {"page": PageSpider, "feed": FeedSpider}
    process = AsyncCrawlerProcess(crawl_settings.as_dict({**settings, "TWINWATCH_DB": db_path}))
    for name in crawl_settings.QUIET_LOGGERS:  # after Scrapy has configured logging
        logging.getLogger(name).setLevel(logging.CRITICAL)
    for kind, spider in spiders.items():
        chosen = [s for s in sources if s.kind == kind]
        if chosen:
            process.crawl(spider, sources=chosen, run_id=run_id)
    process.start(install_signal_handlers=True)
    return True
