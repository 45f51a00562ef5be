"""What a redirect means: a move, or housekeeping (https, www., a trailing slash)."""

from __future__ import annotations

import pytest

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
