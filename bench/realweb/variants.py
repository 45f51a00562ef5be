"""Day-2 variants of a real page: an edit only outside its gold text, an edit only inside
it, or none. Deterministic: every choice comes from a ``random.Random`` seeded by the
caller with the page id.

Both days are re-serialised by lxml from the same parse (so "identical" means identical
bytes), served as UTF-8 with the page's own charset declarations replaced by
``<meta charset="utf-8">``.

Noise edits (one per page, its kind drawn from :data:`NOISE_KINDS`):

* ``navigation``: a link added to the page's first navigation outside the article
  (``<nav>``, ``role=navigation``, class ``navigation``, ``menu``, ``main-menu`` or
  ``navbar``); a new ``<nav>`` at the top of ``<body>`` if it has none;
* ``footer``: a "last updated" line added to the page footer (``<footer>``,
  ``role=contentinfo``); a new ``<footer>`` at the end of ``<body>`` if it has none;
* ``sidebar``: a "most read" list added to an ``<aside>``; a new one at the end if none;
* ``cookie``: a consent banner of a common platform (Cookiebot, OneTrust, Didomi,
  Usercentrics, tarteaucitron, Complianz) as the first child of ``<body>``, with its own ids;
* ``timestamp``: a clock time added to the page header (``<header>``, ``role=banner``); a
  top bar with the date at the top of ``<body>`` if it has none.

An article edit replaces the longest word of a text node that lies inside the gold text
(a whole node found in the gold article, or a ``with`` snippet of trafilatura's or
postlight's gold) with a short phrase in the page's language. A snippet that runs across
inline elements (a link in its sentence) and lies in no one text node is found in the text
of the one innermost element holding it, and a text node wholly inside it is edited
(:func:`inside_snippet`).
"""

from __future__ import annotations

import random
import re

import lxml.html
from lxml import etree

NOISE_KINDS = ("navigation", "footer", "sidebar", "cookie", "timestamp")
SKIP = ("script", "style", "noscript", "template")

NAV_XPATH = "//nav | //*[@role='navigation'] | " + " | ".join(
    f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {w} ')]"
    for w in ("navigation", "menu", "main-menu", "navbar")
)
"""The page's own navigation: the ``<nav>`` element or role, or a container whose class
says so (``div.navigation``, ``ul.menu``), as many themes have no ``<nav>``."""

PHRASE = {"de": "eine korrigierte Zahl", "fr": "un chiffre corrigé", "nl": "een gecorrigeerd cijfer"}
PHRASE_DEFAULT = "a revised figure"

WORDS = {
    "en": (
        "Winter festival",
        "Last updated: 24 November 2026, 09:13",
        "Most read",
        "Tuesday 24 November 2026, 09:13",
        "We use cookies to improve your experience and to measure the audience of this site. "
        "You can accept or refuse them at any time.",
    ),
    "de": (
        "Wintermarkt",
        "Zuletzt aktualisiert: 24.11.2026, 09:13 Uhr",
        "Meistgelesen",
        "Dienstag, 24.11.2026, 09:13",
        "Wir verwenden Cookies, um Ihnen ein besseres Nutzererlebnis zu bieten und die Reichweite zu messen. "
        "Sie können Ihre Einwilligung jederzeit widerrufen.",
    ),
    "fr": (
        "Marché de Noël",
        "Mis à jour le 24/11/2026 à 09h13",
        "Les plus lus",
        "Mardi 24 novembre 2026, 09:13",
        "Nous utilisons des cookies pour améliorer votre expérience et mesurer l'audience du site. "
        "Vous pouvez les accepter ou les refuser à tout moment.",
    ),
    "nl": (
        "Winterfeest",
        "Laatst bijgewerkt op 24 november 2026 om 09:13",
        "Meest gelezen",
        "Dinsdag 24 november 2026, 09:13",
        "Wij gebruiken cookies om uw bezoek te verbeteren en het gebruik van de site te meten. "
        "U kunt ze op elk moment aanvaarden of weigeren.",
    ),
}

CONSENT = (
    (
        '<div id="CybotCookiebotDialog" name="CybotCookiebotDialog" role="dialog" class="CybotEdge">'
        '<div id="CybotCookiebotDialogBodyContent"><h2 id="CybotCookiebotDialogBodyContentTitle">Cookies</h2>'
        '<div id="CybotCookiebotDialogBodyContentText">{text}</div></div>'
        '<a id="CybotCookiebotDialogBodyLevelButtonAccept" href="#">OK</a></div>'
    ),
    (
        '<div id="onetrust-consent-sdk"><div id="onetrust-banner-sdk" class="otFlat" role="region">'
        '<div id="onetrust-policy"><p id="onetrust-policy-text">{text}</p></div>'
        '<button id="onetrust-accept-btn-handler">OK</button></div></div>'
    ),
    (
        '<div id="didomi-host" class="didomi-host"><div class="didomi-popup-container">'
        '<div class="didomi-popup-notice-text"><p>{text}</p></div>'
        '<button id="didomi-notice-agree-button">OK</button></div></div>'
    ),
    (
        '<div id="usercentrics-root"><div class="uc-banner-content"><p>{text}</p>'
        '<button data-testid="uc-accept-all-button">OK</button></div></div>'
    ),
    (
        '<div id="tarteaucitronRoot"><div id="tarteaucitronAlertBig"><span id="tarteaucitronDisclaimerAlert">'
        '{text}</span><button id="tarteaucitronPersonalize2">OK</button></div></div>'
    ),
    (
        '<div id="cmplz-cookiebanner-container"><div class="cmplz-cookiebanner cmplz-show" role="dialog">'
        '<div class="cmplz-message">{text}</div><button class="cmplz-btn cmplz-accept">OK</button></div>'
        "</div>"
    ),
)

_CHARSET = re.compile(r"^<\?xml[^>]*>", re.I)


def norm(text: str) -> str:
    return " ".join(text.split())


def parse(html: str) -> lxml.html.HtmlElement:
    """The page as a tree, its charset declarations replaced by UTF-8."""
    root = lxml.html.document_fromstring(_CHARSET.sub("", html.lstrip()))
    for meta in root.xpath(
        "//meta[@charset or translate(@http-equiv, 'CONTENT-TYP', 'content-typ')='content-type']"
    ):
        meta.getparent().remove(meta)
    heads = root.xpath("//head")
    if heads:
        meta = etree.SubElement(heads[0], "meta", charset="utf-8")
        heads[0].remove(meta)
        heads[0].insert(0, meta)
    return root


def render(root: lxml.html.HtmlElement) -> bytes:
    return lxml.html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>").encode("utf-8")


def _outside_article(el: lxml.html.HtmlElement) -> bool:
    return not any(a.tag in ("article", "main") or a.get("role") == "main" for a in el.iterancestors())


def _first(root: lxml.html.HtmlElement, xpath: str) -> lxml.html.HtmlElement | None:
    for el in root.xpath(xpath):
        if _outside_article(el):
            return el
    return None


def _body(root: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    bodies = root.xpath("//body")
    return bodies[0] if bodies else root


def _frag(html: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(html)


def noise_edit(root: lxml.html.HtmlElement, rng: random.Random, lang: str) -> str:
    """Edit ``root`` only outside its main text; returns the kind of edit (with ``+new``
    when the page had no such element and one was added)."""
    kind = rng.choice(NOISE_KINDS)
    w = WORDS.get(lang, WORDS["en"])
    body = _body(root)
    if kind == "navigation":
        nav = _first(root, NAV_XPATH)
        link = f'<a href="/winter-{rng.randint(1, 99)}">{w[0]}</a>'
        if nav is None:
            links = "".join(f'<li><a href="/section-{k}">{w[0]} {k}</a></li>' for k in range(1, 7))
            body.insert(0, _frag(f'<nav class="site-nav"><ul>{links}</ul></nav>'))
            return kind + "+new"
        lists = nav.xpath(".//ul")
        (lists[0] if lists else nav).append(_frag(f"<li>{link}</li>" if lists else link))
        return kind
    if kind == "footer":
        foot = _first(root, "//footer | //*[@role='contentinfo']")
        line = _frag(f'<p class="last-updated">{w[1]}</p>')
        if foot is None:
            new = _frag('<footer class="site-footer"></footer>')
            new.append(line)
            body.append(new)
            return kind + "+new"
        foot.append(line)
        return kind
    if kind == "sidebar":
        items = "".join(
            f'<li><a href="/read/{rng.randint(100, 999)}">{w[2]} {k}</a></li>' for k in range(1, 6)
        )
        block = _frag(f'<div class="most-read"><h3>{w[2]}</h3><ul>{items}</ul></div>')
        aside = _first(root, "//aside | //*[@role='complementary']")
        if aside is None:
            new = _frag('<aside class="sidebar"></aside>')
            new.append(block)
            body.append(new)
            return kind + "+new"
        aside.append(block)
        return kind
    if kind == "cookie":
        template = rng.choice(CONSENT)
        body.insert(0, _frag(template.format(text=w[4])))
        return kind
    header = _first(root, "//header | //*[@role='banner']")
    stamp = _frag(f'<span class="date-now">{w[3]}</span>')
    if header is None:
        bar = _frag('<div class="top-bar"></div>')
        bar.append(stamp)
        body.insert(0, bar)
        return kind + "+new"
    header.append(stamp)
    return kind


def _slots(root: lxml.html.HtmlElement) -> list[tuple[lxml.html.HtmlElement, str]]:
    """Every (element, "text" or "tail") holding visible text."""
    out = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            if el.tail:
                out.append((el, "tail"))
            continue
        if el.text and el.tag not in SKIP:
            out.append((el, "text"))
        if el.tail:
            out.append((el, "tail"))
    return out


def _runs(top: lxml.html.HtmlElement) -> list[tuple[lxml.html.HtmlElement, str]]:
    """The (element, "text" or "tail") slots making up ``top``'s text, in document order:
    its own text, then each descendant's text and tail (not ``top``'s own tail)."""
    out: list[tuple[lxml.html.HtmlElement, str]] = []
    stack: list[tuple[lxml.html.HtmlElement, bool]] = [(top, False)]
    while stack:
        el, done = stack.pop()
        if done:
            if el is not top and el.tail:
                out.append((el, "tail"))
            continue
        if isinstance(el.tag, str) and el.tag not in SKIP and el.text:
            out.append((el, "text"))
        stack.append((el, True))
        stack.extend((child, False) for child in reversed(el))
    return out


def _joined(runs: list[tuple[lxml.html.HtmlElement, str]]) -> tuple[str, list[tuple[int, int]]]:
    """The runs' text joined and whitespace-normalised, and each run's (start, end) in it
    ((0, 0) for a run of white space only)."""
    chars: list[str] = []
    spans = []
    space = False
    for el, attr in runs:
        start = -1
        for ch in getattr(el, attr):
            if ch.isspace():
                space = bool(chars)
                continue
            if space:
                chars.append(" ")
                space = False
            if start < 0:
                start = len(chars)
            chars.append(ch)
        spans.append((start, len(chars)) if start >= 0 else (0, 0))
    return "".join(chars), spans


def snippet_nodes(root: lxml.html.HtmlElement, snippet: str) -> list[tuple[lxml.html.HtmlElement, str]]:
    """The text slots of the page that hold ``snippet`` (whitespace-normalised) whole."""
    return [(el, attr) for el, attr in _slots(root) if snippet in norm(getattr(el, attr))]


def inside_snippet(root: lxml.html.HtmlElement, snippet: str) -> list[tuple[lxml.html.HtmlElement, str]]:
    """The text slots lying wholly inside ``snippet`` (whitespace-normalised) where it runs
    across several of them (a link or an emphasis in the sentence): found in the text of
    the innermost element that holds it. Empty when no element, or more than one, holds
    it (a teaser repeating the lead elsewhere would put an edit outside the article)."""
    holders = []
    todo = [root]
    while todo:
        el = todo.pop()
        inner = [
            c for c in el if isinstance(c.tag, str) and c.tag not in SKIP and snippet in _joined(_runs(c))[0]
        ]
        if inner:
            todo.extend(inner)
        elif snippet in _joined(_runs(el))[0]:
            holders.append(el)
    if len(holders) != 1:
        return []
    runs = _runs(holders[0])
    text, spans = _joined(runs)
    if text.count(snippet) != 1:
        return []
    start = text.index(snippet)
    end = start + len(snippet)
    return [run for run, (a, b) in zip(runs, spans, strict=True) if b > a and start <= a and b <= end]


def _replace_word(span: str, rng: random.Random, lang: str) -> str:
    words = span.split(" ")
    longest = max(len(x) for x in words)
    choices = [i for i, x in enumerate(words) if len(x) == longest]
    words[rng.choice(choices)] = PHRASE.get(lang, PHRASE_DEFAULT)
    return " ".join(words)


def article_edit(
    root: lxml.html.HtmlElement,
    rng: random.Random,
    lang: str,
    gold: str | None = None,
    snippets: list[str] | None = None,
) -> bool:
    """Change one word of the main text (found through ``gold`` or ``snippets``) into a
    phrase; False when no text node inside the gold text was found."""
    if gold is not None:
        gold_n = norm(gold)
        every = [(el, attr, norm(getattr(el, attr))) for el, attr in _slots(root)]
        seen: dict[str, int] = {}
        for _, _, text in every:
            seen[text] = seen.get(text, 0) + 1
        # A node whose text appears once on the page: a teaser repeating it elsewhere
        # would put the edit outside the article.
        found = [f for f in every if len(f[2]) >= 40 and f[2] in gold_n and seen[f[2]] == 1]
        if not found:
            return False
        el, attr, text = rng.choice(found)
        setattr(el, attr, _replace_word(text, rng, lang))
        return True
    cands = []
    for el, attr in _slots(root):
        text = norm(getattr(el, attr))
        for s in snippets or ():
            s_n = norm(s)
            if len(s_n) >= 15 and s_n in text:
                cands.append((el, attr, text, s_n))
    if not cands:
        # The snippet runs across inline elements: edit one whole text slot inside it,
        # keeping the white space at its edges (it may separate it from its neighbours).
        inside = [slot for s in snippets or () for slot in inside_snippet(root, norm(s))]
        if not inside:
            return False
        el, attr = rng.choice(inside)
        raw = getattr(el, attr)
        lead, trail = raw[: len(raw) - len(raw.lstrip())], raw[len(raw.rstrip()) :]
        setattr(el, attr, lead[:1] + _replace_word(norm(raw), rng, lang) + trail[:1])
        return True
    el, attr, text, s_n = rng.choice(cands)
    setattr(el, attr, text.replace(s_n, _replace_word(s_n, rng, lang), 1))
    return True
