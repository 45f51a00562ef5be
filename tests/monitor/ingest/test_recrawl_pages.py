"""A recrawl's write does not grow with the history behind it.

Every crawl records one fetch outcome per source. What it writes should be the
run's own rows and the sources' state, whatever the number of earlier runs: an
index that files each outcome under its source makes each run rewrite about one
page per source once the history fills them (``bench/year`` found a year's
recrawl writing ten times the pages of the first week's, migration m014).
"""

from __future__ import annotations

from monitor.ingest.writer import finish_run, record_quick, start_run
from monitor.models import FetchResult
from monitor.sources.manage import NewSource, add_sources

SOURCES = 300


def _recrawl(db, ids: list[int]) -> None:
    """One run in which nothing changed: every source answers 304."""
    run = start_run(db, len(ids))
    record_quick(db, [(FetchResult(sid, f"u{sid}", 304, {}, b"", run_id=run), "not-modified", None)
                      for sid in ids])
    finish_run(db, run, ids)


def _pages_written(db, ids: list[int]) -> int:
    """WAL frames written by one recrawl (no checkpoint in between)."""
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    _recrawl(db, ids)
    return int(db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1])


def test_a_recrawl_after_a_long_history_writes_what_the_first_ones_wrote(db):
    ids, _ = add_sources(db, [NewSource(f"http://127.0.0.1:9/p{i}", "page") for i in range(SOURCES)])
    db.execute("PRAGMA wal_autocheckpoint=0")
    for _ in range(2):
        _recrawl(db, ids)
    early = _pages_written(db, ids)
    for _ in range(150):
        _recrawl(db, ids)
    late = _pages_written(db, ids)
    assert db.execute("SELECT COUNT(*) FROM fetch_outcomes").fetchone()[0] == SOURCES * 154
    assert late <= early * 1.25 + 4, (early, late)
