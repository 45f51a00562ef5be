"""One app factory for the dashboard's snapshot tests (and any test that wants a
varied, fixed inbox): sources with every kind of health, changes with scores,
categories, languages, facts, tags and reviews, all with fixed timestamps, and a
fixed clock, so every run draws the same screen."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from monitor import clock
from monitor.ingest.pipeline import ingest
from monitor.ingest.writer import record_failure
from monitor.models import FetchResult
from monitor.plugin_manager import make_plugin_manager
from monitor.review.decisions import review, set_fact
from monitor.sources.manage import NewSource, add_sources, set_enabled
from monitor.store.db import open_db
from tests.helpers import add_change
from tui.app import TwinwatchApp

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
"""The dashboard's clock in these tests."""

HOSTILE = "[bold]x[/] a[/b]c [link=http://evil]y[/link] \x1b]8;;http://evil\x07z\x1b[2J"


@contextlib.contextmanager
def fixed_clock(stamp: str) -> Iterator[None]:
    """Make monitor's writers stamp rows with ``stamp`` (ingest, reviews, views)."""
    saved = clock.utcnow
    clock.utcnow = lambda: stamp
    try:
        yield
    finally:
        clock.utcnow = saved


def build(path: Path) -> dict[str, int]:
    """Fill a new database at ``path``; return change ids by short name."""
    pm = make_plugin_manager(distribution="twinwatch")
    db = open_db(path)
    try:
        with fixed_clock("2026-03-14T08:00:00.000000Z"):
            (gent, ixl, leuven, brussels, old), _ = add_sources(db, [
                NewSource("https://stad.gent/nieuws.rss", "feed", "Gent", "BE", "nl"),
                NewSource("https://www.ixelles.be/cooperation", "page", "Ixelles", "BE", "fr"),
                NewSource("https://leuven.be/stedenbanden", "page", "Leuven", "BE", "nl"),
                NewSource("https://www.bruxelles.be/solidarite", "page", "Bruxelles", "BE", "fr"),
                NewSource("https://example.org/old-news", "page", "Mons", "BE", "fr"),
            ])
            for sid in (gent, ixl):
                ingest(db, pm, FetchResult(sid, "u", 304))
            record_failure(db, FetchResult(brussels, "u", error_kind="http-error", error="HTTP 503"))
            record_failure(db, FetchResult(brussels, "u", error_kind="timeout", error="no answer in 30 s"))
            set_enabled(db, old, False)
        ids = {
            "stedenband": add_change(db, gent, "Stedenband met Bethlehem verlengd",
                                     "De gemeenteraad keurt de stedenband met Bethlehem goed.",
                                     "2026-03-14T09:30:00.000000Z", score=0.92, category="twinning",
                                     facts={"partner": "Bethlehem", "municipality": "Gent"}),
            "motie": add_change(db, gent, "Motie over Gaza aangenomen", "Een motie over Gaza werd gestemd.",
                                "2026-03-13T17:00:00.000000Z", score=0.71, category="motion",
                                facts={"date": "2026-03-12"}),
            "jumelage": add_change(db, ixl, "Jumelage avec Megiddo suspendu",
                                   "Le conseil suspend le jumelage avec Megiddo.",
                                   "2026-03-12T10:15:00.000000Z", score=0.88, category="suspension",
                                   language="fr", kind="page-changed",
                                   facts={"partner": "Megiddo", "amount": "0 EUR"}),
            "fiets": add_change(db, gent, "Nieuwe fietsstraat", "De Kerkstraat wordt een fietsstraat.",
                                "2026-03-11T07:45:00.000000Z", score=0.05),
            "hostile": add_change(db, leuven, HOSTILE, f"Body {HOSTILE} end", "2026-03-10T12:00:00.000000Z",
                                  kind="page-changed"),
            "agenda": add_change(db, ixl, "Agenda du conseil", "Conseil communal lundi.",
                                 "2026-03-09T12:00:00.000000Z", kind="page-changed"),
        }
        with fixed_clock("2026-03-14T10:00:00.000000Z"):
            review(db, ids["jumelage"], status="relevant", add_tags=["suspension", "israel"])
            review(db, ids["fiets"], status="irrelevant")
            review(db, ids["motie"], status="follow-up", note="Check the vote count")
            set_fact(db, ids["jumelage"], "municipality", "Ixelles / Elsene")
    finally:
        db.close()
    return ids


def make_app(path: Path, **kw) -> TwinwatchApp:
    """The dashboard on ``path`` with a fixed clock, no auto-refresh, no browser."""
    kw.setdefault("refresh_interval", 0)
    kw.setdefault("url_opener", lambda url: None)
    kw.setdefault("clock", lambda: NOW)
    kw.setdefault("plugin_manager", lambda: make_plugin_manager(distribution="twinwatch"))
    return TwinwatchApp(str(path), **kw)
