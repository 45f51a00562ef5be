"""Hypothesis strategies for hostile input: text with control sequences, markup and
entities; random HTML; RSS, Atom and JSON Feed documents; and byte-level mutations
of valid pages, feeds and PDFs."""

from __future__ import annotations

import json
from xml.sax.saxutils import escape

from hypothesis import strategies as st

from tests.helpers import PARTNERS, feed, page, pdf, wrap

NASTY = [
    "[bold]",
    "[/]",
    "[link=file:///etc/passwd]x[/link]",
    "\x1b[31m",
    "\x1b]0;title\x07",
    "\x00",
    "\x7f",
    "\u202e",
    "\ufeff",
    "\u2028",
    "\ud7ff",
    "&amp;",
    "&#0;",
    "&#x110000;",
    "&#xD800;",
    "&nbsp;",
    "&lol;",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "<script>alert(1)</script>",
    '=HYPERLINK("x")',
    "+cmd|' /C calc'!A0",
    "Stedenband met Megiddo opgeschort",
    "jumelage avec Zababdeh",
    "Städtepartnerschaft beendet",
    "EUR 1 000,50",
    "€ 25.000",
    "12 mars 2024",
    "2026-02-30",
    "Ixelles",
    "Gaza",
    "motie",
    "\t",
    "\n\n\n",
]

hostile_text = st.lists(
    st.one_of(
        st.sampled_from(NASTY),
        st.text(max_size=40),
        st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20),
    ),
    max_size=25,
).map("".join)
"""Text mixing words a twinning analyzer reacts to with control characters, markup
that Rich or Textual would interpret, entities and odd Unicode."""

CONTENT_TYPES = [
    "text/html; charset=utf-8",
    "text/html",
    "text/html; charset=iso-8859-1",
    "text/html; charset=x-klingon",
    "application/xhtml+xml",
    "text/plain",
    "application/octet-stream",
    "",
    "text/html; charset=utf-16",
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/pdf",
]
content_types = st.sampled_from(CONTENT_TYPES)

TAGS = [
    "p",
    "div",
    "main",
    "article",
    "nav",
    "footer",
    "h1",
    "li",
    "ul",
    "table",
    "td",
    "a",
    "script",
    "style",
    "span",
    "br",
    "section",
    "aside",
    "template",
    "svg",
    "title",
    "meta",
    "pre",
    "iframe",
]


@st.composite
def html_tree(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(st.sampled_from(TAGS))
    attrs = draw(
        st.sampled_from(
            [
                "",
                ' class="cookie-banner"',
                ' id="content"',
                ' role="main"',
                ' href="javascript:alert(1)"',
                ' href="/news/2026/1"',
                ' charset="utf-8"',
                ' href="http://other.invalid/x"',
                ' class="nav footer"',
            ]
        )
    )
    parts = []
    for _ in range(draw(st.integers(0, 4 if depth < 3 else 0))):
        if draw(st.booleans()):
            parts.append(escape(draw(hostile_text)) if draw(st.booleans()) else draw(hostile_text))
        else:
            parts.append(draw(html_tree(depth + 1)))
    closing = "" if draw(st.integers(0, 9)) == 0 else f"</{tag}>"  # sometimes left open
    return f"<{tag}{attrs}>{''.join(parts)}{closing}"


html_docs = st.builds(
    lambda head, body: f"<!doctype html><html><head>{head}</head><body>{body}</body></html>",
    st.sampled_from(
        [
            "",
            '<meta charset="utf-8">',
            '<meta charset="latin-1">',
            "<title>[bold]x</title>",
            '<meta http-equiv="refresh" content="0;url=file:///etc/passwd">',
        ]
    ),
    st.lists(html_tree(), max_size=6).map("".join),
)


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """``seed`` with a few byte-level mutations: flips, insertions, deletions,
    duplications, a truncation."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(0, 8))):
        if not data:
            break
        op = draw(st.sampled_from(["flip", "insert", "delete", "dup", "truncate", "splice"]))
        i = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[i] = draw(st.integers(0, 255))
        elif op == "insert":
            data[i:i] = draw(
                st.one_of(
                    st.binary(max_size=16),
                    st.sampled_from(
                        [
                            b"<",
                            b"&",
                            b"]]>",
                            b"\x00",
                            b"\xff\xfe",
                            b"<!ENTITY a 'aaaa'>",
                            b"endstream",
                            b"obj",
                        ]
                    ),
                )
            )
        elif op == "delete":
            del data[i : i + draw(st.integers(1, 64))]
        elif op == "dup":
            n = draw(st.integers(1, 256))
            data[i:i] = data[i : i + n] * draw(st.integers(1, 8))
        elif op == "truncate":
            del data[i:]
        else:
            j = draw(st.integers(0, len(data) - 1))
            data[i:i] = data[j : j + draw(st.integers(1, 128))]
    return bytes(data)


def _entries() -> st.SearchStrategy[list[tuple[str, str, str]]]:
    return st.lists(st.tuples(st.text(max_size=12), hostile_text, hostile_text), max_size=6)


def rss_doc(items: list[tuple[str, str, str]]) -> bytes:
    return feed(items)


def atom_doc(items: list[tuple[str, str, str]]) -> bytes:
    entries = "".join(
        f'<entry><id>{escape(g)}</id><title type="html">{escape(t)}</title>'
        f'<link href="{escape(g)}"/><content type="html">{escape(d)}</content></entry>'
        for g, t, d in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Atom</title><id>urn:x</id>{entries}</feed>"
    ).encode()


def json_feed_doc(items: list[tuple[str, str, str]]) -> bytes:
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "J",
            "items": [{"id": g, "title": t, "url": g, "content_html": d} for g, t, d in items],
        }
    ).encode()


feed_docs = st.one_of(
    _entries().map(rss_doc),
    _entries().map(atom_doc),
    _entries().map(json_feed_doc),
    mutated(feed([(f"g{i}", f"Twinning {i}", PARTNERS[i]) for i in range(4)])),
    mutated(json_feed_doc([("a", "Jumelage", "<p>Zababdeh</p>"), ("b", "Motie", "<p>Gaza</p>")])),
    st.builds(
        lambda v: json.dumps(v).encode(),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=10),
            lambda kids: (
                st.lists(kids, max_size=3)
                | st.dictionaries(
                    st.sampled_from(
                        ["items", "title", "id", "url", "content_html", "content_text", "version"]
                    ),
                    kids,
                    max_size=4,
                )
            ),
            max_leaves=12,
        ),
    ),
)
"""RSS, Atom and JSON Feed built from hostile text, mutated valid feeds, and JSON of
any shape (``items`` that is not a list, entries that are not objects)."""

page_bodies = st.one_of(
    html_docs.map(lambda s: s.encode("utf-8")),
    html_docs.map(lambda s: s.encode("cp1252", "replace")),
    mutated(page(PARTNERS)),
    st.binary(max_size=2048),
)

PDF_SEED = pdf([wrap(p) for p in PARTNERS[:3]], title="Council minutes")
pdf_bodies = mutated(PDF_SEED)
