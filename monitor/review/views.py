"""Saved views: inbox queries the curator names and reopens. The only writer of
``saved_views``; reading them is :func:`monitor.review.inbox.saved_views`."""

from __future__ import annotations

from sqlite_utils import Database

from monitor import clock
from monitor.errors import ConfigError
from monitor.models import SORTS, SavedView
from monitor.review.querylang import parse_query
from monitor.store.db import write_tx
from monitor.text import one_line


def save_view(db: Database, name: str, query: str, sort: str = "relevance") -> SavedView:
    """Store ``query`` under ``name`` (replacing a view of that name).

    Raises:
        ConfigError: blank name, unknown sort.
        QueryError: the query does not parse.
    """
    name = one_line(name, 80).strip()
    if not name:
        raise ConfigError("a saved view needs a name")
    if sort not in SORTS:
        raise ConfigError(f"unknown sort {sort!r}; use {' or '.join(SORTS)}")
    query = one_line(query, 2000).strip()
    parse_query(query)
    now = clock.utcnow()
    with write_tx(db):
        db.execute(
            "INSERT INTO saved_views (name, query, sort, created_at, updated_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET query = excluded.query, sort = excluded.sort, "
            "updated_at = excluded.updated_at",
            [name, query, sort, now, now],
        )
        vid = db.execute("SELECT id FROM saved_views WHERE name = ?", [name]).fetchone()[0]
    return SavedView(id=vid, name=name, query=query, sort=sort)


def delete_view(db: Database, view_id: int) -> bool:
    """Forget a saved view; ``False`` when there was none with that id."""
    with write_tx(db):
        return bool(db.execute("DELETE FROM saved_views WHERE id = ?", [view_id]).rowcount)
