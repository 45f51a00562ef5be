"""What a fetch means: the one place that names a fetch's outcome.

Like urlwatch's ``process_job_result``, every fetch ends in exactly one outcome:

- a **failure** kind (``http-error``, ``timeout``, ``parse-error``, ``internal-error``,
  ``no-result``, ...), recorded on the source and never a new baseline;
- ``not-modified``: the server answered 304;
- ``unchanged``: the same bytes as the last fetch (decided here, before any
  extraction), or the same text after extraction;
- ``no-match``: the region or index matched nothing (the source is silent);
- ``new``: the source's first text (a baseline, never a change);
- ``changed``: a text that differs and yields at least one change;
- ``blocked``, ``moved``, ``gone``: an answer that stands in for the page (a bot
  wall, a permanent or home-page redirect, a dead page), recognised by
  :mod:`monitor.ingest.recognise` and recorded like a failure: never a change nor
  a baseline, the stored text stays the last good one.

:func:`quick` decides what needs no extraction; :func:`extracted` what an extraction
found. This module imports no database, extraction or plugin code: a crawler
process calls :func:`quick` to avoid sending a body its parent would only compare.
"""

from __future__ import annotations

from monitor.ingest.recognise import settle as recognised
from monitor.models import FetchResult
from monitor.text import fingerprint, solid_length

OK_OUTCOMES = ("new", "changed", "unchanged", "not-modified", "no-match")
"""Outcomes of a fetch that worked; anything else is a failure."""


def is_failure(outcome: str) -> bool:
    """Whether ``outcome`` is a failure kind."""
    return outcome not in OK_OUTCOMES


def quick(result: FetchResult, last_raw_fp: str | None) -> str | None:
    """The outcome of a fetch that needs no extraction: its failure kind,
    ``not-modified`` for a 304, ``unchanged`` for the bytes of the last fetch (whose
    fingerprint is ``last_raw_fp``); ``None`` when the body must be extracted."""
    if result.error_kind:
        return result.error_kind
    if result.status == 304:
        return "not-modified"
    if last_raw_fp is not None and last_raw_fp == fingerprint(result.body):
        return "unchanged"
    return None


def settle(result: FetchResult, last_raw_fp: str | None) -> tuple[FetchResult, str | None]:
    """:func:`quick` for a result that may stand in for the page: the result (a
    failure of kind ``blocked``, ``moved`` or ``gone`` when it is one) and its quick
    outcome. Bytes identical to the last good fetch's are not read again (a
    recognised answer never becomes the last good one), unless redirected."""
    if result.error_kind is None and result.status == 304:
        return result, "not-modified"
    if (result.error_kind is None and not result.redirects and last_raw_fp is not None
            and last_raw_fp == fingerprint(result.body)):
        return result, "unchanged"
    result = recognised(result)
    return result, quick(result, last_raw_fp if result.redirects else None)


EXTRACTION_LOST = "extraction-lost"
"""The outcome of a fetch whose extracted text collapsed while its page did not."""

COLLAPSE = 1 / 3
"""The text collapsed when it keeps less than this share of the last stored text..."""

PAGE_STEADY = 0.3
"""...while the page's visible text stayed within this much of its last size (±30%)..."""

STILL_THERE = 0.5
"""...and at least this share of the text that went is still in the page's visible text."""

SMALL_SHARE = 0.15
"""A watched text under this share of the page's visible text is worth a look..."""

SUBSTANTIAL = 2000
"""...when the page has at least this many visible characters (not counting spaces)."""

MAX_CHECKED = 200
"""Paragraphs looked up in the page when deciding whether a lost text is still there
(the largest ones): bounds the check on a long text."""


def collapse(prev_text: str, text: str, *, prev_visible: int | None, visible: int,
             page_text: str) -> str | None:
    """Why a text that fell from ``prev_text`` to ``text`` is an extraction problem, or
    ``None`` when it is a change to report. It is one when the text keeps under
    :data:`COLLAPSE` of the last one, the page's visible size (``visible``, characters
    without spaces) stays within :data:`PAGE_STEADY` of ``prev_visible`` (when known),
    and most of the paragraphs that went are still in the page (``page_text``: its
    visible text): the page still says it, the extraction lost it."""
    before, after = solid_length(prev_text), solid_length(text)
    if not before or after >= COLLAPSE * before:
        return None
    if prev_visible and abs(visible - prev_visible) > PAGE_STEADY * prev_visible:
        return None
    kept = set(text.split("\n"))
    gone = sorted((p for p in prev_text.split("\n") if p and p not in kept), key=len, reverse=True)
    gone = gone[:MAX_CHECKED]
    visible_solid = "".join(page_text.split())
    total = sum(solid_length(p) for p in gone)
    found = sum(solid_length(p) for p in gone if "".join(p.split()) in visible_solid)
    if not total or found < STILL_THERE * total:
        return None
    size = f", the page {_pct(visible, prev_visible)}" if prev_visible else ""
    return (f"extraction lost the text: {before:,} -> {after:,} characters while the page still "
            f"shows {found * 100 // total}% of what went{size}; the last good text is kept")


def small_share(text: str, visible: int) -> str | None:
    """A note when ``text`` is under :data:`SMALL_SHARE` of a page with at least
    :data:`SUBSTANTIAL` visible characters (``visible``, without spaces), else ``None``."""
    kept = solid_length(text)
    if visible < SUBSTANTIAL or kept >= SMALL_SHARE * visible:
        return None
    return (f"the watched text is only {kept / visible:.0%} of the page's visible text "
            f"({kept:,} of {visible:,} characters)")




def _pct(now: int, before: int | None) -> str:
    if not before:
        return ""
    return f"{(now - before) / before:+.0%}"


def extracted(*, same_text: bool, no_match: bool, first: bool, changes: int, lost: bool = False) -> str:
    """The outcome of an extracted fetch: ``unchanged`` when the text is that of the
    last fetch, ``no-match`` when nothing could be watched, ``new`` for the first
    text, else ``changed`` when it yields changes and ``unchanged`` when it does not
    (a known text coming back, or edits the source's rules filter out);
    ``extraction-lost`` when :func:`collapse` said so."""
    if lost:
        return EXTRACTION_LOST
    if same_text:
        return "unchanged"
    if no_match:
        return "no-match"
    if first:
        return "new"
    return "changed" if changes else "unchanged"
