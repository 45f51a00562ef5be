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

Shapes follow the OParl specification (github.com/OParl/spec, schema/*.json and
examples/*.json; see tests/portals/oparl_server.py for the commit).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from monitor.errors import ExtractError
from monitor.models import Entry, Extracted, FetchResult, Link, Source
from monitor.text import normalise, one_line
from plugins.portals.common import (
    document,
    list_items,
    next_link,
    read_json,
    text_of,
    watches,
    with_param,
)

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
    entries: dict[str, Entry] = {}
    for page in pages:
        if not page.key.startswith("{"):
            continue  # the System and the body lists: read for their links only
        context = json.loads(page.key)
        items = page.data.get("data") if isinstance(page.data, dict) else None
        for item in items if isinstance(items, list) else ():
            if not isinstance(item, dict):
                continue
            for entry in _entries(source, context, item):
                entries.pop(entry.key, None)  # listed twice in one run: the later one
                entries[entry.key] = entry
    found = tuple(entries.values())
    text = normalise("\n".join(e.entry_text for e in found))
    return Extracted(text, one_line(f"OParl: {result.url}"), entries=found,
                     baseline=bool(doc.get("baseline")))


def _entries(source: Source, context: dict[str, Any], item: dict[str, Any]) -> list[Entry]:
    key = item.get("id")
    if not isinstance(key, str) or not key:
        return []  # nothing to know it by next time
    kind = _type(item) or {"paper": "Paper", "meeting": "Meeting", "agendaItem": "AgendaItem"}.get(
        context.get("list", ""), "")
    body = context.get("name") or context.get("short")
    municipality = context.get("short") or context.get("name")
    own: dict[str, Any] = {"municipality": municipality, "country": source.country or COUNTRY, "body": body}
    web = item.get("web") if isinstance(item.get("web"), str) else None
    if item.get("deleted"):
        when = str(item.get("modified") or "")[:10]
        note = f"Withdrawn: deleted from the portal{' on ' + when if when else ''}."
        return [Entry(key, "", web or key, note, published=None, deleted=True, **own)]
    out: list[Entry] = []
    if kind == "Paper":
        title = _title(item.get("name"), item.get("reference"), "Paper")
        files = [item.get("mainFile"), *_list(item.get("auxiliaryFile"))]
        text = text_of(_label("Reference", item.get("reference")), _label("Type", item.get("paperType")),
                       body and f"Body: {body}", *(_file_text(f) for f in files))
        out.append(Entry(key, title, web or key, text, published=_date(item.get("date")), **own))
    elif kind == "Meeting":
        agenda = [a for a in _list(item.get("agendaItem")) if isinstance(a, dict)]
        files = [item.get("invitation"), item.get("resultsProtocol"), *_list(item.get("auxiliaryFile"))]
        place = item.get("location")
        text = text_of(_label("Start", item.get("start")),
                       _label("Location", place.get("description") if isinstance(place, dict) else None),
                       body and f"Body: {body}",
                       *(one_line(f"{a.get('number') or ''} {a.get('name') or ''}") for a in agenda),
                       *(_file_text(f) for f in files))
        out.append(Entry(key, _title(item.get("name"), None, "Meeting"), web or key, text,
                         published=_date(item.get("start")), decided=_date(item.get("start")), **own))
        if context.get("embedded"):
            for a in agenda:
                out.extend(_entries(source, {**context, "list": "agendaItem"},
                                    {"start": item.get("start"), **a}))
    elif kind == "AgendaItem":
        title = _title(one_line(f"{item.get('number') or ''} {item.get('name') or ''}"), None, "Agenda item")
        files = [item.get("resolutionFile"), *_list(item.get("auxiliaryFile"))]
        text = text_of(_label("Result", item.get("result")), item.get("resolutionText"),
                       body and f"Body: {body}", *(_file_text(f) for f in files))
        out.append(Entry(key, title, web or key, text, published=_date(item.get("start")),
                         decided=_date(item.get("start")), **own))
    return out


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _title(name: Any, reference: Any, fallback: str) -> str:
    for value in (name, reference):
        if isinstance(value, str) and value.strip():
            return one_line(value, 300)
    return fallback


def _label(label: str, value: Any) -> str | None:
    return f"{label}: {one_line(value, 300)}" if isinstance(value, str) and value.strip() else None


def _file_text(file: Any) -> str | None:
    """A File's extracted ``text`` (the OParl server's own), else its name."""
    if not isinstance(file, dict) or file.get("deleted"):
        return None
    text = file.get("text")
    if isinstance(text, str) and text.strip():
        return text
    name = file.get("name")
    return f"File: {one_line(name, 300)}" if isinstance(name, str) and name.strip() else None


def _date(value: Any) -> str | None:
    """``YYYY-MM-DD`` of an OParl date or date-time, or ``None``."""
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-":
        return value[:10]
    return None
