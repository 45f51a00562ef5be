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
import sys
from collections.abc import Iterator
from pathlib import Path

from monitor.errors import StorageError
from monitor.private_files import create_private


@contextlib.contextmanager
def _unseen(*names: str) -> Iterator[None]:
    """While the block runs, the modules ``names`` that are not imported yet cannot be
    (their import raises ImportError, as if they were not installed); after it, they
    can again."""
    hidden = [n for n in names if n not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # the import system's "not there"
    try:
        yield
    finally:
        for name in hidden:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]


# sqlite-utils imports numpy (and pandas) when it can, only to map their number types to
# column types when it creates a table from values; twinwatch's tables come from its
# migrations and its values are Python's own. Importing numpy was a third of the time
# to open a database from the command line, and of a crawl's start before its first
# request (bench/portals). numpy still loads where it is used (the analyzers).
with _unseen("numpy", "pandas"):
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

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

        -- Curator decisions: written only by monitor.review.decisions, never by a crawl.
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


@migrations()
def m002_registry_records(db: Database) -> None:
    """Registry records with their evidence, and exports that can be replayed."""
    db.executescript(
        """
        -- A curator-confirmed fact: who did what with whom, when, how much.
        CREATE TABLE records (
            id INTEGER PRIMARY KEY,
            municipality TEXT,
            country TEXT,
            municipality_qid TEXT,
            partner TEXT,
            partner_country TEXT,
            partner_qid TEXT,
            action TEXT,
            date TEXT,
            amount_eur REAL,
            summary TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX records_municipality ON records(municipality COLLATE NOCASE);
        -- The changes a record rests on, each with the quoted passage as fetched.
        CREATE TABLE record_evidence (
            record_id INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
            change_id INTEGER NOT NULL REFERENCES changes(id) ON DELETE CASCADE,
            quote TEXT NOT NULL,
            url TEXT NOT NULL,
            snapshot_fp TEXT,
            fetched_at TEXT,
            added_at TEXT NOT NULL,
            PRIMARY KEY (record_id, change_id)
        );
        CREATE INDEX record_evidence_change ON record_evidence(change_id);

        -- What each export contained, as exported: replaying a batch gives the same bytes,
        -- and "since the last export" compares item versions.
        ALTER TABLE export_batches ADD COLUMN table_name TEXT NOT NULL DEFAULT 'changes';
        ALTER TABLE export_batches ADD COLUMN payload BLOB;
        CREATE TABLE export_rows (
            batch_id INTEGER NOT NULL REFERENCES export_batches(id) ON DELETE CASCADE,
            item_id INTEGER NOT NULL,
            version TEXT NOT NULL,
            PRIMARY KEY (batch_id, item_id)
        );
        """
    )


@migrations()
def m003_ingested_results(db: Database) -> None:
    """Fetch results loaded from files (scrapyd feed exports), so loading one twice adds nothing."""
    db.executescript(
        """
        CREATE TABLE ingested_results (
            fp TEXT PRIMARY KEY,
            source_id INTEGER REFERENCES sources(id) ON DELETE CASCADE,
            run_id INTEGER REFERENCES crawl_runs(id),
            ingested_at TEXT NOT NULL
        );
        """
    )


@migrations()
def m004_cases(db: Database) -> None:
    """Cases: changes that report the same event, grouped (every examined change is in one)."""
    db.executescript(
        """
        CREATE TABLE cases (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE case_members (
            change_id INTEGER PRIMARY KEY REFERENCES changes(id) ON DELETE CASCADE,
            case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
            signature BLOB,
            added_at TEXT NOT NULL
        );
        CREATE INDEX case_members_case ON case_members(case_id);
        """
    )


@migrations()
def m005_curator_tables(db: Database) -> None:
    """What the dashboard needs: a ranking index, undoable review actions, the
    curator's fact corrections and saved views.

    ``change_facets`` is derived data, like ``changes_fts``: one row per change,
    kept up to date by triggers on ``changes`` and ``findings`` (no code writes it),
    so the inbox can page through 100,000 changes by relevance or date on one index.
    Its ``score`` is the highest ``relevance`` finding, ``category`` the latest
    ``category`` (or ``action``) finding, ``lang`` the ``language`` finding or else
    the source's language.

    ``review_actions`` groups the ``review_events`` of one curator action (a key
    press, a bulk mark) so it can be undone as one; ``previous`` keeps the value an
    event replaced. ``fact_corrections`` and ``saved_views`` are written only by the
    curator's services, never by a crawl.
    """
    db.executescript(
        """
        CREATE TABLE change_facets (
            change_id INTEGER PRIMARY KEY REFERENCES changes(id) ON DELETE CASCADE,
            detected_at TEXT NOT NULL,
            score REAL,
            category TEXT,
            lang TEXT
        );
        CREATE INDEX change_facets_rank ON change_facets(score DESC, detected_at DESC, change_id DESC);
        CREATE INDEX change_facets_date ON change_facets(detected_at DESC, change_id DESC);
        CREATE INDEX change_facets_category ON change_facets(category COLLATE NOCASE);
        CREATE INDEX change_facets_lang ON change_facets(lang COLLATE NOCASE);

        INSERT INTO change_facets (change_id, detected_at, lang)
            SELECT c.id, c.detected_at, s.lang FROM changes c JOIN sources s ON s.id = c.source_id;

        CREATE TRIGGER change_facets_ai AFTER INSERT ON changes BEGIN
            INSERT INTO change_facets (change_id, detected_at, lang)
            VALUES (new.id, new.detected_at, (SELECT lang FROM sources WHERE id = new.source_id));
        END;
        -- A relevance finding carries its score in ``score`` (or, failing that, as a
        -- numeric value); the highest one ranks the change.
        CREATE TRIGGER change_facets_relevance AFTER INSERT ON findings
        WHEN new.name = 'relevance' BEGIN
            UPDATE change_facets SET score = (
                SELECT max(coalesce(score, v), coalesce(v, score)) FROM (
                    SELECT COALESCE(new.score, CASE WHEN json_valid(new.value)
                        AND json_type(new.value) IN ('real', 'integer')
                        THEN json_extract(new.value, '$') END) AS v))
            WHERE change_id = new.change_id;
        END;
        CREATE TRIGGER change_facets_category AFTER INSERT ON findings
        WHEN new.name IN ('category', 'action') AND new.value IS NOT NULL BEGIN
            UPDATE change_facets SET category = CASE
                WHEN json_valid(new.value) AND json_type(new.value) = 'text'
                THEN json_extract(new.value, '$') ELSE new.value END
            WHERE change_id = new.change_id;
        END;
        CREATE TRIGGER change_facets_language AFTER INSERT ON findings
        WHEN new.name = 'language' AND new.value IS NOT NULL BEGIN
            UPDATE change_facets SET lang = lower(CASE
                WHEN json_valid(new.value) AND json_type(new.value) = 'text'
                THEN json_extract(new.value, '$') ELSE new.value END)
            WHERE change_id = new.change_id;
        END;

        -- One curator action (a key press, a bulk mark, an undo) and its events.
        CREATE TABLE review_actions (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            label TEXT NOT NULL,
            undoes INTEGER REFERENCES review_actions(id)
        );
        CREATE INDEX review_actions_undoes ON review_actions(undoes);
        ALTER TABLE review_events ADD COLUMN action_id INTEGER REFERENCES review_actions(id);
        ALTER TABLE review_events ADD COLUMN previous TEXT;
        CREATE INDEX review_events_action ON review_events(action_id);
        CREATE INDEX review_events_change ON review_events(change_id, id);

        -- The curator's version of a suggested fact; a crawl never writes here.
        CREATE TABLE fact_corrections (
            change_id INTEGER NOT NULL REFERENCES changes(id) ON DELETE CASCADE,
            field TEXT NOT NULL,
            value TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (change_id, field)
        );

        CREATE TABLE saved_views (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            query TEXT NOT NULL,
            sort TEXT NOT NULL DEFAULT 'relevance',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        """
    )
    # Backfill from findings stored before this migration, in insertion order.
    db.execute(
        "UPDATE change_facets SET score = (SELECT MAX(COALESCE(f.score, CASE WHEN json_valid(f.value) "
        "AND json_type(f.value) IN ('real', 'integer') THEN json_extract(f.value, '$') END)) "
        "FROM findings f WHERE f.change_id = change_facets.change_id AND f.name = 'relevance')"
    )
    for name, column in (("category", "category"), ("language", "lang")):
        names = "('category', 'action')" if name == "category" else "('language')"
        value = (
            "CASE WHEN json_valid(f.value) AND json_type(f.value) = 'text' "
            "THEN json_extract(f.value, '$') ELSE f.value END"
        )
        if column == "lang":
            value = f"lower({value})"
        db.execute(
            f"UPDATE change_facets SET {column} = COALESCE((SELECT {value} FROM findings f "
            f"WHERE f.change_id = change_facets.change_id AND f.name IN {names} "
            f"AND f.value IS NOT NULL ORDER BY f.id DESC LIMIT 1), {column})"
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
        # Created empty with mode 0600 (folder 0700) before SQLite opens it: SQLite
        # gives the -wal and -shm files the database file's mode (docs/security.md).
        create_private(p)
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
def m006_crawl_scheduling(db: Database) -> None:
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



@migrations()
def m007_issue8d_case_folds(db: Database) -> None:
    """``case_folds``: the members of cases of two or more changes, the only changes the
    inbox may fold under another (see ``monitor.review.case_inbox``).

    Derived data like ``change_facets``, kept by triggers on ``case_members`` (no code
    writes it), so the inbox tests a handful of rows instead of grouping every case on
    each page. Each trigger costs a few index probes, never a scan of a case.
    """
    db.executescript(
        """
        CREATE TABLE case_folds (
            change_id INTEGER PRIMARY KEY REFERENCES changes(id) ON DELETE CASCADE,
            case_id INTEGER NOT NULL
        );
        CREATE INDEX case_folds_case ON case_folds(case_id);
        INSERT INTO case_folds (change_id, case_id)
            SELECT change_id, case_id FROM case_members
            WHERE case_id IN (SELECT case_id FROM case_members GROUP BY case_id HAVING COUNT(*) > 1);

        CREATE TRIGGER case_folds_ai AFTER INSERT ON case_members
        WHEN EXISTS (SELECT 1 FROM case_members o WHERE o.case_id = NEW.case_id
                     AND o.change_id <> NEW.change_id) BEGIN
            -- with two or more others, they are all in already; with one, it joins now
            INSERT OR REPLACE INTO case_folds (change_id, case_id)
                SELECT change_id, case_id FROM case_members WHERE case_id = NEW.case_id
                AND change_id <> NEW.change_id LIMIT 2;
            INSERT OR REPLACE INTO case_folds (change_id, case_id) VALUES (NEW.change_id, NEW.case_id);
        END;

        CREATE TRIGGER case_folds_au AFTER UPDATE OF case_id ON case_members BEGIN
            DELETE FROM case_folds WHERE change_id = OLD.change_id;
            -- the case it left: a last member alone folds no more
            DELETE FROM case_folds WHERE case_id = OLD.case_id AND
                (SELECT COUNT(*) FROM (SELECT 1 FROM case_members WHERE case_id = OLD.case_id LIMIT 2)) < 2;
            INSERT OR REPLACE INTO case_folds (change_id, case_id)
                SELECT change_id, case_id FROM case_members WHERE case_id = NEW.case_id
                AND change_id <> NEW.change_id LIMIT 2;
            INSERT OR REPLACE INTO case_folds (change_id, case_id)
                SELECT NEW.change_id, NEW.case_id WHERE EXISTS (SELECT 1 FROM case_members o
                WHERE o.case_id = NEW.case_id AND o.change_id <> NEW.change_id);
        END;

        CREATE TRIGGER case_folds_ad AFTER DELETE ON case_members BEGIN
            DELETE FROM case_folds WHERE change_id = OLD.change_id;
            DELETE FROM case_folds WHERE case_id = OLD.case_id AND
                (SELECT COUNT(*) FROM (SELECT 1 FROM case_members WHERE case_id = OLD.case_id LIMIT 2)) < 2;
        END;
        """
    )


@migrations()
def m008_source_municipalities(db: Database) -> None:
    """``sources.municipalities``: the bodies or municipalities a portal source is
    limited to (``sources add --municipality``, repeatable), as a JSON list."""
    db.executescript(
        """
        ALTER TABLE sources ADD COLUMN municipalities TEXT NOT NULL DEFAULT '[]';
        """
    )


@migrations()
def m009_robots_cache(db: Database) -> None:
    """``robots_cache``: each origin's robots.txt as the crawl last saw it, so a fresh
    one is used without a request (RFC 9309 §2.4; what a status means and for how
    long is ``monitor.net.robots``'s). Written only by the crawl, through
    ``monitor.ingest.writer.save_robots``."""
    db.executescript(
        """
        CREATE TABLE robots_cache (
            origin TEXT PRIMARY KEY,
            fetched_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            policy TEXT NOT NULL CHECK (policy IN ('rules', 'allow', 'disallow')),
            status INTEGER,
            body BLOB NOT NULL DEFAULT x'',
            crawl_delay REAL,
            error TEXT
        );
        """
    )


@migrations()
def m010_extraction_checks(db: Database) -> None:
    """``source_state.last_visible``: the page's visible characters (without spaces)
    when its text was last stored, the yardstick for an extracted text that collapses
    while the page does not (``extraction-lost``); ``source_state.extraction_note``:
    why the stored text is worth a look (a small share of the page kept), shown by
    source health. Written only by the ingest writer."""
    db.executescript(
        """
        ALTER TABLE source_state ADD COLUMN last_visible INTEGER;
        ALTER TABLE source_state ADD COLUMN extraction_note TEXT;
        """
    )


@migrations()
def m011_source_query(db: Database) -> None:
    """``sources.query``: the server-side full-text query a portal source is searched
    with (``sources add/set --query``; ``simple_query_string`` syntax, see
    ``monitor.sources.search``); NULL asks for everything."""
    db.executescript(
        """
        ALTER TABLE sources ADD COLUMN query TEXT;
        """
    )


@migrations()
def m012_facets_ignore_null(db: Database) -> None:
    """A ``category`` or ``language`` finding whose value is JSON ``null`` (an analyzer
    saying "no category") no longer sets the inbox facet to the text ``'null'``: the
    triggers read a JSON null as no value, and the facets it already set are cleared."""
    db.executescript(
        """
        DROP TRIGGER change_facets_category;
        CREATE TRIGGER change_facets_category AFTER INSERT ON findings
        WHEN new.name IN ('category', 'action') AND new.value IS NOT NULL
            AND NOT (json_valid(new.value) AND json_type(new.value) = 'null') BEGIN
            UPDATE change_facets SET category = CASE
                WHEN json_valid(new.value) AND json_type(new.value) = 'text'
                THEN json_extract(new.value, '$') ELSE new.value END
            WHERE change_id = new.change_id;
        END;
        DROP TRIGGER change_facets_language;
        CREATE TRIGGER change_facets_language AFTER INSERT ON findings
        WHEN new.name = 'language' AND new.value IS NOT NULL
            AND NOT (json_valid(new.value) AND json_type(new.value) = 'null') BEGIN
            UPDATE change_facets SET lang = lower(CASE
                WHEN json_valid(new.value) AND json_type(new.value) = 'text'
                THEN json_extract(new.value, '$') ELSE new.value END)
            WHERE change_id = new.change_id;
        END;
        UPDATE change_facets SET category = NULL WHERE category = 'null';
        UPDATE change_facets SET lang = (SELECT s.lang FROM changes c JOIN sources s
            ON s.id = c.source_id WHERE c.id = change_facets.change_id) WHERE lang = 'null';
        """
    )


@migrations()
def m013_item_municipalities(db: Database) -> None:
    """``items.municipality`` and ``items.country``: the municipality an entry is for,
    where it has its own (a council portal's agenda item or paper: the body that
    decided), so coverage counts a municipality as watched by a portal that publishes
    for it. Written only by the ingest writer; entries stored before stay NULL until
    listed again."""
    db.executescript(
        """
        ALTER TABLE items ADD COLUMN municipality TEXT;
        ALTER TABLE items ADD COLUMN country TEXT;
        CREATE INDEX items_municipality ON items(source_id, municipality) WHERE municipality IS NOT NULL;
        """
    )


@migrations()
def m014_outcomes_not_by_source(db: Database) -> None:
    """Drop ``fetch_outcomes_source``: every crawl writes one outcome row per source,
    and that index filed each row under its source, so once the year's outcomes
    filled a page per source, each crawl rewrote about one index page per source
    (2,300 WAL pages a day for 2,000 sources after a year, 220 without the index)
    and read each of them back through a page cache they no longer fit: the
    recrawl's own write grew with the history behind it (``bench/year``).

    No query reads fetch outcomes by source: a run's outcomes are found by
    ``fetch_outcomes_run``, and a source's health is kept in ``source_state``.
    Sources are disabled, never deleted, so the ``ON DELETE CASCADE`` that such
    an index would serve has nothing to look up. A reader that needs a source's
    history of outcomes should get an index of its own, bounded to the rows it
    reads (a partial index), rather than one that every crawl pays for."""
    db.executescript(
        """
        DROP INDEX IF EXISTS fetch_outcomes_source;
        """
    )
