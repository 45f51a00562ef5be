"""PDF bytes -> paragraphs, with pypdf.

A council's minutes or a position paper grows by a dated entry now and then. Its
text is compared paragraph by paragraph, so the lines of one paragraph are joined
into one, and the page furniture that moves when a page fills up (page numbers,
running headers and footers repeated on every page) is dropped: otherwise one new
entry on page 2 would shift every later page break and look like a rewrite.

Nothing here touches the database or the network.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter

from monitor.text import agenda_point, heading_level, normalise

MAX_PAGES = 500
"""Pages read at most; a longer document is cut there (bounded time and memory)."""

_PAGE_NUMBER = re.compile(
    r"^\s*(?:(?:page|pagina|seite|p\.)\s*)?\d{1,4}(?:\s*(?:/|of|van|de|sur|von)\s*\d{1,4})?\s*$", re.I)
_ENDS_SENTENCE = re.compile(r"[.!?:;»\"”)]\s*$")
_STARTS_ENTRY = re.compile(
    r"^\s*(?:[-•–*]\s|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|\d{4}-\d{2}-\d{2}\b|\d+[.)]\s|"
    r"\d{1,2}\s+\w+\s+\d{4}\b)")


class DocumentError(ValueError):
    """The bytes are not a PDF pypdf can read."""


def is_pdf(body: bytes) -> bool:
    return body.lstrip()[:5] == b"%PDF-"


def pdf_pages(body: bytes) -> list[str]:
    """The text of each page (layout-free extraction), at most :data:`MAX_PAGES`.

    Raises:
        DocumentError: not a PDF, encrypted, or broken beyond reading.
    """
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # it warns about every odd object
    try:
        reader = PdfReader(io.BytesIO(body), strict=False)
        if reader.is_encrypted:
            raise DocumentError("the PDF is encrypted")
        pages = []
        for n, page in enumerate(reader.pages):
            if n >= MAX_PAGES:
                break
            pages.append(page.extract_text() or "")
        return pages
    except DocumentError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError,
            RecursionError) as exc:
        raise DocumentError(f"cannot read the PDF: {type(exc).__name__}: {exc}") from exc


def _furniture(pages: list[list[str]]) -> set[str]:
    """Lines repeated at the top or bottom of most pages: running headers/footers."""
    if len(pages) < 2:
        return set()
    edges: Counter[str] = Counter()
    for lines in pages:
        edges.update({line for line in lines[:2] + lines[-2:]})
    return {line for line, n in edges.items() if n >= max(2, len(pages) * 0.6)}


def paragraphs_of(pages: list[str]) -> list[str]:
    """Paragraphs of a document's pages: page numbers and running headers dropped,
    wrapped lines joined, a new paragraph at blank lines, after a line that ends a
    sentence and is shorter than most, or before a line that starts a dated or
    numbered entry; a short line shaped like a heading (:func:`monitor.text.heading_level`)
    is a paragraph of its own."""
    split = [[line.strip() for line in p.splitlines() if line.strip()] for p in pages]
    furniture = _furniture(split)
    lines = [line for page in split for line in page
             if line not in furniture and not _PAGE_NUMBER.match(line)]
    if not lines:
        return []
    widths = sorted(len(line) for line in lines)
    typical = widths[int(len(widths) * 0.75)]
    paras: list[str] = []
    current: list[str] = []
    for line in lines:
        if (len(line) < typical * 0.9 and heading_level(line)) or agenda_point(line):
            # a heading ("Agendapunt 6: Motie over Gaza", "1.1. Twinning partnerships")
            # is a paragraph of its own: the passages read it as the heading of what follows
            if current:
                paras.append(" ".join(current))
            paras.append(line)
            current = []
            continue
        if current and _STARTS_ENTRY.match(line):
            paras.append(" ".join(current))
            current = []
        current.append(line)
        if _ENDS_SENTENCE.search(line) and len(line) < typical * 0.9:
            paras.append(" ".join(current))
            current = []
    if current:
        paras.append(" ".join(current))
    # A word hyphenated across a line break is joined back.
    return [re.sub(r"(\w)- (\w)", r"\1\2", p) for p in paras]


def pdf_text(body: bytes) -> str:
    """Normalised text of a PDF, one paragraph per line."""
    return normalise("\n".join(paragraphs_of(pdf_pages(body))))
