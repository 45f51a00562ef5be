"""In-process checks of the fixes the fault scenarios led to (fast, no crawl)."""

from __future__ import annotations

import time
import tracemalloc

from monitor.ingest.extract import html
from monitor.ingest.extract.feeds import parse_feed
from tests.faults import bodies as b


def test_feed_entities_are_not_expanded():
    """A feed declaring a 10 KB entity and referencing it 20,000 times parses in
    bounded time and memory, with the references left unexpanded."""
    body = b.quadratic_feed()
    # The peak of what the parse allocates, measured on its own (the process's peak
    # RSS would not move: loading the analyzers already raised it far higher).
    tracemalloc.start()
    try:
        # CPU of this process, not wall time: a loaded CI machine must not fail a linear parse
        started = time.process_time()
        entries = parse_feed(body, {"content-type": "application/rss+xml"})
        elapsed = time.process_time() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < 5
    assert sum(len(e.text) for e in entries) < 1_000_000
    assert peak < 100_000_000  # bytes; expanded, the entity alone is 200 MB of text
    lol = parse_feed(b.billion_laughs_feed(), {"content-type": "application/rss+xml"})
    assert sum(len(e.text) + len(e.title) for e in lol) < 10_000


def test_declared_latin1_loses_to_valid_utf8():
    """UTF-8 bytes behind a Latin-1 header decode as UTF-8; Latin-1 bytes stay Latin-1."""
    text = b.accented_page()
    assert "Mönchengladbach" in html.decode(text.encode("utf-8"), "text/html; charset=iso-8859-1")
    assert "Mönchengladbach" in html.decode(text.encode("latin-1"), "text/html; charset=iso-8859-1")
    assert "Mönchengladbach" in html.decode(text.encode("cp1252"), "text/html; charset=windows-1252")
    assert html.decode(b"plain ascii", "text/html; charset=iso-8859-1") == "plain ascii"
