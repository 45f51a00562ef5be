"""The crawl service: pick sources, open a run, let the crawler plugin fetch, close
the run, summarise.

The fetching itself is a plugin (hook ``crawl_sources``, built in: ``spiders``), so
this module stays free of Scrapy. A file lock makes a second crawl on the same
database exit at once instead of running twice.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import filelock

from monitor.config import lock_path
from monitor.db import open_db
from monitor.errors import CrawlLocked, PluginError, SourceError
from monitor.ingest import finish_run, start_run
from monitor.models import CrawlSummary
from monitor.plugin_manager import PluginManager
from monitor.queries import crawl_summary, sources


def crawl(
    db_path: Path,
    pm: PluginManager,
    source_ids: Sequence[int] = (),
    settings: dict[str, Any] | None = None,
) -> CrawlSummary:
    """Fetch the given sources (all enabled ones when none are given) and return the
    run's summary. Failing sources are part of the summary, not an exception.

    Raises:
        CrawlLocked: another crawl holds the lock on this database.
        SourceError: an id given does not exist.
        PluginError: no plugin can crawl.
    """
    lock = filelock.FileLock(str(lock_path(db_path)), timeout=0)
    try:
        lock.acquire()
    except filelock.Timeout as exc:
        raise CrawlLocked(f"another crawl is running on {db_path} (lock {lock.lock_file})") from exc
    try:
        db = open_db(db_path)
        try:
            chosen = sources(db, enabled_only=not source_ids, ids=source_ids)
            missing = set(source_ids) - {s.source.id for s in chosen}
            if missing:
                raise SourceError(f"no source with id {', '.join(map(str, sorted(missing)))}")
            ids = [s.source.id for s in chosen]
            run_id = start_run(db, len(ids), os.getpid())
            status = "failed"
            try:
                if chosen:
                    handled = pm.hook.crawl_sources(
                        db_path=str(db_path), sources=[s.source for s in chosen], run_id=run_id,
                        settings=dict(settings or {}),
                    )
                    if not handled:
                        raise PluginError("no installed plugin can crawl (is 'spiders' installed?)")
                status = "done"
            finally:
                finish_run(db, run_id, ids, status)
            return crawl_summary(db, run_id)
        finally:
            db.close()
    finally:
        lock.release()
