"""The ``listing`` spider: a news index (or sitemap.xml) per source; each new
article link is fetched and becomes an item.

Which links are articles is decided in monitor (``monitor.ingest.kinds.listing_links``).
"""

from __future__ import annotations

from spiders.base import SourceSpider


class ListingSpider(SourceSpider):
    name = "listing"
