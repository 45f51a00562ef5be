"""Main-text extraction for HTML pages: a fast path for pages that mark their main
content, trafilatura for the rest.

Most municipal CMSs put the article in ``<main>``, ``role="main"``, a single
``<article>`` or ``#content``. For those, the region is taken as it is, minus
navigation, asides, forms, cookie banners, share bars and the like -- about ten
times faster than trafilatura, which matters when thousands of pages are read per
run. Pages without such a landmark go to trafilatura. Either way navigation, cookie
banners and footers are left out: that is where most noise lives.

Class words (``sidebar``, ``pagination``, ...) are only a hint: a container that holds
most of the region's paragraph text is never dropped for its class. Consent banners of
the common platforms (Cookiebot, OneTrust, Didomi, Usercentrics, Quantcast, Klaro,
tarteaucitron, Complianz) are removed before either path sees the page. A landmark that
looks like it holds a comment thread is checked against trafilatura's text of the same
page and given up for it when the two disagree badly; the check runs only on such
landmarks, so the fast path stays fast. In a landmark without such a thread, the comment
blocks (the count, "Leave a reply", the reply form's heading) are left out.

Teaser lists inside a landmark ("related", "most read", "more from": headlines that are
links, with their summaries and dates) are cut at its head and tail, outside the span of
the landmark that trafilatura's reading of it keeps (:func:`trim_teasers`). A line of a
few words that is a link (a partner town, a label) is never a teaser, so a municipality's
list of partner towns stays whatever trafilatura thinks of it. Landmarks without such a
headline link (most municipal pages) never pay for trafilatura. On a page without a
landmark, a lead paragraph beside the only ``<h1>`` that trafilatura left out is put back
in front of its text (:func:`with_lead`). Either way, lines that are furniture whatever the
markup (an advertisement's label, a "read also" line) are left out (:mod:`plugins.furniture`).

``trylast`` so a plugin can take over pages it knows better. Bytes are decoded by
:func:`monitor.ingest.extract.html.decode` (declared charset, then UTF-8, then cp1252), so a
cp1252 page declared as UTF-8 keeps its accents.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import lxml.etree
import lxml.html
import trafilatura

from monitor.hookspecs import ExtractError, hookimpl
from monitor.ingest.extract import html
from monitor.models import Source
from plugins.furniture import drop_furniture

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

BOILERPLATE_TAGS = ("nav", "dialog", "menu", "figcaption")
"""Elements left out of a landmark whatever their text. A picture's caption and credit
("Photo: Hau Dinh, AP", often twice, with "Caption" and "Close" buttons) is not what the
page says (bench/realweb: precision median of the tuned-on pages 0.938 -> 0.948)."""
BOILERPLATE_ROLES = ("navigation", "banner", "search")
"""ARIA roles left out of a landmark whatever their text."""

HINT_TAGS = ("aside", "footer", "form")
HINT_ROLES = ("complementary", "contentinfo")
"""Elements left out of a landmark unless one holds :data:`KEEP_SHARE` of its paragraph
text, as for a class word: then it is what the page says (a video's transcript in the
article's ``<footer>``; a page wrapped whole in an ASP.NET ``<form>``)."""
BOILERPLATE_WORDS = frozenset((
    "cookie", "cookies", "consent", "gdpr", "rgpd", "banner", "share", "sharing", "social",
    "breadcrumb", "breadcrumbs", "skip", "newsletter", "related", "sidebar", "menu", "navbar", "nav",
    "navigation", "pagination", "pager", "toolbar", "print", "footer", "advert", "ads",
    "site-header", "widget", "promo", "gallery", "bio", "btn", "trending", "tags"))
"""Words of a class or id that mark an element as boilerplate (a hint: see :data:`KEEP_SHARE`).
A class is read as words split at ``-``, ``_``, spaces and case humps, so BEM and camel-case
names count too (``ShareBar``, ``NewsletterModule-title``, ``c-share__item``). ``widget``
(a theme's boxes beside the article), ``promo`` (a teaser for another story) and ``gallery``
(a slideshow: pictures, their captions and its buttons) are blocks set into the article
that are not of it (bench/realweb tuned part: precision up on 13 pages of 11 sites, down on
none); so are an author's ``bio`` box, buttons (``btn``) and ``trending`` lists (9 pages of 8
sites up, none down), and a post's list of ``tags`` (9 pages of 5 sites up, 2 of one site
down: there the tag line was where the teaser lists below the article were cut from). Not
``tag``: WordPress gives a post's wrapper a ``tag-<name>`` class for each of its tags. A pair of words
joined by ``-`` is matched against two words in a row (``site-header``, not every header)."""

META_WORDS = frozenset((
    "byline", "author", "meta", "date", "time", "timestamp", "published", "updated", "count",
    "credit", "caption"))
"""Words of a class or id that mark a line about the article rather than of it: its byline
and author, its dates, comment and share counts, a picture's credit and short caption. Such
an element is left out only while it holds no prose (fewer than :data:`PROSE_WORDS` words):
a "byline" that tells what happened, or a video's "caption" that says what it shows, is
text (bench/realweb tuned part: precision up on 68 pages of about 50 sites, down on 2)."""


def _hint(words: frozenset[str]) -> re.Pattern[str]:
    return re.compile("|".join(sorted((w.split("-")[0] for w in words), key=len, reverse=True)), re.I)


_HINT = _hint(BOILERPLATE_WORDS | META_WORDS)
"""A quick test that a class or id may hold one of :data:`BOILERPLATE_WORDS` or :data:`META_WORDS`."""
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
NONE, BOILERPLATE, META = 0, 1, 2
"""What the words of a class and id mark (:func:`_boilerplate_mark`)."""


def _boilerplate_mark(marks: str) -> tuple[int, str]:
    """What the words of a class and id (``marks``) mark: :data:`BOILERPLATE` (one of
    :data:`BOILERPLATE_WORDS`), :data:`META` (one of :data:`META_WORDS`) or :data:`NONE`;
    and the boilerplate words found, sorted, space-separated (``""`` for the others)."""
    if not _HINT.search(marks):
        return NONE, ""
    words = [w.lower() for w in _WORD.findall(marks)]
    terms = {*words, *(f"{w}-{n}" for w, n in zip(words, words[1:], strict=False))}
    found = terms & BOILERPLATE_WORDS
    if found:
        return BOILERPLATE, " ".join(sorted(found))
    return (META, "") if terms & META_WORDS else (NONE, "")


KEEP_SHARE = 0.5
"""A class-word container holding at least this share of the region's paragraph text is
the article itself (``l-sidebar-fixed l-article-body``, ``article-body pagination-first``),
not boilerplate."""

CONSENT_IDS = lxml.etree.XPath(
    "id('CybotCookiebotDialog CybotCookiebotDialogBodyUnderlay onetrust-banner-sdk"
    " onetrust-consent-sdk onetrust-pc-sdk didomi-host usercentrics-root usercentrics-cmp-ui"
    " tarteaucitronRoot qc-cmp2-container')")
"""Consent banners of the common consent platforms by id (Cookiebot, OneTrust, Didomi,
Usercentrics, tarteaucitron, Quantcast): ``id()`` reads the parser's id table, no walk."""

_CONSENT_CLASS = re.compile(r"(^|\s)(qc-cmp2-container|klaro|cmplz-cookiebanner)($|\s)")
"""Consent banners by class (Quantcast, Klaro, Complianz)."""
_CONSENT_LABEL = re.compile(r"cookie|consent", re.I)
"""The ``aria-label`` of a ``dialog`` or ``alertdialog`` that is a consent banner."""
_CONSENT_ATTRS = lxml.etree.XPath(
    "//@class[contains(., 'qc-cmp2-container') or contains(., 'klaro')"
    " or contains(., 'cmplz-cookiebanner')] | //@role[. = 'dialog' or . = 'alertdialog']")
"""Attributes of the candidates for :func:`_consent_mark`. Selecting attributes walks the
page several times faster than testing every element (a tenth of a millisecond on a 40 KB
page, against half a millisecond: more than parsing it)."""

_COMMENT_ATTRS = lxml.etree.XPath(".//@class[contains(., 'comment')] | .//@id[contains(., 'comment')]")
"""Attributes of comment-like blocks (a class or id containing ``comment``)."""

COMMENT_SHARE = 0.25
"""A landmark whose comment-like blocks (class or id containing ``comment``) hold at least
this share of its text is checked against trafilatura's estimate."""


def _owners(attrs: object) -> list[lxml.html.HtmlElement]:
    """The elements holding the attributes an attribute XPath selected, outermost only,
    in document order."""
    if not isinstance(attrs, list):
        return []
    owners = [el for a in attrs if isinstance(a, lxml.etree._ElementUnicodeResult)
              and isinstance(el := a.getparent(), lxml.html.HtmlElement)]
    seen = set(owners)
    out: list[lxml.html.HtmlElement] = []
    for el in owners:
        if el not in out and not any(a in seen for a in el.iterancestors()):
            out.append(el)
    return out


def _consent_mark(el: lxml.html.HtmlElement) -> bool:
    if _CONSENT_CLASS.search(el.get("class") or ""):
        return True
    return (el.get("role") in ("dialog", "alertdialog")
            and bool(_CONSENT_LABEL.search(el.get("aria-label") or "")))


def _elements(result: object) -> list[lxml.html.HtmlElement]:
    if not isinstance(result, list):
        return []
    return [el for el in result if isinstance(el, lxml.html.HtmlElement)]


def strip_consent(doc: lxml.html.HtmlElement) -> bool:
    """Remove consent-platform banners from ``doc``; whether there was one."""
    found = _elements(CONSENT_IDS(doc)) + [el for el in _owners(_CONSENT_ATTRS(doc))
                                           if _consent_mark(el)]
    for el in found:
        if el.getparent() is not None:
            el.drop_tree()
    return bool(found)


def _paragraph_chars(el: lxml.html.HtmlElement) -> int:
    return sum(len(p.text_content()) for p in el.iter("p"))


_PICTURE = lxml.etree.XPath(".//img | .//picture | .//video")
_NOT_PICTURE = lxml.etree.XPath(".//table | .//blockquote | .//ul | .//ol | .//pre")


def _picture_figure(el: lxml.html.HtmlElement) -> bool:
    """Whether a ``<figure>`` holds a picture (or a video) and nothing that is text of its own
    (a table, a quote, a list, code): then its text is a caption and a credit, however it is
    marked up ("Image copyright Getty Images", "Photo by ...", "(Photo: ...)"). Like a
    class word, this is a hint: a figure holding most of the paragraph text stays."""
    return bool(_PICTURE(el)) and not _NOT_PICTURE(el)


PROSE_SHARE = 0.25
"""A block marked as boilerplate (by a class word or a tag) that holds less than
:data:`KEEP_SHARE` of the paragraph text is still kept when it holds this share and reads
as an article: :data:`PROSE_RUN` paragraphs of :data:`PROSE_WORDS` words or more, and
links under :data:`LINK_SPARSE` of its text (a repository's README in a box whose class
names a code navigation script; a related-stories box has headline links)."""

LINK_SPARSE = 0.1


def _prose_block(el: lxml.html.HtmlElement, chars: int, total: int) -> bool:
    """Whether ``el``, holding ``chars`` of the ``total`` paragraph text, reads as an
    article of its own (:data:`PROSE_SHARE`)."""
    if chars < PROSE_SHARE * total:
        return False
    long = sum(1 for p in el.iter("p") if word_count(p.text_content()) >= PROSE_WORDS)
    if long < PROSE_RUN:
        return False
    text = len(el.text_content())
    return _link_chars(el) < LINK_SPARSE * max(1, text)


def _unless_together(doomed: list[lxml.html.HtmlElement], chars: dict[lxml.html.HtmlElement, int],
                     total: int, words: dict[lxml.html.HtmlElement, str],
                     root: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """``doomed`` without the elements of a kind that together hold :data:`KEEP_SHARE`
    of the ``total`` paragraph text: an article cut into several blocks between
    advertisements ("sidebar-grid__container" five times) is the page's text however its
    class reads, though no block alone holds most of it. ``chars``: the paragraph text of
    each element marked by a hint (not :data:`BOILERPLATE_TAGS`).

    Elements marked by the same class words (``words``), whatever their tag and the rest
    of their class, are a kind too when no kind above carries those words, measured by
    the text of ``root`` that is not a link's: a site builder that calls every block of
    the page a ``widget`` (HubSpot's ``hs_cos_wrapper_widget``, ``widget-span``), most of
    them lists and cards rather than paragraphs, says nothing by it. Blocks that are
    mostly links (:data:`LINK_DENSE`: teasers, menus) stay boilerplate however much they
    hold together, and so do comment blocks (:data:`SPREAD`)."""
    mine = set(doomed)
    measured = [el for el in doomed if el in chars]

    def tops(kind: Callable[[lxml.html.HtmlElement], object], key: object) -> list[lxml.html.HtmlElement]:
        """The measured elements of a kind that no doomed element of the kind holds."""
        return [el for el in measured if kind(el) == key
                and not any(a in mine and kind(a) == key for a in el.iterancestors())]

    def own(el: lxml.html.HtmlElement) -> tuple[str, str]:
        return (el.tag, el.get("class", ""))

    kept: set[lxml.html.HtmlElement] = set()
    for key in {own(el) for el in measured}:
        if sum(chars[el] for el in tops(own, key)) >= KEEP_SHARE * total:
            kept.update(el for el in measured if own(el) == key)
    # A word that a kept kind carries is explained by that kind (the article's blocks):
    # the word's other blocks stay boilerplate.
    marked = {words[el] for el in measured if el in words} - {words.get(el) for el in kept}
    plain = _plain_chars(root) if marked else 0
    for found in marked:
        members = [el for el in tops(words.get, found) if not _comment_like(el)]
        if len(members) < SPREAD:
            continue
        text = sum(_shown_chars(el) for el in members)
        linked = sum(_link_chars(el) for el in members)
        if text - linked >= KEEP_SHARE * plain and linked < LINK_DENSE * max(1, text):
            kept.update(el for el in measured if words.get(el) == found and not _comment_like(el))
    if not kept:
        return doomed
    return [el for el in doomed if el not in kept]


SPREAD = 3
"""The fewest blocks a class word marks for it to be a site builder's word for every block.
A comment block (class or id containing ``comment``: a thread in a ``xenforo-comment-widget``)
is never one of them: comments are decided by :func:`drop_unconfirmed_comments` and
:func:`strip_comment_furniture`."""


def _comment_like(el: lxml.html.HtmlElement) -> bool:
    return "comment" in f"{el.get('class', '')} {el.get('id', '')}".lower()


LINK_DENSE = 0.3
"""Blocks whose text is this share links or more are teasers and menus: a class word that
marks such blocks marks boilerplate however much of the text they hold together."""


def _link_chars(el: lxml.html.HtmlElement) -> int:
    """The characters of ``el``'s text inside its links."""
    return sum(len(a.text_content()) for a in el.iter("a"))


def _shown_chars(el: lxml.html.HtmlElement) -> int:
    """The characters of ``el``'s text, its scripts' and styles' left out."""
    return len(el.text_content()) - sum(len(s.text or "") for s in el.iter("script", "style"))


def _plain_chars(el: lxml.html.HtmlElement) -> int:
    """The characters of ``el``'s text (:func:`_shown_chars`) that are not a link's."""
    return _shown_chars(el) - _link_chars(el)


def _strip_boilerplate(root: lxml.html.HtmlElement) -> None:
    doomed = []
    by_class = []
    words: dict[lxml.html.HtmlElement, str] = {}
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        role = el.get("role")
        if el.tag in BOILERPLATE_TAGS or role in BOILERPLATE_ROLES:
            doomed.append(el)
            continue
        if el.tag in HINT_TAGS or role in HINT_ROLES:
            by_class.append(el)
            continue
        if el.tag == "figure" and _picture_figure(el):
            by_class.append(el)
            continue
        marks = f"{el.get('class', '')} {el.get('id', '')}"
        if not marks.strip() or el.tag in ("main", "article", "body"):
            continue
        mark, found = _boilerplate_mark(marks)
        if mark == BOILERPLATE:
            by_class.append(el)
            words[el] = found
        elif mark == META and word_count(el.text_content()) < PROSE_WORDS:
            by_class.append(el)
    if by_class:
        # Class words and the tags above are hints: measured only when one matched.
        total = _paragraph_chars(root)
        chars = {el: _paragraph_chars(el) for el in by_class}
        doomed += [el for el in by_class
                   if not total or chars[el] < KEEP_SHARE * total and not _prose_block(el, chars[el], total)]
        if total and doomed:
            doomed = _unless_together(doomed, chars, total, words, root)
    for el in doomed:
        parent = el.getparent()
        if parent is not None:
            el.drop_tree()


COMMENT_WORDS = frozenset(("comment", "comments"))
"""Words of a class or id that mark a comment block (read as :data:`BOILERPLATE_WORDS` are)."""


def strip_comment_furniture(region: lxml.html.HtmlElement) -> bool:
    """Remove the comment blocks of a landmark that holds no comment thread worth checking
    (under :data:`COMMENT_SHARE` of its text): the comment count, "Leave a reply", the
    reply form's heading, "View comments" buttons. Only blocks whose class or id has
    ``comment`` as a word go (not ``commentary``), and never one holding :data:`KEEP_SHARE`
    of the landmark's paragraph text. Whether one went."""
    found = _COMMENT_ATTRS(region)
    attrs = [a for a in found if isinstance(a, str)
             and COMMENT_WORDS & {w.lower() for w in _WORD.findall(a)}] if isinstance(found, list) else []
    blocks = _owners(attrs)
    if not blocks:
        return False
    total = _paragraph_chars(region)
    doomed = [el for el in blocks if not total or _paragraph_chars(el) < KEEP_SHARE * total]
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()
    return bool(doomed)


CONFIRMED = 0.5
"""A comment-like block of a landmark that agrees with trafilatura's estimate stays when at
least this share of its words is in the estimate (then it is the article's own text)."""


def drop_unconfirmed_comments(region: lxml.html.HtmlElement, estimate: str) -> bool:
    """Remove the comment-like blocks (class or id containing ``comment``) of a landmark
    whose words are mostly not in trafilatura's ``estimate`` of the page: the thread under
    an article, when the two agree on the rest. Whether one went."""
    est = _words(estimate)
    doomed = [el for el in _owners(_COMMENT_ATTRS(region))
              if (words := _words(el.text_content())) and len(words & est) < CONFIRMED * len(words)]
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()
    return bool(doomed)


def _comment_share(region: lxml.html.HtmlElement, text: str) -> float:
    found = _owners(_COMMENT_ATTRS(region))
    return sum(len(el.text_content()) for el in found) / max(1, len(text))


def _words(text: str) -> set[str]:
    return set(text.lower().split())


def disagrees(landmark: str, estimate: str) -> bool:
    """Whether the landmark's text and an independent estimate of the main text disagree
    badly: the landmark holds more than twice the estimate, the estimate's words being
    in it (it also holds comments, lists, ...), or the two share under half the words."""
    est = _words(estimate)
    if not est:
        return False
    inside = len(est & _words(landmark)) / len(est)
    return inside < 0.5 or (inside >= 0.8 and len(landmark) > 2 * len(estimate))


def landmark_text(doc: lxml.html.HtmlElement) -> str | None:
    """The text of the page's main-content landmark (one block per line, not yet
    normalised), or ``None`` without one."""
    region = _landmark(doc)
    return None if region is None else "\n".join(line for line, _ in _lines(region[1]))


_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
"""Letters of scripts written without spaces between words (Chinese characters, kana)."""

UNSPACED_PER_WORD = 2
"""Characters of :data:`_UNSPACED` that count as one word (a Japanese or Chinese word is one
to three characters)."""


def word_count(text: str) -> int:
    """The words of ``text``: its space-separated tokens, and in scripts written without
    spaces one word per :data:`UNSPACED_PER_WORD` characters, so a Japanese headline
    counts as the dozen words it says, not as the one or two tokens it is."""
    tokens = len(text.split())
    if text.isascii():
        return tokens
    unspaced = len(_UNSPACED.findall(text))
    return tokens + unspaced // UNSPACED_PER_WORD if unspaced else tokens


TEASER_WORDS = 5
"""A line of at least this many words that is mostly link text is a headline teaser
("Tribune Publishing renames itself Tronc as its dispute with Gannett continues"); a
shorter one is a name or a label (a partner town, "Facebook", "Next page")."""

PROSE_WORDS = 15
"""A line of at least this many words that is mostly not link text is prose."""

LINK_SHARE = 0.5
"""The share of a line's characters (spaces not counted) inside links from which the
line is mostly link text."""

PROSE_RUN = 3
"""This many prose lines in a row below the article are more of it (the next posts of a
blog's front page), not a teaser's summary (one or two lines)."""

LIST_GAP = 3
"""Two teasers at most this many lines apart are in one teaser list."""

OTHER, TEASER, PROSE, LABEL = 0, 1, 2, 3
"""The kinds of a landmark's lines (:func:`_lines`); a :data:`LABEL` is a line of fewer than
:data:`TEASER_WORDS` words with no link in it (a heading such as "Most popular")."""

DOCUMENT_SUFFIXES = (".pdf", ".doc", ".docx", ".odt", ".ods", ".odp", ".rtf", ".xls", ".xlsx",
                     ".ppt", ".pptx", ".csv", ".zip")
"""A link to a file with one of these suffixes is a document (a council decision, a
regulation), never a teaser, however long its text."""


def _teaser_link(a: lxml.etree._Element) -> bool:
    """Whether a link may be part of a teaser: any link but one to a document."""
    href = (a.get("href") or "").split("#", 1)[0].split("?", 1)[0].lower()
    return not href.endswith(DOCUMENT_SUFFIXES)


_MARKS = re.compile(f"([{html.LINK_OPEN}{html.LINK_CLOSE}\n])")


def _lines(marked: str) -> list[tuple[str, int]]:
    """The lines of a text marked by ``block_text(mark_links=...)`` that hold words,
    markers removed, each with its kind: :data:`TEASER`, :data:`PROSE` or :data:`OTHER`."""
    out: list[tuple[str, int]] = []
    line: list[str] = []
    linked = solid = 0
    depth = 0
    for piece in _MARKS.split(marked + "\n"):
        if piece == html.LINK_OPEN:
            depth += 1
        elif piece == html.LINK_CLOSE:
            depth = max(0, depth - 1)
        elif piece == "\n":
            text = "".join(line)
            words = word_count(text)
            if words:
                dense = linked >= LINK_SHARE * max(1, solid)
                out.append((text, TEASER if words >= TEASER_WORDS and dense
                            else PROSE if words >= PROSE_WORDS and not dense
                            else LABEL if words < TEASER_WORDS and not linked else OTHER))
            line, linked, solid = [], 0, 0
        elif piece:
            line.append(piece)
            n = len("".join(piece.split()))
            solid += n
            if depth:
                linked += n
    return out


PROBES = 400
"""How many lines :func:`trim_teasers` tries from each end of a landmark to find the first
and the last line the estimate holds; without one there, nothing is cut."""

WINDOW = 65_536
"""How much of each end of the estimate those lines are looked for in (an estimate of the
landmark alone begins and ends with lines of it): with :data:`PROBES`, this bounds the
search on a page of any size."""

MAX_CHECKED = 300_000
"""A landmark with more characters than this is not checked for teaser lists (a news
page is a few tens of KB; trafilatura takes about a second for each 500 KB of landmark)."""


def _shared(lines: list[tuple[str, int]], order: range, est: str) -> int | None:
    """The first index in ``order`` whose line (spaces not counted, at least 10
    characters) is in ``est``."""
    for i in order:
        solid = "".join(lines[i][0].split())
        if len(solid) >= 10 and solid in est:
            return i
    return None


def _heading(line: tuple[str, int]) -> bool:
    """Whether a line reads as a heading: a :data:`LABEL` that neither begins in lower case
    nor ends a sentence or a clause (not the tail of a sentence split by an inline link)."""
    text = line[0].strip()
    return (line[1] == LABEL and not text[:1].islower()
            and (not text.endswith((".", ",", ";")) or text.endswith("...")))


def trim_teasers(lines: list[tuple[str, int]], estimate: str) -> list[str]:
    """The lines of a landmark without the teaser lists at its head and tail.

    ``estimate`` (trafilatura's text of the landmark) gives the span of the article:
    from the first to the last line of the landmark that it holds too (looked for near
    the ends only: :data:`PROBES`, :data:`WINDOW`), and on through any run of
    :data:`PROSE_RUN` prose lines below it (the later posts of a blog's front page).
    Below the span, everything from its first teaser line (a headline that is a link)
    on goes, with the headings right above it (:func:`_heading`): the "related", "most
    read" and "more from" blocks with their headings, one-line summaries, dates and
    section names. Above it, everything down to the last teaser of
    a list (two teasers at most :data:`LIST_GAP` lines apart) goes; a lone link line
    there (a byline, the first headline of a news list that trafilatura took for a
    title) stays. Inside the span nothing goes, and neither do short link lines outside
    it (a list of partner towns, each a link, that trafilatura left out). Without a
    line in common, nothing goes."""
    est = "".join(estimate.split())
    first = _shared(lines, range(min(PROBES, len(lines))), est[:WINDOW])
    last = _shared(lines, range(len(lines) - 1, max(-1, len(lines) - 1 - PROBES), -1), est[-WINDOW:])
    if first is None or last is None or last < first:
        return [line for line, _ in lines]
    run = 0
    for i in range(len(lines) - 1, last, -1):
        run = run + 1 if lines[i][1] == PROSE else 0
        if run == PROSE_RUN:
            last = i + PROSE_RUN - 1
            break
    cut = next((i for i in range(last + 1, len(lines)) if lines[i][1] == TEASER), len(lines))
    while cut < len(lines) and cut - 1 > last and _heading(lines[cut - 1]):
        cut -= 1  # the list's heading ("Most popular", "More on this story") goes with it
    above = [i for i in range(first) if lines[i][1] == TEASER]
    listed = [b for a, b in zip(above, above[1:], strict=False) if b - a <= LIST_GAP]
    top = listed[-1] + 1 if listed else 0
    return [line for line, _ in lines[top:cut]]


LANDMARK_NAMES = ("<main>", "role=main", "<article>", "#content")
"""How :func:`extraction_path` names each of :data:`LANDMARKS`."""


def _landmark(doc: lxml.html.HtmlElement) -> tuple[lxml.html.HtmlElement, str, str] | None:
    """The page's main-content landmark: the element, its text with links marked
    (:func:`_teaser_link`) and its name."""
    for xpath, name in zip(LANDMARKS, LANDMARK_NAMES, strict=True):
        found = doc.xpath(xpath)
        if len(found) != 1:
            continue
        region = found[0]
        _strip_boilerplate(region)
        # Not normalised here: the caller (monitor's ingest) normalises every
        # extractor's text. The threshold counts the characters that are not spaces.
        marked = _marked(region)
        if _solid(marked) or _holds_the_page(doc, marked):
            if name == "#content":
                name = f"#{region.get('id')}"
            return region, marked, name
    return None


def _unmarked(marked: str) -> tuple[str, list[tuple[str, int]]]:
    """A landmark's text without its link marks, and its lines with their kinds (none for a
    text without links, as most landmarks of municipal pages are, or longer than
    :data:`MAX_CHECKED`: its teasers are not looked for)."""
    if html.LINK_OPEN not in marked:
        return marked, []
    lines = _lines(marked)
    text = "\n".join(line for line, _ in lines)
    return text, lines if len(text) <= MAX_CHECKED else []


def _marked(region: lxml.html.HtmlElement) -> str:
    """The text of a landmark, one block per line, its links marked (:func:`_teaser_link`)."""
    return html.block_text([region], normal=False,
                           mark_links=_teaser_link if region.find(".//a") is not None else None)


def _solid(text: str) -> bool:
    return len(text) - sum(text.count(c) for c in " \n\t\r") >= MIN_TEXT


SMALL_TEXT = 40
"""A landmark under :data:`MIN_TEXT` is still the page's text from this many characters on,
when it holds most of what the page says (:func:`_holds_the_page`)."""

_PAGE_WORDS = ("//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript or "
               "ancestor::template or ancestor::nav or ancestor::header or ancestor::footer or "
               "ancestor::aside)]")


def _holds_the_page(doc: lxml.html.HtmlElement, text: str) -> bool:
    """Whether a small landmark (a short partner table on a town's page) holds most of
    the page's text outside its navigation, header, footer and asides: then it is the
    page's text, as it will be once the page grows past :data:`MIN_TEXT`, and the page
    does not switch ways (and layouts: trafilatura writes a table's cells one per line)
    when it does. An empty ``<main>`` shell beside the real content holds little of it."""
    solid = len("".join(text.split()))
    if solid < SMALL_TEXT:
        return False
    found = doc.xpath(_PAGE_WORDS)
    page = sum(len("".join(str(t).split())) for t in found) if isinstance(found, list) else 0
    return solid >= 0.6 * page


def with_lead(doc: lxml.html.HtmlElement, text: str) -> str:
    """``text`` (trafilatura's reading of a page without a landmark) with the page's lead
    put back in front: the paragraphs of prose (:data:`PROSE_WORDS`, mostly not links)
    that follow the page's only ``<h1>`` in its container, before the first of them that
    ``text`` holds. trafilatura often leaves out a lead set apart from the article body,
    beside the headline, and an edit there would go unseen. Dates, places, captions and
    link lines beside the headline stay out (too short, or links)."""
    heads = doc.xpath("//h1")
    if not isinstance(heads, list) or len(heads) != 1 or not text.strip():
        return text
    solid = "".join(text.split())
    lead: list[str] = []
    for el in heads[0].itersiblings():
        if not isinstance(el.tag, str):
            continue
        block = html.block_text([el])
        if not block:
            continue
        if "".join(block.split())[:200] in solid:
            break  # the article trafilatura kept begins here
        linked = _link_chars(el)
        if el.tag == "p" and word_count(block) >= PROSE_WORDS and linked < LINK_SHARE * len(block):
            lead.append(block)
    return "\n".join([*lead, text])


def _alone(region: lxml.html.HtmlElement) -> str:
    """A page holding only ``region`` (already without its boilerplate)."""
    return f"<html><body>{lxml.html.tostring(region, encoding='unicode', with_tail=False)}</body></html>"


_GLUED_LINKS = re.compile(r"(</a\s*>)(?=<a[\s>])", re.I)


def _trafilatura(page: str, url: str) -> str:
    # Adjacent links with nothing between them would be glued into one word ("Page 1Page 2").
    extracted = trafilatura.extract(
        _GLUED_LINKS.sub(r"\1 ", page),
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


@hookimpl(trylast=True)
def extract_text(source: Source, url: str, body: bytes, content_type: str) -> str | None:
    text = _extract(url, body, content_type)[0]
    return drop_furniture(text) if text else text


@hookimpl
def extraction_path(source: Source, url: str, body: bytes, content_type: str) -> str | None:
    """Which way :func:`extract_text` takes for this page: ``landmark <main>`` (or
    ``role=main``, ``<article>``, ``#content``), ``trafilatura`` (with why, when a
    landmark was given up), or ``plain text``."""
    return _extract(url, body, content_type)[1]


def _extract(url: str, body: bytes, content_type: str) -> tuple[str | None, str | None]:
    """The main text and the way it was found."""
    mime = content_type.split(";")[0].strip().lower()
    if mime == "text/plain":
        return html.decode(body, content_type), "plain text"
    if mime not in HTML_TYPES:
        return None, None
    if not body.strip():
        return "", "empty page"
    doc, flattened = html.read(body, content_type, strict=True)
    # trafilatura reads the page as served unless a consent banner had to come out or deep
    # parts were flattened (its own parser would stop at 256 levels and lose the rest).
    page = (lxml.html.tostring(doc, encoding="unicode") if strip_consent(doc) or flattened
            else html.decode(body, content_type))
    found = _landmark(doc)
    if found is not None:
        region, marked, name = found
        text, lines = _unmarked(marked)
        comments = _comment_share(region, text) >= COMMENT_SHARE
        if not comments and strip_comment_furniture(region):
            text, lines = _unmarked(_marked(region))
        if not comments and not any(kind == TEASER for _, kind in lines):
            return text, f"landmark {name}"
        # Only landmarks that may hold a comment thread or teaser lists pay for the estimate;
        # for teasers alone, trafilatura reads the landmark only (as good, and faster).
        estimate = _trafilatura(page if comments else _alone(region), url)
        if comments and _solid(estimate) and disagrees(text, estimate):
            return estimate, f"trafilatura (the landmark {name} looked like a comment thread)"
        checked = "checked against trafilatura"
        if comments and _solid(estimate) and drop_unconfirmed_comments(region, estimate):
            checked = "comment blocks left out against trafilatura"
            text, lines = _unmarked(_marked(region))
        kept = trim_teasers(lines, estimate)
        if len(kept) < len(lines):
            return "\n".join(kept), f"landmark {name} (teaser lists cut against trafilatura)"
        return text, f"landmark {name} ({checked})"
    text = _trafilatura(page, url)
    text = with_lead(doc, text)
    if not text.strip():
        found_frames = doc.xpath("//frame/@src | //iframe/@src")
        frames = [str(src) for src in found_frames] if isinstance(found_frames, list) else []
        if frames:
            raise ExtractError("no text in the page itself: its content is in frames ("
                               + ", ".join(frames[:5]) + "); watch the frame's own address")
    return text, "trafilatura (no landmark with enough text)"
