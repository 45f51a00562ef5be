"""The ``document`` spider: one PDF per source (minutes, position papers); its text
is extracted in monitor and compared paragraph by paragraph."""

from __future__ import annotations

from spiders.base import SourceSpider


class DocumentSpider(SourceSpider):
    name = "document"
