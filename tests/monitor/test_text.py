"""The text functions' fast paths give what the general path gives."""

from __future__ import annotations

import re
import unicodedata
import zlib

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor import text as T
from monitor.ingest.kinds import html_title

# Characters that matter to normalisation: controls, escapes, CR, tabs, exotic
# spaces, bidi controls, zero-width space, combining accents, plain letters.
ALPHABET = st.sampled_from(list("ab \n\t\r\x1b[31m\x00\x07\x7f\x85\x9b\xa0\u2003\u2028"
                                "\u202e\u2067\u200b\u200ee\u0301éאñ")) | st.characters()


def reference_strip_controls(text: str) -> str:
    """strip_controls without its ASCII fast path."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x1b" in text or "\x9b" in text:
        text = T._ESCAPES.sub("", text)
    return T._CONTROL.sub("", text)


def reference_normalise(text: str) -> str:
    text = reference_strip_controls(unicodedata.normalize("NFC", text)).replace("\u200b", " ")
    lines = (" ".join(raw.split()) for raw in text.split("\n"))
    return "\n".join(line for line in lines if line)


@settings(max_examples=300, deadline=None)
@given(st.text(ALPHABET, max_size=60))
def test_strip_controls_and_normalise_match_the_general_path(text: str) -> None:
    assert T.strip_controls(text) == reference_strip_controls(text)
    assert T.normalise(text) == reference_normalise(text)
    assert T.normalise(T.normalise(text)) == T.normalise(text)


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from(list("ab  \n\n\t\r\x0b\x0c\x1f.")), max_size=60))
def test_ascii_lines_kept_as_they_are_are_those_already_single_spaced(text: str) -> None:
    """The ASCII fast path of normalise (a single-spaced line is kept without splitting)."""
    assert T.normalise(text) == reference_normalise(text)


def test_ascii_controls_are_still_removed() -> None:
    assert T.strip_controls("a\x1b[31mred\x1b[0m\rb\x00c\x7f") == "ared\nbc"
    assert T.strip_controls("plain\ttext\n") == "plain\ttext\n"


def test_stored_texts_of_any_level_read_back() -> None:
    text = "Ixelles suspend son jumelage avec Megiddo.\n" * 50
    assert T.decompress(T.compress(text)) == text
    assert T.decompress(zlib.compress(text.encode(), 9)) == text  # written by an older version


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from(list("<tiTtlLeE>/ xé")), max_size=40), st.text(max_size=20))
def test_title_found_whatever_the_case(prefix: str, title: str) -> None:
    body = f"{prefix}<TiTlE>{title}</tItLe>".encode()
    m = re.compile(rb"<title[^>]*>(.*?)</title>", re.I | re.S).search(body)
    got = html_title(body, "text/html; charset=utf-8")
    if m is None:
        assert got == ""
    else:
        expected = html_title(b"<title>" + m.group(1) + b"</title>", "text/html; charset=utf-8")
        assert got == expected


@given(st.text(ALPHABET, max_size=60))
def test_solid_length_counts_what_split_keeps(text: str) -> None:
    assert T.solid_length(text) == len("".join(text.split()))
