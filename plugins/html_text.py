"""Main-text extraction for HTML pages: a fast path for pages that mark their main
content, trafilatura for the rest.

Most municipal CMSs put the article in ``<main>``, ``role="main"``, a single
``<article>`` or ``#content``. For those, the region is taken as it is, minus
navigation, asides, forms, cookie banners, share bars and the like -- about ten
times faster than trafilatura, which matters when thousands of pages are read per
run. Pages without such a landmark go to trafilatura. Either way navigation, cookie
banners and footers are left out: that is where most noise lives.

``trylast`` so a plugin can take over pages it knows better. Bytes are decoded by
:func:`monitor.ingest.extract.html.decode` (declared charset, then UTF-8, then cp1252), so a
cp1252 page declared as UTF-8 keeps its accents.
"""

from __future__ import annotations

import re

import lxml.html
import trafilatura

from monitor.hookspecs import hookimpl
from monitor.ingest.extract import html
from monitor.models import Source

HTML_TYPES = ("text/html", "application/xhtml+xml", "")
_LIST_MARKER = re.compile(r"^- ", re.M)

LANDMARKS = (
    "//main", "//*[@role='main']", "//article",
    "//*[@id='content' or @id='main' or @id='main-content' or @id='maincontent']",
)
"""XPaths of main-content landmarks, in order of trust; the first that matches
exactly one element with enough text wins."""

MIN_TEXT = 200
"""A landmark with fewer characters than this (spaces and line breaks not counted) is
not trusted (an empty ``<main>`` shell)."""

BOILERPLATE_TAGS = ("nav", "aside", "form", "footer", "dialog", "menu")
_BOILERPLATE = re.compile(
    r"(^|[\s_-])(cookie|cookies|consent|gdpr|rgpd|banner|share|sharing|social|breadcrumbs?|"
    r"skip|newsletter|related|sidebar|menu|navbar|nav|pagination|pager|toolbar|print|"
    r"site-header|site-footer|footer|advert|ads)($|[\s_-])", re.I)


def _strip_boilerplate(root: lxml.html.HtmlElement) -> None:
    doomed = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag in BOILERPLATE_TAGS or el.get("role") in ("navigation", "banner", "contentinfo",
                                                             "complementary", "search"):
            doomed.append(el)
            continue
        marks = f"{el.get('class', '')} {el.get('id', '')}"
        if marks.strip() and _BOILERPLATE.search(marks) and el.tag not in ("main", "article", "body"):
            doomed.append(el)
    for el in doomed:
        parent = el.getparent()
        if parent is not None:
            el.drop_tree()


def landmark_text(doc: lxml.html.HtmlElement) -> str | None:
    """The text of the page's main-content landmark (one block per line, not yet
    normalised), or ``None`` without one."""
    for xpath in LANDMARKS:
        found = doc.xpath(xpath)
        if len(found) != 1:
            continue
        region = found[0]
        _strip_boilerplate(region)
        # Not normalised here: the caller (monitor's ingest) normalises every
        # extractor's text. The threshold counts the characters that are not spaces.
        text = html.block_text([region], normal=False)
        if len(text) - sum(text.count(c) for c in " \n\t\r") >= MIN_TEXT:
            return text
    return None


@hookimpl(trylast=True)
def extract_text(source: Source, url: str, body: bytes, content_type: str) -> str | None:
    mime = content_type.split(";")[0].strip().lower()
    if mime == "text/plain":
        return html.decode(body, content_type)
    if mime not in HTML_TYPES:
        return None
    if not body.strip():
        return ""
    doc = html.parse(body, content_type)
    text = landmark_text(doc)
    if text is not None:
        return text
    extracted = trafilatura.extract(
        html.decode(body, content_type),
        url=url,
        output_format="txt",
        include_comments=False,
        include_tables=True,
        include_links=False,
        favor_recall=True,
        deduplicate=False,
    )
    # trafilatura marks list items with "- "; the marker is layout, not content, and
    # would otherwise show up in diffs, analyzers and exports ("- Megiddo (Israel)").
    return _LIST_MARKER.sub("", extracted or "")
