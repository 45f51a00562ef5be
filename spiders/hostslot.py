"""Politeness across kinds of sources: one request at a time to a site, whichever
crawler of the run it comes from, and a site's ``Crawl-delay`` between any two.

A crawl runs one crawler per source kind (``spiders.process``), and each crawler
has its own download slots: Scrapy's ``CONCURRENT_REQUESTS_PER_DOMAIN`` and
download delay hold per crawler, so a site with pages and a feed had two requests
in flight at once, and its Crawl-delay was kept by each kind on its own.
:class:`HostSlotMiddleware` gives every site one :class:`~spiders.runstate.HostSlot`
for the whole run (``spiders.runstate``): its places (``CONCURRENT_REQUESTS_PER_DOMAIN``)
are taken by every request to the site, robots.txt included, from the time it
leaves the middlewares before this one until its answer is in (the download handler
gives the place back then, :func:`release`) or its failure comes back here, after
the circuit breaker has seen it; and a request waits, once it has a place, until the
site's Crawl-delay (set by ``spiders.robots``, capped) has passed since the site's
last request.

It sits next to the download, just before the circuit breaker
(``spiders.breaker``), so a request waiting for robots.txt holds no place, and a
request that waits for a place waits here, where the breaker can still stop it
once its host is down, rather than in a slot's queue.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached

from spiders.runstate import CrawlRun, HostSlot, run_of

HELD = "_twinwatch_slot"
"""``request.meta`` key: the :class:`~spiders.runstate.HostSlot` one of whose places
the request holds."""


def site_of(url_or_request: Request | str) -> str:
    """The key of a site's slot: its host name, lower case (as Scrapy's slots)."""
    if isinstance(url_or_request, Request):
        return (urlparse_cached(url_or_request).hostname or "").lower()
    from urllib.parse import urlsplit

    return (urlsplit(url_or_request).hostname or "").lower()


def slot_of(run: CrawlRun, site: str, per_host: int) -> HostSlot:
    """``site``'s slot in ``run``, made on first use."""
    slot = run.slots.get(site)
    if slot is None:
        slot = run.slots[site] = HostSlot(asyncio.Semaphore(max(1, per_host)))
    return slot


def release(request: Request) -> None:
    """Give back the place ``request`` holds, if it holds one (a place is given back
    once: by the download handler when the answer is in, which is a few milliseconds
    and event-loop turns before the answer has come back up through Scrapy to
    :class:`HostSlotMiddleware`; by the middleware after a failure)."""
    slot = request.meta.pop(HELD, None)
    if isinstance(slot, HostSlot):
        slot.places.release()


class HostSlotMiddleware:
    """The shared slot of the module docstring."""

    def __init__(self, run: CrawlRun, per_host: int) -> None:
        self.run = run
        self.per_host = per_host

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostSlotMiddleware:
        s = crawler.settings
        return cls(run_of(s, f"crawler-{id(crawler)}"), s.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 1))

    async def process_request(self, request: Request) -> None:
        request.meta.pop(HELD, None)  # a retry or redirect copies its request's meta
        slot = slot_of(self.run, site_of(request), self.per_host)
        await slot.places.acquire()
        try:
            wait = slot.last + slot.delay - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
        except BaseException:
            slot.places.release()
            raise
        slot.last = time.monotonic()
        request.meta[HELD] = slot

    # Only a request that took a place gives one back: a request refused by a
    # middleware before this one reaches process_exception here too.
    def process_response(self, request: Request, response: Response) -> Response:
        release(request)
        return response

    def process_exception(self, request: Request, exception: Exception) -> Any:
        release(request)
        return None
