"""The ``page`` spider: one web page per source; its main text (or region) is watched."""

from __future__ import annotations

from spiders.base import SourceSpider


class PageSpider(SourceSpider):
    name = "page"
