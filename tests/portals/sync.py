"""What the portal kinds' tests read back after a real ``twinwatch crawl``: the stored
items, the sync state (watermark and resume cursor), the changes by URL, and one check
every kind shares: a bad answer fails the source readably and keeps what is stored."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from monitor.store.db import open_db
from monitor.store.queries import changes


def settings(**values: object) -> dict[str, str]:
    """The environment that hands a crawl these Scrapy settings."""
    return {"TWINWATCH_SCRAPY_SETTINGS": json.dumps(values)}


def items(db_path) -> dict[str, str]:
    with open_db(db_path) as db:
        return dict(db.execute("SELECT key, title FROM items").fetchall())


def state(twinwatch) -> dict:
    return json.loads(twinwatch("sources", "list", "--json").stdout)[0]


def by_url(db_path) -> dict[str, list]:
    with open_db(db_path) as db:
        rows = changes(db)
    out: dict[str, list] = {}
    for c in rows:
        out.setdefault(c.url, []).append(c)
    return out


def municipality(change) -> str | None:
    found = [f.value for f in change.findings if f.name == "municipality" and f.value]
    return found[0]["name"] if found else None


def watermark(db_path) -> str:
    with open_db(db_path) as db:
        return db.execute("SELECT last_modified FROM source_state").fetchone()[0]


def cursor(db_path) -> str | None:
    """The stored resume cursor (a sync the budget cut short), else ``None``; the state
    may also hold the pages' validators (``portal-validators``), which are no cursor."""
    with open_db(db_path) as db:
        etag = db.execute("SELECT etag FROM source_state").fetchone()[0]
    return etag if etag and json.loads(etag).get("portal-cursor") == 1 else None


def validators(db_path) -> dict:
    """The pages' validators the portal spider keeps, by URL."""
    with open_db(db_path) as db:
        etag = db.execute("SELECT etag FROM source_state").fetchone()[0]
    return json.loads(etag).get("portal-validators", {}) if etag else {}


def bad_answers_keep_what_is_stored(twinwatch, db_path, portal: Any, cases: Sequence[tuple[str, str]],
                                    *, max_requests: int, count: Callable[[], int] | None = None) -> None:
    """For each ``(mode, message)``: with ``portal.misbehave = mode`` a crawl fails the
    source as a ``parse-error`` whose message holds ``message``, within ``max_requests``
    requests, and the stored items and the watermark stay; then an empty answer after
    items is no mass deletion. ``count`` gives the portal's requests (``portal.count``)."""
    stored, mark = items(db_path), watermark(db_path)
    counted = count or portal.count
    for mode, message in cases:
        portal.misbehave = mode
        before = counted()
        out = twinwatch("crawl", "--all")
        assert "1 failed" in out.stdout, mode
        s = state(twinwatch)
        assert s["last_status"] == "parse-error" and message in s["last_error"], s
        assert counted() - before <= max_requests, mode
        assert items(db_path) == stored and watermark(db_path) == mark, mode
    portal.misbehave = "empty"
    out = twinwatch("crawl", "--all")
    assert "0 failed" in out.stdout and "0 changed" in out.stdout and items(db_path) == stored
    portal.misbehave = None
