"""What the dashboard's record form starts from, and how its records list is searched.

A draft is the analyzers' suggestion for one event of a change
(``registry.event_prefills``) with, for its main event, the curator's corrections of
the change's facts laid over it: a curator who already fixed the partner in the
change view should not have to fix it again in the record. A change holds one event
unless an analyzer listed several (an overview gaining three municipalities' aid in
a day): then each event has its own draft, its main event first.
The search is plain Python over records already read (a registry holds hundreds to
thousands of records, not millions). Nothing here writes.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from monitor.errors import ConfigError, QueryError, SourceError
from monitor.records.queries import Record, RecordFilter, records
from monitor.records.registry import clean_fields, event_prefills
from monitor.review.inbox import change_facts
from monitor.store.queries import change as get_change

_FACT_TO_FIELD = {"municipality": "municipality", "partner": "partner", "category": "action",
                  "date": "date", "amount": "amount_eur"}
"""Fact of the change view -> record field."""


@dataclass(frozen=True)
class EventDraft:
    """One event of a change, as a new record of it would start."""

    number: int
    """1-based; 1 is the change's main event."""
    values: dict[str, Any]
    """The record fields it starts with (what ``registry.create`` accepts)."""
    quote: str
    """The passage its record keeps as evidence (scraped text, control-free)."""
    record_id: int | None = None
    """A record of the change that already rests on this event's quote, if any."""


def event_drafts(db: Database, change_id: int) -> list[EventDraft]:
    """One draft per event of ``change_id``, its main event first (at least one).

    Raises:
        SourceError: no change with that id.
    """
    c = get_change(db, change_id)
    if c is None:
        raise SourceError(f"no change with id {change_id}")
    events = event_prefills(c)
    values = events[0][0]
    for fact in change_facts(db, change_id):
        key = _FACT_TO_FIELD.get(fact.field)
        if key is None or not fact.corrected:
            continue
        try:
            values.update(clean_fields({key: fact.corrected}))
        except ConfigError:
            continue  # a correction that is not a valid record value stays a fact only
    held = _recorded(db, change_id, [quote for _, quote in events])
    return [EventDraft(n, fields, quote, held[n - 1])
            for n, (fields, quote) in enumerate(events, start=1)]


def _recorded(db: Database, change_id: int, quotes: list[str]) -> list[int | None]:
    """For each quote, a record of the change resting on it (each record matched once,
    oldest first): how an event is known to be recorded without storing its number."""
    free: list[tuple[int, str]] = [
        (r.id, e.quote) for r in records(db, RecordFilter(change_id=change_id))
        for e in r.evidence if e.change_id == change_id
    ]
    out: list[int | None] = []
    for quote in quotes:
        match = next((i for i, (_, q) in enumerate(free) if q == quote), None)
        out.append(free.pop(match)[0] if match is not None else None)
    return out


def drafts(db: Database, change_id: int) -> list[dict[str, Any]]:
    """The fields a new record of each event of ``change_id`` starts with: the first
    is :func:`draft` (the main event), then one per further event.

    Raises:
        SourceError: no change with that id.
    """
    return [d.values for d in event_drafts(db, change_id)]


def draft(db: Database, change_id: int) -> dict[str, Any]:
    """The fields a new record of ``change_id``'s main event starts with.

    Raises:
        SourceError: no change with that id.
    """
    return drafts(db, change_id)[0]


SEARCH_KEYS = ("municipality", "partner", "country", "action", "date", "change")
"""``key:value`` filters of the records search; other words match any text field."""


@dataclass(frozen=True)
class RecordSearch:
    """A parsed records search: filters and words, all combined with AND."""

    filters: tuple[tuple[str, str], ...] = ()
    words: tuple[str, ...] = ()


def parse_record_search(text: str) -> RecordSearch:
    """``municipality:Ixelles action:twinning date:2024 "a phrase" word``.

    Raises:
        QueryError: unbalanced quotes, an unknown key, or a bad change id.
    """
    try:
        parts = shlex.split(text)
    except ValueError as exc:
        raise QueryError(f"cannot read the search: {exc}") from exc
    filters: list[tuple[str, str]] = []
    words: list[str] = []
    for part in parts:
        key, sep, value = part.partition(":")
        if sep and key.isalpha() and value:
            if key.lower() not in SEARCH_KEYS:
                raise QueryError(f"{key}: is not a records filter; use {', '.join(SEARCH_KEYS)}")
            if key.lower() == "change" and not value.isdigit():
                raise QueryError(f"change:{value} is not a change id")
            filters.append((key.lower(), value.casefold()))
        elif part:
            words.append(part.casefold())
    return RecordSearch(tuple(filters), tuple(words))


def _matches(r: Record, s: RecordSearch) -> bool:
    def has(value: str | None, wanted: str) -> bool:
        return wanted in (value or "").casefold()

    for key, value in s.filters:
        if key == "municipality" and not (has(r.municipality, value) or has(r.partner, value)):
            return False
        if key == "partner" and not has(r.partner, value):
            return False
        if key == "country" and value not in ((r.country or "").casefold(),
                                              (r.partner_country or "").casefold()):
            return False
        if key == "action" and not (r.action or "").casefold().startswith(value):
            return False
        if key == "date":
            low, dots, high = value.partition("..")
            date = r.date or ""
            if dots and not (date and (not low or date >= low) and (not high or date[:len(high)] <= high)):
                return False
            if not dots and not date.startswith(value):
                return False
        if key == "change" and int(value) not in {e.change_id for e in r.evidence}:
            return False
    if s.words:
        hay = " ".join(str(v) for v in (
            r.municipality, r.country, r.partner, r.partner_country, r.action, r.date, r.summary,
            r.municipality_qid, r.partner_qid, *(e.url for e in r.evidence)) if v).casefold()
        return all(w in hay for w in s.words)
    return True


def search_records(found: Iterable[Record], text: str) -> list[Record]:
    """The records matching the search ``text`` (see :func:`parse_record_search`)."""
    s = parse_record_search(text)
    return [r for r in found if _matches(r, s)]
