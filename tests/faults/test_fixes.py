"""In-process checks of the fixes the fault scenarios led to (fast, no crawl)."""

from __future__ import annotations

import resource
import time

from monitor.ingest.extract import html
from monitor.ingest.extract.feeds import parse_feed
from tests.faults import bodies as b


def test_feed_entities_are_not_expanded():
    """A feed declaring a 10 KB entity and referencing it 20,000 times parses in
    bounded time and memory, with the references left unexpanded."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    entries = parse_feed(b.quadratic_feed(), {"content-type": "application/rss+xml"})
    assert time.monotonic() - started < 5
    assert sum(len(e.text) for e in entries) < 1_000_000
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100_000  # KiB
    lol = parse_feed(b.billion_laughs_feed(), {"content-type": "application/rss+xml"})
    assert sum(len(e.text) + len(e.title) for e in lol) < 10_000


def test_declared_latin1_loses_to_valid_utf8():
    """UTF-8 bytes behind a Latin-1 header decode as UTF-8; Latin-1 bytes stay Latin-1."""
    text = b.accented_page()
    assert "Mönchengladbach" in html.decode(text.encode("utf-8"), "text/html; charset=iso-8859-1")
    assert "Mönchengladbach" in html.decode(text.encode("latin-1"), "text/html; charset=iso-8859-1")
    assert "Mönchengladbach" in html.decode(text.encode("cp1252"), "text/html; charset=windows-1252")
    assert html.decode(b"plain ascii", "text/html; charset=iso-8859-1") == "plain ascii"
