"""The spider scrapyd (or any Scrapy host) runs: every kind of source in one job,
with the sources handed over as a spider argument instead of read from a database.

``sources`` is one of: a path or ``file://`` URL of the file that ``twinwatch
sources export-scrapyd`` writes, an ``http(s)://`` URL serving that file, or the
JSON itself (a command-line argument is limited to 128 KiB on Linux, so inline
JSON suits a few dozen sources). What is fetched and followed is decided exactly as
in a local crawl (:class:`spiders.base.SourceSpider`); results leave through
:class:`spiders.scrapyd.pipeline.ExportPipeline` as JSON Lines for ``twinwatch ingest``.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from monitor.hookspecs import SourceKind
from monitor.ingest.jsonl import sources_from_json
from monitor.models import FetchResult, Link, Source
from monitor.plugin_manager import make_plugin_manager, source_kinds
from spiders import hooks
from spiders.base import SourceSpider

FETCH_TIMEOUT = 60
"""Seconds to wait for a sources file served over HTTP (read once, at start)."""


def read_sources(arg: str) -> list[Source]:
    """The sources named by the ``sources`` spider argument (see the module docstring).

    Raises:
        ValueError: the argument is empty or its content is not a sources file.
    """
    text = arg.strip()
    if not text:
        raise ValueError("the spider needs -a sources=FILE|URL|JSON (twinwatch sources export-scrapyd)")
    if text[0] in "[{":
        data = text
    elif text.startswith(("http://", "https://")):
        with urllib.request.urlopen(text, timeout=FETCH_TIMEOUT) as response:  # noqa: S310 (our URL)
            data = response.read().decode("utf-8")
    else:
        path = unquote(urlsplit(text).path) if text.startswith("file://") else text
        data = Path(path).read_text(encoding="utf-8")
    return sources_from_json(json.loads(data))


def available_kinds() -> dict[str, SourceKind]:
    """The built-in kinds, and those of any kind plugin installed on the Scrapy host."""
    kinds = {k.name: k for k in hooks.register_source_kinds()}
    kinds.update(source_kinds(make_plugin_manager()))
    return kinds


class ScrapydSpider(SourceSpider):
    """Fetches the given sources, whatever their kind, and yields one FetchResult each."""

    name = "twinwatch"

    def __init__(self, sources: str = "", **kwargs: Any) -> None:
        chosen = read_sources(sources)
        super().__init__(chosen, None, None, **kwargs)
        self.kinds = available_kinds()
        self.urls = {s.id: s.url for s in chosen}
        # Which code runs (the deployed egg, or an installed twinwatch) is worth a line in the job log.
        self.logger.info("%d source(s); spider code from %s", len(chosen), __file__)

    def new_links(self, source: Source, result: FetchResult) -> list[Link]:
        # One job serves every kind: pick the source's own before the shared logic runs.
        self.kind = self.kinds.get(source.kind)
        return super().new_links(source, result)

    def source_url(self, source_id: int) -> str:
        """The URL a result is reported under (ingest finds its source by it)."""
        return self.urls[source_id]
