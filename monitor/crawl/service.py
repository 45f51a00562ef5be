"""The crawl service: pick the due sources, open a run, let the crawler plugin fetch,
close the run, log, notify, summarise.

The fetching itself is a plugin (hook ``crawl_sources``, built in: ``spiders``), so
this module stays free of Scrapy. A file lock makes a second crawl on the same
database exit at once instead of running twice. Notifiers (hook ``notify_crawl``)
run after the run is closed; one that fails is logged and the crawl still succeeds.
A crawl ended by SIGTERM or SIGHUP unwinds like one ended by Ctrl-C: its helper
processes are ended and waited for, and the run is closed as failed
(:func:`monitor.children.signals_exit`).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import filelock

from monitor.children import signals_exit
from monitor.config import crawl_processes, extract_workers, load_config, lock_path
from monitor.errors import ConfigError, CrawlLocked, PluginError, SourceError
from monitor.ingest.writer import finish_run, start_run
from monitor.models import CrawlSummary, FetchResult, Source, SourceStatus
from monitor.plugin_manager import PluginManager, notify, source_kinds
from monitor.store.db import open_db, read_only
from monitor.store.queries import ChangeFilter, changes, crawl_summary, due_sources, run_outcomes, sources

log = logging.getLogger("twinwatch.crawl")

Progress = Callable[[int, int], None]
"""``progress(done, total)``, called from a watcher thread while a crawl runs."""


def select_sources(db: Any, source_ids: Sequence[int] = (), *, all_sources: bool = False
                   ) -> list[SourceStatus]:
    """What a crawl fetches: exactly ``source_ids``, every enabled source with
    ``all_sources``, else the due ones (for ``crawl`` and ``sources export-scrapyd``).

    Raises:
        SourceError: an id given does not exist.
    """
    if source_ids:
        chosen = sources(db, ids=source_ids, with_items=True)
        missing = set(source_ids) - {s.source.id for s in chosen}
        if missing:
            raise SourceError(f"no source with id {', '.join(map(str, sorted(missing)))}")
        return chosen
    if all_sources:
        return sources(db, enabled_only=True, with_items=True)
    return due_sources(db)


def crawl(
    db_path: Path,
    pm: PluginManager,
    source_ids: Sequence[int] = (),
    settings: dict[str, Any] | None = None,
    *,
    all_sources: bool = False,
    progress: Progress | None = None,
) -> CrawlSummary:
    """Fetch the due sources (every enabled one with ``all_sources``, exactly the
    given ones with ``source_ids``) and return the run's summary. Failing sources
    are part of the summary, not an exception.

    Raises:
        CrawlLocked: another crawl holds the lock on this database.
        SourceError: an id given does not exist.
        PluginError: no plugin can crawl.
    """
    with signals_exit():
        return _crawl(db_path, pm, source_ids, settings, all_sources=all_sources, progress=progress)


QUIET_OUTCOMES = ("unchanged", "not-modified")
"""Outcomes the crawl log does not list source by source (its summary line counts them)."""


def _crawl(db_path: Path, pm: PluginManager, source_ids: Sequence[int], settings: dict[str, Any] | None,
           *, all_sources: bool, progress: Progress | None) -> CrawlSummary:
    lock = filelock.FileLock(str(lock_path(db_path)), timeout=0, mode=0o600)  # owner only, like the db
    try:
        lock.acquire()
    except filelock.Timeout as exc:
        raise CrawlLocked(f"another crawl is running on {db_path} (lock {lock.lock_file})") from exc
    try:
        db = open_db(db_path)
        try:
            chosen = select_sources(db, source_ids, all_sources=all_sources)
            ids = [s.source.id for s in chosen]
            kinds = source_kinds(pm)
            run_id = start_run(db, len(ids), os.getpid())
            log.info("run %d: %d source(s) to fetch", run_id, len(ids))
            status = "failed"
            stop = threading.Event()
            watcher = _watch(db_path, run_id, len(ids), progress, stop) if progress and ids else None
            try:
                if chosen:
                    run_settings = dict(settings or {})
                    workers = extract_workers()
                    if workers is not None:
                        run_settings.setdefault("TWINWATCH_EXTRACT_WORKERS", workers)
                    processes = crawl_processes()
                    if processes is not None:
                        run_settings.setdefault("TWINWATCH_CRAWL_PROCESSES", processes)
                    handled = pm.hook.crawl_sources(
                        db_path=str(db_path), sources=[s.source for s in chosen], run_id=run_id,
                        settings=run_settings, kinds=kinds,
                    )
                    if not handled:
                        raise PluginError("no installed plugin can crawl (is 'spiders' installed?)")
                status = "done"
            finally:
                stop.set()
                if watcher is not None:
                    watcher.join(5)
                finish_run(db, run_id, ids, status)
            summary = crawl_summary(db, run_id)
            # A line for each source whose fetch did something or went wrong; the summary
            # line counts the others (a recrawl is mostly those: 5,000 lines a run would
            # push the earlier runs out of the rotating log, and took a tenth of a second).
            for sid, url, outcome, message in run_outcomes(db, run_id, leave_out=QUIET_OUTCOMES):
                level = logging.INFO if message is None else logging.WARNING
                log.log(level, "source %d %s: %s%s", sid, url, outcome, f": {message}" if message else "")
            log.info(summary.line())
            if summary.changed or summary.new_items:
                _notify(db, pm, summary)
            return summary
        finally:
            db.close()
    finally:
        lock.release()


def _watch(db_path: Path, run_id: int, total: int, progress: Progress,
           stop: threading.Event) -> threading.Thread:
    """A thread that reports how many sources of the run have a result, twice a second."""

    def loop() -> None:
        db = read_only(db_path)
        try:
            while True:
                done = db.execute("SELECT COUNT(*) FROM fetch_outcomes WHERE run_id = ?",
                                  [run_id]).fetchone()[0]
                progress(min(done, total), total)
                if stop.wait(0.5):
                    break
        except Exception as exc:  # a progress bar must never break a crawl
            log.debug("progress watcher stopped: %s", exc)
        finally:
            db.close()

    t = threading.Thread(target=loop, name="twinwatch-progress", daemon=True)
    t.start()
    return t


def _notify(db: Any, pm: PluginManager, summary: CrawlSummary) -> None:
    try:
        config = load_config().get("notify") or {}
    except ConfigError as exc:
        log.error("notifications skipped: %s", exc.message)
        return
    rows = changes(db, ChangeFilter(run_id=summary.run_id), limit=200)
    for failure in notify(pm, summary, rows, dict(config)):
        log.error(failure)


def fetch_once(pm: PluginManager, chosen: list[Source],
               settings: dict[str, Any] | None = None) -> list[FetchResult]:
    """Fetch ``chosen`` once through the crawler plugin, storing nothing (``sources test``).

    Raises:
        PluginError: no plugin can fetch.
    """
    results = pm.hook.fetch_sources(sources=chosen, settings=dict(settings or {}), kinds=source_kinds(pm))
    if results is None:
        raise PluginError("no installed plugin can fetch (is 'spiders' installed?)")
    return list(results)
