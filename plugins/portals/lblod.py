"""The ``lblod`` kind: Lokaal Beslist, the besluitendatabank of Flemish local
governments (LBLOD), given by its JSON:API base (the folder holding ``agenda-items``,
``sessions``, ``resolutions``...).

The walk (``start``, ``links``): the base answers nothing itself, so the walk starts
at two lists of ``agenda-items`` (``besluit:Agendapunt``), each with what hangs from
them included (``sessions`` -> ``governing-body`` -> ``administrative-unit``, or via
``is-time-specialization-of`` for a body of one legislature; ``handled-by`` ->
``resolutions``):

* those of sessions planned since the time the spider gives
  (``filter[sessions][:gte:planned-start]``): new agendas and their decisions;
* those whose decision was published since that day
  (``filter[handled-by][resolutions][:gte:publication-date]``): a decision list
  published (or published again, edited) after its session.

A source with a query (``--query``, ``simple_query_string`` syntax) asks Lokaal
Beslist's search instead of the two lists: mu-search's ``agenda-items`` index behind
``/search`` (``{base}/search/agenda-items/search``) for the items whose
``search_content`` (title, description, the decision's title and description) matches
(``filter[:sqs:search_content]``), of sessions planned since that time
(``filter[:gte:session_planned_start]``), of the municipality when the source is
limited (``filter[:phrase:governing_body_location_name,abstract_governing_body_location_name]``),
sorted by the session's start and read by ``page[number]`` up to the answer's
``count`` (mu-search's ``next`` link points at its own path and stays on the last
page). Only the candidates are then downloaded, by id, with what hangs from them, as
the lists give them (``filter[:id:]``): the entries are the same whichever way they
were found, and the analyzers still decide. The index has no publication date, so
with a query a decision published again after its session is seen when its item's
turn to be checked comes (below).

The portal keeps no modification time, so an edit is seen when its decision is
published again (its publication date moves) or its session lies within the overlap.
A source limited to municipalities (``--municipality``) asks both lists once per
municipality, filtered on the administrative unit's name along both paths
(``filter[:or:]...``, as the public front end does). Pages are read through
``links.next`` (host-relative in mu-cl-resources; ``page[number]`` from 0).

Deletions: the JSON:API keeps no trace of a removed agenda item (its triples are
deleted, or it becomes an ``as:Tombstone``): no list shows it again, so its absence
from a date-filtered list says nothing. Each sync therefore also asks for stored items
by id (``filter[:id:]=id1,id2,...``, the id being the last segment of the item's
``uri``, as mu-cl-resources mints them), :data:`CHECK_BATCH` a request and at most
:data:`CHECKED_PER_SYNC` a sync, taking the next slice of the stored keys each hour so
that a large store is checked in turn. An asked item the answer leaves out is an entry
marked deleted (ingest records it as withdrawn); one the answer lists is read as any
listed item (a withdrawn one that reappears is restored). An answer that lists none of
the items asked is not taken as their deletion: a portal answering an empty list after
it had items is more likely broken than emptied.

The entries (``extract``): each agenda item, keyed by its ``uri``, with its title
(else its decision's), its text (the agenda item's description, then each decision's
title, description and motivation), its date (the session's start, else the
decision's publication date), its decision date (the session's start, as data: the
analyzers prefer it to the dates the decision quotes), its page on the public site
(``/agendapunten/{id}``), the governing body and the administrative unit's name as
its municipality; country BE. An item without a session or date is kept (its list's municipality, no date).

Resource and attribute names follow github.com/lblod/app-burgernabije-besluitendatabank
(``config/resources/besluit-domain-en.lisp``); see tests/portals/lblod_server.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from monitor.errors import ExtractError
from monitor.models import Entry, Extracted, FetchResult, Link, Source
from monitor.text import one_line
from plugins.portals.common import (
    Page,
    document,
    extracted,
    list_items,
    next_link,
    page_entries,
    read_json,
    text_of,
    watches,
)
from plugins.portals.common import read_ahead as read_ahead_page

if TYPE_CHECKING:
    from monitor.plugin_manager import PluginManager

COUNTRY = "BE"
PAGE_SIZE = 100

INCLUDE = ",".join((
    "sessions.governing-body.administrative-unit",
    "sessions.governing-body.is-time-specialization-of.administrative-unit",
    "handled-by.resolutions",
))
"""What an agenda item's entry needs, fetched with it (JSON:API ``include``)."""

LISTS = {
    "session": ("filter[sessions][:gte:planned-start]", False),
    "publication": ("filter[handled-by][resolutions][:gte:publication-date]", True),
}
"""The two lists: the date filter each is asked with, and whether it takes a day only."""

SEARCH = "search/agenda-items/search"
"""mu-search's agenda-items index, below the JSON:API base (the app's dispatcher)."""
LOCATION_FIELDS = "governing_body_location_name,abstract_governing_body_location_name"

CHECK_BATCH = 100
"""Stored items asked for by id in one request (the ids make a URL of about 4 KB)."""
CHECKED_PER_SYNC = 200
"""Stored items checked for deletion per sync: two requests."""
WITHDRAWN = "Withdrawn: no longer published on Lokaal Beslist."

UNIT_PATHS = (
    "filter[:or:][sessions][governing-body][administrative-unit][name]",
    "filter[:or:][sessions][governing-body][is-time-specialization-of][administrative-unit][name]",
)


def canonical(url: str) -> str:
    """``url`` with its query re-encoded one way, so that a ``next`` link back to a page
    already read is recognised however the server spelt its brackets."""
    parts = urlsplit(url)
    query = urlencode(parse_qsl(parts.query, keep_blank_values=True))
    return urlunsplit(parts._replace(query=query))


def start(source: Source) -> list[Link]:
    """The first pages: both lists, asked for what is dated since ``source.last_modified``,
    once per municipality the source is limited to. A first sync (nothing stored yet) asks
    the sessions list only: over a whole window both lists hold the same agenda items, and
    asking both read every item twice (200 pages for 10,000 items instead of 100,
    bench/portals); a decision published late is seen by the next syncs."""
    if source.query:
        return [search_link(source, municipality, 0) for municipality in source.municipalities or (None,)] \
            + checks(source)
    base = source.url.rstrip("/")
    since = source.last_modified or ""
    lists = LISTS if source.fetched_before else {"session": LISTS["session"]}
    out = []
    for municipality in source.municipalities or (None,):
        for name, (param, day) in lists.items():
            query: list[tuple[str, str]] = [("include", INCLUDE), ("sort", "id")]
            if since:
                query.append((param, since[:10] if day else since))
            if municipality:
                query += [(path, municipality) for path in UNIT_PATHS]
            query += [("page[size]", str(PAGE_SIZE)), ("page[number]", "0")]
            key = json.dumps({"list": name, "municipality": municipality}, ensure_ascii=False)
            out.append(Link(key, canonical(f"{base}/agenda-items?{urlencode(query)}")))
    return out + checks(source)


def search_link(source: Source, municipality: str | None, page: int) -> Link:
    """A page of the search for the source's query (see the module docstring)."""
    query = [("filter[:sqs:search_content]", source.query or "")]
    if source.last_modified:
        query.append(("filter[:gte:session_planned_start]", source.last_modified))
    if municipality:
        query.append((f"filter[:phrase:{LOCATION_FIELDS}]", municipality))
    query += [("sort[session_planned_start.field]", "asc"), ("page[size]", str(PAGE_SIZE)),
              ("page[number]", str(page))]
    key = json.dumps({"list": "search", "municipality": municipality, "page": page}, ensure_ascii=False)
    return Link(key, canonical(f"{source.url.rstrip('/')}/{SEARCH}?{urlencode(query)}"))


def by_id(source: Source, ids: list[str], context: dict[str, Any]) -> Link:
    """The agenda items of ``ids``, with what hangs from them, in one page."""
    query = [("include", INCLUDE), ("filter[:id:]", ",".join(ids)), ("page[size]", str(len(ids))),
             ("page[number]", "0")]
    key = json.dumps(context, ensure_ascii=False)
    return Link(key, canonical(f"{source.url.rstrip('/')}/agenda-items?{urlencode(query)}"))


def item_id(key: str) -> str | None:
    """The JSON:API id of a stored item's key (its ``uri``): the last path segment."""
    tail = key.rstrip("/").rsplit("/", 1)[-1]
    return tail if tail and tail not in ("http:", "https:") and "?" not in tail else None


def checks(source: Source) -> list[Link]:
    """The requests that ask for stored items by id (see the module docstring): this
    hour's slice of :data:`CHECKED_PER_SYNC` of the stored keys, in batches."""
    known = sorted(k for k in source.known_items if item_id(k))
    batches = [known[i:i + CHECK_BATCH] for i in range(0, len(known), CHECK_BATCH)]
    turn = max(1, CHECKED_PER_SYNC // CHECK_BATCH)
    if len(batches) > turn:
        hour = int(_epoch(source.last_modified) // 3600)
        first = hour * turn % len(batches)
        batches = [batches[(first + n) % len(batches)] for n in range(turn)]
    return [by_id(source, [i for k in batch if (i := item_id(k))], {"list": "check", "keys": batch})
            for batch in batches]


def _epoch(value: str | None) -> float:
    try:
        return datetime.fromisoformat((value or "").replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


def links(source: Source, result: FetchResult) -> list[Link]:
    """The next page of a list, if any; after a page of search hits, its items by id,
    then the next page of hits.

    Raises:
        ExtractError: the page is not a JSON:API list (HTML, not JSON, no ``data``
            array, a page of too many objects), or not a search answer (no ``count``).
    """
    data = read_json(result)
    if not result.key:
        raise ExtractError("Lokaal Beslist's walk starts at its agenda-items lists, not at a page")
    hits = list_items(data, result.url)
    context = json.loads(result.key) if result.key.startswith("{") else {}
    if context.get("list") == "search":
        return _found(source, context, data, hits)
    if context.get("list") in ("check", "found"):
        return []  # one page holds every item asked for
    nxt = next_link(data)
    return [Link(result.key, canonical(urljoin(result.url, nxt)))] if nxt else []


def _found(source: Source, context: dict[str, Any], data: Any, hits: list[dict[str, Any]]) -> list[Link]:
    count = data.get("count") if isinstance(data, dict) else None
    if not isinstance(count, int) or isinstance(count, bool):
        raise ExtractError("not a search answer (no 'count')")
    if len(hits) > PAGE_SIZE:
        raise ExtractError(f"a page of {len(hits):,} hits where {PAGE_SIZE} were asked for")
    ids = [str(h["id"]) for h in hits if isinstance(h.get("id"), str) and h["id"]]
    municipality, page = context.get("municipality"), int(context.get("page") or 0)
    out = [by_id(source, ids, {"list": "found", "municipality": municipality, "page": page})] if ids else []
    if len(hits) == PAGE_SIZE and (page + 1) * PAGE_SIZE < count:
        out.append(search_link(source, municipality, page + 1))
    return out


def extract(pm: PluginManager, source: Source, result: FetchResult) -> Extracted:
    """The entries of one run's pages (see the module docstring)."""
    doc, pages = document(result)

    def found() -> Iterator[Entry]:
        for page in pages:
            yield from page_entries(source, page, _page_entries)

    return extracted(f"Lokaal Beslist: {source.url}", doc, found())


def read_ahead(source: Source, result: FetchResult) -> None:
    """A page of a walk under way, read ahead for :func:`extract` (``SourceKind.read_ahead``)."""
    read_ahead_page(source, result, _page_entries)


def _page_entries(source: Source, page: Page) -> Iterator[Entry]:
    if not page.key.startswith("{") or not isinstance(page.data, dict):
        return
    context = json.loads(page.key)
    if context.get("list") == "search":
        return  # hits: their items are read by id, from the page after
    graph = _included(page.data)
    found = page.data.get("data")
    items = [i for i in found if isinstance(i, dict)] if isinstance(found, list) else []
    for item in items:
        entry = _entry(source, context, graph, page.url, item)
        if entry is not None:
            yield entry
    if context.get("list") == "check":
        yield from _deleted(context, page.url, items)


Graph = dict[tuple[str, str], dict[str, Any]]


def _deleted(context: dict[str, Any], url: str, listed: list[dict[str, Any]]) -> Iterator[Entry]:
    """The items a check asked for and its answer left out, marked deleted; none when
    the answer lists none of them (an empty answer is no mass deletion)."""
    present = {str(i.get("id")) for i in listed}
    asked = [k for k in context.get("keys") or () if isinstance(k, str)]
    if not present & {item_id(k) for k in asked}:
        return
    for key in asked:
        if (rid := item_id(key)) and rid not in present:
            yield Entry(key, "", urljoin(url, f"/agendapunten/{rid}"), WITHDRAWN, published=None,
                        deleted=True)


def _included(data: dict[str, Any]) -> Graph:
    found = data.get("included")
    return {(str(r.get("type")), str(r.get("id"))): r for r in (found if isinstance(found, list) else ())
            if isinstance(r, dict)}


def _related(graph: Graph, resource: dict[str, Any] | None, name: str) -> list[dict[str, Any]]:
    """The included resources ``resource``'s relationship ``name`` points at."""
    rels = resource.get("relationships") if isinstance(resource, dict) else None
    rel = rels.get(name) if isinstance(rels, dict) else None
    data = rel.get("data") if isinstance(rel, dict) else None
    refs = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
    out = []
    for ref in refs:
        if isinstance(ref, dict) and (found := graph.get((str(ref.get("type")), str(ref.get("id"))))):
            out.append(found)
    return out


def _attr(resource: dict[str, Any] | None, name: str) -> str | None:
    attrs = resource.get("attributes") if isinstance(resource, dict) else None
    value = attrs.get(name) if isinstance(attrs, dict) else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def _unit(graph: Graph, body: dict[str, Any] | None) -> str | None:
    """The administrative unit's name of a governing body, or of the body it is a
    legislature of (``is-time-specialization-of``)."""
    for b in [body, *_related(graph, body, "is-time-specialization-of")]:
        for unit in _related(graph, b, "administrative-unit"):
            if name := _attr(unit, "name"):
                return name
    return None


def _entry(source: Source, context: dict[str, Any], graph: Graph, url: str,
           item: dict[str, Any]) -> Entry | None:
    key = _attr(item, "uri") or (str(item.get("id") or "") and f"{url.split('?')[0]}/{item['id']}")
    if not key:
        return None  # nothing to know it by next time
    session = next(iter(_related(graph, item, "sessions")), None)
    body = next(iter(_related(graph, session, "governing-body")), None)
    parent = next(iter(_related(graph, body, "is-time-specialization-of")), None)
    body_name = _attr(body, "name") or _attr(parent, "name")
    municipality = _unit(graph, body) or context.get("municipality")
    if municipality and not watches(source, municipality):
        return None  # the portal's name filter matches parts of names ("Gent" in "Gentbrugge")
    resolutions = [r for h in _related(graph, item, "handled-by") for r in _related(graph, h, "resolutions")]
    title = _attr(item, "title") or next((t for r in resolutions if (t := _attr(r, "title"))), None)
    parts: list[str | None] = [_attr(item, "description")]
    if item.get("attributes", {}).get("public") is False:
        parts.append("Besloten (not public).")
    for r in resolutions:
        if (t := _attr(r, "title")) and t != title:
            parts.append(t)
        parts += [_attr(r, "description"), _attr(r, "motivation"),
                  (d := _attr(r, "publication-date")) and f"Published: {d[:10]}"]
    parts.append(body_name and f"Body: {body_name}")
    held = _date(_attr(session, "started-at") or _attr(session, "planned-start"))
    when = held or next((d for r in resolutions if (d := _date(_attr(r, "publication-date")))), None)
    item_id = item.get("id")
    web = urljoin(url, f"/agendapunten/{item_id}") if isinstance(item_id, str) and item_id else key
    return Entry(key, one_line(title or "Agendapunt", 300), web, text_of(*parts), published=when,
                 municipality=municipality, country=source.country or COUNTRY, body=body_name,
                 decided=held)


def _date(value: str | None) -> str | None:
    """``YYYY-MM-DD`` of a date or date-time, or ``None``."""
    if value and len(value) >= 10 and value[4] == "-" and value[7] == "-":
        return value[:10]
    return None
