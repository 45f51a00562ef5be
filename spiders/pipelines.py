"""The item pipeline: the crawl's single writer, and deliberately thin.

Opens the database with ``open_db``, hands each :class:`FetchResult` to
``monitor.ingest.ingest`` and closes the database. No business logic here.
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from monitor.db import open_db
from monitor.ingest import ingest
from monitor.models import FetchResult
from monitor.plugin_manager import make_plugin_manager


class IngestPipeline:
    def __init__(self, db_path: str) -> None:
        self.db_path = db_path
        self.db: Any = None
        self.pm = make_plugin_manager()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IngestPipeline:
        return cls(crawler.settings.get("TWINWATCH_DB"))

    def open_spider(self) -> None:
        self.db = open_db(self.db_path)

    def close_spider(self) -> None:
        if self.db is not None:
            self.db.close()

    def process_item(self, item: Any) -> Any:
        if isinstance(item, FetchResult):
            ingest(self.db, self.pm, item)
        return item
