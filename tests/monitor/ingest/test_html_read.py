"""``monitor.ingest.extract.html.read`` hands libxml2 a page's bytes when they are its
UTF-8 text (faster), and the decoded text otherwise: the tree is the same either way."""

from __future__ import annotations

from pathlib import Path

import lxml.etree
import lxml.html
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from monitor.ingest.extract import html

ROOT = Path(__file__).resolve().parents[3]


def _via_text(body: bytes, content_type: str) -> bytes:
    """The tree as read from the decoded text (the way every page was read before)."""
    text = html._XML_DECLARATION.sub("", html.decode(body, content_type))
    try:
        doc = lxml.html.document_fromstring(text, parser=lxml.html.HTMLParser(huge_tree=True))
    except (lxml.etree.ParserError, ValueError):
        doc = lxml.html.document_fromstring("<html></html>")
    html._flatten(doc)
    return lxml.etree.tostring(doc)


def _read(body: bytes, content_type: str) -> bytes:
    return lxml.etree.tostring(html.read(body, content_type)[0])


CASES = [
    (b"<p>plain ASCII</p>", "text/html", True),
    ("<p>Zusammenarbeit mit Gent \u2013 caf\u00e9 \U0001F600</p>".encode(), "text/html; charset=utf-8", True),
    ("<p>caf\u00e9</p>".encode(), "text/html; charset=iso-8859-1", True),  # UTF-8 despite the header
    (b"<meta charset='windows-1252'><p>ASCII under a cp1252 label</p>", "", True),
    (b"<p>caf\xe9</p>", "text/html; charset=iso-8859-1", False),  # really Latin-1
    (b"\xef\xbb\xbf<p>caf\xc3\xa9 after a byte order mark</p>", "text/html", False),
    (b"<?xml version='1.0' encoding='ISO-8859-1'?><html><body><p>caf\xc3\xa9</p></body></html>", "", False),
    ("<p>\u043f\u0440\u0438\u0432\u0435\u0442</p>".encode("cp1251"), "text/html; charset=windows-1251",
     False),
    ("<p>x</p>".encode("utf-16"), "text/html; charset=utf-16", False),
    (b"<meta charset='cp500'><p>abc</p>", "", False),  # ASCII bytes, not ASCII text
    (b"<p>nul\x00 and \x01 control</p>", "text/html", True),
    (b"", "text/html", True),
    (b"<p>" + b"<div>" * 300 + b"deep" + b"</div>" * 300, "text/html", True),
]


@pytest.mark.parametrize("body,content_type,as_bytes", CASES)
def test_the_tree_is_the_same_whether_read_from_bytes_or_text(body, content_type, as_bytes):
    assert html._decoded(body, content_type)[1] is as_bytes or html._XML_DECLARATION.match(
        html.decode(body, content_type)) is not None
    assert _read(body, content_type) == _via_text(body, content_type)


def test_the_bundled_pages_read_the_same_both_ways():
    pages = [p for p in (ROOT / "monitor" / "demo" / "site").rglob("*.html")]
    pages += list((ROOT / "tests" / "data" / "walls").glob("*.htm*"))
    assert len(pages) >= 10
    for page in pages:
        body = page.read_bytes()
        assert html._decoded(body, "text/html")[1], page  # UTF-8 or ASCII: read as bytes
        assert _read(body, "text/html") == _via_text(body, "text/html"), page


MARKUP = st.lists(st.one_of(
    st.sampled_from(["<p>", "</p>", "<div class='x'>", "</div>", "<br>", "<!-- c -->",
                     "<script>var a=1;</script>", "&amp;", "&eacute;", "&#233;", "<meta charset='utf-8'>",
                     "<title>T</title>", "<", ">", "&"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20),
), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(MARKUP, st.sampled_from(["text/html", "text/html; charset=utf-8", "text/html; charset=iso-8859-1"]))
@example("<p>caf\u00e9 \x0c\x1f \u2028 \ufffe</p>", "text/html")
def test_any_utf8_markup_reads_the_same_both_ways(markup, content_type):
    body = markup.encode("utf-8")
    assert _read(body, content_type) == _via_text(body, content_type)


def test_control_characters_deep_in_a_page_do_not_stop_it_being_read():
    """Flattening a part nested deeper than FLAT_DEPTH sets its text, which lxml refuses
    with a control character in it: the page used to fail whole as a parse error."""
    deep = b"<div>" * (html.FLAT_DEPTH + 50)
    body = (b"<html><body><main>" + deep + b"Twinning \x01charter\x0csigned\x1f in Ghent"
            + deep.replace(b"<", b"</") + b"<p>With Pemba since 1996.</p></main></body></html>")
    doc, flattened = html.read(body, "text/html", strict=True)
    assert flattened
    text = doc.text_content()
    assert "Twinning charter signed  in Ghent" in text and "With Pemba since 1996." in text
    assert "Pemba" in html.visible_text(body, "text/html")
