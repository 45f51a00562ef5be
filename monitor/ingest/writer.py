"""The one writer of crawl data: snapshots, entries, changes, findings, fetch outcomes,
the sources' fetch state and crawl runs.

Everything here writes in IMMEDIATE transactions (:func:`monitor.store.db.write_tx`),
and nothing here reads or writes reviews, tags, notes, records or export batches.
Only ingest, the crawl, the CLI and the spiders may import this module (an
import-linter contract keeps it so): the rest of twinwatch reads crawl data through
``monitor.store`` and never writes it.

What to write is decided before: :mod:`monitor.ingest.outcome` names the outcome,
:func:`monitor.ingest.pipeline.prepare` computes a :class:`Prepared`.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from monitor import clock
from monitor.ingest.outcome import extracted
from monitor.models import (
    RELEVANT_AT,
    ChangeDraft,
    Entry,
    FetchResult,
    Finding,
    RobotsEntry,
    Source,
    ops_to_json,
)
from monitor.store.db import write_tx
from monitor.text import fingerprint, one_line


@dataclass(frozen=True)
class Prepared:
    """Everything computed before the write transaction opens (picklable). The text
    itself travels only compressed, in ``blobs``: an extraction process sends this
    back to the crawl for every new page (a 40 KB text each time, for nothing)."""

    text_fp: str
    title: str
    drafts: tuple[ChangeDraft, ...]
    item_keys: tuple[str | None, ...]
    """The entry each draft is about (``None`` for a page change)."""
    findings: tuple[tuple[Finding, ...], ...]
    entries: tuple[Entry, ...]
    first: bool
    warning: str | None = None
    blobs: tuple[tuple[str, int, bytes], ...] = ()
    """``(fingerprint, text length, compressed text)`` of every text to store, made
    in :func:`prepare` so compression happens off the writer's thread."""
    visible: int | None = None
    """The page's visible characters (without spaces), when measured: kept as
    ``source_state.last_visible`` for the next collapse check."""
    note: str | None = None
    """A note for a look (a small share of the page kept), kept on the source
    (``source_state.extraction_note``) until a later stored text no longer needs it."""
    lost: str | None = None
    """Why the text is an extraction problem (``extraction-lost``): nothing is stored."""


# ---------------------------------------------------------------------------
# runs
# ---------------------------------------------------------------------------


def save_robots(db: Database, entry: RobotsEntry) -> None:
    """Store ``entry`` as its origin's cached robots.txt (``robots_cache``), replacing
    the one before. The crawl calls this from its crawler processes; it is a row
    per site, written in its own short transaction."""
    with write_tx(db):
        db.execute(
            "INSERT OR REPLACE INTO robots_cache (origin, fetched_at, expires_at, policy, status, "
            "body, crawl_delay, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [entry.origin, entry.fetched_at, entry.expires_at, entry.policy, entry.status,
             entry.body, entry.crawl_delay, entry.error],
        )



def start_run(db: Database, source_count: int, pid: int | None = None) -> int:
    """Open a crawl run and return its id."""
    with write_tx(db):
        cur = db.execute(
            "INSERT INTO crawl_runs (started_at, pid, sources) VALUES (?, ?, ?)",
            [clock.utcnow(), pid, source_count],
        )
    return int(cur.lastrowid or 0)


def finish_run(db: Database, run_id: int, source_ids: list[int], status: str = "done", *,
               count: bool = False) -> None:
    """Close a run; a source that got no result at all is recorded as failing. With
    ``count``, the run's source count becomes ``len(source_ids)`` (a bulk load knows
    its sources only at the end)."""
    if count:
        with write_tx(db):
            db.execute("UPDATE crawl_runs SET sources = ? WHERE id = ?", [len(source_ids), run_id])
    seen = {r[0] for r in db.execute("SELECT source_id FROM fetch_outcomes WHERE run_id = ?", [run_id])}
    for sid in source_ids:
        if sid not in seen:
            record_failure(db, FetchResult(sid, "", error_kind="no-result",
                                           error="the crawler returned no result", run_id=run_id))
    with write_tx(db):
        db.execute("UPDATE crawl_runs SET finished_at = ?, status = ? WHERE id = ?",
                   [clock.utcnow(), status, run_id])


def mark_ingested(db: Database, lines: Sequence[tuple[str, int, int]]) -> None:
    """Remember loaded JSON Lines lines, each ``(line fingerprint, source id, run id)``, so
    that loading them again adds nothing (inside the caller's transaction when one is open)."""
    if not lines:
        return
    now = clock.utcnow()
    tx = contextlib.nullcontext() if db.conn.in_transaction else write_tx(db)
    with tx:
        db.conn.executemany("INSERT OR IGNORE INTO ingested_results (fp, source_id, run_id, ingested_at) "
                            "VALUES (?, ?, ?, ?)", [(*row, now) for row in lines])


# ---------------------------------------------------------------------------
# fetches
# ---------------------------------------------------------------------------


def record_quick(db: Database, results: Sequence[tuple[FetchResult, str, int | None]]) -> None:
    """Record many fetches that needed no extraction, each ``(result, outcome, body
    size or None)`` with the outcome :func:`monitor.ingest.pipeline.settled` gave, in one IMMEDIATE
    transaction (inside the caller's when one is open): on a recrawl, and in a bulk
    load of results (``monitor.ingest.jsonl``), most sources end here, and one commit
    per source would cost more than the fetch. The successful ones go in two
    ``executemany`` statements."""
    if not results:
        return
    now = clock.utcnow()
    ok: list[tuple[FetchResult, str, int | None]] = []

    def flush() -> None:
        db.conn.executemany(_OUTCOME_SQL, [
            (r.run_id, r.source_id, now, outcome, r.status, None, r.elapsed_ms,
             len(r.body) if size is None else size, 0) for r, outcome, size in ok])
        db.conn.executemany(_STATE_SQL, [_state_params(r, outcome, None, 0, now, False, None)
                                         for r, outcome, _ in ok])
        ok.clear()

    tx = contextlib.nullcontext() if db.conn.in_transaction else write_tx(db)
    with tx:
        for item in results:
            if item[0].error_kind:  # in order: a source's failure after its success counts
                flush()
                record_failure(db, item[0])
            else:
                ok.append(item)
        flush()


def _put_blobs(db: Database, blobs: tuple[tuple[str, int, bytes], ...]) -> None:
    db.conn.executemany("INSERT OR IGNORE INTO blobs (fp, size, data) VALUES (?, ?, ?)", blobs)


def store(db: Database, source: Source, result: FetchResult, p: Prepared | None,
          raw_fp: str | None = None) -> str:
    """Write what :func:`prepare` found, in one IMMEDIATE transaction; return the outcome."""
    raw_fp = raw_fp or fingerprint(result.body)
    outcome = extracted(same_text=p is None, no_match=p is not None and bool(p.warning),
                        first=p is not None and p.first, changes=len(p.drafts) if p else 0,
                        lost=p is not None and bool(p.lost))
    if p is not None and p.lost:
        # Like a bot wall: a failure of its kind, the last good text and raw
        # fingerprint stay, so the same bytes are read (and flagged) again.
        return record_failure(db, result, kind=outcome, message=p.lost)
    if p is None:
        return _record(db, result, outcome, raw_fp=raw_fp)
    if p.warning:
        return _record(db, result, outcome, message=p.warning)
    now = clock.utcnow()
    relevant = any(f.name == "relevance" and (f.score or 0) >= RELEVANT_AT
                   for fs in p.findings for f in fs)
    with write_tx(db):
        _put_blobs(db, p.blobs)
        snap = db.execute(
            "INSERT INTO snapshots (source_id, fetched_at, raw_fp, text_fp, http_status, content_type) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [source.id, now, raw_fp, p.text_fp, result.status, result.headers.get("content-type")],
        ).lastrowid
        prev_snap = db.execute(
            "SELECT id FROM snapshots WHERE source_id = ? AND id < ? ORDER BY id DESC LIMIT 1",
            [source.id, snap],
        ).fetchone()
        item_ids = _store_entries(db, source, p, now)
        for draft, key, findings in zip(p.drafts, p.item_keys, p.findings, strict=True):
            change_id = db.execute(
                "INSERT INTO changes (source_id, snapshot_id, previous_snapshot_id, item_id, run_id, "
                "kind, url, title, detected_at, added, removed, ops, added_text, removed_text) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [source.id, snap, prev_snap[0] if prev_snap else None, item_ids.get(key) if key else None,
                 result.run_id, draft.kind, draft.url, draft.title, now,
                 json.dumps(draft.added, ensure_ascii=False),
                 json.dumps(draft.removed, ensure_ascii=False),
                 json.dumps(ops_to_json(draft.ops), ensure_ascii=False),
                 "\n".join(draft.added), "\n".join(draft.removed)],
            ).lastrowid
            for f in findings:
                db.execute(
                    "INSERT INTO findings (change_id, plugin, name, value, score, reasons) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [change_id, f.plugin, f.name, json.dumps(f.value, ensure_ascii=False, default=str),
                     f.score, json.dumps(list(f.reasons), ensure_ascii=False)],
                )
        _record(db, result, outcome, raw_fp=raw_fp, changes=len(p.drafts), now=now, relevant=relevant,
                message=p.note, stored=p)
    return outcome


def _store_entries(db: Database, source: Source, p: Prepared, now: str) -> dict[str, int]:
    """Insert new entries, refresh known ones; an entry's article text is kept once
    fetched (a later run that only sees the index does not overwrite it). An entry
    with its own municipality (a portal's) keeps it with the item, for coverage."""
    edited = {k for k in p.item_keys if k}
    # One statement for every entry (a portal's first sync has thousands), in order.
    db.conn.executemany(
        "INSERT INTO items (source_id, key, url, title, text_fp, entry_fp, first_seen, last_seen, "
        "municipality, country) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (source_id, key) DO UPDATE SET "
        "url = excluded.url, title = excluded.title, entry_fp = excluded.entry_fp, "
        "text_fp = CASE WHEN ? THEN excluded.text_fp ELSE text_fp END, "
        "last_seen = excluded.last_seen, municipality = COALESCE(excluded.municipality, municipality), "
        "country = COALESCE(excluded.country, country)",
        ([source.id, entry.key, entry.url, entry.title, entry.full_fp,
          entry.entry_fp, now, now, entry.municipality or None,
          (entry.country or None) if entry.municipality else None,
          int(entry.key in edited or entry.article is not None)] for entry in p.entries),
    )
    item_ids: dict[str, int] = {}
    for key in (e.key for e in p.entries if e.key in edited):
        item_ids[key] = db.execute(
            "SELECT id FROM items WHERE source_id = ? AND key = ?", [source.id, key]
        ).fetchone()[0]
    return item_ids


def _record(
    db: Database,
    result: FetchResult,
    outcome: str,
    *,
    raw_fp: str | None = None,
    changes: int = 0,
    now: str | None = None,
    relevant: bool = False,
    message: str | None = None,
    size: int | None = None,
    stored: Prepared | None = None,
) -> str:
    """Record a fetch that worked: outcome row and the source's fetch state.

    ``quiet_runs`` counts successful fetches in a row without a change (health);
    a ``no-match`` keeps the raw fingerprint unset so the same bytes are read again
    (and the source stays flagged) until the page matches again. ``stored``, the
    text just stored, sets the page's visible size and the note for a look."""
    now = now or clock.utcnow()
    # Inside store()'s transaction already: no savepoint needed for two statements.
    tx = contextlib.nullcontext() if db.conn.in_transaction else write_tx(db)
    with tx:
        _outcome_row(db, result, outcome, message, changes, now, size)
        db.execute(_STATE_SQL, _state_params(result, outcome, raw_fp, changes, now, relevant, message,
                                             stored))
    return outcome


_STATE_SQL = (
    "INSERT INTO source_state (source_id, etag, last_modified, last_raw_fp, last_fetched, "
    "last_status, last_error, consecutive_failures, last_ok, last_change_at, quiet_runs, "
    "last_relevant_at, last_visible, extraction_note) "
    "VALUES (:sid, :etag, :lm, :raw, :now, :status, :msg, 0, :now, :change, :quiet, :relevant, "
    ":visible, :note) "
    "ON CONFLICT (source_id) DO UPDATE SET "
    "etag = CASE WHEN :status = 'not-modified' THEN etag ELSE :etag END, "
    "last_modified = CASE WHEN :status = 'not-modified' THEN last_modified ELSE :lm END, "
    "last_raw_fp = CASE WHEN :status = 'no-match' THEN NULL "
    "ELSE COALESCE(:raw, last_raw_fp) END, last_fetched = :now, last_status = :status, "
    "last_error = :msg, consecutive_failures = 0, last_ok = :now, "
    "last_change_at = COALESCE(:change, last_change_at), "
    "quiet_runs = CASE WHEN :quiet THEN quiet_runs + 1 ELSE 0 END, "
    "last_relevant_at = COALESCE(:relevant, last_relevant_at), "
    "last_visible = CASE WHEN :stored THEN :visible ELSE last_visible END, "
    "extraction_note = CASE WHEN :stored THEN :note ELSE extraction_note END"
)


def _state_params(result: FetchResult, outcome: str, raw_fp: str | None, changes: int, now: str,
                  relevant: bool, message: str | None, stored: Prepared | None = None) -> dict[str, Any]:
    h = result.headers
    return {
        "sid": result.source_id, "now": now, "status": outcome, "raw": raw_fp,
        "etag": h.get("etag"), "lm": h.get("last-modified"),
        "change": now if changes else None, "quiet": 0 if changes else 1,
        "relevant": now if relevant else None, "msg": message, "stored": stored is not None,
        "visible": stored.visible if stored else None, "note": stored.note if stored else None,
    }


def record_failure(db: Database, result: FetchResult, kind: str | None = None,
                   message: str | None = None) -> str:
    """Record a failed fetch on the source; nothing already stored is touched."""
    now = clock.utcnow()
    kind = kind or result.error_kind or "error"
    message = one_line(message or result.error or kind, 500)
    tx = contextlib.nullcontext() if db.conn.in_transaction else write_tx(db)
    with tx:
        _outcome_row(db, result, kind, message, 0, now)
        db.execute(
            "INSERT INTO source_state (source_id, last_fetched, last_status, last_error, "
            "consecutive_failures) VALUES (?, ?, ?, ?, 1) ON CONFLICT (source_id) DO UPDATE SET "
            "last_fetched = excluded.last_fetched, last_status = excluded.last_status, "
            "last_error = excluded.last_error, consecutive_failures = consecutive_failures + 1",
            [result.source_id, now, kind, message],
        )
    return kind


def _outcome_row(db: Database, result: FetchResult, outcome: str, message: str | None,
                 changes: int, now: str, size: int | None = None) -> None:
    db.execute(_OUTCOME_SQL, [result.run_id, result.source_id, now, outcome, result.status, message,
                              result.elapsed_ms, len(result.body) if size is None else size, changes])


_OUTCOME_SQL = (
    "INSERT INTO fetch_outcomes (run_id, source_id, fetched_at, outcome, http_status, message, "
    "elapsed_ms, bytes, changes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


# ---------------------------------------------------------------------------
# bulk
# ---------------------------------------------------------------------------


def store_changes(
    db: Database,
    records: Iterable[tuple[ChangeDraft, Sequence[Finding], str]],
    *,
    chunk: int = 5000,
) -> list[int]:
    """Store changes produced elsewhere (an import, a benchmark, a test's fixed data),
    each as ``(draft, findings, detected_at)``, without fetching or diffing; return
    their ids.

    Each chunk is one IMMEDIATE transaction of ``executemany`` inserts, so this
    writes about 20,000 changes a second with their full-text index. No snapshot is
    stored: these changes have no previous version to compare with.
    """
    ids: list[int] = []
    batch: list[tuple[ChangeDraft, Sequence[Finding], str]] = []

    def flush() -> None:
        with write_tx(db):
            first = int(db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM changes").fetchone()[0])
            rows: list[tuple[Any, ...]] = []
            findings: list[tuple[Any, ...]] = []
            for n, (d, found, at) in enumerate(batch):
                cid = first + n
                ids.append(cid)
                rows.append((
                    cid, d.source.id, d.kind, d.url, d.title, at,
                    json.dumps(d.added, ensure_ascii=False), json.dumps(d.removed, ensure_ascii=False),
                    json.dumps(ops_to_json(d.ops), ensure_ascii=False),
                    "\n".join(d.added), "\n".join(d.removed),
                ))
                findings.extend(
                    (cid, f.plugin or "import", f.name, json.dumps(f.value, ensure_ascii=False, default=str),
                     f.score, json.dumps(list(f.reasons), ensure_ascii=False))
                    for f in found
                )
            db.conn.executemany(
                "INSERT INTO changes (id, source_id, kind, url, title, detected_at, added, removed, ops, "
                "added_text, removed_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            db.conn.executemany(
                "INSERT INTO findings (change_id, plugin, name, value, score, reasons) "
                "VALUES (?, ?, ?, ?, ?, ?)", findings)
        batch.clear()

    for record in records:
        batch.append(record)
        if len(batch) >= chunk:
            flush()
    if batch:
        flush()
    return ids
