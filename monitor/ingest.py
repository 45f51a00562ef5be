"""The one writer of crawl data: fetch result -> text -> fingerprints -> diff -> store.

``ingest(db, pm, result)`` is called once per fetched source (by the Scrapy item
pipeline, or by anything else that produced a :class:`FetchResult`). It decides,
in this order and stopping at the first that applies:

1. the fetch failed -> record the failure on the source;
2. HTTP 304 -> ``not-modified``;
3. identical bytes to the last fetch -> ``unchanged`` (nothing is re-extracted);
4. the source's kind extracts the text (and entries); a region that matched
   nothing or an index without entries -> ``no-match`` (the source is silent);
5. identical text -> ``unchanged`` (a new timestamp in a footer dies here);
6. a text the source had before (A -> B -> A) -> stored as the current version,
   not reported again;
7. otherwise the paragraph diff, minus moved paragraphs, filtered by the source's
   rules (added only, minimum change); new and edited entries for index kinds;
   analyzers; one IMMEDIATE transaction stores snapshot, items, changes, findings.

The steps are split so a crawler can run the expensive middle in a worker process:
:func:`check` and :func:`context` read (main process), :func:`prepare` is pure
(bytes and context in, a :class:`Prepared` out, picklable), :func:`store` writes.
Ingest never reads or writes reviews, tags, notes or export batches.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from monitor import diff as difflib_
from monitor.db import write_tx
from monitor.kinds import ExtractError, SourceKind
from monitor.learn import load as load_model
from monitor.models import AnalysisContext, ChangeDraft, Entry, FetchResult, Finding, Source
from monitor.plugin_manager import PluginManager, analyze, source_kinds
from monitor.queries import get_source
from monitor.text import compress, decompress, fingerprint, one_line, paragraphs
from monitor.verdicts import database_path

OK_OUTCOMES = ("new", "changed", "unchanged", "not-modified", "no-match")
"""Outcomes of a fetch that worked; anything else is a failure."""

KNOWN_VERSIONS = 20
"""How many earlier texts of a source count as known (a flip back is not reported)."""

RELEVANT = 0.5
"""A ``relevance`` finding scoring at least this makes a change relevant for health."""


def utcnow() -> str:
    """Now, as the ISO-8601 UTC text every timestamp in the database uses."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Context:
    """What :func:`prepare` needs to know from the database about a source."""

    prev_snapshot_id: int | None = None
    prev_text_fp: str | None = None
    prev_text: str | None = None
    known_fps: frozenset[str] = frozenset()
    """Text fingerprints of the source's recent snapshots (A -> B -> A)."""
    items: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    """Stored entries: key -> (entry fingerprint, entry text when the kind reports edits)."""
    db_path: str | None = None
    """The database file, beside which a learnt relevance model may lie (each
    extraction process loads it once, rather than receiving it with every source)."""


@dataclass(frozen=True)
class Prepared:
    """Everything computed before the write transaction opens (picklable)."""

    text: str
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
    ``unchanged``, ``not-modified``, ``no-match`` or a failure such as ``http-error``)."""
    source = get_source(db, result.source_id)
    done = check(db, result)
    if done is not None:
        return done
    try:
        prepared = prepare(pm, source, result, context(db, source, pm))
    except Exception as exc:
        return record_failure(db, result, kind="parse-error", message=describe_error(exc))
    return store(db, source, result, prepared)


def describe_error(exc: Exception) -> str:
    """The message stored for an extraction that raised."""
    if isinstance(exc, ExtractError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def check(db: Database, result: FetchResult) -> str | None:
    """Record what needs no extraction (a failure, a 304, identical bytes) and
    return its outcome; ``None`` when the body must be extracted."""
    quick = quick_outcome(db, result)
    if quick is None:
        return None
    record_quick(db, [(result, quick, None)])
    return quick


def quick_outcome(db: Database, result: FetchResult) -> str | None:
    """The outcome of a fetch that needs no extraction (its failure kind,
    ``not-modified``, or ``unchanged`` for the bytes of the last fetch), else ``None``.
    Reads only."""
    if result.error_kind:
        return result.error_kind
    if result.status == 304:
        return "not-modified"
    state = db.execute(
        "SELECT last_raw_fp FROM source_state WHERE source_id = ?", [result.source_id]
    ).fetchone()
    if state and state[0] == fingerprint(result.body):
        return "unchanged"
    return None


def record_quick(db: Database, results: Sequence[tuple[FetchResult, str, int | None]]) -> None:
    """Record many fetches that needed no extraction, each ``(result, outcome, body
    size or None)`` with the outcome :func:`quick_outcome` gave, in one IMMEDIATE
    transaction (inside the caller's when one is open): on a recrawl, and in a bulk
    load of results (``monitor.results_io``), most sources end here, and one commit
    per source would cost more than the fetch. The successful ones go in two
    ``executemany`` statements."""
    if not results:
        return
    now = utcnow()
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


def kind_of(pm: PluginManager, source: Source) -> SourceKind:
    kinds = source_kinds(pm)
    if source.kind not in kinds:
        raise ExtractError(f"no installed plugin handles sources of kind {source.kind!r}")
    return kinds[source.kind]


def context(db: Database, source: Source, pm: PluginManager | None = None) -> Context:
    """Read what :func:`prepare` compares against: the last text, the recent text
    fingerprints and the stored entries."""
    rows = db.execute(
        "SELECT id, text_fp FROM snapshots WHERE source_id = ? ORDER BY id DESC LIMIT ?",
        [source.id, KNOWN_VERSIONS],
    ).fetchall()
    path = database_path(db)
    db_path = str(path) if path else None
    if not rows:
        return Context(db_path=db_path)
    prev_text = decompress(db.execute("SELECT data FROM blobs WHERE fp = ?", [rows[0][1]]).fetchone()[0])
    edits = pm is not None and source.kind in source_kinds(pm) and source_kinds(pm)[source.kind].reports_edits
    items: dict[str, tuple[str, str | None]] = {}
    if edits:
        for key, fp, data in db.execute(
            "SELECT i.key, COALESCE(i.entry_fp, i.text_fp), b.data FROM items i "
            "LEFT JOIN blobs b ON b.fp = COALESCE(i.entry_fp, i.text_fp) WHERE i.source_id = ?",
            [source.id],
        ):
            items[key] = (fp, decompress(data) if data is not None else None)
    else:
        for key, fp in db.execute(
            "SELECT key, COALESCE(entry_fp, text_fp) FROM items WHERE source_id = ?", [source.id]
        ):
            items[key] = (fp, None)
    return Context(rows[0][0], rows[0][1], prev_text, frozenset(r[1] for r in rows), items, db_path)


def prepare(pm: PluginManager, source: Source, result: FetchResult, ctx: Context) -> Prepared | None:
    """Extract, compare with the context, diff, apply the source's rules and run the
    analyzers; ``None`` when the text is unchanged. Pure: no database, no network.

    Raises:
        ExtractError: (or any exception of a kind plugin) the fetch cannot be read.
    """
    kind = kind_of(pm, source)
    extracted = kind.extract(pm, source, result)
    if extracted.warning:
        return Prepared("", "", extracted.title, (), (), (), (), False, extracted.warning)
    text = extracted.text
    text_fp = fingerprint(text)
    if ctx.prev_text_fp == text_fp:
        return None
    first = ctx.prev_text_fp is None
    drafts: list[ChangeDraft] = []
    keys: list[str | None] = []
    entries = extracted.entries or ()
    if extracted.entries is not None:
        for e in entries:
            old = ctx.items.get(e.key)
            if first:
                continue
            if old is None:
                keys.append(e.key)
                drafts.append(_draft(source, "new-entry", e.url or result.url, e.title, "", e.full_text))
            elif kind.reports_edits and old[0] != fingerprint(e.entry_text) and old[1] is not None:
                keys.append(e.key)
                drafts.append(_draft(source, "edited-entry", e.url or result.url, e.title, old[1],
                                     e.entry_text))
    elif not first and text_fp not in ctx.known_fps:
        assert ctx.prev_text is not None
        draft = _draft(source, "page-changed", result.url, extracted.title, ctx.prev_text, text)
        ops = difflib_.apply_rules(difflib_.drop_moves(draft.ops), added_only=source.added_only,
                                   min_change=source.min_change)
        added, removed = difflib_.added_removed(ops)
        keys.append(None)
        drafts.append(ChangeDraft(source=source, kind=draft.kind, url=draft.url, title=draft.title,
                                  added=added, removed=removed, ops=ops, text=text))
    kept = [(d, k) for d, k in zip(drafts, keys, strict=True) if d.ops]
    analysis = AnalysisContext(model=load_model(Path(ctx.db_path))) if kept and ctx.db_path else None
    findings = tuple(tuple(analyze(pm, d, analysis)) for d, _ in kept)
    texts = {text_fp: text}
    for e in entries:
        texts[fingerprint(e.entry_text)] = e.entry_text
        texts[fingerprint(e.full_text)] = e.full_text
    blobs = tuple((fp, len(t), compress(t)) for fp, t in texts.items())
    return Prepared(text, text_fp, extracted.title, tuple(d for d, _ in kept),
                    tuple(k for _, k in kept), findings, tuple(entries), first, blobs=blobs)


def _draft(source: Source, kind: str, url: str, title: str, old: str, new: str) -> ChangeDraft:
    ops = difflib_.diff_paragraphs(paragraphs(old), paragraphs(new))
    added, removed = difflib_.added_removed(ops)
    return ChangeDraft(source=source, kind=kind, url=url, title=one_line(title) if title else "",
                       added=added, removed=removed, ops=ops, text=new)


# ---------------------------------------------------------------------------
# writes
# ---------------------------------------------------------------------------


def _put_blobs(db: Database, blobs: tuple[tuple[str, int, bytes], ...]) -> None:
    db.conn.executemany("INSERT OR IGNORE INTO blobs (fp, size, data) VALUES (?, ?, ?)", blobs)


def store(db: Database, source: Source, result: FetchResult, p: Prepared | None,
          raw_fp: str | None = None) -> str:
    """Write what :func:`prepare` found, in one IMMEDIATE transaction; return the outcome."""
    raw_fp = raw_fp or fingerprint(result.body)
    if p is None:
        return _record(db, result, "unchanged", raw_fp=raw_fp)
    if p.warning:
        return _record(db, result, "no-match", message=p.warning)
    now = utcnow()
    outcome = "new" if p.first else ("changed" if p.drafts else "unchanged")
    relevant = any(f.name == "relevance" and (f.score or 0) >= RELEVANT
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
        _record(db, result, outcome, raw_fp=raw_fp, changes=len(p.drafts), now=now, relevant=relevant)
    return outcome


def _store_entries(db: Database, source: Source, p: Prepared, now: str) -> dict[str, int]:
    """Insert new entries, refresh known ones; an entry's article text is kept once
    fetched (a later run that only sees the index does not overwrite it)."""
    item_ids: dict[str, int] = {}
    edited = {k for k in p.item_keys if k}
    for entry in p.entries:
        efp = fingerprint(entry.entry_text)
        full = entry.full_text
        tfp = fingerprint(full)
        db.execute(
            "INSERT INTO items (source_id, key, url, title, text_fp, entry_fp, first_seen, last_seen) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source_id, key) DO UPDATE SET "
            "url = excluded.url, title = excluded.title, entry_fp = excluded.entry_fp, "
            "text_fp = CASE WHEN ? THEN excluded.text_fp ELSE text_fp END, "
            "last_seen = excluded.last_seen",
            [source.id, entry.key, entry.url, entry.title, tfp, efp, now, now,
             int(entry.key in edited or entry.article is not None)],
        )
        if entry.key in edited:
            item_ids[entry.key] = db.execute(
                "SELECT id FROM items WHERE source_id = ? AND key = ?", [source.id, entry.key]
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
) -> str:
    """Record a fetch that worked: outcome row and the source's fetch state.

    ``quiet_runs`` counts successful fetches in a row without a change (health);
    a ``no-match`` keeps the raw fingerprint unset so the same bytes are read again
    (and the source stays flagged) until the page matches again."""
    now = now or utcnow()
    # Inside store()'s transaction already: no savepoint needed for two statements.
    tx = contextlib.nullcontext() if db.conn.in_transaction else write_tx(db)
    with tx:
        _outcome_row(db, result, outcome, message, changes, now, size)
        db.execute(_STATE_SQL, _state_params(result, outcome, raw_fp, changes, now, relevant, message))
    return outcome


_STATE_SQL = (
    "INSERT INTO source_state (source_id, etag, last_modified, last_raw_fp, last_fetched, "
    "last_status, last_error, consecutive_failures, last_ok, last_change_at, quiet_runs, "
    "last_relevant_at) "
    "VALUES (:sid, :etag, :lm, :raw, :now, :status, :msg, 0, :now, :change, :quiet, :relevant) "
    "ON CONFLICT (source_id) DO UPDATE SET "
    "etag = CASE WHEN :status = 'not-modified' THEN etag ELSE :etag END, "
    "last_modified = CASE WHEN :status = 'not-modified' THEN last_modified ELSE :lm END, "
    "last_raw_fp = CASE WHEN :status = 'no-match' THEN NULL "
    "ELSE COALESCE(:raw, last_raw_fp) END, last_fetched = :now, last_status = :status, "
    "last_error = :msg, consecutive_failures = 0, last_ok = :now, "
    "last_change_at = COALESCE(:change, last_change_at), "
    "quiet_runs = CASE WHEN :quiet THEN quiet_runs + 1 ELSE 0 END, "
    "last_relevant_at = COALESCE(:relevant, last_relevant_at)"
)


def _state_params(result: FetchResult, outcome: str, raw_fp: str | None, changes: int, now: str,
                  relevant: bool, message: str | None) -> dict[str, Any]:
    h = result.headers
    return {
        "sid": result.source_id, "now": now, "status": outcome, "raw": raw_fp,
        "etag": h.get("etag"), "lm": h.get("last-modified"),
        "change": now if changes else None, "quiet": 0 if changes else 1,
        "relevant": now if relevant else None, "msg": message,
    }


def record_failure(db: Database, result: FetchResult, kind: str | None = None,
                   message: str | None = None) -> str:
    """Record a failed fetch on the source; nothing already stored is touched."""
    now = utcnow()
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
