"""A small web with one source of every kind, on day 1 and day 2, served by the test
server: the end-to-end crawl test and the scrapyd test crawl the same sites."""

from __future__ import annotations

from typing import Any

from tests.helpers import PARTNERS, article, feed_with_links, listing, page
from tests.monitor.ingest.test_kinds import MINUTES, minutes

RSS = {"Content-Type": "application/rss+xml"}
PDF = {"Content-Type": "application/pdf"}
MINUTES_ENTRY = "15/03/2026 The council receives a delegation from Zababdeh and signs a letter of intent."
"""The dated paragraph day 2 adds to the minutes."""


def serve_day_one(s: Any) -> tuple[str, str, str, str]:
    """Serve day 1; return the URLs of the page, feed, listing and document."""
    base = s.url("")
    page_url = s.set("/partners.html", page([*PARTNERS, "Visitors: 1041"]))
    feed_url = s.set("/feed.xml", feed_with_links(base, [("a", "Petition", "Summary a.")]), headers=RSS)
    list_url = s.set("/news/", listing([("/news/2026/a.html", "Petition")]))
    pdf_url = s.set("/minutes.pdf", minutes(MINUTES), headers=PDF)
    return page_url, feed_url, list_url, pdf_url


def serve_day_two(s: Any) -> None:
    """Every kind changes: a partner removed (and the ignored counter), two feed
    entries, one listing link, one dated paragraph in the minutes."""
    base = s.url("")
    s.set("/partners.html", page([*PARTNERS[:-1], "Visitors: 2000"]))
    s.set("/feed.xml", feed_with_links(base, [("c", "Council meeting", "Summary c."),
                                              ("b", "Ixelles suspends twinning", "Summary b."),
                                              ("a", "Petition", "Summary a.")]), headers=RSS)
    s.set("/news/c.html", article("Council meeting", "The agenda includes the solidarity fund."))
    s.set("/news/b.html", article("Ixelles suspends twinning", "Decided 23 to 4."))
    s.set("/news/", listing([("/news/2026/d.html", "Fortnight"), ("/news/2026/a.html", "Petition")]))
    s.set("/news/2026/d.html", article("Fortnight", "Two weeks of international solidarity."))
    s.set("/minutes.pdf", minutes([*MINUTES[:2], MINUTES_ENTRY, *MINUTES[2:]]), headers=PDF)
