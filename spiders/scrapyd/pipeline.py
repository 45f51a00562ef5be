"""The item pipeline for spiders running under scrapyd: no database, no ingest.

Each FetchResult becomes exactly the object :func:`monitor.ingest.jsonl.to_json`
defines, so the JSON Lines feed export scrapyd writes (``items_dir``) is what
``twinwatch ingest`` loads. No business logic here.
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from monitor.ingest.jsonl import to_json
from monitor.models import FetchResult


class ExportPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExportPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, FetchResult):
            return to_json(item, self.crawler.spider.source_url(item.source_id))  # type: ignore[union-attr]
        return item
