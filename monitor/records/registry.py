"""Registry records: the curator's confirmed facts, each resting on quoted evidence.

A record says who did what with whom, when and for how much (municipality, partner,
action, date, amount, summary). It is created from a change, pre-filled from the
analyzers' findings, then corrected by the curator. One change may yield several
records (an overview page adding three municipalities' actions) and several changes
may support one record (``link``): the evidence keeps each change's quoted passage,
URL, snapshot fingerprint and fetch time.

A change holds one event, or several when an analyzer gave an ``events`` finding
(:func:`event_prefills`): the first is the change's main event, described by the
single-value findings as before; each event is drafted on its own and its record
quotes the event's passage.

This module is the only writer of ``records`` and ``record_evidence``; a crawl
never touches them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlite_utils import Database

from monitor import clock
from monitor.errors import ConfigError, SourceError
from monitor.models import ChangeRow, Finding
from monitor.records.queries import ACTIONS, Evidence, Record, records
from monitor.review.inbox import change_events
from monitor.store.db import write_tx
from monitor.store.queries import change as get_change
from monitor.text import one_line, strip_controls

EDITABLE = ("municipality", "country", "municipality_qid", "partner", "partner_country",
            "partner_qid", "action", "date", "amount_eur", "summary")
"""Fields a curator may set with ``twinwatch record … --field value``."""

QUOTE_LIMIT = 2000
"""Longest quoted passage kept as evidence (longer ones are cut and marked)."""

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_QID = re.compile(r"^Q[1-9]\d*$")


def clean_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """Validate and tidy curator input; ``""`` clears a field.

    Raises:
        ConfigError: an unknown field or a value of the wrong shape.
    """
    out: dict[str, Any] = {}
    for key, raw in values.items():
        if key not in EDITABLE:
            raise ConfigError(f"unknown record field {key!r}; use one of {', '.join(EDITABLE)}")
        if raw is None:
            continue
        value: Any = one_line(str(raw), 500).strip() if key != "summary" else one_line(str(raw), 1000)
        if value == "":
            out[key] = None if key != "summary" else ""
            continue
        if key in ("country", "partner_country"):
            value = value.upper()
            if len(value) != 2 or not value.isalpha():
                raise ConfigError(f"{key} must be a two-letter ISO code, not {raw!r}")
        elif key == "action" and value not in ACTIONS:
            raise ConfigError(f"unknown action {value!r}; use one of {', '.join(ACTIONS)}")
        elif key == "date" and not _DATE.match(value):
            raise ConfigError(f"date must be YYYY, YYYY-MM or YYYY-MM-DD, not {raw!r}")
        elif key in ("municipality_qid", "partner_qid"):
            value = value.upper()
            if not _QID.match(value):
                raise ConfigError(f"{key} must be a Wikidata item id like Q12345, not {raw!r}")
        elif key == "amount_eur":
            try:
                value = float(str(raw).replace(",", "."))
            except ValueError as exc:
                raise ConfigError(f"amount_eur must be a number, not {raw!r}") from exc
        out[key] = value
    return out


def _finding_text(f: Finding, *keys: str) -> str | None:
    """A finding's value as text: a plain value, or the first of ``keys`` in a dict."""
    v = f.value
    if isinstance(v, dict):
        for k in keys:
            if v.get(k):
                return str(v[k])
        return None
    return str(v) if v not in (None, "") else None


def prefill(c: ChangeRow) -> dict[str, Any]:
    """Record fields suggested by the change's findings and its source."""
    values: dict[str, Any] = {"municipality": c.municipality, "country": c.country}
    for f in c.findings:
        if f.name == "error":
            continue
        if f.name == "municipality":
            values["municipality"] = _finding_text(f, "name", "municipality") or values["municipality"]
            if isinstance(f.value, dict) and f.value.get("country"):
                values["country"] = f.value["country"]
        elif f.name == "partner":
            values["partner"] = _finding_text(f, "name", "partner")
            if isinstance(f.value, dict) and f.value.get("country"):
                values["partner_country"] = f.value["country"]
        elif f.name == "category" and _finding_text(f, "category") in ACTIONS:
            values["action"] = _finding_text(f, "category")
        elif f.name == "date":
            values["date"] = _finding_text(f, "date", "iso")
        elif f.name in ("amount", "amount_eur"):
            amount = f.value.get("eur", f.value.get("amount")) if isinstance(f.value, dict) else f.value
            if isinstance(amount, int | float):
                values["amount_eur"] = float(amount)
    values["summary"] = one_line(c.title or (c.added[0] if c.added else ""), 200)
    suggested = {}
    for key, value in values.items():
        try:
            suggested.update(clean_fields({key: value}))
        except ConfigError:
            continue  # a suggestion of the wrong shape is simply not suggested
    return suggested


def _event_fields(event: Mapping[str, Any]) -> dict[str, Any]:
    """The record fields an event suggests; a value of the wrong shape is not suggested."""
    out: dict[str, Any] = {}
    for key, value in event.items():
        if key == "passage":
            continue
        try:
            out.update(clean_fields({key: value}))
        except ConfigError:
            continue
    return out


def event_prefills(c: ChangeRow) -> list[tuple[dict[str, Any], str]]:
    """Record fields suggested for each event of the change, with the quote its record
    keeps as evidence: at least one, the main event first.

    A change without an ``events`` finding is one event: :func:`prefill` and the
    change's quote, as ever. With one, the main event is still :func:`prefill` (the
    single-value findings), with what it leaves unknown taken from the first event;
    every other event suggests its own fields, the source's municipality and country
    when it names no municipality (a town's page listing its partners), and its
    passage as the summary. Each event's quote is its passage (the change's quote when
    it has none).
    """
    main = prefill(c)
    events = change_events(c.findings)
    if not events:
        return [(main, change_quote(c))]
    out: list[tuple[dict[str, Any], str]] = []
    for n, event in enumerate(events):
        fields = _event_fields(event)
        passage = str(event["passage"]) if event.get("passage") not in (None, "") else None
        if n == 0:
            fields = {**{k: v for k, v in fields.items() if k != "summary"}, **main}
        else:
            if not fields.get("municipality"):
                for key, value in (("municipality", c.municipality), ("country", c.country)):
                    if not fields.get(key) and value:
                        try:
                            fields.update(clean_fields({key: value}))
                        except ConfigError:
                            continue
            fields["summary"] = one_line(passage, 200) if passage else main.get("summary", "")
        out.append((fields, _cut(strip_controls(passage)) if passage else change_quote(c)))
    return out


def _cut(quote: str) -> str:
    if len(quote) > QUOTE_LIMIT:
        quote = quote[:QUOTE_LIMIT] + f" [… {len(quote) - QUOTE_LIMIT} more characters]"
    return quote


def change_quote(c: ChangeRow) -> str:
    """The quoted passage of a whole change: its added text, else what was removed."""
    if c.added:
        quote = "\n".join(c.added)
    else:
        quote = "[removed] " + "\n".join(c.removed)
    return _cut(strip_controls(quote))


def _evidence(db: Database, c: ChangeRow, quote: str | None = None) -> Evidence:
    """The quoted passage of a change (``quote``, else :func:`change_quote`), where and when."""
    quote = quote if quote is not None else change_quote(c)
    snap = db.execute(
        "SELECT s.text_fp, s.fetched_at FROM changes ch LEFT JOIN snapshots s ON s.id = ch.snapshot_id "
        "WHERE ch.id = ?", [c.id]
    ).fetchone()
    return Evidence(c.id, quote, c.url, snap[0] if snap else None, snap[1] if snap else None)


def _add_evidence(db: Database, record_id: int, ev: Evidence, now: str) -> None:
    db.execute(
        "INSERT OR IGNORE INTO record_evidence (record_id, change_id, quote, url, snapshot_fp, "
        "fetched_at, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [record_id, ev.change_id, ev.quote, ev.url, ev.snapshot_fp, ev.fetched_at, now],
    )


def create(db: Database, change_id: int, values: Mapping[str, Any] | None = None, *,
           event: int = 1) -> Record:
    """A new record from a change's ``event`` (1, its main event, unless it holds
    several: see :func:`event_prefills`): the analyzers' suggestions for that event,
    overridden by ``values``, resting on the event's quote.

    Raises:
        SourceError: no change with that id.
        ConfigError: a bad value, or no such event.
    """
    c = get_change(db, change_id)
    if c is None:
        raise SourceError(f"no change with id {change_id}")
    events = event_prefills(c)
    if not 1 <= event <= len(events):
        raise ConfigError(f"change {change_id} holds {len(events)} event{'s' if len(events) > 1 else ''}"
                          f"; there is no event {event}")
    suggested, quote = events[event - 1]
    data = {**suggested, **clean_fields(values or {})}
    now = clock.utcnow()
    ev = _evidence(db, c, quote)
    with write_tx(db):
        cols = list(data)
        rid = db.execute(
            f"INSERT INTO records ({', '.join(cols + ['created_at', 'updated_at'])}) "
            f"VALUES ({', '.join('?' * (len(cols) + 2))})",
            [data[k] for k in cols] + [now, now],
        ).lastrowid
        assert rid is not None
        _add_evidence(db, rid, ev, now)
    return get(db, rid)


def update(db: Database, record_id: int, values: Mapping[str, Any]) -> Record:
    """Change fields of a record (its version goes up, so the next incremental export has it)."""
    data = clean_fields(values)
    if not data:
        return get(db, record_id)
    with write_tx(db):
        sets = ", ".join(f"{k} = ?" for k in data)
        cur = db.execute(
            f"UPDATE records SET {sets}, updated_at = ?, version = version + 1 WHERE id = ?",
            [*data.values(), clock.utcnow(), record_id],
        )
        if not cur.rowcount:
            raise SourceError(f"no record with id {record_id}")
    return get(db, record_id)


def link(db: Database, record_id: int, change_id: int) -> Record:
    """Let another change support an existing record instead of duplicating it."""
    get(db, record_id)
    c = get_change(db, change_id)
    if c is None:
        raise SourceError(f"no change with id {change_id}")
    now = clock.utcnow()
    with write_tx(db):
        _add_evidence(db, record_id, _evidence(db, c), now)
        db.execute("UPDATE records SET updated_at = ?, version = version + 1 WHERE id = ?",
                   [now, record_id])
    return get(db, record_id)


def delete(db: Database, record_id: int) -> None:
    with write_tx(db):
        if not db.execute("DELETE FROM records WHERE id = ?", [record_id]).rowcount:
            raise SourceError(f"no record with id {record_id}")


def get(db: Database, record_id: int) -> Record:
    """One record with its evidence. Raises SourceError when there is none."""
    found = records(db, ids=(record_id,))
    if not found:
        raise SourceError(f"no record with id {record_id}")
    return found[0]
