"""Scrapy spiders (one per source kind) and the thin pipeline that hands each fetch
result to :func:`monitor.ingest.pipeline.ingest`. Spiders only fetch and route."""
