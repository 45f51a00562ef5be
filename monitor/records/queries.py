"""Reads of registry records and of twinning links as timelines. Nothing here writes.

A twinning link is a pair of municipalities; its timeline is built from the records
whose action is one of the ``twinning_*`` categories, in date order:
established -> suspended -> resumed -> ended. A debate is an event on the timeline
that does not change the state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

ACTIONS = (
    "twinning_established", "twinning_suspended", "twinning_ended", "twinning_debate",
    "council_motion", "humanitarian_aid", "procurement_policy", "symbolic_action",
    "partnership_cooperation", "other_solidarity",
)
"""Action types of a record: the analysis categories."""


@dataclass(frozen=True)
class Evidence:
    """One change supporting a record, as it was fetched."""

    change_id: int
    quote: str
    url: str
    snapshot_fp: str | None
    fetched_at: str | None


@dataclass(frozen=True)
class Record:
    """A registry record with its evidence."""

    id: int
    municipality: str | None
    country: str | None
    municipality_qid: str | None
    partner: str | None
    partner_country: str | None
    partner_qid: str | None
    action: str | None
    date: str | None
    amount_eur: float | None
    summary: str
    created_at: str
    updated_at: str
    version: int
    evidence: tuple[Evidence, ...] = ()


_COLS = ("id, municipality, country, municipality_qid, partner, partner_country, partner_qid, "
         "action, date, amount_eur, summary, created_at, updated_at, version")


@dataclass(frozen=True)
class RecordFilter:
    """Which records: every field optional, combined with AND."""

    ids: tuple[int, ...] = ()
    municipality: str | None = None
    """Case-insensitive match on the municipality or the partner."""
    date_from: str | None = None
    """Records dated on or after this day (undated records are left out)."""
    statuses: tuple[str, ...] = ()
    """Records supported by at least one change with one of these review statuses."""
    change_id: int | None = None


def records(db: Database, f: RecordFilter | None = None, *, ids: Sequence[int] = ()) -> list[Record]:
    """Records matching ``f``, oldest first, each with its evidence."""
    f = f or RecordFilter(ids=tuple(ids))
    where: list[str] = []
    params: list[Any] = []
    if f.ids:
        where.append(f"id IN ({','.join('?' * len(f.ids))})")
        params += list(f.ids)
    if f.municipality:
        where.append("(municipality = ? COLLATE NOCASE OR partner = ? COLLATE NOCASE)")
        params += [f.municipality, f.municipality]
    if f.date_from:
        where.append("date >= ?")
        params.append(f.date_from)
    if f.statuses:
        where.append(
            "id IN (SELECT e.record_id FROM record_evidence e LEFT JOIN reviews r "
            f"ON r.change_id = e.change_id WHERE COALESCE(r.status, 'new') IN "
            f"({','.join('?' * len(f.statuses))}))"
        )
        params += list(f.statuses)
    if f.change_id is not None:
        where.append("id IN (SELECT record_id FROM record_evidence WHERE change_id = ?)")
        params.append(f.change_id)
    sql = f"SELECT {_COLS} FROM records" + (f" WHERE {' AND '.join(where)}" if where else "")
    rows = list(db.execute(sql + " ORDER BY id", params))
    evidence: dict[int, list[Evidence]] = {}
    if rows:
        rids = [r[0] for r in rows]
        for rid, cid, quote, url, fp, fetched in db.execute(
            "SELECT record_id, change_id, quote, url, snapshot_fp, fetched_at FROM record_evidence "
            f"WHERE record_id IN ({','.join('?' * len(rids))}) ORDER BY record_id, added_at, change_id",
            rids,
        ):
            evidence.setdefault(rid, []).append(Evidence(cid, quote, url, fp, fetched))
    names = [n.strip() for n in _COLS.split(",")]
    return [Record(**dict(zip(names, r, strict=True)), evidence=tuple(evidence.get(r[0], ())))
            for r in rows]


# ---------------------------------------------------------------------------
# twinning links
# ---------------------------------------------------------------------------

_STATE = {
    "twinning_established": "established",
    "twinning_suspended": "suspended",
    "twinning_ended": "ended",
}


@dataclass(frozen=True)
class LinkEvent:
    """One dated step of a twinning link."""

    date: str | None
    state: str
    """``established``, ``suspended``, ``resumed``, ``ended`` or ``debated``."""
    record_id: int
    source_url: str | None
    fetched_at: str | None


@dataclass(frozen=True)
class TwinningLink:
    """A pair of municipalities and the history of their twinning."""

    municipality: str
    country: str | None
    municipality_qid: str | None
    partner: str
    partner_country: str | None
    partner_qid: str | None
    events: tuple[LinkEvent, ...]

    @property
    def state(self) -> str:
        """The state after the last event that changed it (``unknown`` if none did)."""
        for e in reversed(self.events):
            if e.state != "debated":
                return e.state
        return "unknown"

    @property
    def start(self) -> str | None:
        """The date the link was first established, when known."""
        return next((e.date for e in self.events if e.state == "established"), None)

    @property
    def end(self) -> str | None:
        """The date the link ended, if its current state is ended."""
        return self.events[-1].date if self.state == "ended" else None


def _first(*values: str | None) -> str | None:
    return next((v for v in values if v), None)


def twinning_links(db: Database, f: RecordFilter | None = None) -> list[TwinningLink]:
    """Every pair with twinning records, each with its timeline, by municipality."""
    pairs: dict[tuple[str, str], list[Record]] = {}
    for r in records(db, f):
        if not (r.action or "").startswith("twinning_") or not r.municipality or not r.partner:
            continue
        pairs.setdefault((r.municipality.casefold(), r.partner.casefold()), []).append(r)
    links = []
    for recs in pairs.values():
        # Undated records sort after dated ones, in the order they were recorded.
        recs.sort(key=lambda r: (r.date is None, r.date or "", r.id))
        events: list[LinkEvent] = []
        state = "unknown"
        for r in recs:
            new = _STATE.get(r.action or "", "debated")
            if new == "established" and state == "suspended":
                new = "resumed"
            if new != "debated":
                state = new
            ev = r.evidence[0] if r.evidence else None
            events.append(LinkEvent(r.date, new, r.id, ev.url if ev else None,
                                    ev.fetched_at if ev else None))
        last = recs[-1]
        links.append(TwinningLink(
            municipality=last.municipality or "",
            country=_first(*(r.country for r in reversed(recs))),
            municipality_qid=_first(*(r.municipality_qid for r in reversed(recs))),
            partner=last.partner or "",
            partner_country=_first(*(r.partner_country for r in reversed(recs))),
            partner_qid=_first(*(r.partner_qid for r in reversed(recs))),
            events=tuple(events),
        ))
    links.sort(key=lambda lk: (lk.municipality.casefold(), lk.partner.casefold()))
    return links
