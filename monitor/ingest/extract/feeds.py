"""Feed bytes -> entries: RSS, Atom and RDF through feedparser, JSON Feed directly.

feedparser is always handed a stream of the fetched bytes, never a str or bytes
object: given one that looks like a path or URL it would open the file or fetch the
URL itself.

Entity declarations are dropped before feedparser parses: it keeps the "safe" ones
(values without ``&``) and its loose parser expands every reference, so a 70 KB feed
declaring one 10 KB entity and referencing it 20,000 times grew a crawl to 1.5 GB
and 90 s ("quadratic blowup"). Feeds do not need their own entities.
"""

from __future__ import annotations

import functools
import io
import re
from types import ModuleType
from typing import Any

import lxml.html

from monitor.models import Entry
from monitor.text import fingerprint, normalise, one_line

__all__ = ["Entry", "FeedError", "html_fragment_text", "parse_feed"]

_BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "table", "tr", "section", "article", "header", "footer",
}


class FeedError(ValueError):
    """The bytes are not a feed feedparser can read any entry from."""


_ENTITY_DECL = re.compile(rb"<!ENTITY\s(?:[^>\"']|\"[^\"]*\"|'[^']*')*>", re.I)
_ELEMENT = re.compile(rb"<\w")


def _without_entities(replace_doctype: Any) -> Any:
    def replace(data: bytes) -> tuple[str | None, bytes, dict[str, str]]:
        """feedparser's ``replace_doctype`` on the document without its entity declarations
        (the prolog only: before the first element). ``data`` is already UTF-8 here."""
        start = _ELEMENT.search(data)
        cut = start.start() if start else len(data)
        head = data[:cut]
        if b"<!" in head:
            data = _ENTITY_DECL.sub(b"", head) + data[cut:]
        result: tuple[str | None, bytes, dict[str, str]] = replace_doctype(data)
        return result
    return replace


@functools.cache
def feedparser() -> ModuleType:
    """feedparser, imported on the first feed read (40 ms that a crawl, or a portal kind
    that only needs :func:`html_fragment_text`, does not pay before its first request),
    with its ``replace_doctype`` dropping entity declarations (it is called after the
    document is converted to UTF-8, whatever its encoding)."""
    import feedparser as module

    module.api.replace_doctype = _without_entities(module.api.replace_doctype)
    loaded: ModuleType = module
    return loaded


def html_fragment_text(fragment: str) -> str:
    """Plain text of an HTML fragment, one line per block element."""
    if "<" not in fragment:
        return normalise(fragment)
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (ValueError, lxml.etree.ParserError):
        return normalise(fragment)
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() in _BLOCK_TAGS:
            el.tail = "\n" + (el.tail or "")
            if el.tag.lower() == "br":
                continue
            el.text = "\n" + (el.text or "")
    return normalise(root.text_content())


def parse_feed(body: bytes, headers: dict[str, str]) -> list[Entry]:
    """The entries of a feed (RSS, Atom, RDF or JSON Feed), in feed order.

    Raises:
        FeedError: feedparser found no entries and flagged the document as broken
            (its ``bozo`` bit), or raised itself.
    """
    head = body.lstrip()[:1]
    if head in (b"{", b"["):
        return _json_feed(body)
    try:
        parsed = feedparser().parse(io.BytesIO(body), response_headers=headers)
    except Exception as exc:  # feedparser raises on some malformed documents
        raise FeedError(f"feed parser failed: {type(exc).__name__}: {exc}") from exc
    if not parsed.entries:
        if parsed.get("bozo"):
            raise FeedError(f"not a readable feed: {parsed.get('bozo_exception')}")
        if not parsed.get("version"):
            raise FeedError("not a feed: no RSS, Atom or RDF root element")
    entries = []
    seen: set[str] = set()
    for e in parsed.entries:
        title = one_line(e.get("title", ""), 500)
        link = e.get("link", "") or ""
        content = ""
        if e.get("content"):
            content = "\n".join(c.get("value", "") for c in e["content"])
        text = html_fragment_text(content or e.get("summary", "") or "")
        key = e.get("id") or link or fingerprint(f"{title}\n{text}")
        if key in seen:
            continue
        seen.add(key)
        entries.append(Entry(key=str(key), title=title, url=str(link), text=text,
                             published=_iso_date(e.get("published_parsed") or e.get("updated_parsed"))))
    return entries


def _json_feed(body: bytes) -> list[Entry]:
    """Entries of a JSON Feed (jsonfeed.org, versions 1 and 1.1)."""
    import json

    try:
        doc = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise FeedError(f"not a readable JSON Feed: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        raise FeedError("not a JSON Feed: no 'items' list")
    entries = []
    seen: set[str] = set()
    for item in doc["items"]:
        if not isinstance(item, dict):
            continue
        title = one_line(str(item.get("title") or ""), 500)
        link = str(item.get("url") or item.get("external_url") or "")
        html = item.get("content_html")
        text = html_fragment_text(str(html)) if html else normalise(
            str(item.get("content_text") or item.get("summary") or ""))
        key = str(item.get("id") or link or fingerprint(f"{title}\n{text}"))
        if key in seen:
            continue
        seen.add(key)
        entries.append(Entry(key=key, title=title, url=link, text=text,
                             published=_json_date(item.get("date_published") or item.get("date_modified"))))
    return entries


def _iso_date(parsed: Any) -> str | None:
    """``YYYY-MM-DD`` of a feedparser time tuple (``None`` when absent or absurd)."""
    try:
        year, month, day = int(parsed[0]), int(parsed[1]), int(parsed[2])
    except (TypeError, ValueError, IndexError):
        return None
    if not (1900 <= year <= 2200 and 1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _json_date(value: Any) -> str | None:
    """``YYYY-MM-DD`` of a JSON Feed RFC 3339 date (``None`` when it is not one)."""
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", str(value or ""))
    return _iso_date((m.group(1), m.group(2), m.group(3))) if m else None
