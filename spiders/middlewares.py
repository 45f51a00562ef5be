"""Downloader middlewares Scrapy lacks, in scrapy-deltafetch's style: settings read
in ``from_crawler``, ``NotConfigured`` when disabled, counters in ``crawler.stats``,
per-request state in ``request.meta``.

* :class:`RetryAfterMiddleware` honours ``Retry-After`` on 429 and 503 (Scrapy's
  RetryMiddleware retries at once), up to a cap.
* :class:`Throttle` is Scrapy's AutoThrottle with a 304 counted as an answer like
  a 200 (Scrapy never lowers a site's delay on any other status).
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
    """AutoThrottle, except that a 304 may lower a site's delay as a 200 does.

    Scrapy only lets a 200 lower the delay (an error page is often fast and should
    not speed a crawl up). On a recrawl most answers of a site that sends ETags are
    304s, so one slow answer (or a moment when the crawler itself was busy) kept the
    site at that delay for the rest of the run: measured on ``bench/crawl``, the
    last sites then took a request every five seconds. A 304 is the server saying
    it is well and answering."""

    def _adjust_delay(self, slot: Any, latency: float, response: Response) -> None:
        # Scrapy's policy (scrapy/extensions/throttle.py) with 304 beside 200.
        target = latency / self.target_concurrency
        delay = min(max(self.mindelay, max(target, (slot.delay + target) / 2.0)), self.maxdelay)
        if response.status not in (200, 304) and delay <= slot.delay:
            return
        slot.delay = delay

    def _response_downloaded(self, response: Response, request: Request, spider: Any) -> None:
        super()._response_downloaded(response, request, spider)
        # A site's Crawl-delay (spiders.robots puts it in the slot's settings) is a
        # floor AutoThrottle never goes under.
        key, slot = self._get_slot(request, spider)
        if key is None or slot is None or self.crawler.engine is None:
            return
        floor = self.crawler.engine.downloader.per_slot_settings.get(key, {}).get("delay")
        if floor is not None and slot.delay < floor:
            slot.delay = floor


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
