"""Settings for running the spiders under scrapyd (``scrapy.cfg``'s ``[settings]``
and the egg's ``scrapy`` entry point name this module).

Everything in :mod:`spiders.settings` applies (politeness, limits, robots policy);
only what differs without a twinwatch database is changed here.
"""

from __future__ import annotations

from spiders.settings import *  # noqa: F403 (the same crawl policy, on purpose)

# scrapyd finds spiders by name in these modules (the local crawl loads them by class).
SPIDER_MODULES = ["spiders.scrapyd.spider"]

# No database on a Scrapy host: results leave as JSON Lines through the feed export
# that scrapyd configures (items_dir), or `-o results.jl` with plain `scrapy crawl`.
ITEM_PIPELINES = {"spiders.scrapyd.pipeline.ExportPipeline": 300}

# scrapyd keeps one log per job and shows it in its web page: the stats dump at the
# end of a job is what an operator reads there (our local crawl logs ERROR only).
LOG_LEVEL = "INFO"


# The feed export carries the results here: the local crawl switches it off (it has no
# feeds, and leaving it out saves its import), a Scrapy host needs it back.
EXTENSIONS = {k: v for k, v in EXTENSIONS.items()  # noqa: F405
              if k != "scrapy.extensions.feedexport.FeedExporter"}
