"""Source health: the one definition of a failing and a silent source.

``sources health`` (CLI), the dashboard's sources screen and coverage all take their
verdicts from :func:`verdict`; nowhere else decides what "failing" or "silent" means.

- **failing**: the last fetch failed (``consecutive_failures`` counts them);
- **silent**: fetches work but nothing is watched or nothing moves: the region or
  index matched nothing (``no-match``), or no change in :data:`SILENT_FETCHES`
  fetches in a row, or no change for :data:`SILENT_DAYS` days (counted from the
  last change, or from when the source was added if it never changed);
- **blocked**, **moved**, **gone**: the last fetch got a bot wall, a permanent (or
  home-page) redirect, or a dead page instead of the page (the outcomes of
  :mod:`monitor.ingest.recognise`); a moved source comes with the command that
  points it at its new address;
- **extraction-lost**: the page's extracted text collapsed while the page did not
  shrink (:func:`monitor.ingest.outcome.collapse`): nothing was reported and the last
  good text is kept, until the extraction finds the text again or a region says what
  to watch;
- **look**: the stored text is a small share of a page with plenty of visible text
  (:func:`monitor.ingest.outcome.small_share`): it was stored, but worth a look with
  ``sources test`` (a region says what to watch and ends the warning);
- **never-fetched**, **disabled**, and **ok** otherwise.

Reads only; the fetch state it judges is written by the ingest writer.
"""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from monitor import clock
from monitor.ingest.outcome import EXTRACTION_LOST
from monitor.ingest.recognise import OUTCOMES, new_url
from monitor.models import SourceHealth, SourceStatus
from monitor.store.queries import sources

SILENT_FETCHES = 30
"""Successful fetches in a row without any change after which a source is silent."""

SILENT_DAYS = 30
"""Days without a change (since the last one, or since the source was added) after
which a source that fetches fine is silent."""

ORDER = {"blocked": 0, "moved": 0, "gone": 0, EXTRACTION_LOST: 0, "failing": 0, "silent": 1, "look": 1,
         "never-fetched": 2, "ok": 3, "disabled": 4}
"""Verdicts in the order they are listed: problems first, disabled sources last."""


def verdict(st: SourceStatus, now: datetime, *, silent_after: int = SILENT_FETCHES) -> SourceHealth:
    """The health of one source at ``now``, with the reason in words."""
    if not st.source.enabled:
        return SourceHealth(st, "disabled", "not crawled")
    if st.consecutive_failures and st.last_status in OUTCOMES:
        times = f" ({st.consecutive_failures} fetches in a row)" if st.consecutive_failures > 1 else ""
        reason = f"{st.last_error or st.last_status}{times}"
        target = new_url(st.last_error) if st.last_status == "moved" else None
        hint = f"twinwatch sources set {st.source.id} --url {target}" if target else None
        return SourceHealth(st, st.last_status, reason, hint)
    if st.consecutive_failures and st.last_status == EXTRACTION_LOST:
        times = f" ({st.consecutive_failures} fetches in a row)" if st.consecutive_failures > 1 else ""
        return SourceHealth(st, EXTRACTION_LOST, f"{st.last_error or st.last_status}{times}",
                            f"twinwatch sources test {st.source.id}")
    if st.consecutive_failures:
        why = f"{st.consecutive_failures} failure(s) in a row: {st.last_status}: {st.last_error or ''}"
        return SourceHealth(st, "failing", why.strip())
    if not st.last_fetched:
        return SourceHealth(st, "never-fetched", "not crawled yet")
    if st.last_status == "no-match":
        return SourceHealth(st, "silent", st.last_error or "nothing to watch in the page")
    if st.extraction_note:
        return SourceHealth(st, "look", st.extraction_note, f"twinwatch sources test {st.source.id}")
    if st.quiet_runs >= silent_after:
        return SourceHealth(st, "silent", f"no change in {st.quiet_runs} fetches")
    age = clock.age_days(st.last_change_at or st.created_at, now)
    if age is not None and age > SILENT_DAYS:
        since = "the last change" if st.last_change_at else "it was added"
        return SourceHealth(st, "silent", f"no change in {int(age)} days since {since}")
    return SourceHealth(st, "ok", st.last_status or "")


def health(db: Database, *, now: datetime | None = None, silent_after: int = SILENT_FETCHES
           ) -> list[SourceHealth]:
    """Every source with its verdict, in :data:`ORDER`: failing ones with the most
    failures first, silent ones silent longest first, then by id."""
    at = now or clock.now()
    rows = [verdict(st, at, silent_after=silent_after) for st in sources(db)]

    def key(h: SourceHealth) -> tuple[int, int, str, int]:
        st = h.status
        return (ORDER[h.problem], -st.consecutive_failures, st.last_change_at or "", st.source.id)

    return sorted(rows, key=key)


def label(problem: str) -> str:
    """A verdict as the dashboard shows it (``never fetched``)."""
    return problem.replace("-", " ")


def sources_by_health(db: Database, now: datetime | None = None) -> list[tuple[SourceStatus, str]]:
    """:func:`health` as the dashboard lists it: each source with its verdict's label."""
    return [(h.status, label(h.problem)) for h in health(db, now=now)]
