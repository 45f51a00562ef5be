"""The ``feed`` spider: one RSS/Atom document per source; each new entry is a change.

Feed parsing happens in monitor (feedparser on the fetched bytes), not here.
"""

from __future__ import annotations

from spiders.base import SourceSpider


class FeedSpider(SourceSpider):
    name = "feed"
