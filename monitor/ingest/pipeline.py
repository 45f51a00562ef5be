"""The ingest pipeline: fetch result -> text -> fingerprints -> diff -> analyzers, then
the writer.

:func:`ingest` (and :func:`ingest_async`, the same steps with the extraction awaited)
is the one entry point, called once per fetched source: by a crawl (through
:class:`monitor.ingest.workers.Ingestor`), by ``twinwatch ingest`` (JSON Lines), or
by anything else that produced a :class:`FetchResult`. It decides, in this order and
stopping at the first that applies:

1. the fetch failed, HTTP 304, identical bytes to the last fetch, or an answer that
   stands in for the page (``blocked``, ``moved``, ``gone``): the outcome
   :func:`monitor.ingest.outcome.settle` names, recorded without extracting;
2. the source's kind extracts the text (and entries); a region that matched
   nothing or an index without entries -> ``no-match`` (the source is silent);
3. identical text -> ``unchanged`` (a new timestamp in a footer dies here);
   an HTML page's text that collapsed while the page did not shrink ->
   ``extraction-lost`` (:func:`monitor.ingest.outcome.collapse`: the stored text stays);
4. a text the source had before (A -> B -> A) -> stored as the current version,
   not reported again;
5. otherwise the paragraph diff, minus moved paragraphs, filtered by the source's
   rules (added only, minimum change); new and edited entries for index kinds;
   analyzers; one IMMEDIATE transaction stores snapshot, items, changes, findings
   (:mod:`monitor.ingest.writer`).

An extraction that raises is that source's ``parse-error``; a bug while storing is
that source's ``internal-error``: either way the other sources go on. Only a
database error stops the caller.

The steps are split so a crawler can run the expensive middle in a worker process:
:func:`check` and :func:`context` read (main process), :func:`prepare` is pure
(bytes and context in, a :class:`Prepared` out, picklable), the writer writes.
"""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from sqlite_utils import Database

from monitor import clock
from monitor.analyze.learn import load as load_model
from monitor.analyze.run import analyze
from monitor.analyze.verdicts import database_path
from monitor.errors import ExtractError
from monitor.hookspecs import SourceKind
from monitor.ingest import diff as difflib_
from monitor.ingest.extract.html import visible_text
from monitor.ingest.extract.stamps import drop_stamps
from monitor.ingest.outcome import collapse, settle, small_share
from monitor.ingest.passages import page_date, page_outline, passages
from monitor.ingest.writer import Prepared, record_failure, record_quick, store
from monitor.models import AnalysisContext, ChangeDraft, Entry, FetchResult, Source
from monitor.plugin_manager import PluginManager, source_kinds
from monitor.store.queries import get_source, last_raw_fp
from monitor.text import compress, decompress, fingerprint, one_line, paragraphs, solid_length

log = logging.getLogger("twinwatch.ingest")

KNOWN_VERSIONS = 20
"""How many earlier texts of a source count as known (a flip back is not reported)."""


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
    prev_visible: int | None = None
    """The page's visible characters (without spaces) when its text last changed
    (``source_state.last_visible``; ``None`` before it was measured)."""
    places: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    """Stored entries of a kind that reports edits with a municipality of their own:
    key -> (municipality, country), for a deleted entry that no longer names it."""


class Extractor(Protocol):
    """Where :func:`prepare` runs: :data:`INLINE`, or a
    :class:`monitor.ingest.workers.ExtractPool` of worker processes."""

    async def prepare(self, pm: PluginManager, source: Source, result: FetchResult,
                      ctx: Context) -> Prepared | None: ...


class _Inline:
    async def prepare(self, pm: PluginManager, source: Source, result: FetchResult,
                      ctx: Context) -> Prepared | None:
        return prepare(pm, source, result, ctx)


INLINE: Extractor = _Inline()
""":func:`prepare` on the caller's thread (its ``prepare`` never suspends)."""


@dataclass(frozen=True)
class Extraction:
    """What :func:`extract_async` made of one result, for :func:`write`: the source and
    what :func:`prepare` found, or why the page could not be read."""

    source: Source
    prepared: Prepared | None = None
    error: str | None = None
    """The ``parse-error`` message when the extraction raised."""


async def ingest_async(db: Database, pm: PluginManager, result: FetchResult,
                       extractor: Extractor = INLINE, *, checked: bool = False) -> str:
    """Store what one fetch means; return its outcome (see the module docstring).
    Reads and writes happen on the caller's thread (the single writer); the
    ``extractor`` does the CPU work, inline or in a pool. ``checked``: the caller
    has had ``result`` from :func:`settled` and found no outcome (it needs
    extracting), so it is not settled twice."""
    if not checked:
        result, done = settled(db, result)
        if done is not None:
            record_quick(db, [(result, done, None)])
            return done
    return write(db, result, await extract_async(db, pm, result, extractor))


async def extract_async(db: Database, pm: PluginManager, result: FetchResult,
                        extractor: Extractor = INLINE) -> Extraction:
    """The middle of :func:`ingest_async` for a result that needs extracting: read what
    the database knows of the source, then let ``extractor`` prepare it. Writes nothing."""
    source = get_source(db, result.source_id)
    try:
        return Extraction(source, await extractor.prepare(pm, source, result, context(db, source, pm)))
    except sqlite3.Error:
        raise  # the database itself is in trouble: let the caller fail loudly
    except Exception as exc:
        return Extraction(source, error=describe_error(exc))


def write(db: Database, result: FetchResult, extraction: Extraction) -> str:
    """Store an :class:`Extraction` (inside the caller's transaction when one is open);
    return the outcome."""
    if extraction.error is not None:
        return record_failure(db, result, kind="parse-error", message=extraction.error)
    try:
        return store(db, extraction.source, result, extraction.prepared)
    except sqlite3.Error:
        raise
    except Exception as exc:  # a bug must cost one source, not the run
        log.exception("storing source %d failed", result.source_id)
        return record_failure(db, result, kind="internal-error", message=describe_error(exc))


def ingest(db: Database, pm: PluginManager, result: FetchResult) -> str:
    """:func:`ingest_async` with the extraction inline, for callers without an event
    loop (``twinwatch ingest``, tests): the same steps, the same isolation."""
    steps = ingest_async(db, pm, result)
    try:
        steps.send(None)
    except StopIteration as done:
        return str(done.value)
    steps.close()
    raise RuntimeError("an inline ingest waited on something")  # pragma: no cover


def settled(db: Database, result: FetchResult) -> tuple[FetchResult, str | None]:
    """:func:`monitor.ingest.outcome.settle` against the source's last fetched bytes:
    the result (a failure when it stands in for the page) and the outcome it has
    without extraction, or ``None``. Reads only."""
    if result.error_kind is None and result.status == 304:
        return settle(result, None)
    last = None if result.error_kind else last_raw_fp(db, result.source_id)
    return settle(result, last)


def describe_error(exc: Exception) -> str:
    """The message stored for an extraction that raised."""
    if isinstance(exc, ExtractError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


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
    state = db.execute("SELECT last_visible FROM source_state WHERE source_id = ?", [source.id]).fetchone()
    prev_visible = state[0] if state else None
    prev_text = decompress(db.execute("SELECT data FROM blobs WHERE fp = ?", [rows[0][1]]).fetchone()[0])
    edits = pm is not None and source.kind in source_kinds(pm) and source_kinds(pm)[source.kind].reports_edits
    items: dict[str, tuple[str, str | None]] = {}
    places: dict[str, tuple[str, str | None]] = {}
    if edits:
        for key, fp, data, municipality, country in db.execute(
            "SELECT i.key, COALESCE(i.entry_fp, i.text_fp), b.data, i.municipality, i.country FROM items i "
            "LEFT JOIN blobs b ON b.fp = COALESCE(i.entry_fp, i.text_fp) WHERE i.source_id = ?",
            [source.id],
        ):
            items[key] = (fp, decompress(data) if data is not None else None)
            if municipality:
                places[key] = (municipality, country)
    else:
        for key, fp in db.execute(
            "SELECT key, COALESCE(entry_fp, text_fp) FROM items WHERE source_id = ?", [source.id]
        ):
            items[key] = (fp, None)
    return Context(rows[0][0], rows[0][1], prev_text, frozenset(r[1] for r in rows), items, db_path,
                   prev_visible, places=places)


def prepare(pm: PluginManager, source: Source, result: FetchResult, ctx: Context) -> Prepared | None:
    """Extract, compare with the context, diff, apply the source's rules and run the
    analyzers; ``None`` when the text is unchanged. Pure: no database, no network.

    Raises:
        ExtractError: (or any exception of a kind plugin) the fetch cannot be read.
    """
    kind = kind_of(pm, source)
    extracted = kind.extract(pm, source, result)
    if extracted.warning:
        return Prepared("", extracted.title, (), (), (), (), False, extracted.warning)
    text = extracted.text
    text_fp = fingerprint(text)
    if ctx.prev_text_fp == text_fp:
        return None
    first = ctx.prev_text_fp is None
    prev_text = ctx.prev_text
    if prev_text is not None and extracted.stamps_dropped:
        # Texts stored before stamps were dropped still hold them: compared as they
        # would be read now, so upgrading reports nothing; the stamp-free text
        # becomes the stored one at the next change of the page.
        prev_text = drop_stamps(prev_text)
    visible: int | None = None
    note: str | None = None
    if extracted.checked:
        # Measured only here: the text changed (or is the first), so it is worth a parse.
        seen = visible_text(result.body, result.headers.get("content-type", ""))
        visible = solid_length(seen)
        if prev_text is not None and not first:
            lost = collapse(prev_text, text, prev_visible=ctx.prev_visible, visible=visible,
                            page_text=seen)
            if lost:
                return Prepared("", extracted.title, (), (), (), (), False, lost=lost)
        note = small_share(text, visible)
    baseline = first or extracted.baseline
    # The day the change is seen (a year for "on 3 March"); a first text is a baseline
    # and drafts no change, so it does not format the clock (a tenth of a millisecond).
    seen_on = "" if first else clock.utcnow()[:10]
    drafts: list[ChangeDraft] = []
    keys: list[str | None] = []
    entries = _withdrawn(extracted.entries or (), ctx)
    if extracted.entries is not None:
        for e in entries:
            old = ctx.items.get(e.key)
            if baseline:
                continue
            own = _entry_source(source, e)
            if old is None:
                keys.append(e.key)
                drafts.append(_draft(own, "new-entry", e.url or result.url, e.title, "", e.full_text,
                                     published=e.published or seen_on, decided=e.decided))
            elif kind.reports_edits and old[0] != e.entry_fp and old[1] is not None:
                keys.append(e.key)
                drafts.append(_draft(own, "edited-entry", e.url or result.url, e.title, old[1],
                                     e.entry_text, published=e.published or seen_on, decided=e.decided))
    elif not first and text_fp not in ctx.known_fps and prev_text != text:
        assert prev_text is not None
        draft = _draft(source, "page-changed", result.url, extracted.title, prev_text, text)
        ops = difflib_.apply_rules(difflib_.drop_moves(draft.ops), added_only=source.added_only,
                                   min_change=source.min_change)
        added, removed = difflib_.added_removed(ops)
        outline = extracted.outline if extracted.outline is not None else page_outline(result)
        keys.append(None)
        drafts.append(ChangeDraft(source=source, kind=draft.kind, url=draft.url, title=draft.title,
                                  added=added, removed=removed, ops=ops, text=text,
                                  passages=passages(prev_text, text, ops, outline),
                                  published=extracted.published or page_date(result) or seen_on))
    kept = [(d, k) for d, k in zip(drafts, keys, strict=True) if d.ops]
    analysis = AnalysisContext(model=load_model(Path(ctx.db_path))) if kept and ctx.db_path else None
    findings = tuple(tuple(analyze(pm, d, analysis)) for d, _ in kept)
    stored = {text_fp: (text_fp, len(text), compress(text))}
    for e in entries:
        for blob in e.blobs:
            stored.setdefault(blob[0], blob)
    blobs = tuple(stored.values())
    return Prepared(text_fp, extracted.title, tuple(d for d, _ in kept),
                    tuple(k for _, k in kept), findings, tuple(entries), first, blobs=blobs,
                    visible=visible, note=note)


WITHDRAWN = "Withdrawn:"
"""How the last line of a deleted or withdrawn entry's text starts."""


def _entry_source(source: Source, e: Entry) -> Source:
    """The source as the analyzers see one entry's change: a portal entry with its own
    municipality (the body that decided) is that municipality's, not the portal's."""
    if not e.municipality or e.municipality == source.municipality:
        return source
    return dataclasses.replace(source, municipality=e.municipality, country=e.country or source.country)


def _withdrawn(entries: Sequence[Entry], ctx: Context) -> tuple[Entry, ...]:
    """Entries with each deleted one made an edit of what was stored: the stored text
    (a deleted object keeps no title or text of its own) plus a last line saying it
    was withdrawn, so the deletion is recorded as an ``edited-entry`` and never
    silently dropped; listed again as deleted, it is the same text (no new change).
    A deleted entry without a municipality (a portal that keeps nothing of a removed
    item) is the stored entry's. A deleted entry that was never stored has nothing to
    withdraw and is left out."""
    out: list[Entry] = []
    for e in entries:
        if not e.deleted:
            out.append(e)
            continue
        old = ctx.items.get(e.key)
        if old is None or old[1] is None:
            continue
        lines = [ln for ln in old[1].split("\n") if not ln.startswith(WITHDRAWN)]
        note = one_line(e.text) if e.text.startswith(WITHDRAWN) else f"{WITHDRAWN} deleted from the portal."
        municipality, country = (e.municipality, e.country) if e.municipality else \
            ctx.places.get(e.key, (None, e.country))
        out.append(dataclasses.replace(e, title=lines[0] if lines else e.title,
                                       text="\n".join([*lines[1:], note]),
                                       municipality=municipality, country=country or e.country))
    return tuple(out)


def _draft(source: Source, kind: str, url: str, title: str, old: str, new: str,
           published: str | None = None, decided: str | None = None) -> ChangeDraft:
    ops = difflib_.diff_paragraphs(paragraphs(old), paragraphs(new))
    added, removed = difflib_.added_removed(ops)
    return ChangeDraft(source=source, kind=kind, url=url, title=one_line(title) if title else "",
                       added=added, removed=removed, ops=ops, text=new,
                       passages=passages(old, new, ops), published=published, decided=decided)
