"""What a redirect means: a move, or housekeeping (https, www., a trailing slash); how much
text a page shows, which decides whether its markers can make it a wall or a dead page."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from monitor.ingest import recognise
from monitor.ingest.recognise import moved
from monitor.models import FetchResult


def _redirected(start: str, status: int, end: str) -> FetchResult:
    return FetchResult(source_id=1, url=end, status=200, body=b"<p>x</p>", redirects=((start, status),))


@pytest.mark.parametrize(("start", "end"), [
    ("http://gent.example/partners", "https://gent.example/partners"),
    ("https://gent.example/partners", "https://www.gent.example/partners"),
    ("https://gent.example/partners", "https://gent.example/partners/"),
    ("https://Gent.example/partners/", "https://gent.example/partners#top"),
])
def test_a_permanent_redirect_that_only_tidies_the_address_is_no_move(start, end):
    """An http -> https upgrade, a www. prefix, a trailing slash: the page is read where
    it landed, as before, and the source is not reported moved."""
    assert moved(_redirected(start, 301, end)) is None


def test_a_permanent_redirect_to_another_page_is_a_move_with_its_new_address():
    found = moved(_redirected("https://gent.example/partners", 308, "https://gent.example/international/partners"))
    assert found is not None and found.outcome == "moved"
    assert found.message.endswith("<https://gent.example/international/partners>")


_PIECES = st.one_of(
    st.text("abc xyz\n", min_size=1, max_size=3000).map(str.encode),
    st.sampled_from([b"<p>", b"</p>", b'<a href="/x">', b"</a>", b"<script>", b"</script>", b"<STYLE>",
                     b"</style>", b"<svg", b"</svg >", b"<!--", b"-->", b"<", b">", b"<noscript>",
                     b"</noscript>", b"<br/>", b"<template>", b"</template>"]),
)


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(_PIECES, min_size=1, max_size=60), limit=st.sampled_from([recognise.BARE_TEXT,
                                                                                recognise.WALL_TEXT]))
@example(pieces=[b"<p>" * 5000, b"<script>", b"y" * 3000, b"</script>"], limit=recognise.BARE_TEXT)
@example(pieces=[b"<p>" * 5000, b"<!--", b"y" * 3000, b"-->"], limit=recognise.BARE_TEXT)
@example(pieces=[b"<p>" * 5000, b'<a title="', b"y" * 3000, b'">'], limit=recognise.BARE_TEXT)
@example(pieces=[b"<p>" * 5000, b"a < b", b"y" * 3000, b">"], limit=recognise.BARE_TEXT)
@example(pieces=[b"<p>" * 1300, b"<script>", b"y" * 9000, b"</script>", b"z " * 200],
         limit=recognise.BARE_TEXT)
@example(pieces=[b"x " * 500, b"<!--", b"y" * 3000, b"-->", b"a < b", b"z" * 2000], limit=recognise.WALL_TEXT)
def test_whether_a_page_is_short_is_read_from_its_beginning_exactly_as_from_the_whole(pieces, limit):
    """A page's first parts can prove it is not short, but never say otherwise than its
    whole visible text: a script, comment or tag a part cuts (its text counted as visible
    were it read alone) is left out of it, and read whole from the next part on."""
    head = b"".join(pieces)[: recognise.HEAD_BYTES - 1]
    recognise._early_solid.cache_clear()
    recognise._visible_head.cache_clear()
    whole = len(b" ".join(recognise._visible(head).split())) < limit
    assert recognise._short(head, limit) == whole
