"""The item pipelines: the crawl's single writer, and deliberately thin.

:class:`IngestPipeline` opens the database with ``open_db``, hands each
:class:`FetchResult` to ``monitor.workers.ingest_async`` (ingest with the
extraction in a process pool shared by every spider of the crawl) and closes the
database. :class:`CollectPipeline` only keeps the results (``sources test``).
No business logic here.
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from monitor.db import open_db
from monitor.models import FetchResult
from monitor.plugin_manager import make_plugin_manager
from monitor.workers import ExtractPool, ingest_async

SHARED: dict[str, Any] = {}
"""Objects a crawl shares between its crawlers (Scrapy deep-copies settings, so they
travel as a key): the extraction pool, the list ``sources test`` collects into."""


class IngestPipeline:
    def __init__(self, db_path: str, pool: ExtractPool) -> None:
        self.db_path = db_path
        self.pool = pool
        self.db: Any = None
        self.pm = make_plugin_manager()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IngestPipeline:
        pool = SHARED.get(crawler.settings.get("TWINWATCH_POOL", ""), ExtractPool(0))
        return cls(crawler.settings.get("TWINWATCH_DB"), pool)

    def open_spider(self) -> None:
        self.db = open_db(self.db_path)

    def close_spider(self) -> None:
        if self.db is not None:
            self.db.close()

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, FetchResult):
            await ingest_async(self.db, self.pm, item, self.pool)
        return item


class CollectPipeline:
    """Keeps every FetchResult in the list given as ``TWINWATCH_RESULTS``."""

    def __init__(self, results: list[FetchResult]) -> None:
        self.results = results

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CollectPipeline:
        return cls(SHARED[crawler.settings.get("TWINWATCH_RESULTS")])

    def process_item(self, item: Any) -> Any:
        if isinstance(item, FetchResult):
            self.results.append(item)
        return item
