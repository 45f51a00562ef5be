"""Source kinds: what a fetch of each kind means, as plain functions.

A :class:`~monitor.hookspecs.SourceKind` names its spider (an import path only the crawler plugin
loads, so monitor never imports Scrapy), says how to read a fetch into an
:class:`~monitor.models.Extracted` (``extract``) and, for index kinds, which links
a spider may follow (``links``). Kinds reach ingest through the
``register_source_kinds`` hook; the built-in ones (page, feed, listing, document)
are registered by the ``spiders`` plugin with the functions below.

Spiders call ``links``; ingest calls ``extract`` (possibly in a worker process).
Both are pure: bytes in, values out.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from monitor.errors import ExtractError
from monitor.ingest.extract import html
from monitor.ingest.extract.pdf import DocumentError, is_pdf, pdf_text
from monitor.ingest.extract.stamps import drop_stamps
from monitor.models import Entry, Extracted, FetchResult, Link, Source
from monitor.text import normalise, one_line

if TYPE_CHECKING:
    from monitor.plugin_manager import PluginManager


# ---------------------------------------------------------------------------
# shared steps
# ---------------------------------------------------------------------------


def apply_ignore(text: str, patterns: tuple[str, ...]) -> str:
    """``text`` with every match of every pattern removed (multi-line mode, so
    ``^…$`` is one paragraph); paragraphs left empty are dropped."""
    if not patterns:
        return text
    for p in patterns:
        text = re.sub(p, "", text, flags=re.M)
    return normalise(text)


def check_pattern(pattern: str) -> None:
    """Raise ``re.error`` when ``pattern`` does not compile."""
    re.compile(pattern)


def article_text(pm: PluginManager, source: Source, result: FetchResult) -> str | None:
    """Main text of a followed article (``None`` when it failed or has none)."""
    if result.error_kind or result.status != 200 or not result.body:
        return None
    ctype = result.headers.get("content-type", "")
    if is_pdf(result.body):
        try:
            return pdf_text(result.body)
        except DocumentError:
            return None
    if html.looks_binary(result.body):
        return None
    try:
        text = pm.hook.extract_text(source=source, url=result.url, body=result.body, content_type=ctype)
    except Exception:
        return None
    return normalise(text) if text else None


def html_page_text(pm: PluginManager, source: Source, result: FetchResult) -> Extracted:
    """A web page: the region's text when a region is set, else main-content text;
    "last updated" stamp lines dropped either way."""
    ctype = result.headers.get("content-type", "")
    if html.looks_binary(result.body):
        raise ExtractError(f"binary body served as {ctype.split(';')[0] or 'unknown type'}")
    title = html_title(result.body, ctype) or one_line(source.municipality or result.url)
    if source.region:
        try:
            text = html.region_text(result.body, ctype, source.region)
        except html.RegionError as exc:
            raise ExtractError(str(exc)) from exc
        if text is None:
            return Extracted("", title, warning=f"region {source.region!r} matched nothing")
    else:
        try:
            extracted = pm.hook.extract_text(source=source, url=result.url, body=result.body,
                                             content_type=ctype)
        except ExtractError:
            raise  # the extractor says why the page cannot be read
        except Exception as exc:
            raise ExtractError(f"text extraction failed: {type(exc).__name__}: {exc}") from exc
        if extracted is None:
            raise ExtractError(f"no extractor for content type {ctype or 'unknown'!r}")
        text = normalise(extracted)
    text = apply_ignore(drop_stamps(text), source.ignore)
    if not text:
        if source.region:
            return Extracted("", title, warning=f"region {source.region!r} has no text")
        raise ExtractError("no text found in the page")
    return Extracted(text, title, checked=not source.region, stamps_dropped=True)


_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.I | re.S)


def html_title(body: bytes, content_type: str = "") -> str:
    """The ``<title>`` of an HTML page, as one plain line ("" if none)."""
    import html as htmllib

    head = body[:65536]
    # A case-insensitive regex tries every byte; finding "<title" first is C speed.
    start = head.lower().find(b"<title")
    m = _TITLE.search(head, start) if start >= 0 else None
    if not m:
        return ""
    return one_line(htmllib.unescape(html.decode(m.group(1), content_type)))


def _with_articles(entries: list[Entry], result: FetchResult, pm: PluginManager,
                   source: Source) -> tuple[Entry, ...]:
    articles = {a.key: a for a in result.attachments if a.key}
    out = []
    for e in entries:
        a = articles.get(e.key)
        text = article_text(pm, source, a) if a is not None else None
        if text:
            text = apply_ignore(text, source.ignore)
        out.append(Entry(e.key, e.title, e.url, e.text, text or None, e.published))
    return tuple(out)


# ---------------------------------------------------------------------------
# the built-in kinds
# ---------------------------------------------------------------------------


def page_extract(pm: PluginManager, source: Source, result: FetchResult) -> Extracted:
    """``page``: one web page (a PDF served at a page URL is read as a document)."""
    if is_pdf(result.body):
        return document_extract(pm, source, result)
    return html_page_text(pm, source, result)


def document_extract(pm: PluginManager, source: Source, result: FetchResult) -> Extracted:
    """``document``: a PDF, compared paragraph by paragraph (HTML falls back to page)."""
    if not is_pdf(result.body):
        ctype = result.headers.get("content-type", "").lower()
        if "html" in ctype or result.body.lstrip()[:1] == b"<":
            return html_page_text(pm, source, result)
        raise ExtractError("not a PDF document")
    try:
        text = apply_ignore(pdf_text(result.body), source.ignore)
    except DocumentError as exc:
        raise ExtractError(str(exc)) from exc
    if not text:
        raise ExtractError("no text in the PDF (a scan without a text layer?)")
    name = result.url.rstrip("/").rsplit("/", 1)[-1]
    return Extracted(text, one_line(name or result.url))


MAX_ENTRIES = 1000
"""Entries read from one feed or index: a 10 MB feed of 200,000 one-line items would
otherwise become 200,000 items and new-entry changes in one fetch. A feed lists its
newest entries first, an index its links in page order; the rest are ignored
(docs/security.md)."""


# The feed reader (feedparser) is imported by the two functions that read feeds: a crawl
# of council portals never does, and starts sooner without it (bench/portals). The
# extraction processes have it loaded beforehand (monitor/ingest/preload.py).


def feed_links(source: Source, result: FetchResult) -> list[Link]:
    """``feed``: each entry with a link."""
    from monitor.ingest.extract.feeds import parse_feed

    return [Link(e.key, urljoin(result.url, e.url), e.title)
            for e in parse_feed(result.body, result.headers)[:MAX_ENTRIES] if e.url]


def feed_extract(pm: PluginManager, source: Source, result: FetchResult) -> Extracted:
    """``feed``: RSS, Atom, RDF or JSON Feed; entries with their followed articles."""
    from monitor.ingest.extract.feeds import FeedError, parse_feed

    try:
        entries = parse_feed(result.body, result.headers)[:MAX_ENTRIES]
    except FeedError as exc:
        raise ExtractError(str(exc)) from exc
    if not entries:
        return Extracted("", warning="the feed has no entries", entries=())
    full = _with_articles(entries, result, pm, source)
    return Extracted(normalise("\n".join(e.entry_text for e in full)), entries=full)


_SITEMAP_LOC = re.compile(rb"<loc>\s*([^<\s]+)\s*</loc>", re.I)


def listing_links(source: Source, result: FetchResult) -> list[Link]:
    """``listing``: article links of a news index (or the URLs of a sitemap.xml),
    filtered by the source's link pattern; on an HTML page without a pattern, links
    that stay on the same site and go deeper than the index itself."""
    from urllib.parse import urlsplit

    body = result.body
    pattern = re.compile(source.link_pattern) if source.link_pattern else None
    found: list[tuple[str, str]]
    if b"<urlset" in body[:2048] or b"<sitemapindex" in body[:2048]:
        import html as htmllib

        found = [(htmllib.unescape(m.group(1).decode("utf-8", "replace")), "")
                 for m in _SITEMAP_LOC.finditer(body)]
    else:
        root = html.parse(body, result.headers.get("content-type", ""))
        if source.region:
            scope = html.select(root, source.region)
            if not scope:
                return []
            found = [pair for el in scope for pair in html.links(el, result.url)]
        else:
            found = html.links(root, result.url)
    index = urlsplit(result.url)
    out: list[Link] = []
    seen: set[str] = set()
    for url, title in found:
        if url in seen or url == result.url:
            continue
        if pattern is not None:
            if not pattern.search(url):
                continue
        elif not _below(urlsplit(url), index):
            continue
        seen.add(url)
        out.append(Link(url, url, one_line(title, 300)))
        if len(out) >= MAX_ENTRIES:
            break
    return out


def _below(link: Any, index: Any) -> bool:
    """A link on the index's host whose path is longer than the index's directory."""
    if link.netloc != index.netloc:
        return False
    base = index.path.rsplit("/", 1)[0] + "/"
    return link.path.startswith(base) and len(link.path) > len(base) and link.path != index.path


def listing_extract(pm: PluginManager, source: Source, result: FetchResult) -> Extracted:
    """``listing``: the index's article links are its entries (sorted, so a reordered
    index is the same index); each new one's article text is fetched."""
    try:
        found = listing_links(source, result)
    except (re.error, html.RegionError) as exc:
        raise ExtractError(str(exc)) from exc
    if not found:
        what = "no link matches the pattern" if source.link_pattern else "no article links found"
        return Extracted("", warning=what, entries=())
    entries = [Entry(link.key, link.title or link.url, link.url, "") for link in found]
    full = _with_articles(entries, result, pm, source)
    index_text = "\n".join(sorted(f"{e.url} {e.title}" for e in full))
    return Extracted(normalise(index_text), entries=full)

