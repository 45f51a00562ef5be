"""The ``lblod`` kind against a loopback Lokaal Beslist JSON:API: real ``twinwatch crawl``
runs (Scrapy in a child process) and real SQLite. First and incremental syncs, new and
republished decisions, --municipality, the request budget, and bad inputs."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest

from monitor.models import FetchResult, Link, Source
from plugins.portals import lblod
from tests.portals.lblod_server import LblodServer
from tests.portals.sync import (
    bad_answers_keep_what_is_stored,
    by_url,
    cursor,
    items,
    municipality,
    settings,
    state,
    watermark,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def portal() -> Iterator[LblodServer]:
    """Gent, Antwerpen, Leuven: 6 sessions each (1 older than a year) of 8 agenda items."""
    server = LblodServer(units=3, sessions=6, items=8, old=1).start()
    yield server
    server.stop()


def _filters(request: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(request).query))


def test_first_sync_is_a_baseline_with_each_items_municipality(portal, twinwatch, db_path):
    """A first sync stores every agenda item of the last 12 months and reports none; each
    entry carries its administrative unit's name, found directly or through the legislature."""
    twinwatch("sources", "add", portal.url, "--kind", "lblod")
    first = twinwatch("crawl", "--all")
    assert "1 fetched" in first.stdout and "0 new items" in first.stdout and "0 failed" in first.stdout
    stored = items(db_path)
    assert len(stored) == 3 * 5 * 8
    assert portal.item(0)["attributes"]["uri"] not in stored  # the old session: never asked for
    assert by_url(db_path) == {}
    asked = [r for r in portal.requests if r.startswith("/api/")]
    assert all("filter[sessions][:gte:planned-start]" in _filters(r)
               or "filter[handled-by][resolutions][:gte:publication-date]" in _filters(r) for r in asked)

    # the entries of one real page: every one with its municipality, body, date and text
    source = Source(1, portal.url, "lblod")
    [link, *_] = lblod.start(source)
    with urllib.request.urlopen(link.url) as answer:
        page = answer.read().decode()
    doc = json.dumps({"pages": [{"key": link.key, "url": link.url, "text": page}]}).encode()
    entries = lblod.extract(None, source, FetchResult(1, portal.url, 200, {}, doc)).entries  # type: ignore[arg-type]
    assert len(entries) == 100 and {e.municipality for e in entries} == {"Gent", "Antwerpen", "Leuven"}
    assert all(e.country == "BE" and e.body == f"Gemeenteraad {e.municipality}" and e.published
               and e.decided == e.published  # the session's start: its decision date
               and "Gelet op het decreet" in e.text and e.url.startswith(f"http://127.0.0.1:{portal.port}/agendapunten/")
               for e in entries)


def test_incremental_sync_asks_only_for_recent_items_and_reports_new_and_republished(
        portal, twinwatch, db_path):
    """The next sync asks each list once, dated from the last sync less the overlap (and the
    stored items by id, for deletions); a decision
    of a new session is a new entry and a decision published again an edit, each with its
    municipality."""
    twinwatch("sources", "add", portal.url, "--kind", "lblod")
    twinwatch("crawl", "--all")
    session = portal.add_session(2, datetime.now(UTC))
    new = portal.add_item(session, "Motie voor een staakt-het-vuren in Gaza",
                          "De gemeenteraad van Leuven vraagt een onmiddellijk staakt-het-vuren en "
                          "kent 10.000 euro noodhulp toe.", "Gelet op de humanitaire toestand.")
    edited = portal.item(12)
    portal.republish(12, motivation="Gelet op de stedenband met Bethlehem wordt het besluit aangepast.")
    asked = len(portal.requests)
    second = twinwatch("crawl", "--all")
    assert "0 failed" in second.stdout
    requested = [r for r in portal.requests[asked:] if r.startswith("/api/")]
    checks = [r for r in requested if "filter[:id:]" in _filters(r)]
    requested = [r for r in requested if r not in checks]
    assert len(requested) == 2 and len(checks) == 2  # one page of each list; 120 stored items by id
    recent = datetime.now(UTC) - timedelta(hours=3)
    for r in requested:
        f = _filters(r)
        when = (f.get("filter[sessions][:gte:planned-start]")
                or f["filter[handled-by][resolutions][:gte:publication-date]"])
        assert when[:10] >= recent.date().isoformat(), r

    found = by_url(db_path)
    url = f"http://127.0.0.1:{portal.port}/agendapunten/"
    added = found[url + new["id"]][0]
    assert added.kind == "new-entry" and municipality(added) == "Leuven"
    change = found[url + edited["id"]][0]
    assert change.kind == "edited-entry" and municipality(change) == portal.municipality(edited)
    assert any("stedenband met Bethlehem" in line for line in change.added)
    assert len(found) == 2

    third = twinwatch("crawl", "--all")  # the overlap lists them again: nothing new
    assert "0 changed" in third.stdout and len(by_url(db_path)) == 2


def test_municipality_limits_the_lists(portal, twinwatch, db_path):
    """--municipality Gent: every list is asked with Gent's name along both paths, and only
    Gent's items are stored."""
    twinwatch("sources", "add", portal.url, "--kind", "lblod", "--municipality", "Gent")
    twinwatch("crawl", "--all")
    asked = [_filters(r) for r in portal.requests if r.startswith("/api/")]
    assert asked and all(sum(v == "Gent" for k, v in f.items() if k.startswith("filter[:or:]")) == 2
                         for f in asked)
    stored = items(db_path)
    gent = {portal.res[("agenda-items", i)]["attributes"]["uri"] for i in portal.items[8:]
            if portal.municipality(portal.res[("agenda-items", i)]) == "Gent"}
    assert set(stored) == gent and len(gent) == 5 * 8
    assert state(twinwatch)["municipalities"] == ["Gent"]


def test_budget_resumes_next_run_and_stays_a_baseline(portal, twinwatch, db_path):
    """With a budget of 1 request a first sync of 2 pages (the sessions list only) takes two
    runs; neither reports new items."""
    twinwatch("sources", "add", portal.url, "--kind", "lblod")
    env = settings(TWINWATCH_PORTAL_BUDGET=1)
    cursors = []
    for _ in range(2):
        before = portal.count()
        out = twinwatch("crawl", "--all", env=env)
        assert "0 failed" in out.stdout and "0 new items" in out.stdout and portal.count() - before <= 1
        cursors.append(cursor(db_path))
    assert [c is not None for c in cursors] == [True, False]
    assert watermark(db_path) and len(items(db_path)) == 3 * 5 * 8 and by_url(db_path) == {}


def test_bad_inputs_fail_the_source_readably_and_keep_what_is_stored(portal, twinwatch, db_path):
    """A next link that loops, an HTML error page and malformed JSON each fail the source with a
    readable message, bounded; the stored items and the sync state stay."""
    twinwatch("sources", "add", portal.url, "--kind", "lblod")
    twinwatch("crawl", "--all")
    bad_answers_keep_what_is_stored(
        twinwatch, db_path, portal,
        (("loop", "loops"), ("html", "instead of JSON"), ("malformed", "not valid JSON")),
        max_requests=4)
    assert "0 failed" in twinwatch("crawl", "--all").stdout


def test_withdrawn_item_is_recorded_restored_and_an_empty_answer_deletes_nothing(portal, twinwatch, db_path):
    """An agenda item removed from the portal is an edit saying it was withdrawn, with its
    municipality (of sessions past, which no date-filtered list shows again); recorded
    once; published again it is an edit restoring it. Lists and checks that answer empty
    after items delete nothing."""
    twinwatch("sources", "add", portal.url, "--kind", "lblod")
    twinwatch("crawl", "--all")
    stored = items(db_path)
    recent, old = portal.item(20), portal.item(60)
    for index in (20, 60):
        portal.delete(index)
    asked = len(portal.requests)
    out = twinwatch("crawl", "--all")
    assert "0 failed" in out.stdout
    checks = [_filters(r) for r in portal.requests[asked:] if "filter[:id:]" in _filters(r)]
    assert len(checks) == 2 and sum(len(f["filter[:id:]"].split(",")) for f in checks) == len(stored)
    found = by_url(db_path)
    url = f"http://127.0.0.1:{portal.port}/agendapunten/"
    assert set(found) == {url + recent["id"], url + old["id"]}
    for item in (recent, old):
        [change] = found[url + item["id"]]
        assert change.kind == "edited-entry" and municipality(change) == portal.municipality(item)
        assert change.added[-1] == "Withdrawn: no longer published on Lokaal Beslist."
        assert change.title == item["attributes"]["title"]
    assert items(db_path) == stored  # kept, with the note

    again = twinwatch("crawl", "--all")  # still gone: the same text, no new change
    assert "0 changed" in again.stdout and sum(map(len, by_url(db_path).values())) == 2

    portal.restore(60)
    back = twinwatch("crawl", "--all")
    assert "0 failed" in back.stdout
    restored = by_url(db_path)[url + old["id"]]
    assert [c.kind for c in restored] == ["edited-entry", "edited-entry"]
    latest = max(restored, key=lambda c: c.id)
    assert any("Withdrawn" in line for line in latest.removed)
    assert municipality(latest) == portal.municipality(old)

    portal.misbehave = "empty"
    empty = twinwatch("crawl", "--all")
    assert "0 failed" in empty.stdout and "0 changed" in empty.stdout
    assert items(db_path) == stored and sum(map(len, by_url(db_path).values())) == 3
    portal.misbehave = None


def _searches(portal: LblodServer) -> list[dict[str, str]]:
    return [_filters(r) for r in portal.requests if urlsplit(r).path.endswith("/search/agenda-items/search")]


def test_query_downloads_only_candidates(portal, twinwatch, db_path):
    """--query asks Lokaal Beslist's search for the items that match it, then downloads only
    those, by id: a query that finds some items stores them and not the others; the next sync
    reports a new matching item and not a new item that does not match."""
    session = portal.add_session(0, datetime.now(UTC) - timedelta(days=30))
    wanted = [portal.add_item(session, "Stedenband met Bethlehem", "Evaluatie van de stedenband.", ""),
              portal.add_item(portal.add_session(1, datetime.now(UTC) - timedelta(days=50)),
                              "Subsidie", "Noodhulp voor Gaza: 10.000 euro.", "")]
    portal.add_item(session, "Rioleringswerken", "Aanbesteding van de riolering.", "")
    twinwatch("sources", "add", portal.url, "--kind", "lblod", "--query", 'stedenband* | noodhulp')
    out = twinwatch("crawl", "--all")
    assert "0 failed" in out.stdout
    assert set(items(db_path)) == {i["attributes"]["uri"] for i in wanted}
    [search] = _searches(portal)
    assert search["filter[:sqs:search_content]"] == "stedenband* | noodhulp"
    window = (datetime.now(UTC) - timedelta(days=300)).isoformat()
    assert search["filter[:gte:session_planned_start]"] < window  # a first sync: the 12 months
    fetched = [_filters(r) for r in portal.requests if "filter[:id:]" in _filters(r)]
    assert [sorted(f["filter[:id:]"].split(",")) for f in fetched] == [sorted(i["id"] for i in wanted)]

    new = portal.add_item(portal.add_session(2, datetime.now(UTC)), "Motie",
                          "De gemeenteraad kent noodhulp toe aan Oekraïne.", "")
    portal.add_item(portal.add_session(2, datetime.now(UTC)), "Parkeren", "Tarieven voor het parkeren.", "")
    out = twinwatch("crawl", "--all")
    assert "0 failed" in out.stdout
    [change] = [c for cs in by_url(db_path).values() for c in cs]
    assert change.kind == "new-entry" and change.url.endswith(new["id"]) and municipality(change) == "Leuven"
    assert len(items(db_path)) == 3


def test_query_auto_and_municipality_page_through_the_search(portal, twinwatch, db_path):
    """--query auto (Dutch) sends the relevance vocabulary; with --municipality the search is
    limited to it, and a search of more hits than a page is read page by page (by count)."""
    session = portal.add_session(1, datetime.now(UTC) - timedelta(days=5))
    solidarity = {portal.add_item(session, f"Noodhulp {n}", f"De stad kent noodhulp toe ({n}).", "")["id"]
                  for n in range(130)}
    portal.add_item(portal.add_session(0, datetime.now(UTC) - timedelta(days=5)), "Noodhulp Gent",
                    "Noodhulp voor Gaza.", "")
    twinwatch("sources", "add", portal.url, "--kind", "lblod", "--lang", "nl", "--query", "auto",
              "--municipality", "Antwerpen")
    query = state(twinwatch)["rules"]["query"]
    assert "stedenband*" in query and "noodhulp" in query and " | " in query
    out = twinwatch("crawl", "--all")
    assert "0 failed" in out.stdout
    searches = _searches(portal)
    assert [s["page[number]"] for s in searches] == ["0", "1"]
    assert all(s["filter[:sqs:search_content]"] == query and s[f"filter[:phrase:{lblod.LOCATION_FIELDS}]"]
               == "Antwerpen" for s in searches)
    stored = items(db_path)
    assert {portal.item_uri(i) for i in solidarity} <= set(stored)
    assert all(portal.municipality(portal.res[("agenda-items", k.rsplit("/", 1)[1])]) == "Antwerpen"
               for k in stored)


def test_checks_take_the_stored_items_in_turn():
    """Stored items are asked for by id, 100 a request and 200 a sync, a different slice
    each hour until every one was asked; a first sync asks none."""
    keys = frozenset(f"http://data.lblod.info/id/agendapunten/{n:04d}" for n in range(450))
    source = Source(1, "https://lokaalbeslist.example/api", "lblod", known_items=keys,
                    last_modified="2025-03-01T08:00:00+00:00", fetched_before=True)
    assert lblod.checks(replace(source, known_items=frozenset())) == []
    seen: set[str] = set()
    for hour in range(3):
        links = lblod.checks(replace(source, last_modified=f"2025-03-01T{8 + hour:02d}:00:00+00:00"))
        assert len(links) == 2
        for link in links:
            ids = _filters(link.url)["filter[:id:]"].split(",")
            assert len(ids) <= 100 and _filters(link.url)["page[size]"] == str(len(ids))
            uris = [f"http://data.lblod.info/id/agendapunten/{i}" for i in ids]
            assert json.loads(link.key)["keys"] == uris
            seen.update(ids)
    assert len(seen) == 450


def test_items_without_a_date_or_a_session_are_kept(portal, twinwatch, db_path):
    """An agenda item whose session's start is not a date is kept without a date; one without a
    session (no body, no municipality) is kept dated by its decision's publication."""
    twinwatch("sources", "add", portal.url, "--kind", "lblod")
    twinwatch("crawl", "--all")
    session = portal.add_session(0, datetime.now(UTC))
    session["attributes"].update({"planned-start": "onbekend", "started-at": None})
    undated = portal.add_item(session, "Stedenband met Nazareth", "Voorstel tot stedenband.", "",
                              published="")
    loose = portal.add_item(None, "Noodhulp voor Oekraïne", "5.000 euro noodhulp.", "",
                            published=datetime.now(UTC).date().isoformat())
    out = twinwatch("crawl", "--all")
    assert "0 failed" in out.stdout
    found = by_url(db_path)
    url = f"http://127.0.0.1:{portal.port}/agendapunten/"
    first = found[url + undated["id"]][0]
    assert first.kind == "new-entry" and municipality(first) == "Gent"
    second = found[url + loose["id"]][0]
    assert second.kind == "new-entry" and second.title == "Noodhulp voor Oekraïne"


def test_start_lists_per_municipality():
    """Two municipalities: both lists for each, day-only on the publication date; a first
    sync (nothing stored) asks the sessions list only."""
    source = Source(1, "https://lokaalbeslist.example/api/", "lblod", municipalities=("Gent", "Leuven"),
                    last_modified="2025-03-01T08:00:00+00:00", fetched_before=True)
    first = lblod.start(replace(source, fetched_before=False))
    assert [json.loads(link.key) for link in first] == [
        {"list": "session", "municipality": "Gent"}, {"list": "session", "municipality": "Leuven"}]
    links = lblod.start(source)
    assert [json.loads(link.key) for link in links] == [
        {"list": "session", "municipality": "Gent"}, {"list": "publication", "municipality": "Gent"},
        {"list": "session", "municipality": "Leuven"}, {"list": "publication", "municipality": "Leuven"}]
    assert all(link.url.startswith("https://lokaalbeslist.example/api/agenda-items?") for link in links)
    assert _filters(links[1].url)["filter[handled-by][resolutions][:gte:publication-date]"] == "2025-03-01"
    assert isinstance(links[0], Link)


def test_plugins_lists_the_lblod_kind(twinwatch):
    out = twinwatch("plugins").stdout
    assert "lblod" in out.split("source kinds:")[1]


def test_pages_read_ahead_give_extract_the_same_entries_and_a_changed_page_is_read_again(
        portal, monkeypatch):
    """Pages read ahead during a walk are not read again by extract, which gives the same
    entries and text as without; a page whose text differs from the one read ahead is read anew."""
    source = Source(1, portal.url, "lblod")
    [link, *_] = lblod.start(source)
    pages = []
    url: str | None = link.url
    while url and len(pages) < 2:
        with urllib.request.urlopen(url) as answer:
            pages.append({"key": link.key, "url": url, "text": answer.read().decode()})
        [nxt, *_] = lblod.links(source, FetchResult(1, url, 200, {}, pages[-1]["text"].encode(),
                                                    key=link.key)) or [None]
        url = nxt.url if nxt else None
    assert len(pages) == 2
    doc = FetchResult(1, portal.url, 200, {}, json.dumps({"baseline": True, "pages": pages}).encode())
    read: list[str] = []
    page_entries = lblod._page_entries

    def counted(source: Source, page: object) -> object:
        read.append(page.url)  # type: ignore[attr-defined]
        return page_entries(source, page)  # type: ignore[arg-type]

    monkeypatch.setattr(lblod, "_page_entries", counted)
    plain = lblod.extract(None, source, doc)  # type: ignore[arg-type]
    assert read == [p["url"] for p in pages] and len(plain.entries or ()) > 100
    read.clear()

    def ahead(page: dict[str, str], text: str) -> None:
        lblod.read_ahead(source, FetchResult(1, page["url"], 200, {}, text.encode(), key=page["key"]))

    ahead(pages[0], pages[0]["text"])
    ahead(pages[1], pages[1]["text"] + " ")  # another answer than this run's page
    assert read == [p["url"] for p in pages]
    read.clear()
    again = lblod.extract(None, source, doc)  # type: ignore[arg-type]
    assert read == [pages[1]["url"]]  # the first page came from the read ahead
    assert again == plain and again.text == plain.text and again.entries == plain.entries
