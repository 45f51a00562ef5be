"""Curator decisions: status, tags and notes, each in its own short transaction.

This is the only writer of ``reviews``, ``review_tags`` and ``review_events``.
Every call appends to ``review_events`` (the audit trail), so no decision is lost
even when a later one replaces it.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlite_utils import Database

from monitor.db import write_tx
from monitor.errors import ConfigError, SourceError
from monitor.ingest import utcnow
from monitor.models import REVIEW_STATUSES, Review
from monitor.queries import change as get_change
from monitor.text import one_line


def clean_tag(tag: str) -> str:
    """A tag as stored: one line, no control characters, no surrounding spaces."""
    return one_line(tag, 64).strip()


def review(
    db: Database,
    change_id: int,
    *,
    status: str | None = None,
    add_tags: Iterable[str] = (),
    remove_tags: Iterable[str] = (),
    note: str | None = None,
) -> Review:
    """Record a decision on one change and return the review as stored.

    Raises:
        ConfigError: unknown status.
        SourceError: no change with that id.
    """
    if status is not None and status not in REVIEW_STATUSES:
        raise ConfigError(f"unknown status {status!r}; use one of {', '.join(REVIEW_STATUSES)}")
    add = [t for t in (clean_tag(t) for t in add_tags) if t]
    remove = [t for t in (clean_tag(t) for t in remove_tags) if t]
    now = utcnow()
    with write_tx(db):
        if db.execute("SELECT 1 FROM changes WHERE id = ?", [change_id]).fetchone() is None:
            raise SourceError(f"no change with id {change_id}")
        db.execute(
            "INSERT INTO reviews (change_id, status, note, created_at, updated_at) "
            "VALUES (?, COALESCE(?, 'new'), ?, ?, ?) ON CONFLICT (change_id) DO UPDATE SET "
            "status = COALESCE(?, status), note = COALESCE(?, note), updated_at = ?",
            [change_id, status, note, now, now, status, note, now],
        )
        events: list[tuple[str, str | None]] = []
        if status is not None:
            events.append(("status", status))
        if note is not None:
            events.append(("note", note))
        for tag in add:
            db.execute("INSERT OR IGNORE INTO review_tags (change_id, tag) VALUES (?, ?)",
                       [change_id, tag])
            events.append(("tag", tag))
        for tag in remove:
            db.execute("DELETE FROM review_tags WHERE change_id = ? AND tag = ?", [change_id, tag])
            events.append(("untag", tag))
        for action, value in events:
            db.execute("INSERT INTO review_events (change_id, at, action, value) VALUES (?, ?, ?, ?)",
                       [change_id, now, action, value])
    row = get_change(db, change_id)
    assert row is not None
    return row.review
