"""Downloader middlewares Scrapy lacks, in scrapy-deltafetch's style: settings read
in ``from_crawler``, ``NotConfigured`` when disabled, counters in ``crawler.stats``,
per-request state in ``request.meta``.

* :class:`RetryAfterMiddleware` honours ``Retry-After`` on 429 and 503 (Scrapy's
  RetryMiddleware retries at once), up to a cap.
* :class:`Throttle` is Scrapy's AutoThrottle slowing a site down only while it
  answers with server errors (one request at a time already paces the others).
* :class:`MetaRefresh` is Scrapy's MetaRefreshMiddleware, skipped for bodies
  without the word ``refresh``.
The robots.txt policy is ``spiders.robots``, the per-host circuit breaker
``spiders.breaker``.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from typing import Any

from scrapy import exceptions as sx
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.extensions.throttle import AutoThrottle
from scrapy.http import Request, Response


class TwinwatchBlocked(sx.IgnoreRequest):
    """A request we refuse to make, with the outcome to record for its source."""

    def __init__(self, kind: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.twinwatch_kind = kind
        self.status = status


def parse_retry_after(value: bytes | str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP-date)."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class RetryAfterMiddleware:
    """Wait what a 429/503 ``Retry-After`` asks (at most ``TWINWATCH_RETRY_AFTER_MAX``
    seconds, ``TWINWATCH_RETRY_AFTER_TIMES`` times per request), then retry. A longer
    wait is not waited: the source fails with the server's answer and a note, and is
    tried again next run. Responses without the header go to Scrapy's RetryMiddleware."""

    def __init__(self, crawler: Crawler, max_delay: float, max_times: int) -> None:
        self.crawler = crawler
        self.max_delay = max_delay
        self.max_times = max_times

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        s = crawler.settings
        if not s.getbool("TWINWATCH_RETRY_AFTER_ENABLED", True):
            raise sx.NotConfigured
        return cls(crawler, s.getfloat("TWINWATCH_RETRY_AFTER_MAX", 60.0),
                   s.getint("TWINWATCH_RETRY_AFTER_TIMES", 1))

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status not in (429, 503):
            return response
        delay = parse_retry_after(response.headers.get(b"Retry-After"))
        if delay is None:
            return response
        stats = self.crawler.stats
        assert stats is not None
        waited = request.meta.get("twinwatch_retry_after", 0)
        if delay > self.max_delay or waited >= self.max_times:
            request.meta["dont_retry"] = True
            request.meta["twinwatch_note"] = (
                f"Retry-After {delay:.0f} s is more than the {self.max_delay:.0f} s we wait"
                if delay > self.max_delay else f"still busy after waiting {waited} time(s)")
            stats.inc_value("twinwatch/retry_after/given_up")
            return response
        stats.inc_value("twinwatch/retry_after/waits")
        stats.inc_value("twinwatch/retry_after/seconds", int(delay))
        await asyncio.sleep(delay)
        retry = request.replace(dont_filter=True)
        retry.meta["twinwatch_retry_after"] = waited + 1
        return retry


class Throttle(AutoThrottle):
    """AutoThrottle that slows a site down only while it errs.

    A site already gets one request at a time (``CONCURRENT_REQUESTS_PER_DOMAIN``,
    across kinds: ``spiders.hostslot``), so a site that answers sets the pace
    itself: a slow answer delays the next request by exactly its slowness. On top
    of that, Scrapy's AutoThrottle (target concurrency 1) kept a delay of about the
    site's latency, averaged with the past and jittered by ±50 %, counted from when
    the last request was sent: measured with ``bench/crawl --latency``, each site sat
    idle 66-88 ms between an answer and its next request, a third of the crawl at
    200 ms per answer. Scrapy also let only a 200 lower the delay, so one slow
    answer, a 304 or a 404 kept a site slow for the rest of the run.

    Here any answer that is not a server error or a 429 (2xx, 3xx, 304, 4xx) puts
    the site back to no delay; a 5xx or 429 raises it as AutoThrottle does (towards
    the latency, up to ``AUTOTHROTTLE_MAX_DELAY``), so a struggling server gets air.
    A site's ``Crawl-delay`` is kept apart from this (``spiders.hostslot``), and a
    ``Retry-After`` by :class:`RetryAfterMiddleware`."""

    def _adjust_delay(self, slot: Any, latency: float, response: Response) -> None:
        if response.status < 500 and response.status != 429:
            slot.delay = self.mindelay
            return
        super()._adjust_delay(slot, latency, response)


class MetaRefresh(MetaRefreshMiddleware):
    """Scrapy's MetaRefreshMiddleware, which decodes every HTML body to look for a
    ``<meta http-equiv="refresh">`` in its first 4,096 characters, called only when
    the word ``refresh`` is in the first 16 KiB of bytes (always so for an
    ASCII-compatible encoding; a body with NUL bytes, UTF-16 or 32, always goes on):
    decoding 50 KB per page was a tenth of a crawler process's CPU."""

    def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        head = response.body[:16384]
        if b"\0" not in head and b"refresh" not in head.lower():
            return response
        return super().process_response(request, response)
