"""Changed paragraphs in their context: what the analyzers read beside the bare diff.

A municipality's decision often shows as a list edit: "Megiddo (Israel)" disappears
from the list under "1.1. Twinning partnerships". The removed line alone says
nothing; under its heading it says the twinning ended. So each added, removed and
edited paragraph of a change becomes a :class:`monitor.models.Passage` with its role
(heading, label, list item, table row, paragraph), its heading path and its
neighbours on its side of the diff.

Roles come from the page's structure when ingest has it (:func:`html_outline`, the
HTML page's headings, list items, definition terms, captions and table headers, read
only for a page that changed), else from the text's own shape (numbered headings,
agenda points, lines ending in a colon, runs of short lines under a label). A removed
line's context is read in the old text, with the new page's roles for the lines both
share.

Everything is bounded (docs/security.md): :data:`MAX_PASSAGES` passages per change,
:data:`MAX_DEPTH` headings per path, :data:`CLIP` characters per context line, one
linear pass over each side's lines. What is left out is still in the change's
``added``/``removed``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import lxml.etree
import lxml.html

from monitor.ingest.extract import html
from monitor.ingest.extract.pdf import is_pdf
from monitor.models import DiffOp, FetchResult, Passage
from monitor.text import HEADING_LINE, heading_level, normalise, paragraphs

MAX_PASSAGES = 200
"""Passages built for one change; an overview that gains 10,000 lines in a day gets
context for its first 200 (analyzers cap events lower still: ``MAX_EVENTS``)."""

MAX_DEPTH = 8
"""Headings kept per path, the nearest ones (a page nested 50 levels deep keeps 8)."""

CLIP = 300
"""Characters kept of each heading, label and neighbour."""

OUTLINE_ELEMENTS = 20_000
"""Elements of a page's outline read at most (the page's first ones)."""

_HEADING_LEVEL = {f"h{n}": n for n in range(1, 7)}
_LABEL_LEVEL = 7
"""A label sits below every heading: it introduces the items that follow it."""

_TERMINAL = re.compile(r"[.!?;,]$")
SHORT_LINE = HEADING_LINE
"""A line this long or shorter, without closing punctuation, may be an item."""


def _clip(text: str) -> str:
    return text if len(text) <= CLIP else text[: CLIP - 1] + "…"


def html_outline(body: bytes, content_type: str = "") -> dict[str, str]:
    """The roles of an HTML page's structural lines, by their normalised text:
    headings (``h1``-``h6``), labels (``caption``, ``dt``, ``legend``, ``figcaption``,
    ``summary``), list items, table header rows and table rows.

    An element whose text spans several lines or is longer than :data:`CLIP`
    characters is left out (it is read by its text's shape instead). Bounded by
    :data:`OUTLINE_ELEMENTS`; a page lxml cannot read has no outline.
    """
    try:
        root = html.parse(body, content_type)
    except (ValueError, lxml.etree.LxmlError):
        return {}
    out: dict[str, str] = {}
    seen = 0
    for el in root.iter("h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "caption", "legend",
                        "figcaption", "summary", "tr"):
        seen += 1
        if seen > OUTLINE_ELEMENTS:
            break
        tag = el.tag
        if tag == "tr":
            header = len(el) > 0 and all(isinstance(c.tag, str) and c.tag == "th" for c in el)
            role = "header" if header else "row"
            text = " ".join(normalise(c.text_content()) for c in el if isinstance(c.tag, str))
        else:
            role = tag if tag in _HEADING_LEVEL else "item" if tag == "li" else "label"
            text = normalise(el.text_content())
        if not text or "\n" in text or len(text) > CLIP:
            continue
        out.setdefault(" ".join(text.split()), role)
        if tag == "tr":  # trafilatura writes a table row as Markdown
            cells = (" ".join(normalise(c.text_content()).split()) for c in el if isinstance(c.tag, str))
            out.setdefault("| " + " | ".join(cells) + " |", role)
    return out


def _is_html(result: FetchResult) -> bool:
    ctype = result.headers.get("content-type", "").split(";")[0].strip().lower()
    return bool(result.body) and not is_pdf(result.body) and (
        "html" in ctype or (not ctype and result.body.lstrip()[:1] == b"<"))


def page_outline(result: FetchResult) -> dict[str, str] | None:
    """The outline of a fetched HTML page (``None`` for anything else: its text's
    shape is all there is). Ingest calls it only for a page that changed."""
    if not _is_html(result):
        return None
    return html_outline(result.body, result.headers.get("content-type", ""))


def page_date(result: FetchResult) -> str | None:
    """The publication date an HTML page declares in its markup (``<time>``,
    ``article:published_time``, schema.org and the like, read by htmldate without its
    slow text search), as ISO ``YYYY-MM-DD``; ``None`` when it declares none."""
    if not _is_html(result):
        return None
    import htmldate  # on a changed page only: not on a crawl's start-up path

    try:
        found = htmldate.find_date(html.decode(result.body, result.headers.get("content-type", "")),
                                   extensive_search=False, original_date=True, outputformat="%Y-%m-%d")
    except Exception:  # noqa: BLE001 - a date is a hint; a page htmldate cannot read has none
        return None
    return found or None


def shape_role(line: str) -> str:
    """A line's role from its own shape, without the page's structure."""
    if line.startswith("|") and line.endswith("|"):  # a Markdown table row (trafilatura)
        return "row"
    if len(line) <= SHORT_LINE * 2 and line.endswith(":"):
        return "label"
    level = heading_level(line)
    return f"h{level}" if level else "paragraph"


def roles(lines: Sequence[str], outline: Mapping[str, str] | None) -> list[str]:
    """The role of each line: the outline's where it knows the line, else its shape;
    a run of short lines right after a label or heading is a list of items."""
    known = outline or {}
    # a line the outline lacks (removed since) that starts like the page's small
    # headings ("Geraardsbergen – Steinfurt (Duitsland)" among card titles) is one of them
    card: dict[str, str] = {}
    for text, kind in known.items():
        if kind in ("h3", "h4", "h5", "h6") and text.split():
            first = text.split()[0]
            card[first] = kind if card.get(first, kind) == kind else ""
    out: list[str] = []
    for line in lines:
        role = known.get(line)
        if role is None and card and len(line) <= SHORT_LINE and not _TERMINAL.search(line):
            role = card.get(line.split()[0]) if line.split() else None
        out.append(role or shape_role(line))
    # short unpunctuated lines directly under a heading or label read as its items
    # (a list flattened into lines: a PDF, or a page without markup)
    for i, line in enumerate(lines):
        if out[i] != "paragraph" or line in known:
            continue
        if len(line) > SHORT_LINE or _TERMINAL.search(line):
            continue
        prev = out[i - 1] if i else ""
        if prev in ("label", "item") or prev in _HEADING_LEVEL:
            nxt_short = i + 1 < len(lines) and len(lines[i + 1]) <= SHORT_LINE and not _TERMINAL.search(
                lines[i + 1])
            if prev == "item" or nxt_short or prev == "label":
                out[i] = "item"
    return out


def _paths(lines: Sequence[str], role_of: Sequence[str],
           wanted: set[int]) -> dict[int, tuple[tuple[str, ...], str]]:
    """The heading path and label of each wanted line, in one pass over the lines."""
    stack: list[tuple[int, str]] = []
    out: dict[int, tuple[tuple[str, ...], str]] = {}
    for i, (line, role) in enumerate(zip(lines, role_of, strict=True)):
        if i in wanted:
            own = _HEADING_LEVEL.get(role, _LABEL_LEVEL + 1)  # a heading sits under its parents only
            above = [(level, t) for level, t in stack if level < own]
            label = above[-1][1] if above and above[-1][0] == _LABEL_LEVEL else ""
            heads = [t for level, t in above if level != _LABEL_LEVEL]
            out[i] = tuple(_clip(t) for t in heads[-MAX_DEPTH:]), _clip(label)
        level = _HEADING_LEVEL.get(role)
        if role in ("label", "header"):
            level = _LABEL_LEVEL
        elif role == "paragraph" and stack and stack[-1][0] == _LABEL_LEVEL:
            stack.pop()  # a label introduces what follows it, up to the next paragraph
        if level is not None:
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, line))
    return out


def _side(lines: list[str], role_of: list[str], index: dict[str, int],
          texts: Sequence[tuple[int, str]]) -> dict[int, Passage]:
    """Passages of the lines ``texts`` (``(order, text)``) found on one side."""
    at = {order: index[text] for order, text in texts if text in index}
    paths = _paths(lines, role_of, set(at.values()))
    out: dict[int, Passage] = {}
    for order, i in at.items():
        role = role_of[i]
        items = 0
        if role == "item":
            lo = i
            while lo > 0 and role_of[lo - 1] == "item":
                lo -= 1
            hi = i
            while hi + 1 < len(lines) and role_of[hi + 1] == "item":
                hi += 1
            items = hi - lo + 1
        out[order] = Passage(text=lines[i], side="", role=role, headings=paths[i][0], label=paths[i][1],
                             before=_clip(lines[i - 1]) if i else "",
                             after=_clip(lines[i + 1]) if i + 1 < len(lines) else "", items=items)
    return out


def passages(old: str, new: str, ops: Sequence[DiffOp],
             outline: Mapping[str, str] | None = None) -> tuple[Passage, ...]:
    """The passages of a change from ``old`` to ``new`` with diff ``ops``: added and
    edited paragraphs read in the new text, removed ones in the old, in diff order.
    At most :data:`MAX_PASSAGES`."""
    wanted = [op for op in ops if op.op in ("added", "removed", "changed")][:MAX_PASSAGES]
    if not wanted:
        return ()
    result: dict[int, Passage] = {}
    new_side = [(n, op.new) for n, op in enumerate(wanted) if op.op in ("added", "changed")]
    old_side = [(n, op.old) for n, op in enumerate(wanted) if op.op == "removed"]
    if new_side:
        lines = paragraphs(new)
        index = {line: i for i, line in reversed(list(enumerate(lines)))}
        result.update(_side(lines, roles(lines, outline), index, new_side))
    if old_side:
        lines = paragraphs(old)
        index = {line: i for i, line in reversed(list(enumerate(lines)))}
        result.update(_side(lines, roles(lines, outline), index, old_side))
    out = []
    for n, op in enumerate(wanted):
        p = result.get(n)
        text = op.old if op.op == "removed" else op.new
        if p is None:
            p = Passage(text=text, side="")
        out.append(Passage(text=text, side=op.op, role=p.role, headings=p.headings, label=p.label,
                           before=p.before,
                           after=p.after, items=p.items, old=op.old if op.op == "changed" else ""))
    return tuple(out)
