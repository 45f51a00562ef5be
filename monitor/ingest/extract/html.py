"""HTML bytes -> text: charset fallback, region selection, block-level text.

Plain functions over lxml, used by the source kinds (``monitor.ingest.kinds``) and by text
extractor plugins. Nothing here touches the database or the network.

Charsets: a page is decoded with the charset its header or ``<meta>`` declares;
when that fails (cp1252 bytes declared as UTF-8 are common on Belgian sites) it is
decoded as cp1252, which never fails, instead of turning accents into U+FFFD.
"""

from __future__ import annotations

import codecs
import contextlib
import re
from collections.abc import Callable, Iterable

import lxml.etree
import lxml.html

from monitor.errors import ExtractError
from monitor.text import normalise

BLOCK_TAGS = frozenset({
    "p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "table", "tr", "section", "article", "header", "footer", "main",
    "aside", "nav", "figure", "figcaption", "address", "details", "summary", "hr", "form",
    "fieldset", "legend", "caption", "thead", "tbody", "tfoot",
})
"""Elements that start a new paragraph in the extracted text."""

SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "iframe", "object",
                       "embed", "canvas", "head", "select", "button", "input", "textarea"})
"""Elements whose content is never text a reader sees."""

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
"""An XML declaration opening a page (lxml refuses one in a str: it names an encoding)."""

_ANY_BYTE_CHARSETS = frozenset({"iso8859-1", "cp1252", "iso8859-15", "latin-1"})
"""Single-byte charsets that decode any byte (so a wrong one is never noticed)."""


class RegionError(ValueError):
    """A region selector that is not valid CSS or XPath."""


def declared_charset(body: bytes, content_type: str) -> str | None:
    """The charset the response declares (header first, then ``<meta>``), if known."""
    for m in (_HEADER_CHARSET.search(content_type or ""), _META_CHARSET.search(body[:4096])):
        if m:
            name = m.group(1)
            name = name.decode("ascii", "replace") if isinstance(name, bytes) else name
            try:
                return codecs.lookup(name).name
            except LookupError:
                continue
    return None


def decode(body: bytes, content_type: str = "") -> str:
    """The text of an HTML or XML body, never failing.

    The declared charset is tried strictly; UTF-8 next; then cp1252 (a superset of
    Latin-1 for text, which decodes any byte) so a mislabelled page keeps its accents.
    """
    return _decoded(body, content_type)[0]


def _decoded(body: bytes, content_type: str) -> tuple[str, bool]:
    """:func:`decode`'s text, and whether it is exactly ``body`` read as UTF-8 (no byte
    order mark, nothing replaced): then a parser may be handed the bytes themselves."""
    if body.startswith(codecs.BOM_UTF8):
        return body[3:].decode("utf-8", "replace"), False
    declared = declared_charset(body, content_type)
    if declared in _ANY_BYTE_CHARSETS and not body.isascii():
        # Latin-1 and cp1252 decode every byte, so a wrong declaration never fails: a
        # server's default ``charset=iso-8859-1`` header on a UTF-8 page would turn
        # every accent into mojibake. Non-ASCII bytes that are valid UTF-8 are UTF-8
        # (Western text in a single-byte charset almost never is).
        with contextlib.suppress(UnicodeDecodeError):
            return body.decode("utf-8"), True
    tried: list[str] = []
    for name in (declared, "utf-8"):
        if not name or name in tried:
            continue
        tried.append(name)
        try:
            text = body.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        # ASCII read with any ASCII-compatible charset is its UTF-8 reading too.
        return text, name == "utf-8" or (body.isascii() and text == body.decode("ascii"))
    return body.decode("cp1252", "replace"), False


def looks_binary(body: bytes) -> bool:
    """True for bodies that are not text whatever their Content-Type says (NUL bytes
    or mostly control characters in the first 4 KiB)."""
    head = body[:4096]
    if not head:
        return False
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))  # C speed: every fetch passes here
    return controls > len(head) * 0.1


_CONTROL_BYTES = bytes(b for b in range(32) if b < 9 or 13 < b < 32)
"""The bytes :func:`looks_binary` counts: C0 controls other than tab, newline, VT, FF, CR."""


MAX_DEPTH = 2048
"""How deep libxml2 nests elements (with ``huge_tree``; 256 without it, which silently cut
real pages with a few hundred unclosed ``<div>`` or ``<font>`` tags). Past it the parser
stops reading: the rest of the page is lost."""

FLAT_DEPTH = 200
"""Elements nested deeper than this are read as the text of their ancestor at this depth:
the text walks recurse, trafilatura's own parser stops at 256, and no page needs more
structure than this to tell its main text from its furniture."""


_ELEMENTS = lxml.etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
    pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity)
"""Every element of a tree :func:`read` makes is an ``lxml.html.HtmlElement``, chosen in C.
``lxml.html.HTMLParser`` asks a Python method for each element object it creates (to give
forms and their fields classes of their own, which nothing here uses): 3 % of the
instructions of a new page's extraction on ``bench/crawl``'s pages, 2 % on
``bench/realweb``'s (callgrind), with the same text for all 910 of those."""


def _parser(**options: str) -> lxml.etree.HTMLParser:
    """A parser for :func:`read`: huge trees allowed (the depth is checked after), its
    elements made by :data:`_ELEMENTS`."""
    parser = lxml.etree.HTMLParser(huge_tree=True, **options)  # type: ignore[arg-type]
    parser.set_element_class_lookup(_ELEMENTS)
    return parser


def read(body: bytes, content_type: str = "", *, strict: bool = False) -> tuple[lxml.html.HtmlElement, bool]:
    """An lxml tree of an HTML body, decoded with :func:`decode` (never raises on bad
    markup; an empty document becomes an empty ``<html>``), and whether parts nested
    deeper than :data:`FLAT_DEPTH` were flattened into their text.

    Raises:
        ExtractError: with ``strict``, the page nests deeper than :data:`MAX_DEPTH`, so
            the parser lost what follows (an extraction says so instead of watching a
            cut text).
    """
    text, utf8 = _decoded(body, content_type)
    markup: str | bytes
    if utf8 and not _XML_DECLARATION.match(text):
        # The same characters as bytes, which libxml2 reads as UTF-8: the same tree
        # (tests/monitor/ingest/test_html_read.py; and all 910 pages of bench/realweb, under
        # four Content-Types) for less work than a str with accents, which lxml hands over
        # re-encoded: on bench/realweb's pages (186 KB on average) 19.9 -> 16.2 million
        # instructions a parse (callgrind), 1.49 -> 1.33 ms (best of 5). An ASCII page
        # costs the same either way. A new page is parsed twice, for its text and size.
        markup, parser = body, _parser(encoding="utf-8")
    else:
        # lxml refuses str input with an encoding declaration; drop it, we decoded already.
        markup, parser = _XML_DECLARATION.sub("", text), _parser()
    try:
        doc = lxml.html.document_fromstring(markup, parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return lxml.html.document_fromstring("<html></html>"), False
    if strict and any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):
        raise ExtractError(f"the page nests elements more than {MAX_DEPTH:,} deep; the HTML parser "
                           "stops there, so the rest of its text cannot be read")
    return doc, _flatten(doc)


def parse(body: bytes, content_type: str = "") -> lxml.html.HtmlElement:
    """The tree of :func:`read`, for reading and measuring (never raises)."""
    return read(body, content_type)[0]


_DEEP = lxml.etree.XPath("/".join(["*"] * (FLAT_DEPTH - 1) + ["*[*]"]))
"""The elements at :data:`FLAT_DEPTH` below the root that have children (found in C: a
walk in Python would double the time of every parse to find the rare deep page)."""


def _flatten(doc: lxml.html.HtmlElement) -> bool:
    """Replace every element at :data:`FLAT_DEPTH` that has children by its text. Whether
    any was."""
    found = _DEEP(doc)
    deep = found if isinstance(found, list) else []
    for el in deep:
        if isinstance(el, lxml.etree._Element):
            content = el.xpath("string()")
            for child in list(el):
                el.remove(child)
            el.text = _UNSETTABLE.sub(_settable, str(content))
    return bool(deep)


_UNSETTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
"""Characters a parsed page's text may hold but lxml refuses to set as text (not allowed
in XML): a control character deep in a page made :func:`_flatten`, and so the page's
whole extraction, fail."""


def _settable(m: re.Match[str]) -> str:
    """A space for the ones that are whitespace (vertical tab, form feed, the separators
    ``\x1c``-``\x1f``), nothing for the others."""
    return " " if m.group().isspace() else ""


def select(root: lxml.html.HtmlElement, selector: str) -> list[lxml.html.HtmlElement]:
    """Elements matching a CSS selector, or an XPath expression when it starts with
    ``/`` or ``(``.

    Raises:
        RegionError: the selector is neither valid CSS nor valid XPath.
    """
    sel = selector.strip()
    try:
        if sel.startswith(("/", "(")):
            found = root.xpath(sel)
        else:
            found = root.cssselect(sel)
    except (lxml.etree.XPathError, ValueError, SyntaxError) as exc:
        raise RegionError(f"bad selector {selector!r}: {exc}") from exc
    if not isinstance(found, list):
        return []
    return [e for e in found if isinstance(e, lxml.html.HtmlElement)]


def check_selector(selector: str) -> None:
    """Raise :class:`RegionError` unless ``selector`` compiles (used when adding)."""
    select(lxml.html.document_fromstring("<html><body></body></html>"), selector)


_LINK_RUN_PARENTS = frozenset({"a", "nav", "menu", "ul", "ol", "button", "label"})
"""Parents whose inline children are separate labels (the spans of a link, a menu's
links), never pieces of one word."""


def _separate(parent: str, prev: lxml.etree._Element, child: lxml.etree._Element) -> bool:
    """Whether two adjacent inline siblings with nothing between them are separate words:
    next to a link, or inside a link or a menu. Elsewhere (``<b>Ams</b>terdam``,
    ``<span>twin</span><span>ning</span>``) inline markup may sit inside a word."""
    a, b = prev.tag, child.tag
    if not isinstance(a, str) or not isinstance(b, str):
        return False
    a, b = a.lower(), b.lower()
    if a in BLOCK_TAGS or b in BLOCK_TAGS or a in SKIP_TAGS or b in SKIP_TAGS:
        return False
    return a == "a" or b == "a" or parent in _LINK_RUN_PARENTS


LINK_OPEN, LINK_CLOSE = "\x02", "\x03"
"""What :func:`block_text` puts around the text of each ``<a>`` when asked to mark links
(control characters no page text keeps: :func:`monitor.text.normalise` drops them)."""


def block_text(elements: Iterable[lxml.etree._Element], *, normal: bool = True,
               mark_links: Callable[[lxml.etree._Element], bool] | None = None) -> str:
    """Visible text of ``elements``, one paragraph per line (block elements and ``<br>``
    break lines; scripts, styles and form controls are left out; adjacent links, and the
    labels inside a link or menu, are kept apart by a space). With ``normal=False``
    the text is not normalised (for a caller that normalises it anyway: on a 40 KB
    page, normalising costs as much again as the walk). With ``mark_links`` (and
    ``normal=False``) the text of each ``<a>`` it returns true for is put between
    :data:`LINK_OPEN` and :data:`LINK_CLOSE`, so a caller can tell which part of a line
    is such links."""
    parts: list[str] = []

    def walk(el: lxml.etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.lower()
        if tag in SKIP_TAGS or not tag:
            if el.tail:
                parts.append(el.tail)
            return
        block = tag in BLOCK_TAGS
        if block:
            parts.append("\n")
        link = mark_links is not None and tag == "a" and mark_links(el)
        if link:
            parts.append(LINK_OPEN)
        if el.text:
            parts.append(el.text)
        prev: lxml.etree._Element | None = None
        for child in el:
            if prev is not None and not prev.tail and _separate(tag, prev, child):
                parts.append(" ")
            walk(child)
            prev = child
        if link:
            parts.append(LINK_CLOSE)
        if block:
            parts.append("\n")
        elif tag in ("td", "th"):
            parts.append(" ")
        if el.tail:
            parts.append(el.tail)

    for el in elements:
        tail = el.tail
        el.tail = None
        try:
            walk(el)
        finally:
            el.tail = tail
        parts.append("\n")
    text = "".join(parts)
    return normalise(text) if normal else text


def region_text(body: bytes, content_type: str, selector: str) -> str | None:
    """The text of the region ``selector`` picks, or ``None`` when it matches nothing.

    Raises:
        ExtractError: the page nests too deep to be read whole (:func:`read`).
    """
    found = select(read(body, content_type, strict=True)[0], selector)
    if not found:
        return None
    return block_text(found)


def links(root: lxml.html.HtmlElement, base_url: str) -> list[tuple[str, str]]:
    """``(absolute URL, anchor text)`` of every ``<a href>`` in document order,
    fragments dropped, each URL once."""
    root.make_links_absolute(base_url, resolve_base_href=True, handle_failures="discard")
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for a in root.iter("a"):
        href = (a.get("href") or "").split("#", 1)[0].strip()
        if not href.startswith(("http://", "https://")) or href in seen:
            continue
        seen.add(href)
        out.append((href, normalise(a.text_content()).replace("\n", " ")))
    return out


VISIBLE_BYTES = 4_000_000
"""How much of a body :func:`visible_text` reads: the page's visible size is a yardstick for
the extracted text (collapse, share), and the first 4 MB of a page say enough."""

_INVISIBLE = ("script", "style", "noscript", "template", "svg", "head", "select", "textarea")


def visible_text(body: bytes, content_type: str = "") -> str:
    """The text a reader sees in the page's ``<body>`` (scripts, styles, templates left
    out), as lxml's ``text_content``: no block boundaries, so only for measuring and
    finding text. Reads at most :data:`VISIBLE_BYTES` of the body."""
    doc = parse(body[:VISIBLE_BYTES], content_type)
    lxml.etree.strip_elements(doc, *_INVISIBLE, with_tail=False)
    root = doc.find("body")
    return str((root if root is not None else doc).text_content())


def left_out(body: bytes, content_type: str, kept: str) -> list[str]:
    """The parts of the page's visible text that ``kept`` (an extracted text) leaves out
    whole: the outermost elements none of whose lines are in ``kept``, each as its
    text (one block per line), in page order. Reads at most :data:`VISIBLE_BYTES`."""
    doc = parse(body[:VISIBLE_BYTES], content_type)
    lxml.etree.strip_elements(doc, *_INVISIBLE, with_tail=False)
    root = doc.find("body")
    kept_solid = "".join(kept.split())
    out: list[str] = []

    def visit(el: lxml.etree._Element) -> None:
        for child in el:
            if not isinstance(child.tag, str):
                continue
            text = block_text([child])
            solid = "".join(text.split())
            if not solid or solid in kept_solid:
                continue
            if any("".join(line.split()) in kept_solid for line in text.split("\n")):
                visit(child)  # partly kept: its left-out parts are further down
            else:
                out.append(text)

    visit(root if root is not None else doc)
    return out
