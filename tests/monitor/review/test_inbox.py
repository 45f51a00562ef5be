"""The dashboard's read queries on a real database: paging, ranking, filters,
search, positions, counts, facts, versions, source health."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.models import FetchResult
from monitor.review.decisions import review
from monitor.review.inbox import (
    change_detail,
    data_stamp,
    inbox_count,
    inbox_counts,
    inbox_page,
    inbox_position,
    inbox_rows,
)
from monitor.review.querylang import parse_query
from monitor.sources.health import sources_by_health
from monitor.sources.manage import NewSource, add_sources
from tests.helpers import add_change


@pytest.fixture
def corpus(db):
    """Two sources, five changes with scores, categories and languages."""
    (gent, ixl), _ = add_sources(db, [
        NewSource("http://127.0.0.1/gent.rss", "feed", "Gent", "BE", "nl"),
        NewSource("https://www.ixelles.be/news", "page", "Ixelles", "BE", "fr"),
    ])
    ids = {
        "stedenband": add_change(db, gent, "Stedenband met Bethlehem", "De gemeenteraad keurt de "
                                 "stedenband goed.", "2026-01-05T10:00:00Z", score=0.9, category="twinning"),
        "motie": add_change(db, gent, "Motie Gaza", "Een motie over Gaza.", "2026-01-06T10:00:00Z",
                            score=0.6, category="motion"),
        "verkeer": add_change(db, gent, "Verkeer", "Nieuwe fietsstraat.", "2026-01-07T10:00:00Z",
                              score=0.1),
        "jumelage": add_change(db, ixl, "Jumelage suspendu", "Le jumelage avec Megiddo est suspendu.",
                               "2026-01-04T10:00:00Z", score=0.8, category="twinning", language="fr",
                               kind="page-changed"),
        "agenda": add_change(db, ixl, "Agenda", "Conseil communal lundi.", "2026-01-08T10:00:00Z",
                             kind="page-changed"),
    }
    return db, ids


def titles(rows):
    return [r.title for r in rows]


def test_relevance_sort_puts_unscored_last_newest_first(corpus):
    """By relevance: highest score first; changes without a score after, newest first."""
    db, ids = corpus
    assert titles(inbox_page(db, sort="relevance")) == [
        "Stedenband met Bethlehem", "Jumelage suspendu", "Motie Gaza", "Verkeer", "Agenda"]
    assert titles(inbox_page(db, sort="date")) == [
        "Agenda", "Verkeer", "Motie Gaza", "Stedenband met Bethlehem", "Jumelage suspendu"]
    row = inbox_page(db, sort="relevance", limit=1)[0]
    assert (row.score, row.category, row.lang, row.municipality, row.status) == (
        0.9, "twinning", "nl", "Gent", "new")
    assert row.source_label == "127.0.0.1"
    assert inbox_page(db, sort="date", limit=1)[0].source_label == "ixelles.be"


def test_paging(corpus):
    """offset and limit page through the same order without gaps or repeats."""
    db, _ = corpus
    pages = [inbox_page(db, sort="relevance", offset=o, limit=2) for o in (0, 2, 4)]
    assert [len(p) for p in pages] == [2, 2, 1]
    assert titles([r for p in pages for r in p]) == titles(inbox_page(db, sort="relevance"))


@pytest.mark.parametrize("query,expected", [
    ("lang:nl", {"stedenband", "motie", "verkeer"}),
    ("lang:fr", {"jumelage", "agenda"}),
    ("category:twinning", {"stedenband", "jumelage"}),
    ("municipality:ixelles", {"jumelage", "agenda"}),
    ("country:be score:0.5..", {"stedenband", "motie", "jumelage"}),
    ("score:..0.5", {"verkeer"}),
    ("date:2026-01-05..2026-01-07", {"stedenband", "motie", "verkeer"}),
    ("source:ixelles.be", {"jumelage", "agenda"}),
    ("stedenband", {"stedenband"}),
    ("megiddo", {"jumelage"}),
    ('"motie over"', {"motie"}),
    ("gaza -motie", set()),
    ("status:relevant", {"motie"}),
    ("-status:relevant tag:x", set()),
    ("tag:gaza", {"motie"}),
    ("-tag:gaza lang:nl", {"stedenband", "verkeer"}),
])
def test_filters_and_search_narrow_the_list(corpus, query, expected):
    """Every filter of the query line, and FTS search, select the right changes; counts agree."""
    db, ids = corpus
    review(db, ids["motie"], status="relevant", add_tags=["gaza"])
    f = parse_query(query).filter
    got = {name for name, cid in ids.items() if cid in {r.id for r in inbox_page(db, f)}}
    assert got == expected
    assert inbox_count(db, f) == len(expected)


def test_position_follows_a_change_when_rows_are_added_above(corpus):
    """inbox_position finds a change's place, so the cursor can stay on it after a crawl."""
    db, ids = corpus
    assert inbox_position(db, None, "relevance", ids["motie"]) == 2
    assert inbox_position(db, None, "date", ids["motie"]) == 2
    assert inbox_position(db, None, "relevance", ids["agenda"]) == 4
    newer = add_change(db, 1, "Zustersteden", "Nieuwe zusterstad.", "2026-01-09T10:00:00Z", score=0.95)
    assert inbox_position(db, None, "relevance", ids["motie"]) == 3
    assert inbox_position(db, None, "date", newer) == 0
    assert inbox_position(db, parse_query("lang:fr").filter, "date", ids["motie"]) is None


def test_counts_and_stamp(corpus):
    """Header counts come cheap; the stamp moves when a change or a review is stored."""
    db, ids = corpus
    before = data_stamp(db)
    review(db, ids["agenda"], status="irrelevant")
    counts = inbox_counts(db)
    assert counts.total == 5 and counts.new == 4 and counts.by_status["irrelevant"] == 1
    assert counts.max_change_id == max(ids.values())
    after = data_stamp(db)
    assert after != before
    assert data_stamp(db) == after
    [row] = inbox_rows(db, [ids["agenda"]])
    assert row.status == "irrelevant"


def test_change_detail_has_facts_and_versions(corpus):
    """The detail query returns the change, its suggested facts and its source's history."""
    db, ids = corpus
    cid = add_change(db, 2, "Jumelage", "Partenariat avec Kalamu.", "2026-01-09T10:00:00Z",
                     kind="page-changed", facts={"partner": "Kalamu", "amount": {"value": "5000 EUR"}})
    d = change_detail(db, cid)
    assert d is not None and d.change.title == "Jumelage"
    facts = {f.field: f for f in d.facts}
    assert facts["partner"].suggested == "Kalamu" and facts["partner"].value == "Kalamu"
    assert facts["amount"].suggested == "5000 EUR"
    assert facts["municipality"].value is None
    assert [v.change_id for v in d.versions] == [cid, ids["agenda"], ids["jumelage"]]
    assert change_detail(db, 9999) is None


def test_sources_failing_and_silent_first(db, pm):
    """Source health: failing first, then silent, never fetched, fine, disabled last."""
    from monitor.ingest.pipeline import ingest
    from monitor.ingest.writer import record_failure
    from monitor.sources.manage import set_enabled

    ids, _ = add_sources(db, [NewSource(f"http://127.0.0.1/{n}", "page") for n in
                              ("fine", "failing", "never", "off", "silent")])
    fine, failing, never, off, silent = ids
    record_failure(db, FetchResult(failing, "u", error_kind="timeout", error="timed out"))
    for sid in (fine, silent):
        ingest(db, pm, FetchResult(sid, "u", 304))
    set_enabled(db, off, False)
    add_change(db, fine, "Recent", "x", "2026-03-10T00:00:00Z")
    from monitor.store.db import write_tx
    with write_tx(db):  # what ingest records when a change is stored; all added in January
        db.execute("UPDATE source_state SET last_change_at = '2026-03-10T00:00:00Z' WHERE source_id = ?",
                   [fine])
        db.execute("UPDATE sources SET created_at = '2026-01-01T00:00:00Z'")
    rows = sources_by_health(db, now=datetime(2026, 3, 15, tzinfo=UTC))
    assert [(s.source.id, h) for s, h in rows] == [
        (failing, "failing"), (silent, "silent"), (never, "never fetched"), (fine, "ok"), (off, "disabled")]
