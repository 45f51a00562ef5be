"""What every twinwatch spider shares: one request per source with conditional
headers, and one FetchResult per source whatever happens."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy import exceptions as sx
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from monitor.models import FetchResult, Source


def _headers(response: Response) -> dict[str, str]:
    return {
        k.decode("latin-1").lower(): b", ".join(v).decode("latin-1")
        for k, v in response.headers.items()
    }


def describe_failure(failure: Failure) -> tuple[str, str, int | None]:
    """(error kind, readable message, HTTP status) for a failed request."""
    exc = failure.value
    if isinstance(exc, HttpError):
        status = exc.response.status
        return "http-error", f"HTTP {status}", status
    if isinstance(exc, sx.IgnoreRequest) and "robots.txt" in str(exc):
        return "robots", "forbidden by robots.txt", None
    if isinstance(exc, sx.DownloadTimeoutError) or "TimeoutError" in type(exc).__name__:
        return "timeout", f"timed out: {exc}", None
    if isinstance(exc, sx.DownloadCancelledError) and "max size" in str(exc):
        return "too-large", str(exc).split(" in request")[0], None
    if isinstance(exc, sx.CannotResolveHostError):
        return "network-error", f"DNS lookup failed: {exc}", None
    if isinstance(exc, sx.DownloadConnectionRefusedError):
        return "network-error", "connection refused", None
    if isinstance(exc, sx.ResponseDataLossError):
        return "network-error", "connection closed before the whole body arrived", None
    message = str(exc) or type(exc).__name__
    return "network-error", f"{type(exc).__name__}: {message}", None


class SourceSpider(scrapy.Spider):
    """Fetches each source once and yields one FetchResult for it."""

    name = "sources"

    def __init__(self, sources: list[Source], run_id: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sources = sources
        self.run_id = run_id

    async def start(self) -> AsyncIterator[Any]:
        for source in self.sources:
            headers = {}
            if source.etag:
                headers["If-None-Match"] = source.etag
            if source.last_modified:
                headers["If-Modified-Since"] = source.last_modified
            yield scrapy.Request(
                source.url,
                headers=headers,
                callback=self.parse,
                errback=self.failed,
                dont_filter=True,
                meta={"source": source, "started": time.monotonic(),
                      "handle_httpstatus_list": [304]},
            )

    def _elapsed(self, meta: dict[str, Any]) -> int:
        return int((time.monotonic() - meta["started"]) * 1000)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[FetchResult]:
        source: Source = response.meta["source"]
        yield FetchResult(
            source_id=source.id, url=response.url, status=response.status,
            headers=_headers(response), body=response.body,
            elapsed_ms=self._elapsed(response.meta), run_id=self.run_id,
        )

    def failed(self, failure: Failure) -> Iterator[FetchResult]:
        request = failure.request  # type: ignore[attr-defined]
        source: Source = request.meta["source"]
        kind, message, status = describe_failure(failure)
        yield FetchResult(
            source_id=source.id, url=request.url, status=status, error_kind=kind, error=message,
            elapsed_ms=self._elapsed(request.meta), run_id=self.run_id,
        )
