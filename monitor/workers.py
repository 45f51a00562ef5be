"""Extraction off the fetching thread: a small process pool for :func:`monitor.ingest.prepare`.

Extracting text, parsing feeds and PDFs, diffing and analyzing cost CPU; done on the
crawler's thread they would stall every download. :class:`ExtractPool` runs
``prepare`` in worker processes (each with its own plugin manager) and hands the
result back as an awaitable, so the crawler keeps fetching while both cores
extract, and the single writer stores each result as it completes.

With ``workers=0`` everything runs inline (small crawls: no process start-up).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import sqlite3
import sys
from concurrent.futures import Future, ProcessPoolExecutor

from sqlite_utils import Database

from monitor.ingest import Context, Prepared, check, context, describe_error, prepare, record_failure, store
from monitor.models import FetchResult, Source
from monitor.plugin_manager import PluginManager, make_plugin_manager
from monitor.queries import get_source

log = logging.getLogger("twinwatch.ingest")

_worker_pm: PluginManager | None = None

SMALL_CRAWL = 100
"""Crawls of fewer sources than this extract inline unless told otherwise."""


def default_workers(sources: int) -> int:
    """Worker processes for a crawl of ``sources`` sources: none for small crawls,
    else one per core."""
    return 0 if sources < SMALL_CRAWL else max(1, os.cpu_count() or 1)


def _init_worker() -> None:
    global _worker_pm
    _worker_pm = make_plugin_manager()


def _prepare_in_worker(source: Source, result: FetchResult, ctx: Context) -> Prepared | None:
    assert _worker_pm is not None
    return prepare(_worker_pm, source, result, ctx)


class ExtractPool:
    """A lazily started process pool running :func:`monitor.ingest.prepare`."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # Results come back through the executor's manager thread, which needs the
            # GIL while the crawler's thread is busy: with the default 5 ms switch
            # interval every hand-over waits, and the workers idle. 0.5 ms keeps
            # them fed.
            sys.setswitchinterval(0.0005)
            # forkserver: workers do not inherit the crawler's threads and sockets.
            ctx = multiprocessing.get_context("forkserver")
            self._pool = ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_init_worker)
        return self._pool

    async def prepare(self, pm: PluginManager, source: Source, result: FetchResult,
                      ctx: Context) -> Prepared | None:
        if self.workers <= 0:
            return prepare(pm, source, result, ctx)
        future: Future[Prepared | None] = self._executor().submit(_prepare_in_worker, source, result, ctx)
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


async def ingest_async(db: Database, pm: PluginManager, result: FetchResult, pool: ExtractPool) -> str:
    """:func:`monitor.ingest.ingest` with the extraction awaited from ``pool``: reads
    and writes happen on the caller's thread (the single writer), the CPU work in
    the pool."""
    done = check(db, result)
    if done is not None:
        return done
    source = get_source(db, result.source_id)
    try:
        prepared = await pool.prepare(pm, source, result, context(db, source, pm))
    except Exception as exc:
        return record_failure(db, result, kind="parse-error", message=describe_error(exc))
    try:
        return store(db, source, result, prepared)
    except sqlite3.Error:
        raise  # the database itself is in trouble: let the crawl fail loudly
    except Exception as exc:  # a bug must cost one source, not the run
        log.exception("storing source %d failed", result.source_id)
        return record_failure(db, result, kind="internal-error", message=describe_error(exc))
