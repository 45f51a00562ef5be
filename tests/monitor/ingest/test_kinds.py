"""Source kinds and noise rules through ingest, without Scrapy: regions, ignore rules,
moved paragraphs, known versions, added-only, minimum change, feeds with articles,
JSON Feed, listings, sitemaps, PDFs, charsets, binary bodies, the process pool."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta

from monitor.ingest.pipeline import ingest, ingest_async
from monitor.ingest.workers import ExtractPool
from monitor.models import FetchResult
from monitor.sources.health import health
from monitor.sources.manage import NewSource, Rules, add_sources, set_rules
from monitor.store.queries import changes, due_sources, get_source, is_due, snapshot_count, sources
from tests.helpers import PARTNERS, article, feed_with_links, listing, page, pdf, wrap

HTML = {"content-type": "text/html; charset=utf-8"}
RSS = {"content-type": "application/rss+xml"}
BASE = "http://127.0.0.1:1"


def add(db, url: str = f"{BASE}/p", kind: str = "page", **rules) -> int:
    (sid,), _ = add_sources(db, [NewSource(url, kind, rules=Rules(**rules))])
    return sid


def fetch(sid: int, body: bytes, headers=HTML, url: str = f"{BASE}/p", attachments=()) -> FetchResult:
    return FetchResult(sid, url, 200, headers, body, attachments=tuple(attachments))


def with_region(main: list[str], aside: str) -> bytes:
    return page(main).replace(b"</main>", f"</main><div id='box'><p>{aside}</p></div>".encode())


def test_region_and_ignore_rules(db, pm):
    """Only the selected region counts; ignored text (a visitor counter) is no change."""
    sid = add(db, region="main article", ignore=(r"Visitors: \d+",))
    body = page([*PARTNERS[:3], "Visitors: 1041"])
    assert ingest(db, pm, fetch(sid, body)) == "new"
    outside = with_region([*PARTNERS[:3], "Visitors: 1041"], "Weather: sunny")
    assert ingest(db, pm, fetch(sid, outside)) == "unchanged"
    assert ingest(db, pm, fetch(sid, page([*PARTNERS[:3], "Visitors: 1099"]))) == "unchanged"
    assert ingest(db, pm, fetch(sid, page([*PARTNERS[:2], "Visitors: 1100"]))) == "changed"
    (c,) = changes(db)
    assert c.removed == (PARTNERS[2],) and c.added == ()


def test_xpath_region_that_stops_matching_is_silent(db, pm):
    """An XPath region that matches nothing is a no-match outcome and a silent source."""
    sid = add(db, region="//article")
    ingest(db, pm, fetch(sid, page(PARTNERS)))
    redesigned = (b"<html><body><div class='new-layout'><p>" + PARTNERS[0].encode()
                  + b"</p></div></body></html>")
    assert ingest(db, pm, fetch(sid, redesigned)) == "no-match"
    assert ingest(db, pm, fetch(sid, redesigned)) == "no-match"  # same bytes are read again
    (h,) = health(db)
    assert h.problem == "silent" and "matched nothing" in h.reason
    assert h.status.consecutive_failures == 0 and changes(db) == []


def test_flip_between_known_versions_is_reported_once(db, pm):
    """A -> B -> A -> B: only the first A -> B is a change."""
    sid = add(db)
    a, b = page(PARTNERS), page(PARTNERS[:-1])
    for body, outcome in ((a, "new"), (b, "changed"), (a, "unchanged"), (b, "unchanged")):
        assert ingest(db, pm, fetch(sid, body)) == outcome
    assert len(changes(db)) == 1


def test_reordered_paragraphs_are_not_a_change(db, pm):
    """The same paragraphs in another order are not a change; a real edit still is."""
    sid = add(db)
    ingest(db, pm, fetch(sid, page(PARTNERS)))
    assert ingest(db, pm, fetch(sid, page(list(reversed(PARTNERS))))) == "unchanged"
    moved_and_new = [*reversed(PARTNERS), "Kimbanseke joined as a partner in 2026."]
    assert ingest(db, pm, fetch(sid, page(moved_and_new))) == "changed"
    (c,) = changes(db)
    assert c.added == ("Kimbanseke joined as a partner in 2026.",) and c.removed == ()


def test_added_only_and_minimum_change(db, pm):
    """added-only drops removals; min-change drops tiny edits but keeps real ones."""
    sid = add(db, added_only=True)
    ingest(db, pm, fetch(sid, page(PARTNERS)))
    assert ingest(db, pm, fetch(sid, page(PARTNERS[:-1]))) == "unchanged"
    assert ingest(db, pm, fetch(sid, page([*PARTNERS[:-1], "Gaza City is a new partner."]))) == "changed"
    assert [c.added for c in changes(db)] == [("Gaza City is a new partner.",)]
    tiny = add(db, f"{BASE}/t", min_change=20)
    ingest(db, pm, fetch(tiny, page(PARTNERS)))
    typo = [PARTNERS[0].replace("many", "manny"), *PARTNERS[1:]]
    assert ingest(db, pm, fetch(tiny, page(typo))) == "unchanged"
    real = [*typo, "A new partnership with Kalamu was signed."]
    assert ingest(db, pm, fetch(tiny, page(real))) == "changed"


def test_feed_new_entry_carries_its_article(db, pm):
    """A new feed entry's change holds the followed article's text, not just the summary;
    the article fetched once is not an edit on the next run."""
    sid = add(db, f"{BASE}/feed.xml", "feed")
    day1 = [("a", "Petition", "Short summary.")]
    ingest(db, pm, fetch(sid, feed_with_links(BASE, day1), RSS))
    day2 = [("b", "Ixelles suspends twinning", "Summary only."), *day1]
    art = FetchResult(sid, f"{BASE}/news/b.html", 200, HTML,
                      article("Ixelles suspends twinning", "The council voted 23 to 4 on Monday."), key="b")
    assert ingest(db, pm, fetch(sid, feed_with_links(BASE, day2), RSS, attachments=[art])) == "changed"
    (c,) = changes(db)
    assert c.kind == "new-entry" and "The council voted 23 to 4 on Monday." in c.added
    assert not any("cookies" in a for a in c.added)
    day3 = [("c", "Council meeting", "On Monday."), *day2]
    ingest(db, pm, fetch(sid, feed_with_links(BASE, day3), RSS))
    assert [c.kind for c in changes(db)] == ["new-entry", "new-entry"]


def test_json_feed(db, pm):
    """A JSON Feed is a feed like RSS: a new item is a new-entry change."""
    sid = add(db, f"{BASE}/feed.json", "feed")
    doc = '{"version": "https://jsonfeed.org/version/1.1", "title": "News", "items": [%s]}'
    one = '{"id": "1", "title": "Twinning renewed", "content_text": "With Biarritz."}'
    two = '{"id": "2", "title": "Solidarity fund", "content_html": "<p>25,000 euros</p>"}'
    ingest(db, pm, fetch(sid, (doc % one).encode(), {"content-type": "application/feed+json"}))
    ingest(db, pm, fetch(sid, (doc % f"{two}, {one}").encode(), {"content-type": "application/feed+json"}))
    (c,) = changes(db)
    assert (c.kind, c.title, c.added) == ("new-entry", "Solidarity fund", ("Solidarity fund", "25,000 euros"))


def test_listing_new_links_with_pattern_and_reorder(db, pm):
    """Links matching the pattern are items; a new one is a change with its article,
    a reordered index is not, navigation links never count."""
    sid = add(db, f"{BASE}/news/", "listing", link_pattern=r"/news/\d{4}/")
    links = [("/news/2026/a.html", "Petition"), ("/news/2026/b.html", "Fortnight")]
    assert ingest(db, pm, fetch(sid, listing(links), url=f"{BASE}/news/")) == "new"
    assert {k for k in get_source(db, sid).known_items} == set()  # filled only for crawls
    (st,) = sources(db, with_items=True)
    assert st.source.known_items == {f"{BASE}/news/2026/a.html", f"{BASE}/news/2026/b.html"}
    assert ingest(db, pm, fetch(sid, listing(list(reversed(links))), url=f"{BASE}/news/")) == "unchanged"
    new = [("/news/2026/c.html", "Ixelles suspends twinning"), *links]
    art = FetchResult(sid, f"{BASE}/news/2026/c.html", 200, HTML,
                      article("Ixelles suspends twinning", "Decided on Monday by the council."),
                      key=f"{BASE}/news/2026/c.html")
    assert ingest(db, pm, fetch(sid, listing(new), url=f"{BASE}/news/", attachments=[art])) == "changed"
    (c,) = changes(db)
    assert c.kind == "new-entry" and c.url == f"{BASE}/news/2026/c.html"
    assert "Decided on Monday by the council." in c.added


def test_sitemap_listing(db, pm):
    """A sitemap.xml listing: each new <loc> is a new item."""
    sid = add(db, f"{BASE}/sitemap.xml", "listing")

    def sitemap(paths: list[str]) -> bytes:
        locs = "".join(f"<url><loc>{BASE}{p}</loc></url>" for p in paths)
        return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'.encode()

    xml = {"content-type": "application/xml"}
    url = f"{BASE}/sitemap.xml"
    ingest(db, pm, fetch(sid, sitemap(["/a.html", "/b.html"]), xml, url=url))
    ingest(db, pm, fetch(sid, sitemap(["/a.html", "/b.html", "/twinning.html"]), xml, url=url))
    (c,) = changes(db)
    assert (c.kind, c.url) == ("new-entry", f"{BASE}/twinning.html")


MINUTES = [
    "Minutes of the council meetings of 2026, kept by the municipal secretary for the public record.",
    "12/03/2026 The council approves the renewal of the twinning agreement with Biarritz for six "
    "more years, including school exchanges and a youth football tournament in the summer.",
    "19/03/2026 The council discusses the solidarity fund for Gaza and decides to allocate 25,000 "
    "euros to emergency water supplies through a partner organisation working in the region.",
    "26/03/2026 The council adopts the budget amendment for international cooperation and asks the "
    "aldermen to report on the use of the funds before the end of the year.",
]


def minutes(paras: list[str], per_page: int = 4) -> bytes:
    lines = [line for p in paras for line in wrap(p)]
    return pdf([lines[i:i + per_page] for i in range(0, len(lines), per_page)])


def test_document_new_dated_entry_is_one_small_change(db, pm):
    """A new dated entry in a multi-page PDF is one added paragraph, though every page
    break after it moved."""
    sid = add(db, f"{BASE}/minutes.pdf", "document")
    pdfh = {"content-type": "application/pdf"}
    assert ingest(db, pm, fetch(sid, minutes(MINUTES), pdfh)) == "new"
    entry = ("15/03/2026 The council receives a delegation from Zababdeh and signs a letter of intent "
             "on water projects.")
    assert ingest(db, pm, fetch(sid, minutes([*MINUTES[:2], entry, *MINUTES[2:]]), pdfh)) == "changed"
    (c,) = changes(db)
    assert c.added == (entry,) and c.removed == ()
    assert ingest(db, pm, fetch(sid, b"%PDF-1.4 garbage", pdfh)) == "parse-error"


def test_cp1252_declared_utf8_keeps_accents_and_binary_is_refused(db, pm):
    """A cp1252 page declared as UTF-8 decodes with its accents; a binary body served as
    text/html is a parse-error, never a change."""
    sid = add(db)
    text = ["Solidarité internationale : la commune soutient Zababdeh depuis 2011, année du jumelage.",
            *PARTNERS[:3]]
    body = page(text).decode("utf-8").encode("cp1252")
    assert ingest(db, pm, fetch(sid, body)) == "new"
    row = db.execute("SELECT b.data FROM snapshots s JOIN blobs b ON b.fp = s.text_fp").fetchone()
    from monitor.text import decompress

    assert "Solidarité internationale" in decompress(row[0])
    assert ingest(db, pm, fetch(sid, bytes(range(256)) * 64)) == "parse-error"
    assert "binary" in sources(db)[0].last_error


def test_due_sources_follow_each_interval(db, pm):
    """Never-fetched sources are due; after a fetch a source is due again after its
    interval (with a little slack), and set_rules changes the interval."""
    six = add(db, f"{BASE}/6h", every_s=6 * 3600)
    daily = add(db, f"{BASE}/1d")
    assert {s.source.id for s in due_sources(db)} == {six, daily}
    for sid in (six, daily):
        ingest(db, pm, fetch(sid, page(PARTNERS), url=f"{BASE}/x"))
    now = datetime.now(UTC)
    assert due_sources(db, now) == []
    later = {s.source.id for s in due_sources(db, now + timedelta(hours=5, minutes=50))}
    assert later == {six}
    set_rules(db, daily, Rules(every_s=3600))
    assert {s.source.id for s in due_sources(db, now + timedelta(minutes=59))} == {six, daily} - {six}
    st = sources(db, ids=[six])[0]
    assert not is_due(st, now) and is_due(dataclasses.replace(st, last_fetched=None), now)


def test_health_lists_failing_then_silent(db, pm):
    """sources health: failing first, then silent, then healthy."""
    ok = add(db, f"{BASE}/ok")
    bad = add(db, f"{BASE}/bad")
    quiet = add(db, f"{BASE}/quiet")
    ingest(db, pm, fetch(ok, page(PARTNERS)))
    ingest(db, pm, FetchResult(bad, "u", 500, error_kind="http-error", error="HTTP 500"))
    for _ in range(3):
        ingest(db, pm, fetch(quiet, page(PARTNERS)))
    got = [(h.status.source.id, h.problem) for h in health(db, silent_after=2)]
    assert got == [(bad, "failing"), (quiet, "silent"), (ok, "ok")]


def test_extraction_in_worker_processes(db, pm):
    """The process pool path stores the same outcomes as inline ingest."""
    sid = add(db)
    pool = ExtractPool(2)

    async def run() -> list[str]:
        first = await ingest_async(db, pm, fetch(sid, page(PARTNERS)), pool)
        second = await ingest_async(db, pm, fetch(sid, page(PARTNERS[:-1])), pool)
        same = await ingest_async(db, pm, fetch(sid, page(PARTNERS[:-1])), pool)
        return [first, second, same]

    try:
        assert asyncio.run(run()) == ["new", "changed", "unchanged"]
    finally:
        pool.close()
    assert snapshot_count(db, sid) == 2 and len(changes(db)) == 1
