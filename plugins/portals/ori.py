"""The ``ori`` kind: Open Raadsinformatie, the search API over the council documents of
more than 300 Dutch municipalities, provinces and water boards, given by its API base
(``https://api.openraadsinformatie.nl``, with or without ``/v1``).

The API is an Elasticsearch 7 endpoint (``/v1/elastic/ori_*/_search``). The spider
only GETs, so every search is Elasticsearch's documented GET form: the request body
as the ``source`` parameter with ``source_content_type=application/json``.

The walk (``start``, ``links``):

1. the organisations (``classification`` municipality, province or water): their
   ``_id`` is what a document's ``has_organization_name`` holds, their ``name`` the
   entries' municipality. A source limited to municipalities (``--municipality``)
   keeps those whose name matches, and fails readably when none does;
2. the documents: ``@type`` MediaObject (a document with its extracted text),
   AgendaItem or Report, filtered on those organisations (server side), discussed
   (``last_discussed_at``) or modified (``date_modified``) since the time the spider
   gives, and matching the source's ``query`` (``simple_query_string``) when it has
   one, sorted by ``last_discussed_at`` then ``_id`` and read page after page with
   ``search_after`` (the last hit's ``sort``) until a page is not full. A page whose
   sort does not move past the one asked for fails the source (a loop).

The organisations travel in the documents' link key, so a sync the request budget
cut short resumes with their names.

The entries (``extract``): each document, keyed by its ORI IRI
(``https://id.openraadsinformatie.nl/{_id}``), with its ``name``, its text (the
description, then ``md_text`` or else ``text``, the extracted pages), its date
(``last_discussed_at``, else ``start_date``), its ``original_url`` (else its ORI
``url``, else the IRI) and its organisation's name as municipality and body; country
NL. A document without organisation or date is kept (no municipality, no date).

Field names and query forms follow github.com/openstate/open-raadsinformatie; see
tests/portals/ori_server.py for where each comes from.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from monitor.errors import ExtractError
from monitor.models import Entry, Extracted, FetchResult, Link, Source
from monitor.text import one_line
from plugins.portals.common import bounded, document, extracted, read_json, text_of, watches

if TYPE_CHECKING:
    from monitor.plugin_manager import PluginManager

COUNTRY = "NL"
PAGE_SIZE = 100
"""Documents a page: a page carries their extracted text, so not the API's 10,000."""
ORGANISATIONS_PAGE = 1000
"""Organisations asked for at once: ORI has some 350."""
IRI = "https://id.openraadsinformatie.nl/"
"""Where ORI's REST API serves each object by its id (API-docs, example_requests.http)."""
TYPES = ("MediaObject", "AgendaItem", "Report")
"""The ``@type`` of the objects that are entries (not meetings, persons or organisations)."""
CLASSES = ("municipality", "province", "water")
SEARCH_FIELDS = ("name", "description", "text", "md_text")
FIELDS = ("@type", "name", "description", "text", "md_text", "last_discussed_at", "start_date",
          "date_modified", "has_organization_name", "original_url", "url")
"""The ``_source`` fields an entry needs (not the classifier's tags or geometry)."""
SORT = [{"last_discussed_at": {"order": "asc", "missing": "_last"}}, {"_id": {"order": "asc"}}]
ORGS = "organisations"
DOCS = "documents"


def api_base(url: str) -> str:
    """The API base of a given URL: without ``/v1`` or what follows it."""
    base = url.split("?")[0].rstrip("/")
    at = base.find("/v1/")
    if at >= 0:
        base = base[:at]
    return base.removesuffix("/v1")


def search_url(source: Source, body: dict[str, Any]) -> str:
    """The GET form of a search of every ORI index with ``body``."""
    source_json = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    query = urlencode({"source": source_json, "source_content_type": "application/json"})
    return f"{api_base(source.url)}/v1/elastic/ori_*/_search?{query}"


def start(source: Source) -> list[Link]:
    """The first page: the organisations."""
    body = {"size": ORGANISATIONS_PAGE,
            "query": {"bool": {"filter": [{"terms": {"classification": list(CLASSES)}}]}},
            "_source": ["@type", "name", "classification"], "sort": [{"_id": {"order": "asc"}}]}
    return [Link(json.dumps({"list": ORGS}), search_url(source, body))]


def documents_query(source: Source, organisations: list[str] | None) -> dict[str, Any]:
    """The search for the source's documents since ``source.last_modified`` (all when
    ``None``), of ``organisations`` (ids; all when ``None``), matching its query."""
    filters: list[dict[str, Any]] = [{"terms": {"@type.keyword": list(TYPES)}}]
    if organisations is not None:
        filters.append({"terms": {"has_organization_name": organisations}})
    if source.last_modified:
        since = source.last_modified
        filters.append({"bool": {"should": [{"range": {"last_discussed_at": {"gte": since}}},
                                            {"range": {"date_modified": {"gte": since}}}],
                                 "minimum_should_match": 1}})
    query: dict[str, Any] = {"filter": filters}
    if source.query:
        query["must"] = [{"simple_query_string": {"query": source.query, "fields": list(SEARCH_FIELDS),
                                                  "default_operator": "or"}}]
    return {"size": PAGE_SIZE, "query": {"bool": query}, "_source": list(FIELDS), "sort": SORT}


def links(source: Source, result: FetchResult) -> list[Link]:
    """After the organisations, the documents' first page; after a full page of
    documents, the next (``search_after``).

    Raises:
        ExtractError: not a search answer (HTML, not JSON, an Elasticsearch error,
            no ``hits``), a page of too many hits, or a page that does not move on.
    """
    hits = _hits(read_json(result))
    context = _context(result.key)
    if context.get("list") == ORGS:
        names = _organisations(hits)
        chosen = [i for i, name in names.items() if watches(source, name)]
        if source.municipalities and not chosen:
            raise ExtractError(f"no organisation named {', '.join(source.municipalities)} among the "
                               f"{len(names)} the portal lists")
        key = {"list": DOCS, "orgs": {i: names[i] for i in chosen}}
        body = documents_query(source, chosen if source.municipalities else None)
        return [Link(json.dumps(key, ensure_ascii=False), search_url(source, body))]
    if context.get("list") != DOCS:
        raise ExtractError("Open Raadsinformatie's walk starts at its organisations, not at a page")
    asked = _body(result.url)
    size = asked["size"] if isinstance(asked.get("size"), int) else PAGE_SIZE
    if len(hits) > size:
        raise ExtractError(f"a page of {len(hits):,} hits where {size} were asked for")
    if len(hits) < size:
        return []  # the last page
    last = hits[-1].get("sort")
    if not isinstance(last, list) or not last:
        raise ExtractError("a hit without its sort values: search_after cannot go on")
    before = asked.get("search_after")
    if isinstance(before, list) and not _after(last, before):
        raise ExtractError(f"search_after loops: the page asked after {before} ends at {last}, "
                           "not past it")
    asked["search_after"] = last
    return [Link(result.key or "", search_url(source, asked))]


def extract(pm: PluginManager, source: Source, result: FetchResult) -> Extracted:
    """The entries of one run's pages (see the module docstring)."""
    doc, pages = document(result)

    def found() -> Iterator[Entry]:
        for page in pages:
            context = _context(page.key)
            if context.get("list") != DOCS or not isinstance(page.data, dict):
                continue
            orgs: dict[str, str] = context["orgs"] if isinstance(context.get("orgs"), dict) else {}
            answer = page.data.get("hits")
            hits = answer.get("hits") if isinstance(answer, dict) else None
            for hit in hits if isinstance(hits, list) else ():
                entry = _entry(source, orgs, hit) if isinstance(hit, dict) else None
                if entry is not None:
                    yield entry

    return extracted(f"Open Raadsinformatie: {source.url}", doc, found())


def _context(key: str | None) -> dict[str, Any]:
    if not key or not key.startswith("{"):
        return {}
    try:
        context = json.loads(key)
    except ValueError:
        return {}
    return context if isinstance(context, dict) else {}


def _hits(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, dict) and "error" in data:
        error = data["error"]
        reason = error.get("reason") or error.get("type") if isinstance(error, dict) else error
        raise ExtractError(f"the search answered an error (status {data.get('status', '?')}): {reason}")
    found = data.get("hits") if isinstance(data, dict) else None
    hits = found.get("hits") if isinstance(found, dict) else None
    return bounded(hits, "not a search answer (no 'hits.hits' array)", "a page", "hits")


def _organisations(hits: list[dict[str, Any]]) -> dict[str, str]:
    """Each organisation's name by its id."""
    names = {}
    for hit in hits:
        src = hit.get("_source")
        name = _string(src.get("name")) if isinstance(src, dict) else None
        if name and hit.get("_id") is not None:
            names[str(hit["_id"])] = name
    return names


def _body(url: str) -> dict[str, Any]:
    """The search body a page was asked with (its ``source`` parameter)."""
    for name, value in parse_qsl(urlsplit(url).query):
        if name == "source":
            try:
                body = json.loads(value)
            except ValueError:
                break
            if isinstance(body, dict):
                return body
    raise ExtractError(f"{url} is not a search this kind asked for (no JSON 'source' parameter)")


def _after(last: list[Any], before: list[Any]) -> bool:
    """Whether sort values ``last`` come after ``before`` (the ascending sort asked)."""
    for a, b in zip(last, before, strict=False):
        if a == b:
            continue
        if type(a) is type(b) or (isinstance(a, int | float) and isinstance(b, int | float)):
            return bool(a > b)
        return True  # values of another kind (a missing date's placeholder): moved on
    return len(last) > len(before)


def _string(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _pages(value: Any) -> list[str]:
    """Extracted text: a string, or a list of pages (strings)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [p for p in value if isinstance(p, str)]
    return []


def _entry(source: Source, orgs: dict[str, str], hit: dict[str, Any]) -> Entry | None:
    doc_id = hit.get("_id")
    src = hit.get("_source")
    if doc_id is None or str(doc_id) == "" or not isinstance(src, dict):
        return None  # nothing to know it by next time
    kind = src.get("@type")
    if isinstance(kind, str) and kind not in TYPES:
        return None
    org = src.get("has_organization_name")
    municipality = orgs.get(str(org)) if org is not None else None
    if source.municipalities and org is not None and municipality is None:
        return None  # another organisation's, though the search was limited
    key = f"{IRI}{doc_id}"
    title = _string(src.get("name")) or {"AgendaItem": "Agendapunt", "Report": "Rapport"}.get(
        str(kind), "Document")
    pages = _pages(src.get("md_text")) or _pages(src.get("text"))
    text = text_of(_string(src.get("description")), *pages)
    when = _date(_string(src.get("last_discussed_at"))) or _date(_string(src.get("start_date")))
    url = _string(src.get("original_url")) or _string(src.get("url")) or key
    discussed = _date(_string(src.get("last_discussed_at")))  # the meeting that dealt with it
    return Entry(key, one_line(title, 300), url, text, published=when, decided=discussed,
                 municipality=municipality, country=source.country or COUNTRY, body=municipality)


def _date(value: str | None) -> str | None:
    """``YYYY-MM-DD`` of a date or date-time, or ``None``."""
    if value and len(value) >= 10 and value[4] == "-" and value[7] == "-" and value[:4].isdigit():
        return value[:10]
    return None
