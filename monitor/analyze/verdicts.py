"""Curator verdicts as training examples: the read side of ``twinwatch model train``.

A verdict is a change reviewed ``relevant`` or ``irrelevant`` (``follow-up`` is not a
verdict). Each comes with the change's text and the vocabulary relevance score the
analyzers stored for it, so the model can be compared with the vocabulary.
"""

from __future__ import annotations

import json
import weakref
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database


@dataclass(frozen=True)
class Verdict:
    """One reviewed change."""

    change_id: int
    text: str
    relevant: bool
    vocabulary_score: float | None


def verdicts(db: Database) -> list[Verdict]:
    """Every change reviewed relevant or irrelevant, oldest first."""
    rows = db.execute(
        "SELECT c.id, c.title, c.added_text, c.removed_text, r.status, "
        "(SELECT f.value FROM findings f WHERE f.change_id = c.id AND f.name = 'relevance' "
        " ORDER BY f.id LIMIT 1) "
        "FROM changes c JOIN reviews r ON r.change_id = c.id "
        "WHERE r.status IN ('relevant', 'irrelevant') ORDER BY c.id"
    ).fetchall()
    out = []
    for cid, title, added, removed, status, score in rows:
        text = "\n".join(part for part in (title, added, removed) if part)
        value = json.loads(score) if score else None
        out.append(Verdict(cid, text, status == "relevant",
                           float(value) if isinstance(value, int | float) else None))
    return out


_PATHS: weakref.WeakKeyDictionary[Database, tuple[object, Path | None]] = weakref.WeakKeyDictionary()
"""The file behind each open database, asked once per connection: ingest asks for
every page it extracts, and the file behind a connection never changes."""


def database_path(db: Database) -> Path | None:
    """The file behind an open database (``None`` for an in-memory one)."""
    known = _PATHS.get(db)
    if known is not None and known[0] is db.conn:
        return known[1]
    path = None
    for _, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main" and file:
            path = Path(file)
            break
    _PATHS[db] = (db.conn, path)
    return path
