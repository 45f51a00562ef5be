"""Real Scrapy crawls (``twinwatch crawl`` in a subprocess) against servers on 127.0.0.1."""

from __future__ import annotations

import json

import pytest

from monitor.store.db import open_db
from monitor.store.queries import changes, snapshot_count
from tests.helpers import PARTNERS, feed, page

pytestmark = pytest.mark.slow


def sources_json(twinwatch) -> dict[str, dict]:
    return {s["url"]: s for s in json.loads(twinwatch("sources", "list", "--json").stdout)}


def test_edited_page_and_new_feed_entry_end_to_end(http_server, twinwatch, db_path):
    """Crawl, edit the page and the feed, crawl again: one page change, one new entry."""
    page_url = http_server.set("/ixelles.html", page(PARTNERS))
    feed_url = http_server.set("/news.xml", feed([("a", "Petition", "1,300 signatures")]),
                               headers={"Content-Type": "application/rss+xml"})
    twinwatch("sources", "add", page_url, "--municipality", "Ixelles", "--country", "BE")
    twinwatch("sources", "add", feed_url, "--kind", "feed")
    first = twinwatch("crawl", "--all")
    assert "2 fetched" in first.stdout and "0 failed" in first.stdout
    http_server.set("/ixelles.html", page([p for p in PARTNERS if "Megiddo" not in p],
                                          footer="Page generated on 2026-11-24 08:00:00"))
    http_server.set("/news.xml", feed([("b", "Ixelles suspends twinning", "Council decision"),
                                       ("a", "Petition", "1,300 signatures")]),
                    headers={"Content-Type": "application/rss+xml"})
    second = twinwatch("crawl", "--all")
    assert "2 changed" in second.stdout and "1 new item" in second.stdout
    with open_db(db_path) as db:
        rows = {c.kind: c for c in changes(db)}
    assert set(rows) == {"page-changed", "new-entry"}
    assert rows["page-changed"].removed == (PARTNERS[4],) and rows["page-changed"].added == ()
    assert rows["new-entry"].title == "Ixelles suspends twinning"
    ua = [h.get("User-Agent", "") for path, h in http_server.requests if path == "/ixelles.html"]
    assert ua and all(u.startswith("twinwatch/") and "+http" in u for u in ua)


def test_etag_304_is_recorded_as_not_modified(http_server, twinwatch, db_path):
    """The stored ETag is sent back; the server's 304 becomes a not-modified outcome."""
    url = http_server.set("/p.html", page(PARTNERS), etag='"v1"')
    twinwatch("sources", "add", url)
    twinwatch("crawl", "--all")
    out = twinwatch("crawl", "--all")
    assert "1 not modified" in out.stdout
    conditional = [h for p, h in http_server.requests if p == "/p.html"][-1]
    assert conditional.get("If-None-Match") == '"v1"'
    assert sources_json(twinwatch)[url]["last_status"] == "not-modified"
    with open_db(db_path) as db:
        assert snapshot_count(db) == 1


def test_failing_sources_are_recorded_and_others_stored(http_server, twinwatch, db_path):
    """A 500, a hanging server, an oversized body and a refused connection fail; the good page is stored."""
    good = http_server.set("/good.html", page(PARTNERS))
    broken = http_server.set("/broken.html", b"oops", status=500)
    hanging = http_server.set("/hang.html", page(PARTNERS), hang=30)
    huge = http_server.set("/huge.html", b"<p>" + b"x" * 3_000_000 + b"</p>")
    refused = "http://127.0.0.1:9/nothing.html"
    for url in (good, broken, hanging, huge, refused):
        twinwatch("sources", "add", url)
    out = twinwatch("crawl", "--timeout", "1", "--max-size", "1000000")  # the hanging page: a timeout
    assert out.returncode == 0
    assert "1 fetched" in out.stdout and "4 failed" in out.stdout
    assert out.elapsed < 30  # type: ignore[attr-defined]
    state = sources_json(twinwatch)
    assert state[good]["last_status"] == "new" and state[good]["consecutive_failures"] == 0
    assert (state[broken]["last_status"], state[broken]["last_error"]) == ("http-error", "HTTP 500")
    assert state[hanging]["last_status"] == "timeout"
    assert state[huge]["last_status"] == "too-large"
    assert state[refused]["last_status"] == "network-error"
    assert "refused" in state[refused]["last_error"]
    for url in (broken, hanging, huge, refused):
        assert state[url]["consecutive_failures"] == 1 and state[url]["last_error"]
    with open_db(db_path) as db:
        assert snapshot_count(db) == 1
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_robots_txt_is_obeyed(http_server, twinwatch):
    """A page disallowed by robots.txt is not fetched and is recorded as such."""
    http_server.set("/robots.txt", "User-agent: *\nDisallow: /private/\n",
                    headers={"Content-Type": "text/plain"})
    url = http_server.set("/private/council.html", page(PARTNERS))
    twinwatch("sources", "add", url)
    twinwatch("crawl", "--all")
    assert not [p for p, _ in http_server.requests if p.startswith("/private/")]
    assert sources_json(twinwatch)[url]["last_status"] == "robots"


def test_review_survives_later_crawls(http_server, twinwatch):
    """A decision made between crawls is still there, unchanged, after the source changes again."""
    url = http_server.set("/ixelles.html", page(PARTNERS))
    twinwatch("sources", "add", url)
    twinwatch("crawl", "--all")
    http_server.set("/ixelles.html", page(PARTNERS[:-1]))
    twinwatch("crawl", "--all")
    (c,) = json.loads(twinwatch("changes", "--json").stdout)
    twinwatch("review", str(c["id"]), "--status", "follow-up", "--tag", "twinning", "--note", "ask")
    http_server.set("/ixelles.html", page([*PARTNERS, "Gaza City joined in 2026."]))
    twinwatch("crawl", "--all")
    twinwatch("crawl", "--all")
    after = {r["id"]: r for r in json.loads(twinwatch("changes", "--json").stdout)}
    assert len(after) == 2
    assert (after[c["id"]]["status"], after[c["id"]]["tags"], after[c["id"]]["note"]) == (
        "follow-up", ["twinning"], "ask")
