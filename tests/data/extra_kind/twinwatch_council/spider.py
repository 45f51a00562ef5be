"""The council portal spider: asks for JSON, otherwise twinwatch's base spider."""

from __future__ import annotations

from spiders.base import SourceSpider


class CouncilSpider(SourceSpider):
    name = "council"
    custom_settings = {"DEFAULT_REQUEST_HEADERS": {"Accept": "application/json"}}
