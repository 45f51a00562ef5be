"""The schema and the connection rules: WAL, busy timeout, IMMEDIATE writes, FTS, migrations."""

from __future__ import annotations

import sqlite3
import threading
import time

from monitor.store.db import migrations, open_db, read_only, write_tx


def test_open_db_sets_wal_fk_and_migrates(db_path):
    """A new file is in WAL mode with foreign keys on and every migration applied."""
    db = open_db(db_path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    assert migrations.pending(db) == []
    tables = set(db.table_names())
    assert {"sources", "source_state", "snapshots", "blobs", "items", "changes", "changes_fts",
            "findings", "reviews", "review_tags", "review_events", "crawl_runs", "fetch_outcomes",
            "export_batches", "export_items", "records", "record_evidence", "export_rows",
            "change_facets", "review_actions", "fact_corrections", "saved_views"} <= tables
    db.close()
    # Opening again applies nothing and keeps data.
    again = open_db(db_path)
    assert [m.name for m in migrations.applied(again)] == [m.name for m in migrations._migrations]
    assert migrations.pending(again) == []
    again.close()


def _race(db_path, begin) -> list[Exception]:
    """Writer A holds the write lock; B reads then writes inside ``begin(b)``; A commits."""
    a = open_db(db_path)
    errors: list[Exception] = []
    started = threading.Event()
    a.execute("BEGIN IMMEDIATE")
    a.execute("INSERT INTO sources (url, created_at) VALUES ('http://a', 'now')")

    def second() -> None:
        b = open_db(db_path, timeout=10)
        try:
            with begin(b):
                b.execute("SELECT COUNT(*) FROM sources").fetchone()
                started.set()
                b.execute("INSERT INTO sources (url, created_at) VALUES ('http://b', 'now')")
        except Exception as exc:
            errors.append(exc)
        finally:
            started.set()
            b.close()

    t = threading.Thread(target=second)
    t.start()
    started.wait(0.5)
    time.sleep(0.3)
    a.execute("COMMIT")
    t.join(15)
    a.close()
    return errors


def test_write_tx_waits_for_another_writer(db_path):
    """IMMEDIATE writes wait for another writer (busy timeout) instead of failing 'locked'."""
    open_db(db_path).close()
    assert _race(db_path, write_tx) == []
    with open_db(db_path) as db:
        assert db.execute("SELECT COUNT(*) FROM sources").fetchone()[0] == 2


def test_deferred_transaction_would_fail(db_path):
    """The trap write_tx avoids: sqlite-utils' deferred atomic() fails at once in WAL mode."""
    open_db(db_path).close()
    errors = _race(db_path, lambda b: b.atomic())
    assert len(errors) == 1 and "locked" in str(errors[0])


def test_write_tx_rolls_back_on_error(db):
    """An exception inside write_tx leaves nothing behind."""
    try:
        with write_tx(db):
            db.execute("INSERT INTO sources (url, created_at) VALUES ('http://a', 'now')")
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert db.execute("SELECT COUNT(*) FROM sources").fetchone()[0] == 0
    assert not db.conn.in_transaction


def test_read_only_connection_cannot_write(db, db_path):
    """Reader connections (the TUI's workers) refuse writes."""
    ro = read_only(db_path)
    try:
        ro.execute("INSERT INTO sources (url, created_at) VALUES ('http://a', 'now')")
    except sqlite3.OperationalError as exc:
        assert "readonly" in str(exc) or "read-only" in str(exc) or "query_only" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("read-only connection wrote")
    finally:
        ro.close()


def test_fts_indexes_change_text(db):
    """Changes are searchable through FTS5, accents folded."""
    with write_tx(db):
        db.execute("INSERT INTO sources (id, url, created_at) VALUES (1, 'http://a', 'now')")
        db.execute(
            "INSERT INTO changes (source_id, kind, url, title, detected_at, added_text) "
            "VALUES (1, 'page-changed', 'http://a', 'Jumelage', 'now', 'Le conseil a suspendu le "
            "jumelage avec Mégiddo')"
        )
    hits = db.execute("SELECT rowid FROM changes_fts WHERE changes_fts MATCH 'megiddo'").fetchall()
    assert hits == [(1,)]


def test_m002_backfills_facets_from_findings_stored_before(db_path):
    """Upgrading a database made by m001 ranks its existing changes by their findings."""
    from sqlite_utils import Database

    from monitor.store.db import connect

    old = Database(connect(db_path))
    migrations.apply(old, stop_before="m005_curator_tables")
    with write_tx(old):
        old.execute("INSERT INTO sources (id, url, lang, created_at) VALUES (1, 'http://a', 'nl', 'now')")
        for cid in (1, 2):
            old.execute("INSERT INTO changes (id, source_id, kind, url, detected_at) "
                        "VALUES (?, 1, 'page-changed', 'http://a', ?)", [cid, f"2026-01-0{cid}"])
        old.execute("INSERT INTO findings (change_id, plugin, name, value, score) VALUES "
                    "(1, 'p', 'relevance', '0.7', 0.7), (1, 'p', 'relevance', '0.2', 0.2), "
                    "(1, 'p', 'action', '\"motion\"', NULL), (1, 'p', 'language', '\"FR\"', NULL)")
    old.close()
    db = open_db(db_path)
    rows = db.execute("SELECT change_id, detected_at, score, category, lang FROM change_facets "
                      "ORDER BY change_id").fetchall()
    assert rows == [(1, "2026-01-01", 0.7, "motion", "fr"), (2, "2026-01-02", None, None, "nl")]
    db.close()


def test_facets_follow_new_changes_and_findings(db):
    """Triggers keep change_facets in step with changes and findings as ingest writes them."""
    with write_tx(db):
        db.execute("INSERT INTO sources (id, url, lang, created_at) VALUES (1, 'http://a', 'de', 'now')")
        db.execute("INSERT INTO changes (id, source_id, kind, url, detected_at) "
                   "VALUES (1, 1, 'new-entry', 'http://a', '2026-02-01')")
        for name, value, score in [("relevance", "0.3", None), ("relevance", "null", 0.9),
                                   ("relevance", "0.1", 0.1), ("category", '"twinning"', None),
                                   ("language", '"NL"', None), ("error", '"boom"', None)]:
            db.execute("INSERT INTO findings (change_id, plugin, name, value, score) "
                       "VALUES (1, 'p', ?, ?, ?)", [name, value, score])
    assert db.execute("SELECT score, category, lang FROM change_facets").fetchall() == [
        (0.9, "twinning", "nl")]
    with write_tx(db):
        db.execute("DELETE FROM changes WHERE id = 1")
    assert db.execute("SELECT COUNT(*) FROM change_facets").fetchone()[0] == 0


def test_a_null_category_or_language_finding_leaves_the_facet_alone(db):
    """An analyzer's "no category" (JSON null) is no category in the inbox, not the text
    'null'; a null language keeps the source's."""
    with write_tx(db):
        db.execute("INSERT INTO sources (id, url, lang, created_at) VALUES (1, 'http://a', 'fr', 'now')")
        db.execute("INSERT INTO changes (id, source_id, kind, url, detected_at) "
                   "VALUES (1, 1, 'new-entry', 'http://a', '2026-02-01')")
        for name, value in [("category", "null"), ("language", "null")]:
            db.execute("INSERT INTO findings (change_id, plugin, name, value) VALUES (1, 'p', ?, ?)",
                       [name, value])
    assert db.execute("SELECT category, lang FROM change_facets").fetchall() == [(None, "fr")]


def test_m014_drops_the_per_source_outcome_index_and_keeps_the_outcomes(db_path):
    """Upgrading a database made by m013 drops ``fetch_outcomes_source``; its outcomes
    stay, and a run's outcomes are still found through ``fetch_outcomes_run``."""
    from sqlite_utils import Database

    from monitor.store.db import connect

    old = Database(connect(db_path))
    migrations.apply(old, stop_before="m014_outcomes_not_by_source")
    with write_tx(old):
        old.execute("INSERT INTO sources (id, url, created_at) VALUES (1, 'http://a', 'now')")
        old.execute("INSERT INTO crawl_runs (id, started_at) VALUES (1, 'now')")
        old.execute("INSERT INTO fetch_outcomes (run_id, source_id, fetched_at, outcome) "
                    "VALUES (1, 1, 'now', 'not-modified')")
    assert "fetch_outcomes_source" in {i.name for i in old["fetch_outcomes"].indexes}
    old.close()
    db = open_db(db_path)
    assert {i.name for i in db["fetch_outcomes"].indexes} == {"fetch_outcomes_run"}
    assert db.execute("SELECT source_id, outcome FROM fetch_outcomes WHERE run_id = 1").fetchall() == [
        (1, "not-modified")]
    plan = " ".join(r[3] for r in db.execute(
        "EXPLAIN QUERY PLAN SELECT source_id FROM fetch_outcomes WHERE run_id = ?", [1]))
    assert "fetch_outcomes_run" in plan
    db.close()
