"""The one schema: every table, index, FTS table and trigger, and how to open the file.

``open_db(path)`` is the only way in: WAL, busy timeout, foreign keys, pending
migrations. ``write_tx(db)`` is the only way to write: it begins IMMEDIATE, so a
second writer waits for the busy timeout instead of failing at once with
"database is locked" (which a deferred transaction does in WAL mode when it
upgrades from read to write).

Migrations are append-only: a shipped migration is never edited; add a new one.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from monitor.errors import StorageError

BUSY_TIMEOUT_S = 30.0
"""How long a writer waits for another writer before giving up."""

migrations = Migrations("twinwatch")


@migrations()
def m001_initial(db: Database) -> None:
    """Sources, snapshots, items, changes, findings, reviews, runs, exports."""
    db.executescript(
        """
        CREATE TABLE sources (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL DEFAULT 'page',
            municipality TEXT,
            country TEXT,
            lang TEXT,
            tags TEXT NOT NULL DEFAULT '[]',
            enabled INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL
        );

        -- Fetch state, written only by ingest (sources is written only by the
        -- sources service), so a crawl never overwrites what a curator set.
        CREATE TABLE source_state (
            source_id INTEGER PRIMARY KEY REFERENCES sources(id) ON DELETE CASCADE,
            etag TEXT,
            last_modified TEXT,
            last_raw_fp TEXT,
            last_fetched TEXT,
            last_status TEXT,
            last_error TEXT,
            consecutive_failures INTEGER NOT NULL DEFAULT 0,
            last_ok TEXT,
            last_change_at TEXT
        );

        -- Content-addressed, zlib-compressed text: identical content is stored once.
        CREATE TABLE blobs (
            fp TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            data BLOB NOT NULL
        );

        CREATE TABLE snapshots (
            id INTEGER PRIMARY KEY,
            source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
            fetched_at TEXT NOT NULL,
            raw_fp TEXT NOT NULL,
            text_fp TEXT NOT NULL REFERENCES blobs(fp),
            http_status INTEGER,
            content_type TEXT
        );
        CREATE INDEX snapshots_source ON snapshots(source_id, id);

        -- Feed entries (and, later, listing items), each with its own text.
        CREATE TABLE items (
            id INTEGER PRIMARY KEY,
            source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            url TEXT,
            title TEXT,
            text_fp TEXT NOT NULL REFERENCES blobs(fp),
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            UNIQUE (source_id, key)
        );

        CREATE TABLE crawl_runs (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            pid INTEGER,
            sources INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT 'running'
        );

        CREATE TABLE fetch_outcomes (
            id INTEGER PRIMARY KEY,
            run_id INTEGER REFERENCES crawl_runs(id),
            source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
            fetched_at TEXT NOT NULL,
            outcome TEXT NOT NULL,
            http_status INTEGER,
            message TEXT,
            elapsed_ms INTEGER,
            bytes INTEGER,
            changes INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX fetch_outcomes_run ON fetch_outcomes(run_id);
        CREATE INDEX fetch_outcomes_source ON fetch_outcomes(source_id, id);

        CREATE TABLE changes (
            id INTEGER PRIMARY KEY,
            source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
            snapshot_id INTEGER REFERENCES snapshots(id),
            previous_snapshot_id INTEGER REFERENCES snapshots(id),
            item_id INTEGER REFERENCES items(id),
            run_id INTEGER REFERENCES crawl_runs(id),
            kind TEXT NOT NULL,
            url TEXT NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            detected_at TEXT NOT NULL,
            added TEXT NOT NULL DEFAULT '[]',
            removed TEXT NOT NULL DEFAULT '[]',
            ops TEXT NOT NULL DEFAULT '[]',
            added_text TEXT NOT NULL DEFAULT '',
            removed_text TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX changes_detected ON changes(detected_at DESC, id DESC);
        CREATE INDEX changes_source ON changes(source_id, id);

        CREATE VIRTUAL TABLE changes_fts USING fts5(
            title, added_text, removed_text,
            content='changes', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER changes_ai AFTER INSERT ON changes BEGIN
            INSERT INTO changes_fts(rowid, title, added_text, removed_text)
            VALUES (new.id, new.title, new.added_text, new.removed_text);
        END;
        CREATE TRIGGER changes_ad AFTER DELETE ON changes BEGIN
            INSERT INTO changes_fts(changes_fts, rowid, title, added_text, removed_text)
            VALUES ('delete', old.id, old.title, old.added_text, old.removed_text);
        END;

        CREATE TABLE findings (
            id INTEGER PRIMARY KEY,
            change_id INTEGER NOT NULL REFERENCES changes(id) ON DELETE CASCADE,
            plugin TEXT NOT NULL,
            name TEXT NOT NULL,
            value TEXT,
            score REAL,
            reasons TEXT NOT NULL DEFAULT '[]'
        );
        CREATE INDEX findings_change ON findings(change_id);

        -- Curator decisions: written only by monitor.review, never by a crawl.
        CREATE TABLE reviews (
            change_id INTEGER PRIMARY KEY REFERENCES changes(id) ON DELETE CASCADE,
            status TEXT NOT NULL DEFAULT 'new'
                CHECK (status IN ('new', 'relevant', 'irrelevant', 'follow-up')),
            note TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX reviews_status ON reviews(status);
        CREATE TABLE review_tags (
            change_id INTEGER NOT NULL REFERENCES changes(id) ON DELETE CASCADE,
            tag TEXT NOT NULL,
            PRIMARY KEY (change_id, tag)
        );
        CREATE INDEX review_tags_tag ON review_tags(tag);
        -- Every decision, in order: the audit trail (and the basis for undo).
        CREATE TABLE review_events (
            id INTEGER PRIMARY KEY,
            change_id INTEGER NOT NULL REFERENCES changes(id) ON DELETE CASCADE,
            at TEXT NOT NULL,
            action TEXT NOT NULL,
            value TEXT
        );

        CREATE TABLE export_batches (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            format TEXT NOT NULL,
            filters TEXT NOT NULL DEFAULT '{}',
            path TEXT,
            count INTEGER NOT NULL
        );
        CREATE TABLE export_items (
            batch_id INTEGER NOT NULL REFERENCES export_batches(id) ON DELETE CASCADE,
            change_id INTEGER NOT NULL REFERENCES changes(id) ON DELETE CASCADE,
            PRIMARY KEY (batch_id, change_id)
        );
        """
    )



def connect(path: str | Path, *, timeout: float = BUSY_TIMEOUT_S) -> sqlite3.Connection:
    """A raw connection with our pragmas; autocommit so nothing opens a deferred write."""
    conn = sqlite3.connect(str(path), timeout=timeout, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
    return conn


def open_db(path: str | Path, *, migrate: bool = True, timeout: float = BUSY_TIMEOUT_S) -> Database:
    """Open (and create) the twinwatch database at ``path``; apply pending migrations.

    Raises:
        StorageError: the file cannot be opened or is not an SQLite database.
    """
    p = Path(path)
    try:
        if p.parent and not p.parent.exists():
            p.parent.mkdir(parents=True, exist_ok=True)
        db = Database(connect(p, timeout=timeout))
        if migrate and migrations.pending(db):
            with write_tx(db):
                migrations.apply(db)
    except sqlite3.DatabaseError as exc:
        raise StorageError(f"cannot open database {p}: {exc}") from exc
    except OSError as exc:
        raise StorageError(f"cannot open database {p}: {exc.strerror or exc}") from exc
    return db


@contextlib.contextmanager
def write_tx(db: Database) -> Iterator[Database]:
    """A write transaction that begins IMMEDIATE; nested calls become savepoints."""
    conn = db.conn
    if conn.in_transaction:
        with db.atomic():
            yield db
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def read_only(path: str | Path, *, timeout: float = BUSY_TIMEOUT_S) -> Database:
    """A connection for reader threads (the TUI's workers): no migrations, no writes."""
    conn = connect(path, timeout=timeout)
    conn.execute("PRAGMA query_only=ON")
    return Database(conn)


@migrations()
def m002_crawl_scheduling(db: Database) -> None:
    """Per-source schedule and noise rules, fetch health, and feed-entry fingerprints.

    ``sources`` gains what a curator sets (interval, region, ignore rules, added-only,
    minimum change, link pattern, follow limit); ``source_state`` gains what ingest
    learns (runs without a change, last relevant change); ``items`` gains the
    fingerprint of the entry as the index showed it, so an entry whose article was
    fetched is compared with the index's own text, like with like.
    """
    db.executescript(
        """
        ALTER TABLE sources ADD COLUMN every_s INTEGER NOT NULL DEFAULT 86400;
        ALTER TABLE sources ADD COLUMN region TEXT;
        ALTER TABLE sources ADD COLUMN ignore TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE sources ADD COLUMN added_only INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE sources ADD COLUMN min_change INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE sources ADD COLUMN link_pattern TEXT;
        ALTER TABLE sources ADD COLUMN max_items INTEGER NOT NULL DEFAULT 10;

        ALTER TABLE source_state ADD COLUMN quiet_runs INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE source_state ADD COLUMN last_relevant_at TEXT;

        ALTER TABLE items ADD COLUMN entry_fp TEXT;

        CREATE INDEX snapshots_text ON snapshots(source_id, text_fp);
        """
    )

