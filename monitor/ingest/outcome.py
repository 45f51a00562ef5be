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
from monitor.text import fingerprint

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


def extracted(*, same_text: bool, no_match: bool, first: bool, changes: int) -> str:
    """The outcome of an extracted fetch: ``unchanged`` when the text is that of the
    last fetch, ``no-match`` when nothing could be watched, ``new`` for the first
    text, else ``changed`` when it yields changes and ``unchanged`` when it does not
    (a known text coming back, or edits the source's rules filter out)."""
    if same_text:
        return "unchanged"
    if no_match:
        return "no-match"
    if first:
        return "new"
    return "changed" if changes else "unchanged"
