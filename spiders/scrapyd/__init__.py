"""The spiders as a Scrapy project for scrapyd (or any Scrapy host): its settings,
the one spider that crawls every kind, and the pipeline that writes JSON Lines.

``scrapy.cfg`` and the egg's ``scrapy`` entry point name :mod:`spiders.scrapyd.settings`.
What is fetched and how is the local crawl's (:mod:`spiders.base`,
:mod:`spiders.settings`); no database and no ingest run here.
"""
