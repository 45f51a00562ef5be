"""The ``ori`` kind against a loopback Open Raadsinformatie (its Elasticsearch search
endpoint): real ``twinwatch crawl`` runs (Scrapy in a child process) and real SQLite.
First and incremental syncs, new and edited documents, --municipality, --query, the
request budget, and the bad inputs of issue 16."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest

from monitor.models import FetchResult, Source
from plugins.analyzers.search import TERMS
from plugins.analyzers.textutil import fold
from plugins.analyzers.vocabulary import CATEGORY_GROUPS, GROUPS
from plugins.portals import ori
from tests.portals.ori_server import OriServer
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

IRI = "https://id.openraadsinformatie.nl/"


@pytest.fixture
def portal() -> Iterator[OriServer]:
    """Amsterdam, Utrecht, Nijmegen: 120 documents each, 10 of them discussed over a year ago."""
    server = OriServer(organisations=3, documents=120, old=10).start()
    yield server
    server.stop()


def _asked(request: str) -> dict:
    """The search body of a logged request (its ``source`` parameter)."""
    params = dict(parse_qsl(urlsplit(request).query))
    assert params.get("source_content_type") == "application/json", request
    return json.loads(params["source"])


def _document_searches(portal: OriServer, since: int = 0) -> list[dict]:
    return [b for r in portal.requests[since:] if r.startswith("/v1/elastic/")
            and "last_discussed_at" in json.dumps((b := _asked(r)).get("sort"))]


def _since(body: dict) -> str:
    [dates] = [f["bool"]["should"] for f in body["query"]["bool"]["filter"] if "bool" in f]
    return dates[0]["range"]["last_discussed_at"]["gte"]


def _in_window(portal: OriServer, organisation: int | None = None) -> set[str]:
    return {IRI + i for i in portal.documents(organisation) if i not in _old(portal)}


def _old(portal: OriServer) -> set[str]:
    year_ago = datetime.now(UTC) - timedelta(days=366)
    return {i for i in portal.documents()
            if datetime.fromisoformat(portal.docs[i]["date_modified"]) < year_ago}


def test_first_sync_is_a_baseline_with_each_documents_municipality(portal, twinwatch, db_path):
    """A first sync asks for the organisations, then the documents of the last 12 months page
    by page (search_after), stores them all and reports none; each entry has its organisation's
    name as municipality and body, its date, text and original URL; country NL."""
    twinwatch("sources", "add", portal.url + "/v1", "--kind", "ori")
    first = twinwatch("crawl", "--all")
    assert "1 fetched" in first.stdout and "0 new items" in first.stdout and "0 failed" in first.stdout
    stored = items(db_path)
    assert set(stored) == _in_window(portal) and len(stored) == 3 * 110
    assert by_url(db_path) == {}
    searches = _document_searches(portal)
    assert portal.count() == 1 + len(searches) == 1 + 4  # the organisations, then 330 in pages of 100
    assert "search_after" not in searches[0] and all("search_after" in s for s in searches[1:])
    since = datetime.fromisoformat(_since(searches[0]))
    assert abs((datetime.now(UTC) - since) - timedelta(days=365)) < timedelta(minutes=5)

    # the entries of one real page: each with its municipality, body, date, text and URL
    source = Source(1, portal.url, "ori")
    [start] = ori.start(source)
    with urllib.request.urlopen(start.url) as answer:
        orgs = FetchResult(1, start.url, 200, {}, answer.read(), key=start.key)
    [link] = ori.links(source, orgs)
    with urllib.request.urlopen(link.url) as answer:
        page = answer.read().decode()
    doc = json.dumps({"pages": [{"key": link.key, "url": link.url, "text": page}]}).encode()
    entries = ori.extract(None, source, FetchResult(1, portal.url, 200, {}, doc)).entries  # type: ignore[arg-type]
    assert len(entries) == 100 and {e.municipality for e in entries} <= {"Amsterdam", "Utrecht", "Nijmegen"}
    assert all(e.country == "NL" and e.body == e.municipality and e.published and "Pagina 2." in e.text
               and e.url.startswith("https://ris.example.nl/document/") for e in entries)


def test_incremental_sync_asks_only_for_recent_documents_and_reports_new_and_edited(
        portal, twinwatch, db_path):
    """The next sync asks for what was discussed or modified since the last sync less the
    overlap, in one page; a new document is a new entry and an edited one an edit, each with
    its municipality; a third sync finds nothing new."""
    twinwatch("sources", "add", portal.url, "--kind", "ori")
    twinwatch("crawl", "--all")
    new = portal.add_document(1, "Motie stedenband met Bethlehem",
                              "De gemeenteraad van Utrecht verzoekt het college de stedenband met "
                              "Bethlehem voort te zetten en 10.000 euro noodhulp toe te kennen.")
    edited = portal.documents(0)[50]
    portal.edit(edited, md_text=["Het college stelt voor de partnerstad Lviv humanitaire hulp te sturen."])
    asked = len(portal.requests)
    second = twinwatch("crawl", "--all")
    assert "0 failed" in second.stdout
    searches = _document_searches(portal, asked)
    assert portal.count() - sum(1 for r in portal.requests[:asked] if r.startswith("/v1/")) == 2
    assert len(searches) == 1 and "search_after" not in searches[0]
    assert datetime.fromisoformat(_since(searches[0])) > datetime.now(UTC) - timedelta(hours=2)

    found = by_url(db_path)
    added = found[portal.docs[new]["original_url"]][0]
    assert added.kind == "new-entry" and municipality(added) == "Utrecht"
    change = found[portal.docs[edited]["original_url"]][0]
    assert change.kind == "edited-entry" and municipality(change) == "Amsterdam"
    assert any("partnerstad Lviv" in line for line in change.added)
    assert len(found) == 2

    third = twinwatch("crawl", "--all")  # the overlap lists them again: nothing new
    assert "0 changed" in third.stdout and len(by_url(db_path)) == 2


def test_municipality_limits_the_search_server_side(portal, twinwatch, db_path):
    """--municipality Utrecht: the documents are asked for with Utrecht's organisation id only,
    and only Utrecht's are stored; a name the portal does not list fails readably."""
    twinwatch("sources", "add", portal.url, "--kind", "ori", "--municipality", "utrecht")
    twinwatch("crawl", "--all")
    searches = _document_searches(portal)
    assert searches and all({"terms": {"has_organization_name": [portal.organisations[1]]}}
                            in s["query"]["bool"]["filter"] for s in searches)
    assert set(items(db_path)) == _in_window(portal, 1) and len(items(db_path)) == 110
    assert state(twinwatch)["municipalities"] == ["utrecht"]

    other = OriServer(organisations=2, documents=5, old=0).start()
    try:
        twinwatch("sources", "add", other.url, "--kind", "ori", "--municipality", "Maastricht")
        out = twinwatch("crawl", "--source", "2")
        assert "1 failed" in out.stdout
        s = json.loads(twinwatch("sources", "list", "--json").stdout)[1]
        assert s["last_status"] == "parse-error" and "no organisation named Maastricht" in s["last_error"]
    finally:
        other.stop()


def test_budget_resumes_next_run_and_stays_a_baseline(portal, twinwatch, db_path):
    """With a budget of 2 requests a first sync of 5 (organisations and 4 pages) takes three
    runs, each going on after the last search_after; none reports its documents as new."""
    twinwatch("sources", "add", portal.url, "--kind", "ori")
    env = settings(TWINWATCH_PORTAL_BUDGET=2)
    cursors = []
    for _ in range(3):
        before = portal.count()
        out = twinwatch("crawl", "--all", env=env)
        assert "0 failed" in out.stdout and "0 new items" in out.stdout and portal.count() - before <= 2
        cursors.append(cursor(db_path))
    assert [c is not None for c in cursors] == [True, True, False]
    assert watermark(db_path) and set(items(db_path)) == _in_window(portal) and by_url(db_path) == {}
    assert portal.count() == 5  # nothing asked twice


def test_query_auto_downloads_only_candidates(portal, twinwatch, db_path):
    """--query auto (Dutch) sends the relevance vocabulary's search terms; only the documents
    that match them are downloaded and stored, the new one among them reported."""
    relevant = {
        portal.add_document(0, "Raadsvoorstel stedenbanden", "Evaluatie van de stedenbanden van Amsterdam.",
                            when=datetime.now(UTC) - timedelta(days=20)),
        portal.add_document(2, "Motie noodhulp Gaza", "De raad vraagt het college om noodhulp voor Gaza.",
                            when=datetime.now(UTC) - timedelta(days=40)),
        portal.add_document(1, "Agendapunt humanitaire hulp", "Humanitaire hulp aan Oekraïne.",
                            kind="AgendaItem", when=datetime.now(UTC) - timedelta(days=60)),
    }
    twinwatch("sources", "add", portal.url, "--kind", "ori", "--lang", "nl", "--query", "auto")
    query = state(twinwatch)["rules"]["query"]
    assert "stedenband*" in query and '"humanitaire hulp"' in query and " | " in query
    out = twinwatch("crawl", "--all")
    assert "0 failed" in out.stdout
    assert set(items(db_path)) == {IRI + i for i in relevant}
    [search] = _document_searches(portal)
    [must] = search["query"]["bool"]["must"]
    assert must["simple_query_string"]["query"] == query
    assert portal.count() == 2

    new = portal.add_document(1, "Brief over de zusterstad", "Het college bericht over de zusterstad León.")
    portal.add_document(1, "Verordening parkeren", "Tarieven voor het parkeren.")
    out = twinwatch("crawl", "--all")
    [change] = [c for cs in by_url(db_path).values() for c in cs]
    assert change.kind == "new-entry" and change.title == "Brief over de zusterstad"
    assert len(items(db_path)) == 4 and IRI + new in items(db_path)

    twinwatch("sources", "set", "1", "--query", "")  # removed: every document is asked for again
    assert state(twinwatch)["rules"]["query"] is None
    refused = twinwatch("sources", "add", portal.url + "/v1", "--kind", "ori", "--query", "auto", check=False)
    assert refused.returncode != 0 and "--lang" in refused.stderr


def test_bad_inputs_fail_the_source_readably_and_keep_what_is_stored(portal, twinwatch, db_path):
    """A search_after that loops back, a page of 100,000 hits and an HTML error page each fail
    the source with a readable message, bounded; the stored items and the sync state stay. A
    200 answer with no hits after earlier items deletes and reports nothing."""
    twinwatch("sources", "add", portal.url, "--kind", "ori")
    twinwatch("crawl", "--all")
    stored = items(db_path)
    for n in range(120):  # two pages to read next time
        portal.add_document(n % 3, f"Raadsinformatiebrief {n}", "Nieuwe stukken voor de raad.")
    bad_answers_keep_what_is_stored(
        twinwatch, db_path, portal,
        (("loop", "search_after loops"), ("huge", "100,000 hits"), ("html", "instead of JSON")),
        max_requests=3)
    out = twinwatch("crawl", "--all")
    assert "0 failed" in out.stdout and len(items(db_path)) == len(stored) + 120


def test_document_without_organisation_or_date_is_kept(portal, twinwatch, db_path):
    """A document without organisation or discussion date (found by its modification) is
    stored and reported, without municipality or date; an agenda item is one too."""
    twinwatch("sources", "add", portal.url, "--kind", "ori")
    twinwatch("crawl", "--all")
    loose = portal.add_document(None, "Notitie vriendschapsband", "Voorstel voor een vriendschapsband.",
                                dated=False)
    item = portal.add_document(2, "Agendapunt: noodhulp", "Noodhulp na de overstroming.", kind="AgendaItem")
    out = twinwatch("crawl", "--all")
    assert "0 failed" in out.stdout
    found = by_url(db_path)
    first = found[portal.docs[loose]["original_url"]][0]
    assert first.kind == "new-entry" and municipality(first) is None
    second = found[IRI + item][0]
    assert second.kind == "new-entry" and municipality(second) == "Nijmegen"


def test_clock_skew_in_dates(portal, twinwatch, db_path):
    """The watermark is the portal's clock: a portal a day ahead of ours, an edit stamped half an
    hour before the last sync began (a slow writer) and a document discussed in 2099 are all
    handled: each is found, and the far-future date does not move the watermark."""
    portal.skew = timedelta(days=1)
    twinwatch("sources", "add", portal.url, "--kind", "ori")
    twinwatch("crawl", "--all")
    mark = datetime.fromisoformat(watermark(db_path))
    assert abs((mark - portal.now()).total_seconds()) < 120
    late, future = portal.documents(0)[40], portal.documents(0)[41]
    portal.edit(late, modified=mark - timedelta(minutes=30), name="Laat geschreven: partnerstad Lviv")
    portal.edit(future, last_discussed_at="2099-01-01T00:00:00+00:00", name="Uit de toekomst: noodhulp Kyiv")
    twinwatch("crawl", "--all")
    assert abs((datetime.fromisoformat(watermark(db_path)) - portal.now()).total_seconds()) < 120
    portal.edit(portal.documents(0)[42], name="Daarna: stedenband met Turku")
    twinwatch("crawl", "--all")
    titles = {c.title for cs in by_url(db_path).values() for c in cs}
    assert {"Laat geschreven: partnerstad Lviv", "Uit de toekomst: noodhulp Kyiv",
            "Daarna: stedenband met Turku"} <= titles


def test_thousands_of_documents_in_pages_of_100(twinwatch, db_path):
    """Six organisations of 600 documents: one run reads every page within the default budget."""
    server = OriServer(organisations=6, documents=600, old=0).start()
    try:
        twinwatch("sources", "add", server.url, "--kind", "ori")
        out = twinwatch("crawl", "--all", timeout=180)
        assert "0 failed" in out.stdout and cursor(db_path) is None
        assert server.count() == 1 + 36 + 1  # the 36th page is full: one more answers no hits
        assert len(items(db_path)) == 3600
    finally:
        server.stop()


def test_api_base_and_documents_query():
    """The API base is found with or without /v1 (or a search URL); the query carries the
    source's filters, date and full-text query."""
    for given in ("https://api.openraadsinformatie.nl", "https://api.openraadsinformatie.nl/v1/",
                  "https://api.openraadsinformatie.nl/v1/elastic/ori_*/_search?q=x"):
        assert ori.api_base(given) == "https://api.openraadsinformatie.nl"
    source = Source(1, "https://api.openraadsinformatie.nl/v1", "ori", query="stedenband*",
                    last_modified="2025-03-01T08:00:00+00:00")
    body = ori.documents_query(source, ["7"])
    assert {"terms": {"has_organization_name": ["7"]}} in body["query"]["bool"]["filter"]
    assert _since(body) == "2025-03-01T08:00:00+00:00"
    assert body["query"]["bool"]["must"][0]["simple_query_string"]["query"] == "stedenband*"
    url = ori.search_url(source, body)
    assert url.startswith("https://api.openraadsinformatie.nl/v1/elastic/ori_*/_search?source=")
    assert _asked(url) == body


def test_search_terms_are_words_of_the_relevance_vocabulary():
    """Each built-in search term, folded, is matched by a group of the relevance vocabulary."""
    groups = {**GROUPS, **CATEGORY_GROUPS}
    for lang, terms in TERMS.items():
        for term in terms:
            word = fold(term.rstrip("*")) + ("" if term.endswith("*") else " ")
            assert any(g.search(word) for g in groups.values()), (lang, term)


def test_plugins_lists_the_ori_kind_and_search_terms(twinwatch):
    """`twinwatch plugins` names the ori kind and the search-terms hook."""
    out = twinwatch("plugins").stdout
    assert "ori" in out.split("source kinds:")[1].replace(",", " ").split()
    assert "search_terms" in out
