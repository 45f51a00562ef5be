"""Scrapy spiders (one per source kind) and the thin pipeline that hands each fetch
result to :func:`monitor.ingest.pipeline.ingest`. Spiders only fetch and route.

The spiders (``base``, ``page``, ``feed``, ``listing``, ``document``), the crawl
settings (``settings``), the item pipelines (``pipelines``), the middlewares
(``middlewares``, and ``netpolicy`` for the private-address policy with its
download handler), the crawler plugin's hooks (``hooks``), one Scrapy process
(``process``) and several (``shards``), and the scrapyd project (``scrapyd/``).
Text extraction, parsing and diffing are monitor's or the plugins', not here."""
