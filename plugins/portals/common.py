"""What every council-portal kind shares: the portal spider's document, bounded
JSON and XML list pages, time filters on list URLs, which bodies a source watches,
and the text of the documents (PDFs) the spider fetched for new or changed items.

Pure functions, bytes in and values out, like every kind's ``extract`` and ``links``.
XML is parsed by lxml without DTDs, entities or network (:func:`read_xml`): a portal's
answer may be hostile, and none of them needs its own entities.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import lxml.etree

from monitor.errors import ExtractError
from monitor.ingest.extract.pdf import DocumentError, is_pdf, pdf_text
from monitor.models import Entry, Extracted, FetchResult, Source
from monitor.text import normalise, one_line

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
    text: str = ""
    """The page as fetched (decoded), for kinds whose pages are not JSON."""

    @cached_property
    def data(self) -> Any:
        """The page's JSON; ``None`` for a page that is not JSON (XML: see :attr:`text`).
        Parsed when first asked for: a page read ahead is not parsed again."""
        if self.text.lstrip()[:1] not in ("{", "["):
            return None
        try:
            return json.loads(self.text)
        except ValueError:
            return None


_last_json: tuple[bytes, Any] | None = None
"""The page :func:`read_json` parsed last, with the very bytes object it parsed: the
portal spider hands one page (one ``body``) to ``links``, ``attachments`` and, read
ahead, to the kind's entries, which all only read it. Parsed once, not three times."""


def read_json(result: FetchResult) -> Any:
    """The JSON of a fetched page (shared with the other readers of the same page:
    read it, never change it).

    Raises:
        ExtractError: the page is not JSON (an HTML error page served with 200, say).
    """
    global _last_json
    if _last_json is not None and _last_json[0] is result.body:
        return _last_json[1]
    body = result.body.lstrip()
    ctype = result.headers.get("content-type", "").split(";")[0].strip() or "no content type"
    if not body:
        raise ExtractError(f"an empty answer ({ctype}) instead of JSON")
    if body[:1] == b"<":
        raise ExtractError(f"an HTML or XML page ({ctype}) instead of JSON: an error page?")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ExtractError(f"not valid JSON ({ctype}): {exc}") from exc
    _last_json = (result.body, data)
    return data


MAX_XML_ELEMENTS = 200_000
"""Elements one XML page may hold: a ModernGov meeting with its agenda, documents and
attendees has a few thousand; a page past this is broken or hostile and fails the source."""

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def _xml_parser() -> lxml.etree.XMLParser:
    # No DTD, no entity expansion, no network, lxml's default limits on depth and text
    # size (huge_tree off): a billion-laughs or external-entity page parses to nothing.
    return lxml.etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                                huge_tree=False, remove_comments=True, remove_pis=True)


def read_xml(page: FetchResult | Page) -> lxml.etree._Element:
    """The root element of an XML page, with namespaces dropped from its tags.

    Raises:
        ExtractError: the page is empty, an HTML page (an error page served with 200,
            say), not well-formed XML, or holds more than :data:`MAX_XML_ELEMENTS` elements.
    """
    if isinstance(page, Page):
        source: bytes | str = _XML_DECLARATION.sub("", page.text, count=1)
        ctype = "as stored"
    else:
        source = page.body
        ctype = page.headers.get("content-type", "").split(";")[0].strip() or "no content type"
    sniff = source.lstrip()[:200]
    head = (sniff.decode("latin-1") if isinstance(sniff, bytes) else sniff).lower()
    if not head:
        raise ExtractError(f"an empty answer ({ctype}) instead of XML")
    if ctype == "text/html" or "<html" in head or "<!doctype html" in head:
        raise ExtractError(f"an HTML page ({ctype}) instead of XML: an error page?")
    if head[:1] in ("{", "["):
        raise ExtractError(f"JSON ({ctype}) instead of XML")
    try:
        root = lxml.etree.fromstring(source, parser=_xml_parser())
    except (lxml.etree.XMLSyntaxError, ValueError) as exc:
        raise ExtractError(f"not well-formed XML ({ctype}): {exc}") from exc
    if root is None:
        raise ExtractError(f"not well-formed XML ({ctype}): no root element")
    count = 0
    for el in root.iter():
        count += 1
        if count > MAX_XML_ELEMENTS:
            raise ExtractError(f"an XML page of more than {MAX_XML_ELEMENTS:,} elements "
                               "(a broken or hostile answer)")
        if isinstance(el.tag, str) and "}" in el.tag:
            el.tag = el.tag.rsplit("}", 1)[1]
    if isinstance(root.tag, str) and root.tag.lower() == "html":
        raise ExtractError(f"an HTML page ({ctype}) instead of XML: an error page?")
    return root


def xml_text(element: lxml.etree._Element | None, tag: str) -> str:
    """The stripped text of ``element``'s first child ``tag`` ("" when there is none)."""
    if element is None:
        return ""
    found = element.find(tag)
    return (found.text or "").strip() if found is not None else ""


def list_items(data: Any, url: str) -> list[dict[str, Any]]:
    """The objects of a list page (``{"data": [...]}``), at most :data:`MAX_PAGE_ITEMS`.

    Raises:
        ExtractError: not a list page, or too many objects.
    """
    items = data.get("data") if isinstance(data, dict) else None
    return bounded(items, "not a list page (no 'data' array)", "a list page", "objects")


def bounded(items: Any, missing: str, page: str, unit: str) -> list[dict[str, Any]]:
    """The objects of a page's array ``items``, at most :data:`MAX_PAGE_ITEMS`.

    Raises:
        ExtractError: ``missing`` when it is no array; too many objects (``page`` of N ``unit``).
    """
    if not isinstance(items, list):
        raise ExtractError(missing)
    if len(items) > MAX_PAGE_ITEMS:
        raise ExtractError(f"{page} of {len(items):,} {unit} (at most {MAX_PAGE_ITEMS:,} are read)")
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


def document(result: FetchResult) -> tuple[dict[str, Any], Iterator[Page]]:
    """The portal spider's document and its pages (see ``spiders/portal.py``), each
    parsed as it is read: a first sync's pages parsed all at once held most of a
    crawl's memory (bench/portals, 10,000 Lokaal Beslist items: 614 MB, 376 MB lazily).

    Raises:
        ExtractError: it is not one.
    """
    try:
        doc = json.loads(result.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ExtractError(f"not a portal crawl document: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("pages"), list):
        raise ExtractError("not a portal crawl document (no pages): crawl it with its portal spider")
    return doc, _parsed_pages(doc["pages"])


def _parsed_pages(raw: list[Any]) -> Iterator[Page]:
    for p in raw:
        if not isinstance(p, dict) or not isinstance(p.get("text"), str):
            continue  # the spider read every page it kept; a damaged document loses a page only
        yield Page(str(p.get("key") or ""), str(p.get("url") or ""), p["text"])


# --------------------------------------------------------------------------- reading ahead

PageEntries = Callable[[Source, Page], Iterable[Entry]]
"""A kind's entries of one page of its document (none for a page read for its links only)."""

MAX_AHEAD = 100_000
"""Entries read ahead kept at once (:func:`read_ahead`), a first sync's 10,000 many
times over; past it the oldest pages' are dropped (their ``extract`` reads them again)."""

_ahead: dict[tuple[Any, ...], tuple[Entry, ...]] = {}
"""Entries read ahead in this process, by :func:`_ahead_key`, the oldest first."""
_ahead_count = 0


def _ahead_key(source: Source, page: Page) -> tuple[Any, ...]:
    """What one page's entries depend on: the source's identity and the fields a kind
    reads from it, and the page's key, URL and text (by a digest: the text itself is
    in the walk's document already)."""
    digest = hashlib.blake2b(page.text.encode("utf-8", "surrogatepass"), digest_size=20).digest()
    return (source.id, source.url, source.country, source.municipalities, source.query,
            page.key, page.url, len(page.text), digest)


def read_ahead(source: Source, result: FetchResult, entries: PageEntries) -> None:
    """Read the entries of one page of a walk under way (``SourceKind.read_ahead``:
    ``result.body`` is the page's text in UTF-8) and keep them for :func:`page_entries`."""
    global _ahead_count, _last_json
    page = Page(result.key or "", result.url, result.body.decode("utf-8", "surrogatepass"))
    if page.text.lstrip()[:1] in ("{", "["):
        with contextlib.suppress(ExtractError):  # what links parsed (the same bytes), if JSON
            page.__dict__["data"] = read_json(result)
    found = tuple(entries(source, page))
    if _last_json is not None and _last_json[0] is result.body:
        # Its last reader is done: freed now, while the crawl waits on the portal, not
        # when the next page's links replace it, before the next request (a Lokaal
        # Beslist page's objects took as long to free as to parse).
        _last_json = None
    for entry in found:
        _ = entry.blobs  # normalised, fingerprinted and compressed now, while the crawl waits
    key = _ahead_key(source, page)
    old = _ahead.pop(key, None)
    _ahead_count += len(found) - (len(old) if old else 0)
    _ahead[key] = found
    while _ahead_count > MAX_AHEAD and _ahead:
        _ahead_count -= len(_ahead.pop(next(iter(_ahead))))


def page_entries(source: Source, page: Page, entries: PageEntries) -> Iterable[Entry]:
    """``entries(source, page)``, or what :func:`read_ahead` read of the same page (once)."""
    global _ahead_count
    if _ahead:
        found = _ahead.pop(_ahead_key(source, page), None)
        if found is not None:
            _ahead_count -= len(found)
            return found
    return entries(source, page)


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


def fetched_documents(result: FetchResult) -> dict[str, FetchResult]:
    """The documents the spider fetched this run (``result.attachments``), by the URL
    they were asked for (the first hop when they were redirected): a kind finds an
    item's document by the URL it named in its ``attachments`` function."""
    return {(a.redirects[0][0] if a.redirects else a.url): a for a in result.attachments}


def with_document(label: str, doc: FetchResult) -> str:
    """``label`` (``File: Vorlage``) followed by the fetched document's text, one
    paragraph per line; or ``label`` with why it has none (``(not read: HTTP 404)``).
    A PDF is read by the ``document`` kind's extractor (:mod:`monitor.ingest.extract.pdf`)."""
    if doc.error_kind == "too-large":
        return f"{label} (not read, over the size limit: {doc.error or 'too large'})"
    if doc.error_kind or doc.status != 200:
        return f"{label} (not read: {doc.error or doc.error_kind or f'HTTP {doc.status}'})"
    if is_pdf(doc.body):
        try:
            text = pdf_text(doc.body)
        except DocumentError as exc:
            return f"{label} (not read: {exc})"
        return f"{label}\n{text}" if text else f"{label} (no text: a scan without a text layer?)"
    ctype = doc.headers.get("content-type", "").split(";")[0].strip() or "no content type"
    if ctype == "text/plain":
        return f"{label}\n{normalise(doc.body.decode('utf-8', 'replace'))}"
    return f"{label} (not read: not a PDF but {ctype})"


def extracted(label: str, doc: dict[str, Any], found: Iterable[Entry]) -> Extracted:
    """What a portal kind's ``extract`` returns for one run: its entries, each once (an item
    listed twice in one run counts as listed the later time), their texts as the source's
    text, titled ``label``, and a baseline when the run's document says the sync is a
    first one."""
    entries: dict[str, Entry] = {}
    for entry in found:
        entries.pop(entry.key, None)
        entries[entry.key] = entry
    kept = tuple(entries.values())
    # Each entry's text is normalised already, and a newline composes with nothing:
    # joined, they are the normalised whole (empty ones left out, as normalise would).
    return Extracted("\n".join(t for e in kept if (t := e.entry_text)), one_line(label), entries=kept,
                     baseline=bool(doc.get("baseline")))
