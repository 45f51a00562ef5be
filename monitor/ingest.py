"""The one writer of crawl data: fetch result -> text -> fingerprints -> diff -> store.

``ingest(db, pm, result)`` is called once per fetched source (by the Scrapy item
pipeline, or by anything else that produced a :class:`FetchResult`). It decides,
in this order and stopping at the first that applies:

1. the fetch failed -> record the failure on the source;
2. HTTP 304 -> ``not-modified``;
3. identical bytes to the last fetch -> ``unchanged``;
4. extract and normalise the text; identical text -> ``unchanged`` (a new
   timestamp in a footer dies here);
5. otherwise store a snapshot and, unless this is the first fetch (the baseline),
   the changes with the analyzers' findings -- all in one IMMEDIATE transaction.

Ingest never reads or writes reviews, tags, notes or export batches.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from monitor import diff as difflib_
from monitor.db import write_tx
from monitor.feeds import Entry, FeedError, parse_feed
from monitor.learn import context_for
from monitor.models import ChangeDraft, FetchResult, Finding, Source
from monitor.plugin_manager import PluginManager, analyze
from monitor.queries import get_source
from monitor.text import compress, decompress, fingerprint, normalise, one_line, paragraphs

OK_OUTCOMES = ("new", "changed", "unchanged", "not-modified")
"""Outcomes of a fetch that worked; anything else is a failure."""


def utcnow() -> str:
    """Now, as the ISO-8601 UTC text every timestamp in the database uses."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class _Prepared:
    """Everything computed before the write transaction opens."""

    text: str
    text_fp: str
    title: str
    drafts: list[ChangeDraft]
    item_keys: list[str | None]
    """The feed entry each draft is about (``None`` for a page change)."""
    findings: list[list[Finding]]
    items: list[tuple[Entry, str]]
    first: bool


# ---------------------------------------------------------------------------
# runs
# ---------------------------------------------------------------------------


def start_run(db: Database, source_count: int, pid: int | None = None) -> int:
    """Open a crawl run and return its id."""
    with write_tx(db):
        cur = db.execute(
            "INSERT INTO crawl_runs (started_at, pid, sources) VALUES (?, ?, ?)",
            [utcnow(), pid, source_count],
        )
    return int(cur.lastrowid or 0)


def finish_run(db: Database, run_id: int, source_ids: list[int], status: str = "done") -> None:
    """Close a run; a source that got no result at all is recorded as failing."""
    seen = {r[0] for r in db.execute("SELECT source_id FROM fetch_outcomes WHERE run_id = ?", [run_id])}
    for sid in source_ids:
        if sid not in seen:
            record_failure(db, FetchResult(sid, "", error_kind="no-result",
                                           error="the crawler returned no result", run_id=run_id))
    with write_tx(db):
        db.execute("UPDATE crawl_runs SET finished_at = ?, status = ? WHERE id = ?",
                   [utcnow(), status, run_id])


# ---------------------------------------------------------------------------
# the decision
# ---------------------------------------------------------------------------


def ingest(db: Database, pm: PluginManager, result: FetchResult) -> str:
    """Store what one fetch means; return the outcome name (``new``, ``changed``,
    ``unchanged``, ``not-modified`` or a failure such as ``http-error``)."""
    source = get_source(db, result.source_id)
    if result.error_kind:
        return record_failure(db, result)
    if result.status == 304:
        return _record(db, result, "not-modified")
    state = db.execute(
        "SELECT last_raw_fp FROM source_state WHERE source_id = ?", [source.id]
    ).fetchone()
    raw_fp = fingerprint(result.body)
    if state and state[0] == raw_fp:
        return _record(db, result, "unchanged", raw_fp=raw_fp)
    try:
        prepared = _prepare(db, pm, source, result)
    except (FeedError, _ExtractError) as exc:
        return record_failure(db, result, kind="parse-error", message=str(exc))
    if prepared is None:
        return _record(db, result, "unchanged", raw_fp=raw_fp)
    return _store(db, source, result, raw_fp, prepared)


class _ExtractError(ValueError):
    pass


def _previous(db: Database, source_id: int) -> tuple[int, str, str] | None:
    row = db.execute(
        "SELECT s.id, s.text_fp, b.data FROM snapshots s JOIN blobs b ON b.fp = s.text_fp "
        "WHERE s.source_id = ? ORDER BY s.id DESC LIMIT 1",
        [source_id],
    ).fetchone()
    return (row[0], row[1], decompress(row[2])) if row else None


def _prepare(db: Database, pm: PluginManager, source: Source, result: FetchResult) -> _Prepared | None:
    """Extract, compare with the last snapshot, diff and analyze; ``None`` when the
    text is unchanged."""
    prev = _previous(db, source.id)
    ctype = result.headers.get("content-type", "")
    if source.kind == "feed":
        entries = parse_feed(result.body, result.headers)
        text = normalise("\n".join(e.full_text for e in entries))
        title = ""
    else:
        try:
            extracted = pm.hook.extract_text(source=source, url=result.url, body=result.body,
                                             content_type=ctype)
        except Exception as exc:
            raise _ExtractError(f"text extraction failed: {type(exc).__name__}: {exc}") from exc
        if extracted is None:
            raise _ExtractError(f"no extractor for content type {ctype or 'unknown'!r}")
        text = normalise(extracted)
        if not text:
            raise _ExtractError("no text found in the page")
        title = html_title(result.body) or one_line(source.municipality or result.url)
        entries = []
    text_fp = fingerprint(text)
    if prev is not None and prev[1] == text_fp:
        return None
    first = prev is None
    drafts: list[ChangeDraft] = []
    keys: list[str | None] = []
    items: list[tuple[Entry, str]] = []
    if source.kind == "feed":
        known = {k: fp for k, fp in db.execute(
            "SELECT key, text_fp FROM items WHERE source_id = ?", [source.id])}
        for e in entries:
            efp = fingerprint(e.full_text)
            items.append((e, efp))
            old_fp = known.get(e.key)
            if first or old_fp == efp:
                continue
            keys.append(e.key)
            if old_fp is None:
                drafts.append(_draft(source, "new-entry", e.url or result.url, e.title, "", e.full_text))
            else:
                old = decompress(db.execute("SELECT data FROM blobs WHERE fp = ?", [old_fp]).fetchone()[0])
                drafts.append(_draft(source, "edited-entry", e.url or result.url, e.title, old, e.full_text))
    elif not first:
        assert prev is not None
        keys.append(None)
        drafts.append(_draft(source, "page-changed", result.url, title, prev[2], text))
    kept = [(d, k) for d, k in zip(drafts, keys, strict=True) if d.ops]
    context = context_for(db) if kept else None
    findings = [analyze(pm, d, context) for d, _ in kept]
    return _Prepared(text, text_fp, title, [d for d, _ in kept], [k for _, k in kept],
                     findings, items, first)


def _draft(source: Source, kind: str, url: str, title: str, old: str, new: str) -> ChangeDraft:
    ops = difflib_.diff_paragraphs(paragraphs(old), paragraphs(new))
    added, removed = difflib_.added_removed(ops)
    return ChangeDraft(source=source, kind=kind, url=url, title=title, added=added,
                       removed=removed, ops=ops, text=new)


_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.I | re.S)


def html_title(body: bytes) -> str:
    """The ``<title>`` of an HTML page, as one plain line ("" if none)."""
    m = _TITLE.search(body[:65536])
    if not m:
        return ""
    return one_line(html.unescape(m.group(1).decode("utf-8", "replace")))


# ---------------------------------------------------------------------------
# writes
# ---------------------------------------------------------------------------


def _put_blob(db: Database, fp: str, text: str) -> None:
    data = compress(text)
    db.execute("INSERT OR IGNORE INTO blobs (fp, size, data) VALUES (?, ?, ?)", [fp, len(text), data])


def _store(db: Database, source: Source, result: FetchResult, raw_fp: str, p: _Prepared) -> str:
    now = utcnow()
    outcome = "new" if p.first else ("changed" if p.drafts else "unchanged")
    with write_tx(db):
        _put_blob(db, p.text_fp, p.text)
        snap = db.execute(
            "INSERT INTO snapshots (source_id, fetched_at, raw_fp, text_fp, http_status, content_type) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [source.id, now, raw_fp, p.text_fp, result.status, result.headers.get("content-type")],
        ).lastrowid
        prev_snap = db.execute(
            "SELECT id FROM snapshots WHERE source_id = ? AND id < ? ORDER BY id DESC LIMIT 1",
            [source.id, snap],
        ).fetchone()
        item_ids: dict[str, int] = {}
        for entry, efp in p.items:
            _put_blob(db, efp, entry.full_text)
            db.execute(
                "INSERT INTO items (source_id, key, url, title, text_fp, first_seen, last_seen) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source_id, key) DO UPDATE SET "
                "url = excluded.url, title = excluded.title, text_fp = excluded.text_fp, "
                "last_seen = excluded.last_seen",
                [source.id, entry.key, entry.url, entry.title, efp, now, now],
            )
            item_ids[entry.key] = db.execute(
                "SELECT id FROM items WHERE source_id = ? AND key = ?", [source.id, entry.key]
            ).fetchone()[0]
        for draft, key, findings in zip(p.drafts, p.item_keys, p.findings, strict=True):
            change_id = db.execute(
                "INSERT INTO changes (source_id, snapshot_id, previous_snapshot_id, item_id, run_id, "
                "kind, url, title, detected_at, added, removed, ops, added_text, removed_text) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [source.id, snap, prev_snap[0] if prev_snap else None, item_ids.get(key) if key else None,
                 result.run_id, draft.kind, draft.url, draft.title, now,
                 json.dumps(draft.added, ensure_ascii=False),
                 json.dumps(draft.removed, ensure_ascii=False),
                 json.dumps(difflib_.ops_to_json(draft.ops), ensure_ascii=False),
                 "\n".join(draft.added), "\n".join(draft.removed)],
            ).lastrowid
            for f in findings:
                db.execute(
                    "INSERT INTO findings (change_id, plugin, name, value, score, reasons) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [change_id, f.plugin, f.name, json.dumps(f.value, ensure_ascii=False, default=str),
                     f.score, json.dumps(list(f.reasons), ensure_ascii=False)],
                )
        _record(db, result, outcome, raw_fp=raw_fp, changes=len(p.drafts), now=now)
    return outcome


def _record(
    db: Database,
    result: FetchResult,
    outcome: str,
    *,
    raw_fp: str | None = None,
    changes: int = 0,
    now: str | None = None,
) -> str:
    """Record a fetch that worked: outcome row and the source's fetch state."""
    now = now or utcnow()
    h = result.headers
    with write_tx(db):
        _outcome_row(db, result, outcome, None, changes, now)
        params: dict[str, Any] = {
            "sid": result.source_id, "now": now, "status": outcome, "raw": raw_fp,
            "etag": h.get("etag"), "lm": h.get("last-modified"),
            "change": now if changes else None,
        }
        db.execute(
            "INSERT INTO source_state (source_id, etag, last_modified, last_raw_fp, last_fetched, "
            "last_status, last_error, consecutive_failures, last_ok, last_change_at) "
            "VALUES (:sid, :etag, :lm, :raw, :now, :status, NULL, 0, :now, :change) "
            "ON CONFLICT (source_id) DO UPDATE SET "
            "etag = CASE WHEN :status = 'not-modified' THEN etag ELSE :etag END, "
            "last_modified = CASE WHEN :status = 'not-modified' THEN last_modified ELSE :lm END, "
            "last_raw_fp = COALESCE(:raw, last_raw_fp), last_fetched = :now, last_status = :status, "
            "last_error = NULL, consecutive_failures = 0, last_ok = :now, "
            "last_change_at = COALESCE(:change, last_change_at)",
            params,
        )
    return outcome


def record_failure(db: Database, result: FetchResult, kind: str | None = None,
                   message: str | None = None) -> str:
    """Record a failed fetch on the source; nothing already stored is touched."""
    now = utcnow()
    kind = kind or result.error_kind or "error"
    message = one_line(message or result.error or kind, 500)
    with write_tx(db):
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
                 changes: int, now: str) -> None:
    db.execute(
        "INSERT INTO fetch_outcomes (run_id, source_id, fetched_at, outcome, http_status, message, "
        "elapsed_ms, bytes, changes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [result.run_id, result.source_id, now, outcome, result.status, message,
         result.elapsed_ms, len(result.body), changes],
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
                    json.dumps(difflib_.ops_to_json(d.ops), ensure_ascii=False),
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
