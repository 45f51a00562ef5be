"""The demo web ingested in-process on a fixed clock, reviewed and turned into records:
deterministic data for export tests and for the examples in docs/exports.md."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from monitor import clock
from monitor.demo import DEMO_SOURCES
from monitor.demo.server import BASE, GENERATED, load_site
from monitor.ingest import pipeline as ingest
from monitor.models import FetchResult
from monitor.plugin_manager import PluginManager
from monitor.records import registry as records
from monitor.review import decisions as review
from monitor.sources import manage as sources
from monitor.store.db import open_db
from monitor.store.queries import changes
from monitor.store.queries import sources as stored_sources

BASE_URL = "http://127.0.0.1:8000"
TYPES = {"html": "text/html; charset=utf-8", "xml": "application/rss+xml", "txt": "text/plain"}


def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The clock's ``utcnow`` ticks one second per call from 2026-11-23 08:00 UTC."""
    ticks = itertools.count()
    start = datetime(2026, 11, 23, 8, 0, 0, tzinfo=UTC)

    def now() -> str:
        return (start + timedelta(seconds=next(ticks))).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    monkeypatch.setattr(clock, "utcnow", now)


def build(db_path: Path, pm: PluginManager) -> dict[str, Any]:
    """Day 1 and day 2 of the demo web's pages and feed (not its council portal), the four
    changes reviewed, and three records.

    Returns the ids: ``{"changes": {path: change_id}, "records": {...}}``.
    """
    site = load_site()
    db = open_db(db_path)
    web = [s for s in DEMO_SOURCES if s.kind in ("page", "feed")]  # the portal: portal_changes()
    ids, _ = sources.add_sources(db, [
        sources.NewSource(f"{BASE_URL}/{s.path}", s.kind, s.municipality, s.country, s.lang)
        for s in web])
    by_path = dict(zip((s.path for s in web), ids, strict=True))
    for day, stamp in ((1, b"2026-11-22 06:00:00"), (2, b"2026-11-23 06:00:00")):
        for path, sid in by_path.items():
            body = site[day][path].replace(GENERATED, stamp).replace(BASE, BASE_URL.encode())
            ctype = TYPES[path.rsplit(".", 1)[-1]]
            ingest.ingest(db, pm, FetchResult(sid, f"{BASE_URL}/{path}", 200,
                                              {"content-type": ctype}, body))
    found = {c.source_url.removeprefix(BASE_URL + "/"): c.id for c in changes(db)}
    feed, ixelles = found["news/feed.xml"], found["ixelles/cooperation.html"]
    vvsg, brussels = found["vvsg/overview.html"], found["brussels/solidarity.html"]
    review.review(db, feed, status="relevant", add_tags=["twinning"])
    review.review(db, ixelles, status="relevant", add_tags=["twinning"])
    review.review(db, vvsg, status="relevant", add_tags=["aid"])
    review.review(db, brussels, status="irrelevant")
    suspended = records.create(db, feed, {
        "municipality": "Ixelles", "country": "BE", "partner": "Megiddo", "partner_country": "IL",
        "action": "twinning_suspended", "date": "2024-06",
        "summary": "Ixelles suspends its twinning with Megiddo"})
    records.link(db, suspended.id, ixelles)
    established = records.create(db, feed, {
        "municipality": "Ixelles", "country": "BE", "partner": "Megiddo", "partner_country": "IL",
        "action": "twinning_established", "date": "2012",
        "summary": "Ixelles and Megiddo became twin towns"})
    aid = records.create(db, vvsg, {
        "municipality": "Voorbeeldegem", "country": "BE", "action": "humanitarian_aid",
        "date": "2025-11-12", "amount_eur": "5000",
        "summary": "Humanitarian aid grant to UNICEF for children in Gaza (invented demo entry)"})
    db.close()
    return {"changes": found, "records": {"suspended": suspended.id, "established": established.id,
                                          "aid": aid.id}}


def portal_changes(db_path: Path, pm: PluginManager) -> dict[str, int]:
    """Day 1 and day 2 of the demo's council portal ingested through the ``lblod`` kind,
    each day as the portal spider documents a run: the first page of each list the kind
    asks for (the demo portal answers every query with its one page).

    Returns the day-2 changes' ids by agenda item title.
    """
    from plugins.portals import lblod

    [portal] = [s for s in DEMO_SOURCES if s.kind == "lblod"]
    site = load_site()
    base = f"{BASE_URL}/{portal.path}"
    db = open_db(db_path)
    [sid], _ = sources.add_sources(db, [sources.NewSource(base, "lblod", None, portal.country, portal.lang)],
                                   ["lblod"])
    [status] = stored_sources(db, ids=[sid])
    for day in (1, 2):
        answer = site[day][f"{portal.path}/agenda-items"].decode()
        links = lblod.start(status.source)
        doc = {"portal": "lblod", "url": base, "baseline": day == 1, "complete": True,
               "pages": [{"key": link.key, "url": link.url, "text": answer} for link in links]}
        ingest.ingest(db, pm, FetchResult(sid, base, 200, {"content-type": "application/json"},
                                          json.dumps(doc).encode()))
    found = {c.title: c.id for c in changes(db) if c.source_url == base}
    db.close()
    return found
