"""The ``feed`` spider: one RSS/Atom/JSON Feed per source; the article of each new
entry is fetched too, so analyzers read more than a summary.

Feed parsing happens in monitor (feedparser on the fetched bytes), not here.
"""

from __future__ import annotations

from spiders.base import SourceSpider


class FeedSpider(SourceSpider):
    name = "feed"
