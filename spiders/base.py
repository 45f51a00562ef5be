"""What every twinwatch spider shares: one request per source with conditional
headers, the new entries of an index followed one after the other, and one
FetchResult per source whatever happens.

Spiders route, they do not parse: which links an index has is the source kind's
``links`` function (monitor or the kind's plugin); which of them are new is a set
lookup in the source's ``known_items``.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import exceptions as sx
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from monitor.hookspecs import SourceKind
from monitor.ingest.recognise import HEAD_BYTES
from monitor.models import FetchResult, Link, Source
from monitor.text import fingerprint
from spiders.failures import connection_failure
from spiders.netpolicy import refused_message


def _headers(response: Response) -> dict[str, str]:
    return {
        k.decode("latin-1").lower(): b", ".join(v).decode("latin-1")
        for k, v in response.headers.items()
    }


def describe_failure(failure: Failure) -> tuple[str, str, int | None]:
    """(error kind, readable message, HTTP status) for a failed request."""
    exc = failure.value
    kind = getattr(exc, "twinwatch_kind", None)
    if kind:  # our middlewares say what happened (robots policy, Retry-After cap)
        return kind, str(exc), getattr(exc, "status", None)
    if isinstance(exc, HttpError):
        status = exc.response.status
        request = exc.response.request
        extra = request.meta.get("twinwatch_note") if request is not None else None
        location = exc.response.headers.get(b"Location")
        if 300 <= status < 400 and location:
            # Scrapy follows only http(s) redirects and hands the others back as a 3xx.
            target = location.decode("latin-1")[:200]
            return ("http-error", f"HTTP {status}: redirect to {target!r} not followed "
                    "(only http and https are)", status)
        return "http-error", f"HTTP {status}" + (f" ({extra})" if extra else ""), status
    text = str(exc)
    if isinstance(exc, sx.IgnoreRequest) and "robots.txt" in text:
        return "robots", "forbidden by robots.txt", None
    if isinstance(exc, sx.IgnoreRequest) and "DOWNLOAD_MAXSIZE" in text:
        return "too-large", "the body grew past the size limit when decompressed", None
    if isinstance(exc, sx.IgnoreRequest) and "redirect" in text.lower():
        return "redirect-loop", "too many redirects (a loop or a trap)", None
    if isinstance(exc, sx.DownloadTimeoutError) or "TimeoutError" in type(exc).__name__:
        return "timeout", f"timed out: {exc}", None
    if isinstance(exc, sx.DownloadCancelledError) and "max size" in text:
        return "too-large", text.split(" in request")[0], None
    request = getattr(failure, "request", None)
    refused = refused_message(exc, request.url if request is not None else "")
    if refused:  # the resolver refused a non-public address (spiders/netpolicy.py)
        return "refused", refused, None
    if isinstance(exc, sx.DownloadCancelledError) and not text:
        # A body without Content-Length that grows past DOWNLOAD_MAXSIZE is cancelled
        # without a message (Scrapy only logs the size); timeouts raise their own error.
        return "too-large", "the body grew past the size limit while downloading", None
    if isinstance(exc, sx.CannotResolveHostError):
        return "network-error", f"DNS lookup failed: {exc}", None
    if isinstance(exc, sx.DownloadConnectionRefusedError):
        return "network-error", "connection refused", None
    if isinstance(exc, sx.ResponseDataLossError):
        return "network-error", "connection closed before the whole body arrived", None
    if isinstance(exc, sx.DownloadFailedError):
        return "network-error", connection_failure(exc), None
    message = text or type(exc).__name__
    return "network-error", f"{type(exc).__name__}: {message}", None


def redirects(meta: dict[str, Any]) -> tuple[tuple[str, int], ...]:
    """The redirects Scrapy followed to reach a response (``redirect_urls`` and
    ``redirect_reasons``, set by its redirect middlewares): each hop's URL and
    status, 0 for a meta refresh."""
    urls = meta.get("redirect_urls") or ()
    reasons = meta.get("redirect_reasons") or ()
    return tuple((str(url), reason if isinstance(reason, int) else 0)
                 for url, reason in zip(urls, reasons, strict=False))


READ_REFUSALS = frozenset({401, 403, 404, 410, 429, 451, 503})
"""Refusals whose page ingest reads (a challenge, a captcha, gone); other errors keep
no body."""


def _followable(url: str) -> bool:
    """An http(s) URL with a host that Scrapy accepts as a request."""
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # "http://[::1" and the like
        return False


def conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """``If-None-Match`` and ``If-Modified-Since`` from the validators an earlier 2xx
    answer gave (compare Scrapy's ``RFC2616Policy._set_conditional_validators``); the
    request must let a 304 through (``handle_httpstatus_list``)."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def interleave(sources: list[Source]) -> list[Source]:
    """Sources round-robin by host, so the first requests a crawl hands out go to
    many sites at once rather than queue behind one site's politeness limit."""
    from itertools import zip_longest

    by_host: dict[str, list[Source]] = {}
    for s in sources:
        by_host.setdefault(urlsplit(s.url).hostname or "", []).append(s)
    return [s for group in zip_longest(*by_host.values()) for s in group if s is not None]


class SourceSpider(scrapy.Spider):
    """Fetches each source once and yields one FetchResult for it; for index kinds
    (a ``links`` function), first fetches the articles of the new entries."""

    name = "sources"

    def __init__(self, sources: list[Source], run_id: int | None, kind: SourceKind | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sources = sources
        self.run_id = run_id
        self.kind = kind

    async def start(self) -> AsyncIterator[Any]:
        for source in interleave(self.sources):
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

    def _result(self, response: Response, source: Source, key: str | None = None) -> FetchResult:
        return FetchResult(
            source_id=source.id, url=response.url, status=response.status,
            headers=_headers(response), body=response.body,
            elapsed_ms=self._elapsed(response.meta), run_id=self.run_id, key=key,
            redirects=redirects(response.meta),
        )

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        source: Source = response.meta["source"]
        result = self._result(response, source)
        new = self.new_links(source, result)
        if not new:
            yield result
            return
        yield self._follow(result, source, new, [])

    def new_links(self, source: Source, result: FetchResult) -> list[Link]:
        """The entries to follow: none on the baseline fetch, for identical bytes or
        for kinds without links; else the unknown ones, at most ``max_items``."""
        if (self.kind is None or self.kind.links is None or result.status != 200
                or not source.fetched_before or source.max_items <= 0
                or fingerprint(result.body) == source.last_raw_fp):
            return []
        try:
            links = self.kind.links(source, result)
        except Exception:  # ingest reads the index again and records why it failed
            return []
        # Only http(s) articles are followed: a feed may link to javascript:, data: or
        # file: URLs (Scrapy would read a local file), or to nothing parseable at all.
        fresh = [link for link in links if link.key not in source.known_items and _followable(link.url)]
        return fresh[: source.max_items]

    def _follow(self, index: FetchResult, source: Source, pending: list[Link],
                done: list[FetchResult]) -> scrapy.Request:
        link = pending[0]
        return scrapy.Request(
            link.url, callback=self.parse_article, errback=self.article_failed, dont_filter=True,
            meta={"source": source, "started": time.monotonic(), "index": index, "link": link,
                  "pending": pending[1:], "done": done},
        )

    def _next(self, meta: dict[str, Any], article: FetchResult) -> Any:
        done = [*meta["done"], article]
        if meta["pending"]:
            return self._follow(meta["index"], meta["source"], meta["pending"], done)
        return dataclasses.replace(meta["index"], attachments=tuple(done))

    def parse_article(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        yield self._next(response.meta, self._result(response, response.meta["source"],
                                                     key=response.meta["link"].key))

    def article_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        kind, message, status = describe_failure(failure)
        meta = request.meta
        yield self._next(meta, FetchResult(
            source_id=meta["source"].id, url=request.url, status=status, error_kind=kind,
            error=message, run_id=self.run_id, key=meta["link"].key))

    def failed(self, failure: Failure) -> Iterator[FetchResult]:
        request = failure.request  # type: ignore[attr-defined]
        source: Source = request.meta["source"]
        kind, message, status = describe_failure(failure)
        answer = failure.value.response if isinstance(failure.value, HttpError) else None
        if answer is not None and answer.status in READ_REFUSALS:
            # ingest reads a refusal's page (a bot wall, a 410): its head only, so a 5 MB
            # error page costs a crawl no more memory than recognising it needs
            yield FetchResult(
                source_id=source.id, url=answer.url, status=status, headers=_headers(answer),
                body=answer.body[:HEAD_BYTES], error_kind=kind, error=message,
                elapsed_ms=self._elapsed(request.meta), run_id=self.run_id, redirects=redirects(answer.meta))
            return
        yield FetchResult(
            source_id=source.id, url=request.url, status=status, error_kind=kind, error=message,
            elapsed_ms=self._elapsed(request.meta), run_id=self.run_id,
        )
