"""The item pipelines, deliberately thin: no business logic here.

* :class:`IngestPipeline` (one crawler process: the crawl's single writer) opens the
  database with ``open_db`` and hands each :class:`FetchResult` to a
  ``monitor.ingest.workers.Ingestor`` (quick outcomes batched, extraction in the process
  pool shared by every spider of the crawl), and each page a portal walk keeps
  (:class:`~monitor.models.PageRead`) to be read ahead while the walk goes on.
* :class:`ShardPipeline` (a crawler process of a sharded crawl, see
  ``spiders.shards``) sends each result to the parent process, which writes; a body
  identical to the source's last one is not sent, only that it was identical.
* :class:`CollectPipeline` only keeps the results (``sources test``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import fcntl
import os
import pickle
import struct
from typing import TYPE_CHECKING, Any

from scrapy.crawler import Crawler

from monitor.ingest import outcome
from monitor.models import FetchResult, PageRead

if TYPE_CHECKING:
    from monitor.ingest.workers import ExtractPool, Ingestor

SHARED: dict[str, Any] = {}
"""Objects a crawl shares between its crawlers (Scrapy deep-copies settings, so they
travel as a key): the extraction pool, the ingestor, the connection to the parent,
the list ``sources test`` collects into."""


class IngestPipeline:
    def __init__(self, db_path: str, pool: ExtractPool, shared: dict[str, Any], key: str) -> None:
        self.db_path = db_path
        self.pool = pool
        self.shared = shared
        self.key = key

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IngestPipeline:
        # Imported here: a crawler process of a sharded crawl (ShardPipeline) never
        # stores, and starts faster without the database and extraction code.
        from monitor.ingest.workers import ExtractPool

        token = crawler.settings.get("TWINWATCH_POOL", "")
        pool = SHARED.get(token, ExtractPool(0))
        # Every spider of the crawl (one per kind) shares one ingestor, so quick
        # outcomes of all kinds go into the same batches.
        return cls(crawler.settings.get("TWINWATCH_DB"), pool, SHARED, f"{token}-ingestor")

    def open_spider(self) -> None:
        from monitor.ingest.workers import Ingestor
        from monitor.plugin_manager import make_plugin_manager
        from monitor.store.db import open_db

        entry = self.shared.get(self.key)
        if entry is None:
            db = open_db(self.db_path)
            entry = self.shared[self.key] = [Ingestor(db, make_plugin_manager(), self.pool), 0]
        entry[1] += 1
        self.ingestor: Ingestor = entry[0]

    async def close_spider(self) -> None:
        entry = self.shared[self.key]
        entry[1] -= 1
        if entry[1] == 0:  # the last spider of the crawl: write what is left
            try:
                await self.ingestor.close()
            finally:
                self.ingestor.db.close()
                self.shared.pop(self.key, None)

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, FetchResult):
            await self.ingestor.add(item)
        elif isinstance(item, PageRead):
            self.ingestor.read_ahead(item)
        return item


class PipeSender:
    """Writes messages to a ``multiprocessing`` connection without blocking the event
    loop, in the framing ``Connection.recv_bytes`` reads (a 4-byte big-endian length,
    then the bytes).

    The pipe is made non-blocking: a message goes out at once when the pipe has
    room (nearly always: it holds a megabyte), and otherwise waits for the pipe to
    drain while the other downloads go on; the writer waits with it, which is the
    back-pressure a busy parent puts on the crawl. (Sending from a thread cost a
    thread hand-over and a loop wake-up per page: measured, 3-5 % of a crawler
    process's CPU.)"""

    def __init__(self, conn: Any) -> None:
        self.fd: int = conn.fileno()
        self.out = bytearray()
        self.waiter: asyncio.Future[None] | None = None
        fcntl.fcntl(self.fd, fcntl.F_SETFL, fcntl.fcntl(self.fd, fcntl.F_GETFL) | os.O_NONBLOCK)

    def _flush(self) -> None:
        while self.out:
            try:
                n = os.write(self.fd, self.out)
            except BlockingIOError:
                return
            del self.out[:n]

    def _writable(self) -> asyncio.Future[None]:
        if self.waiter is None or self.waiter.done():
            loop = asyncio.get_running_loop()
            waiter: asyncio.Future[None] = loop.create_future()

            def ready() -> None:
                loop.remove_writer(self.fd)
                if not waiter.done():
                    waiter.set_result(None)

            loop.add_writer(self.fd, ready)
            self.waiter = waiter
        return self.waiter

    async def send(self, data: bytes) -> None:
        header = struct.pack("!i", len(data)) if len(data) < 0x7FFFFFFF else struct.pack("!iQ", -1, len(data))
        self.out += header
        self.out += data
        self._flush()
        while self.out:
            await self._writable()
            self._flush()

    def finish(self) -> None:
        """Back to a blocking pipe, with anything unsent written out."""
        fcntl.fcntl(self.fd, fcntl.F_SETFL, fcntl.fcntl(self.fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
        while self.out:
            del self.out[: os.write(self.fd, self.out)]


class ShardPipeline:
    """Sends each FetchResult, pickled, through the :class:`PipeSender` given as
    ``TWINWATCH_CONN``: ``("result", result, quick, size, settled)``. For a 304 or a body
    identical to the source's last one, ``quick`` names the outcome and the body is
    left out (``size`` keeps its length), so the parent neither receives nor
    re-reads the bytes. ``settled`` says this process has already asked
    :func:`monitor.ingest.outcome.settle` (so a body to extract is not read for a bot
    wall, a move or a soft 404 again in the parent)."""

    def __init__(self, sender: PipeSender) -> None:
        self.sender = sender

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ShardPipeline:
        return cls(SHARED[crawler.settings.get("TWINWATCH_CONN")])

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, FetchResult):
            await self.sender.send(pickle.dumps(message(item), protocol=pickle.HIGHEST_PROTOCOL))
        return item


def message(result: FetchResult) -> tuple[str, FetchResult, str | None, int | None, bool]:
    """What :class:`ShardPipeline` sends for ``result`` (see there). The outcome is
    :func:`monitor.ingest.outcome.settle`'s (a blocked, moved or gone answer goes
    as that failure), against the source's last raw fingerprint as the crawl read it
    at its start (the crawl holds the database's lock, so the parent's copy is the
    same); a failure, or a result with attachments, goes whole and the parent
    decides."""
    last = SHARED.get("last_raw_fp", {}).get(result.source_id)
    if result.error_kind is None and not result.attachments:
        result, quick = outcome.settle(result, last)
        if quick == "unchanged":
            return ("result", dataclasses.replace(result, body=b""), quick, len(result.body), True)
        if quick is not None:
            return ("result", result, quick, len(result.body), True)
        return ("result", result, None, None, True)
    return ("result", result, None, None, False)


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
