"""The ``oparl`` kind: an OParl 1.0/1.1 council-information API (the standard API of
German council information systems), given by its System object's URL.

The walk (``links``): System -> its ``body`` list -> for each body the source watches,
its ``paper``, ``meeting`` and (OParl 1.1) ``agendaItem`` lists, each asked for what
changed since the time the spider gives (``modified_since``; OParl 1.1 servers then
list deleted objects too, with ``deleted: true``) and read page by page through
``links.next``. In OParl 1.0 agenda items live only inside their meetings.

The entries (``extract``): each Paper, Meeting and AgendaItem, keyed by its id URL,
with its name, its text (a paper's or agenda item's files' extracted ``text``, the
resolution, a meeting's agenda), its date, its web page, the body that published it
and that body's municipality (its ``shortName``, else its ``name``). A deleted
object is an entry marked deleted: ingest records it as withdrawn.

The documents (``attachments``): a File without ``text`` of its own (the server did
not extract it) whose ``mimeType`` is ``application/pdf`` (or, without one, whose name
ends in ``.pdf``) is fetched from its ``downloadUrl``, else its ``accessUrl``, when its
object is new (its key is not stored) or changed since the last complete sync (its
own or the file's ``modified`` is not before it). Its text then stands after the
file's name in the entry's full text (``Entry.article``: what a new entry's change
shows and what is stored); the entry's own text, compared across runs, keeps the
name only, so a later run that lists the object again without fetching is no edit.

Shapes follow the OParl specification (github.com/OParl/spec, schema/*.json and
examples/*.json; see tests/portals/oparl_server.py for the commit).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from monitor.errors import ExtractError
from monitor.models import Entry, Extracted, FetchResult, Link, Source
from monitor.text import one_line
from plugins.portals.common import (
    Page,
    document,
    extracted,
    fetched_documents,
    list_items,
    next_link,
    page_entries,
    read_json,
    text_of,
    watches,
    with_document,
    with_param,
)
from plugins.portals.common import read_ahead as read_ahead_page

if TYPE_CHECKING:
    from monitor.plugin_manager import PluginManager

LISTS = ("paper", "meeting", "agendaItem")
"""The lists of a body that hold decisions."""

COUNTRY = "DE"
"""OParl is the German standard: a body's country unless the source says otherwise."""


def _type(obj: dict[str, Any]) -> str:
    """``Paper`` for ``https://schema.oparl.org/1.1/Paper``."""
    return str(obj.get("type") or "").rstrip("/").rsplit("/", 1)[-1]


def links(source: Source, result: FetchResult) -> list[Link]:
    """The pages to read after ``result``; ``source.last_modified`` is the time to
    ask for changes since.

    Raises:
        ExtractError: the page is not what its link promised (HTML, not JSON, not
            an OParl System or list, a page of too many objects).
    """
    data = read_json(result)
    since = source.last_modified
    if not result.key:  # the entry point
        if not isinstance(data, dict):
            raise ExtractError("not an OParl object")
        if _type(data) == "Body":
            return _body_lists(source, data, since)
        bodies = data.get("body")
        if not isinstance(bodies, str):
            raise ExtractError("not an OParl System (no 'body' list URL): give the System's URL")
        return [Link("bodies", bodies)]
    items = list_items(data, result.url)
    nxt = next_link(data)
    if result.key == "bodies":
        out = [link for body in items if not body.get("deleted") for link in _body_lists(source, body, since)]
        return out + ([Link("bodies", nxt)] if nxt else [])
    return [Link(result.key, nxt)] if nxt else []


def _body_lists(source: Source, body: dict[str, Any], since: str | None) -> list[Link]:
    names = (body.get("shortName"), body.get("name"), body.get("ags"), body.get("rgs"))
    if not body.get("id") or not watches(source, *(n if isinstance(n, str) else None for n in names)):
        return []
    context = {"body": body.get("id"), "name": body.get("name"), "short": body.get("shortName"),
               # OParl 1.0 has no agendaItem list: a meeting's embedded items are read then.
               "embedded": not isinstance(body.get("agendaItem"), str)}
    out = []
    for name in LISTS:
        url = body.get(name)
        if isinstance(url, str) and url:
            url = with_param(url, "modified_since", since) if since else url
            out.append(Link(json.dumps({"list": name, **context}, ensure_ascii=False), url))
    return out


def extract(pm: PluginManager, source: Source, result: FetchResult) -> Extracted:
    """The entries of one run's pages (see the module docstring)."""
    doc, pages = document(result)
    docs = fetched_documents(result)

    def found() -> Iterator[Entry]:
        for page in pages:
            # A page read ahead was read without this run's documents: only a run that
            # fetched none may use it.
            yield from _page_entries(source, page, docs) if docs else \
                page_entries(source, page, _page_entries)

    return extracted(f"OParl: {result.url}", doc, found())


def read_ahead(source: Source, result: FetchResult) -> None:
    """A page of a walk under way, read ahead for :func:`extract` (``SourceKind.read_ahead``)."""
    read_ahead_page(source, result, _page_entries)


def _page_entries(source: Source, page: Page, docs: dict[str, FetchResult] | None = None) -> Iterator[Entry]:
    if not page.key.startswith("{"):
        return  # the System and the body lists: read for their links only
    context = json.loads(page.key)
    items = page.data.get("data") if isinstance(page.data, dict) else None
    for item in items if isinstance(items, list) else ():
        if isinstance(item, dict):
            yield from _entries(source, context, item, docs or {})


def _entries(source: Source, context: dict[str, Any], item: dict[str, Any],
             docs: dict[str, FetchResult]) -> list[Entry]:
    key = item.get("id")
    if not isinstance(key, str) or not key:
        return []  # nothing to know it by next time
    kind = _kind(context, item)
    body = context.get("name") or context.get("short")
    municipality = context.get("short") or context.get("name")
    own: dict[str, Any] = {"municipality": municipality, "country": source.country or COUNTRY, "body": body}
    web = item.get("web") if isinstance(item.get("web"), str) else None
    if item.get("deleted"):
        when = str(item.get("modified") or "")[:10]
        note = f"Withdrawn: deleted from the portal{' on ' + when if when else ''}."
        return [Entry(key, "", web or key, note, published=None, deleted=True, **own)]
    out: list[Entry] = []
    files = _files(kind, item)

    def texts(*head: Any) -> tuple[str, str | None]:
        """The entry's own text, and its full text when a document of it was fetched."""
        article = None
        if any(_document_url(f) in docs for f in files):
            article = text_of(*head, *(_file_text(f, docs) for f in files))
        return text_of(*head, *(_file_text(f) for f in files)), article

    if kind == "Paper":
        title = _title(item.get("name"), item.get("reference"), "Paper")
        text, article = texts(_label("Reference", item.get("reference")),
                              _label("Type", item.get("paperType")), body and f"Body: {body}")
        out.append(Entry(key, title, web or key, text, article, published=_date(item.get("date")), **own))
    elif kind == "Meeting":
        agenda = [a for a in _list(item.get("agendaItem")) if isinstance(a, dict)]
        place = item.get("location")
        where = place.get("description") if isinstance(place, dict) else None
        text, article = texts(_label("Start", item.get("start")), _label("Location", where),
                              body and f"Body: {body}",
                              *(one_line(f"{a.get('number') or ''} {a.get('name') or ''}") for a in agenda))
        out.append(Entry(key, _title(item.get("name"), None, "Meeting"), web or key, text, article,
                         published=_date(item.get("start")), decided=_date(item.get("start")), **own))
        if context.get("embedded"):
            for a in agenda:
                out.extend(_entries(source, {**context, "list": "agendaItem"},
                                    {"start": item.get("start"), **a}, docs))
    elif kind == "AgendaItem":
        title = _title(one_line(f"{item.get('number') or ''} {item.get('name') or ''}"), None, "Agenda item")
        text, article = texts(_label("Result", item.get("result")), item.get("resolutionText"),
                              body and f"Body: {body}")
        out.append(Entry(key, title, web or key, text, article, published=_date(item.get("start")),
                         decided=_date(item.get("start")), **own))
    return out


FILES = {"Paper": ("mainFile", "auxiliaryFile"),
         "Meeting": ("invitation", "resultsProtocol", "auxiliaryFile"),
         "AgendaItem": ("resolutionFile", "auxiliaryFile")}
"""The fields of each object that hold its Files (one File, or a list of them)."""


def _kind(context: dict[str, Any], item: dict[str, Any]) -> str:
    return _type(item) or {"paper": "Paper", "meeting": "Meeting", "agendaItem": "AgendaItem"}.get(
        context.get("list", ""), "")


def _files(kind: str, item: dict[str, Any]) -> list[Any]:
    out: list[Any] = []
    for name in FILES.get(kind, ()):
        value = item.get(name)
        out.extend(value if isinstance(value, list) else [value] if value is not None else [])
    return out


def attachments(source: Source, result: FetchResult) -> list[Link]:
    """The PDFs to fetch on a list page (see the module docstring): ``source`` is the
    source as stored (``last_modified``: when the last complete sync began)."""
    if not (result.key or "").startswith("{"):
        return []
    context = json.loads(result.key or "")
    out: list[Link] = []
    for item in list_items(read_json(result), result.url):
        out.extend(_wanted(source, context, item))
    return out


def _wanted(source: Source, context: dict[str, Any], item: dict[str, Any]) -> list[Link]:
    key = item.get("id")
    if not isinstance(key, str) or not key or item.get("deleted"):
        return []
    kind = _kind(context, item)
    out = []
    for f in _files(kind, item):
        url = _document_url(f)
        if url and _changed(source, key, item, f):
            out.append(Link(key, url, one_line(str(f.get("name") or f.get("fileName") or url), 300)))
    if kind == "Meeting" and context.get("embedded"):
        for a in _list(item.get("agendaItem")):
            if isinstance(a, dict):
                out.extend(_wanted(source, {**context, "list": "agendaItem"}, a))
    return out


def _changed(source: Source, key: str, item: dict[str, Any], file: dict[str, Any]) -> bool:
    """New (not stored), or modified since the last complete sync began."""
    mark = _time(source.last_modified)
    if key not in source.known_items or mark is None:
        return True
    return any((t := _time(o.get("modified"))) is not None and t >= mark for o in (item, file))


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _document_url(file: Any) -> str | None:
    """Where to fetch a File's PDF: only one the server gave no ``text`` for."""
    if not isinstance(file, dict) or file.get("deleted"):
        return None
    text = file.get("text")
    if isinstance(text, str) and text.strip():
        return None
    mime = str(file.get("mimeType") or "").split(";")[0].strip().lower()
    names = (str(file.get("fileName") or ""), str(file.get("accessUrl") or ""))
    if mime != "application/pdf" and (mime or not any(n.lower().endswith(".pdf") for n in names)):
        return None
    for field in ("downloadUrl", "accessUrl"):
        url = file.get(field)
        if isinstance(url, str) and url.strip():
            return url.strip()
    return None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _title(name: Any, reference: Any, fallback: str) -> str:
    for value in (name, reference):
        if isinstance(value, str) and value.strip():
            return one_line(value, 300)
    return fallback


def _label(label: str, value: Any) -> str | None:
    return f"{label}: {one_line(value, 300)}" if isinstance(value, str) and value.strip() else None


def _file_text(file: Any, docs: dict[str, FetchResult] | None = None) -> str | None:
    """A File's extracted ``text`` (the OParl server's own), else its name, followed
    by the text of its PDF when ``docs`` (the documents fetched this run) hold it."""
    if not isinstance(file, dict) or file.get("deleted"):
        return None
    text = file.get("text")
    if isinstance(text, str) and text.strip():
        return text
    name = file.get("name")
    label = f"File: {one_line(name, 300)}" if isinstance(name, str) and name.strip() else None
    doc = docs.get(_document_url(file) or "") if docs else None
    if doc is None:
        return label
    return with_document(label or "File:", doc)


def _date(value: Any) -> str | None:
    """``YYYY-MM-DD`` of an OParl date or date-time, or ``None``."""
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-":
        return value[:10]
    return None
