"""Ingest without Scrapy: fetch results in, snapshots/changes/outcomes out."""

from __future__ import annotations

import pytest

from monitor.ingest.pipeline import ingest
from monitor.models import FetchResult
from monitor.review.decisions import review
from monitor.sources.manage import NewSource, add_sources
from monitor.store.queries import change, changes, snapshot_count, sources
from tests.helpers import PARTNERS, feed, page

HTML = {"content-type": "text/html; charset=utf-8"}
RSS = {"content-type": "application/rss+xml"}


@pytest.fixture
def page_source(db) -> int:
    (sid,), _ = add_sources(db, [NewSource("http://127.0.0.1:1/ixelles", "page", "Ixelles", "BE", "en")])
    return sid


@pytest.fixture
def feed_source(db) -> int:
    (sid,), _ = add_sources(db, [NewSource("http://127.0.0.1:1/feed.xml", "feed", "Ixelles", "BE")])
    return sid


def fetch(sid: int, body: bytes, headers=HTML, status: int = 200) -> FetchResult:
    return FetchResult(source_id=sid, url=f"http://127.0.0.1:1/{sid}", status=status,
                       headers=headers, body=body)


def test_first_fetch_is_a_baseline(db, pm, page_source):
    """The first fetch stores a snapshot and reports no change."""
    assert ingest(db, pm, fetch(page_source, page(PARTNERS))) == "new"
    assert snapshot_count(db, page_source) == 1
    assert changes(db) == []


def test_edited_page_yields_one_change_with_added_and_removed(db, pm, page_source):
    """Removing one partner and editing another paragraph is one change with exactly those paragraphs."""
    ingest(db, pm, fetch(page_source, page(PARTNERS)))
    edited = [p for p in PARTNERS if not p.startswith("Megiddo")]
    edited[2] = edited[2].replace("since 1958", "since 1959")
    edited.append("Kimbanseke (Kinshasa) joined as a partner on 12 November 2026.")
    assert ingest(db, pm, fetch(page_source, page(edited))) == "changed"
    rows = changes(db)
    assert len(rows) == 1
    c = rows[0]
    assert c.kind == "page-changed" and c.source_id == page_source
    assert c.removed == (PARTNERS[2], PARTNERS[4])
    assert c.added == (edited[2], "Kimbanseke (Kinshasa) joined as a partner on 12 November 2026.")
    changed = [op for op in c.ops if op.op == "changed"]
    assert len(changed) == 1
    assert ("-", "1958") in changed[0].words and ("+", "1959") in changed[0].words
    assert [op.op for op in c.ops].count("removed") == 1
    assert c.title == "Ixelles — Development cooperation"


def test_unchanged_recrawl_adds_no_snapshot_and_no_change(db, pm, page_source):
    """Identical bytes stop at the raw fingerprint: no snapshot, no change."""
    ingest(db, pm, fetch(page_source, page(PARTNERS)))
    assert ingest(db, pm, fetch(page_source, page(PARTNERS))) == "unchanged"
    assert snapshot_count(db, page_source) == 1
    assert changes(db) == []


def test_noise_outside_main_text_is_not_a_change(db, pm, page_source):
    """A new footer timestamp and navigation link change the bytes but not the text."""
    ingest(db, pm, fetch(page_source, page(PARTNERS)))
    noisy = page(PARTNERS, footer="Page generated on 2026-11-24 06:00:00").replace(
        b"Contact</a>", b"Contact</a> | <a href='/x'>Cookies</a>")
    assert ingest(db, pm, fetch(page_source, noisy)) == "unchanged"
    assert snapshot_count(db, page_source) == 1
    assert changes(db) == []
    # The new raw fingerprint was remembered, so the same noisy bytes stop even earlier.
    assert ingest(db, pm, fetch(page_source, noisy)) == "unchanged"


def test_new_feed_entry_is_one_change(db, pm, feed_source):
    """A feed gaining one entry yields exactly one new-entry change."""
    day1 = [("a", "Petition against the twinning", "Activists gathered 1,300 signatures.")]
    assert ingest(db, pm, fetch(feed_source, feed(day1), RSS)) == "new"
    assert changes(db) == []
    day2 = [("b", "Ixelles suspends its twinning with Megiddo", "The council decided on Monday."),
            *day1]
    assert ingest(db, pm, fetch(feed_source, feed(day2), RSS)) == "changed"
    rows = changes(db)
    assert [(c.kind, c.title) for c in rows] == [("new-entry", "Ixelles suspends its twinning with Megiddo")]
    assert rows[0].added == ("Ixelles suspends its twinning with Megiddo", "The council decided on Monday.")
    assert rows[0].url == "http://127.0.0.1/news/b"


def test_edited_feed_entry_is_a_change(db, pm, feed_source):
    """Same guid with a new summary is an edited-entry change showing the edit."""
    ingest(db, pm, fetch(feed_source, feed([("a", "Council meeting", "On 26 September.")]), RSS))
    ingest(db, pm, fetch(feed_source, feed([("a", "Council meeting", "On 3 October.")]), RSS))
    (c,) = changes(db)
    assert c.kind == "edited-entry"
    assert c.removed == ("On 26 September.",) and c.added == ("On 3 October.",)


def test_broken_feed_is_recorded_and_keeps_history(db, pm, feed_source):
    """A feed that becomes garbage is a parse-error on the source; stored entries stay."""
    ingest(db, pm, fetch(feed_source, feed([("a", "T", "D")]), RSS))
    assert ingest(db, pm, fetch(feed_source, b"<html><body>Maintenance", RSS)) == "parse-error"
    (st,) = sources(db)
    assert st.last_status == "parse-error" and st.consecutive_failures == 1
    assert "feed" in st.last_error
    assert snapshot_count(db, feed_source) == 1


def test_failures_count_up_and_reset(db, pm, page_source):
    """Consecutive failures count up, carry the message, and reset on success."""
    for _ in range(2):
        ingest(db, pm, FetchResult(page_source, "u", status=500, error_kind="http-error", error="HTTP 500"))
    (st,) = sources(db)
    assert (st.last_status, st.last_error, st.consecutive_failures) == ("http-error", "HTTP 500", 2)
    ingest(db, pm, fetch(page_source, page(PARTNERS)))
    (st,) = sources(db)
    assert (st.last_status, st.last_error, st.consecutive_failures) == ("new", None, 0)


def test_not_modified_keeps_validators(db, pm, page_source):
    """A 304 is recorded as not-modified and keeps the stored ETag."""
    ingest(db, pm, fetch(page_source, page(PARTNERS), {**HTML, "etag": '"v1"'}))
    assert ingest(db, pm, fetch(page_source, b"", {}, status=304)) == "not-modified"
    (st,) = sources(db)
    assert st.last_status == "not-modified" and st.source.etag == '"v1"'


def test_empty_and_binary_bodies_invent_no_change(db, pm, page_source):
    """Whitespace-only or binary bodies are parse errors, never changes."""
    ingest(db, pm, fetch(page_source, page(PARTNERS)))
    assert ingest(db, pm, fetch(page_source, b"   \n ")) == "parse-error"
    assert ingest(db, pm, fetch(page_source, bytes(range(256)) * 4,
                               {"content-type": "application/octet-stream"})) == "parse-error"
    assert changes(db) == []
    assert snapshot_count(db, page_source) == 1


def test_review_survives_later_crawl(db, pm, page_source):
    """A curator's decision is untouched by later crawls of the same source."""
    ingest(db, pm, fetch(page_source, page(PARTNERS)))
    ingest(db, pm, fetch(page_source, page(PARTNERS[:-1])))
    (c,) = changes(db)
    review(db, c.id, status="relevant", add_tags=["twinning"], note="Zababdeh dropped?")
    # New versions each time: a flip back to a known version (A -> B -> A) is not reported.
    ingest(db, pm, fetch(page_source, page(PARTNERS + ["Gaza City joined in 2026."])))
    ingest(db, pm, fetch(page_source, page(PARTNERS[1:])))
    kept = change(db, c.id)
    assert kept is not None
    assert (kept.review.status, kept.review.tags, kept.review.note) == (
        "relevant", ("twinning",), "Zababdeh dropped?")
    assert len(changes(db)) == 3


def test_control_characters_never_stored(db, pm, feed_source):
    """Terminal escape sequences in fetched text are stripped before storage."""
    ingest(db, pm, fetch(feed_source, feed([("a", "x", "y")]), RSS))
    hostile = ("b", "Evil \x1b[2J[bold]title[/]", "z\x07")
    ingest(db, pm, fetch(feed_source, feed([("a", "x", "y"), hostile]), RSS))
    (c,) = changes(db)
    assert "\x1b" not in c.title and "\x07" not in "".join(c.added)
    assert c.title == "Evil [bold]title[/]"  # the whole sequence goes, markup-like text stays


def test_list_items_are_stored_without_markers(db, pm, page_source):
    """A partner dropped from an HTML list is removed as its own text, no '- ' marker."""
    def partners(names: list[str]) -> bytes:
        items = "".join(f"<li>{n}</li>" for n in names)
        return page(PARTNERS[:2]).replace(b"</article>", f"<ul>{items}</ul></article>".encode())

    towns = ["Biarritz (France)", "Megiddo (Israel)", "Zababdeh (Palestine)"]
    ingest(db, pm, fetch(page_source, partners(towns)))
    ingest(db, pm, fetch(page_source, partners([towns[0], towns[2]])))
    (c,) = changes(db)
    assert c.removed == ("Megiddo (Israel)",) and c.added == ()
