"""Curator decisions: status, tags, notes and fact corrections, each action in its
own short transaction, and undo.

This is the only writer of ``reviews``, ``review_tags``, ``review_events``,
``review_actions`` and ``fact_corrections``. Every call records one
``review_actions`` row and an event per change it made, with the value it replaced
(``previous``), so no decision is lost even when a later one replaces it, and
:func:`undo` can restore the state before the latest action. An undo is itself an
action with events (it can be seen in the audit trail, and undone changes are not
undone twice).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlite_utils import Database

from monitor import clock
from monitor.errors import ConfigError, SourceError
from monitor.models import FACT_FIELDS, REVIEW_STATUSES, Fact, Review, UndoResult
from monitor.store.db import write_tx
from monitor.store.queries import change as get_change
from monitor.text import one_line

FACT_PREFIX = "fact:"
"""Events that correct a fact are named ``fact:<field>``."""


def clean_tag(tag: str) -> str:
    """A tag as stored: one line, no control characters, no surrounding spaces."""
    return one_line(tag, 64).strip()


def _clean_note(note: str) -> str | None:
    text = "\n".join(line.rstrip() for line in note.replace("\r\n", "\n").split("\n")).strip()
    return one_line(text, 10_000) if "\n" not in text else text[:10_000] or None


def _event(db: Database, action_id: int, change_id: int, now: str, action: str,
           value: str | None, previous: str | None) -> None:
    db.execute(
        "INSERT INTO review_events (change_id, at, action, value, action_id, previous) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [change_id, now, action, value, action_id, previous],
    )


def _new_action(db: Database, now: str, label: str, undoes: int | None = None) -> int:
    cur = db.execute("INSERT INTO review_actions (at, label, undoes) VALUES (?, ?, ?)",
                     [now, one_line(label, 200), undoes])
    return int(cur.lastrowid or 0)


def _current(db: Database, change_id: int) -> tuple[str, str | None] | None:
    """(status, note) of a change, or ``None`` when there is no such change."""
    row = db.execute(
        "SELECT COALESCE(r.status, 'new'), r.note FROM changes c LEFT JOIN reviews r "
        "ON r.change_id = c.id WHERE c.id = ?", [change_id]
    ).fetchone()
    return (row[0], row[1]) if row else None


def _set_review(db: Database, change_id: int, now: str, *, status: str | None = None,
                note: str | None = None, clear_note: bool = False) -> None:
    db.execute(
        "INSERT INTO reviews (change_id, status, note, created_at, updated_at) "
        "VALUES (?, COALESCE(?, 'new'), ?, ?, ?) ON CONFLICT (change_id) DO UPDATE SET "
        "status = COALESCE(?, status), note = CASE WHEN ? THEN NULL ELSE COALESCE(?, note) END, "
        "updated_at = ?",
        [change_id, status, note, now, now, status, int(clear_note), note, now],
    )


def review_many(
    db: Database,
    change_ids: Sequence[int],
    *,
    status: str | None = None,
    add_tags: Iterable[str] = (),
    remove_tags: Iterable[str] = (),
    note: str | None = None,
    label: str | None = None,
) -> int:
    """Record one decision on several changes, in one transaction, as one undoable
    action; return the action's id. ``note=""`` removes the note.

    Raises:
        ConfigError: unknown status, or no change given.
        SourceError: one of the ids is not a change (nothing is stored).
    """
    if status is not None and status not in REVIEW_STATUSES:
        raise ConfigError(f"unknown status {status!r}; use one of {', '.join(REVIEW_STATUSES)}")
    ids = list(dict.fromkeys(change_ids))
    if not ids:
        raise ConfigError("no change to review")
    add = [t for t in dict.fromkeys(clean_tag(t) for t in add_tags) if t]
    remove = [t for t in dict.fromkeys(clean_tag(t) for t in remove_tags) if t]
    new_note = None if note is None else _clean_note(note)
    now = clock.utcnow()
    label = label or _label(len(ids), status, add, remove, note)
    with write_tx(db):
        action = _new_action(db, now, label)
        for change_id in ids:
            current = _current(db, change_id)
            if current is None:
                raise SourceError(f"no change with id {change_id}")
            old_status, old_note = current
            _set_review(db, change_id, now, status=status, note=new_note,
                        clear_note=note is not None and new_note is None)
            if status is not None:
                _event(db, action, change_id, now, "status", status, old_status)
            if note is not None and new_note != old_note:
                _event(db, action, change_id, now, "note", new_note, old_note)
            for tag in add:
                if db.execute("INSERT OR IGNORE INTO review_tags (change_id, tag) VALUES (?, ?)",
                              [change_id, tag]).rowcount:
                    _event(db, action, change_id, now, "tag", tag, None)
            for tag in remove:
                if db.execute("DELETE FROM review_tags WHERE change_id = ? AND tag = ?",
                              [change_id, tag]).rowcount:
                    _event(db, action, change_id, now, "untag", tag, None)
    return action


def _label(n: int, status: str | None, add: list[str], remove: list[str], note: str | None) -> str:
    parts = []
    if status:
        parts.append(status)
    parts += [f"+{t}" for t in add] + [f"-{t}" for t in remove]
    if note is not None:
        parts.append("note")
    what = " ".join(parts) or "review"
    return f"{what} on {n} changes" if n > 1 else what


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
    review_many(db, [change_id], status=status, add_tags=add_tags, remove_tags=remove_tags, note=note)
    row = get_change(db, change_id)
    assert row is not None
    return row.review


def set_fact(db: Database, change_id: int, field: str, value: str | None) -> Fact:
    """Store the curator's value of one suggested fact (``None`` or blank: go back to
    the suggestion). Kept apart from findings, so no crawl ever overwrites it.

    Raises:
        ConfigError: ``field`` is not one of :data:`~monitor.models.FACT_FIELDS`.
        SourceError: no change with that id.
    """
    from monitor.review.inbox import change_facts

    if field not in FACT_FIELDS:
        raise ConfigError(f"unknown fact {field!r}; use one of {', '.join(FACT_FIELDS)}")
    clean = one_line(value, 500) if value is not None else ""
    new = clean or None
    now = clock.utcnow()
    with write_tx(db):
        if _current(db, change_id) is None:
            raise SourceError(f"no change with id {change_id}")
        old = _get_fact(db, change_id, field)
        if new != old:
            action = _new_action(db, now, f"{field} = {new}" if new else f"{field} reset")
            _put_fact(db, change_id, field, new, now)
            _event(db, action, change_id, now, FACT_PREFIX + field, new, old)
    return next(f for f in change_facts(db, change_id) if f.field == field)


def _get_fact(db: Database, change_id: int, field: str) -> str | None:
    row = db.execute("SELECT value FROM fact_corrections WHERE change_id = ? AND field = ?",
                     [change_id, field]).fetchone()
    return row[0] if row else None


def _put_fact(db: Database, change_id: int, field: str, value: str | None, now: str) -> None:
    if value is None:
        db.execute("DELETE FROM fact_corrections WHERE change_id = ? AND field = ?", [change_id, field])
    else:
        db.execute(
            "INSERT INTO fact_corrections (change_id, field, value, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (change_id, field) DO UPDATE SET value = excluded.value, "
            "updated_at = excluded.updated_at",
            [change_id, field, value, now],
        )


def undo(db: Database) -> UndoResult | None:
    """Undo the latest curator action not undone yet; ``None`` when there is none.

    Restores each change it touched to its state before (status, note, tags,
    facts) and records the undo as an action of its own.
    """
    now = clock.utcnow()
    with write_tx(db):
        row = db.execute(
            "SELECT a.id, a.label FROM review_actions a WHERE a.undoes IS NULL AND NOT EXISTS "
            "(SELECT 1 FROM review_actions u WHERE u.undoes = a.id) ORDER BY a.id DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        target, label = row
        events = db.execute(
            "SELECT change_id, action, value, previous FROM review_events WHERE action_id = ? "
            "ORDER BY id DESC", [target]
        ).fetchall()
        action = _new_action(db, now, f"undo {label}", undoes=target)
        touched: list[int] = []
        for change_id, kind, value, previous in events:
            if _current(db, change_id) is None:
                continue  # the change is gone (its source was deleted)
            touched.append(change_id)
            if kind == "status":
                status, _ = _current(db, change_id) or ("new", None)
                _set_review(db, change_id, now, status=previous or "new")
                _event(db, action, change_id, now, "status", previous or "new", status)
            elif kind == "note":
                _, note = _current(db, change_id) or ("new", None)
                _set_review(db, change_id, now, note=previous, clear_note=previous is None)
                _event(db, action, change_id, now, "note", previous, note)
            elif kind == "tag":
                db.execute("DELETE FROM review_tags WHERE change_id = ? AND tag = ?", [change_id, value])
                _event(db, action, change_id, now, "untag", value, None)
            elif kind == "untag":
                db.execute("INSERT OR IGNORE INTO review_tags (change_id, tag) VALUES (?, ?)",
                           [change_id, value])
                _event(db, action, change_id, now, "tag", value, None)
            elif kind.startswith(FACT_PREFIX):
                field = kind[len(FACT_PREFIX):]
                old = _get_fact(db, change_id, field)
                _put_fact(db, change_id, field, previous, now)
                _event(db, action, change_id, now, kind, previous, old)
    return UndoResult(action_id=action, undone_action_id=target, label=label,
                      change_ids=tuple(dict.fromkeys(reversed(touched))))
