"""Real crawls against 127.0.0.1: an extracted text that collapses while its page does not
is ``extraction-lost`` (health says why, nothing is reported, the last text stays); a first
text that keeps a small share of a big page is stored and flagged for a look; ``sources
test`` says which path kept the text, the share kept and the biggest blocks left out."""

from __future__ import annotations

import json

import pytest

from monitor.store.db import open_db
from monitor.store.queries import changes, history, snapshot_count
from tests.monitor.ingest.test_extraction_checks import ARTICLE, page

pytestmark = pytest.mark.slow

HTML = {"Content-Type": "text/html; charset=utf-8"}
TEASER = ["The twinning article of Ixelles, with its partners, is below this teaser text, "
          "which is long enough for the landmark to be trusted by the extractor on its own."] * 2


def health(twinwatch) -> dict[str, dict]:
    return {h["url"]: h for h in json.loads(twinwatch("sources", "health", "--json").stdout)}


def test_a_collapse_is_flagged_in_health_and_not_reported(http_server, twinwatch, db_path):
    """The article leaves <main> but stays on the page: health says extraction-lost, no change, text kept."""
    url = http_server.set("/twinning", page(ARTICLE), headers=HTML)
    twinwatch("sources", "add", url)
    assert "0 failed" in twinwatch("crawl", "--all").stdout
    http_server.set("/twinning", page(TEASER, outside=ARTICLE), headers=HTML)
    second = twinwatch("crawl", "--all")
    assert "0 changed" in second.stdout
    with open_db(db_path) as db:
        assert changes(db) == [] and snapshot_count(db) == 1
        ((_, text),) = history(db, 1)
    assert ARTICLE[-1] in text
    got = health(twinwatch)[url]
    assert got["problem"] == "extraction-lost" and "last good text is kept" in got["reason"]
    shown = twinwatch("sources", "health").stdout
    assert "EXTRACTION-LOST" in shown and "fix: twinwatch sources test 1" in shown


def test_a_small_share_on_the_first_fetch_is_stored_and_flagged_for_a_look(http_server, twinwatch, db_path):
    """A first text that is a few percent of a page full of text: stored as baseline, health 'look'."""
    url = http_server.set("/services", page(ARTICLE[:2], menu=250), headers=HTML)
    twinwatch("sources", "add", url)
    assert "0 failed" in twinwatch("crawl", "--all").stdout
    with open_db(db_path) as db:
        assert snapshot_count(db) == 1
    got = health(twinwatch)[url]
    assert got["problem"] == "look" and "% of the page's visible text" in got["reason"]
    assert "LOOK" in twinwatch("sources", "health").stdout


def test_sources_test_shows_the_path_the_share_and_what_was_left_out(http_server, twinwatch):
    """`sources test URL` names the landmark, the share kept, and the biggest blocks left out."""
    url = http_server.set("/services", page(ARTICLE[:2], menu=250), headers=HTML)
    out = twinwatch("sources", "test", url).stdout
    assert "kept by: landmark <main> (plugin html_text)" in out
    assert "of the page's visible text (" in out and "worth a look" in out
    assert "biggest blocks left out:" in out and "Service number 1" in out
    assert ARTICLE[0] in out.split("--- text ---")[1]
    # Without a landmark, trafilatura; with a region, the region.
    bare = http_server.set("/bare", "<html><body><div>" + "".join(f"<p>{p}</p>" for p in ARTICLE)
                           + "</div></body></html>", headers=HTML)
    assert "kept by: trafilatura (no landmark with enough text)" in twinwatch("sources", "test", bare).stdout
    region = twinwatch("sources", "test", url, "--select", "div.services").stdout
    assert "kept by: region div.services" in region and "worth a look" not in region
