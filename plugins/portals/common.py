"""What every council-portal kind shares: the portal spider's document, bounded
JSON list pages, time filters on list URLs, and which bodies a source watches.

Pure functions, bytes in and values out, like every kind's ``extract`` and ``links``.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from monitor.errors import ExtractError
from monitor.models import FetchResult, Source
from monitor.text import normalise

MAX_PAGE_ITEMS = 1000
"""Objects one list page may hold: OParl recommends pages of 100; a page of 100,000
is a broken or hostile portal, and fails the source rather than fill the database."""

MAX_ENTRY_TEXT = 100_000
"""Characters of one entry's text (a paper with the extracted text of its files):
the analyzers read the first 40,000 anyway (``monitor/analyze/caps.py``)."""


@dataclass(frozen=True)
class Page:
    """One page of the portal spider's document."""

    key: str
    """The key of the link that led to it ("" for the entry point)."""
    url: str
    data: Any
    """The page's JSON."""


def read_json(result: FetchResult) -> Any:
    """The JSON of a fetched page.

    Raises:
        ExtractError: the page is not JSON (an HTML error page served with 200, say).
    """
    body = result.body.lstrip()
    ctype = result.headers.get("content-type", "").split(";")[0].strip() or "no content type"
    if not body:
        raise ExtractError(f"an empty answer ({ctype}) instead of JSON")
    if body[:1] == b"<":
        raise ExtractError(f"an HTML or XML page ({ctype}) instead of JSON: an error page?")
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ExtractError(f"not valid JSON ({ctype}): {exc}") from exc


def list_items(data: Any, url: str) -> list[dict[str, Any]]:
    """The objects of a list page (``{"data": [...]}``), at most :data:`MAX_PAGE_ITEMS`.

    Raises:
        ExtractError: not a list page, or too many objects.
    """
    items = data.get("data") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ExtractError("not a list page (no 'data' array)")
    if len(items) > MAX_PAGE_ITEMS:
        raise ExtractError(f"a list page of {len(items):,} objects (at most {MAX_PAGE_ITEMS:,} are read)")
    return [item for item in items if isinstance(item, dict)]


def next_link(data: Any) -> str | None:
    """A list page's ``links.next``, when there is one."""
    links = data.get("links") if isinstance(data, dict) else None
    nxt = links.get("next") if isinstance(links, dict) else None
    return nxt if isinstance(nxt, str) and nxt else None


def with_param(url: str, name: str, value: str) -> str:
    """``url`` with the query parameter ``name`` set to ``value``, unless it has it."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(k == name for k, _ in query):
        return url
    return urlunsplit(parts._replace(query=urlencode([*query, (name, value)])))


def document(result: FetchResult) -> tuple[dict[str, Any], list[Page]]:
    """The portal spider's document and its pages (see ``spiders/portal.py``).

    Raises:
        ExtractError: it is not one.
    """
    try:
        doc = json.loads(result.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ExtractError(f"not a portal crawl document: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("pages"), list):
        raise ExtractError("not a portal crawl document (no pages): crawl it with its portal spider")
    pages = []
    for p in doc["pages"]:
        try:
            data = json.loads(p["text"])
        except (ValueError, KeyError, TypeError):
            continue  # the spider read every page it kept; a damaged document loses a page only
        pages.append(Page(str(p.get("key") or ""), str(p.get("url") or ""), data))
    return doc, pages


def watches(source: Source, *names: str | None) -> bool:
    """Whether a body known by ``names`` (name, short name, official key) is one the
    source is limited to: every body when it is limited to none; else one of its
    names equals a given municipality, or contains it as a word ("Köln" in "Stadt
    Köln, kreisfreie Stadt"), case and accents aside."""
    if not source.municipalities:
        return True
    known = [_fold(n) for n in names if n]
    for wanted in source.municipalities:
        w = _fold(wanted)
        if any(w == k or f" {w} " in f" {k} " for k in known):
            return True
    return False


def _fold(text: str) -> str:
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(bare.casefold().replace(",", " ").replace("-", " ").split())


def text_of(*parts: Any) -> str:
    """Normalised text of the given strings (others left out), cut to :data:`MAX_ENTRY_TEXT`."""
    return normalise("\n".join(p for p in _strings(parts)))[:MAX_ENTRY_TEXT]


def _strings(parts: Any) -> Iterator[str]:
    for p in parts:
        if isinstance(p, str) and p.strip():
            yield p
