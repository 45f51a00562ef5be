"""The crawl's AutoThrottle (``spiders.middlewares.Throttle``): no delay for a site
that answers, a growing one for a site that answers with server errors."""

from __future__ import annotations

from scrapy.core.downloader import Slot
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from spiders.middlewares import Throttle


def _throttle() -> Throttle:
    throttle = Throttle(get_crawler(settings_dict={"AUTOTHROTTLE_ENABLED": True}))
    throttle.mindelay, throttle.maxdelay = 0.0, 30.0  # as set when the spider opens
    return throttle


def test_a_site_that_answers_is_not_delayed_whatever_the_status():
    """A 200, 304, 301 or 404 puts a slow site's delay back to none: one request at a
    time already waits for each answer."""
    throttle = _throttle()
    for status in (200, 304, 301, 404):
        slot = Slot(1, 0.4, 0)
        throttle._adjust_delay(slot, 0.4, Response("http://127.0.0.1/", status=status))
        assert slot.delay == 0.0, status


def test_a_site_that_errs_is_slowed_down_and_stays_so_while_it_errs():
    """A 503 or 429 raises the delay towards the latency (capped), and a quick error
    does not lower it."""
    throttle = _throttle()
    slot = Slot(1, 0.0, 0)
    throttle._adjust_delay(slot, 0.4, Response("http://127.0.0.1/", status=503))
    assert slot.delay == 0.4
    throttle._adjust_delay(slot, 0.01, Response("http://127.0.0.1/", status=429))
    assert slot.delay == 0.4
    throttle._adjust_delay(slot, 90.0, Response("http://127.0.0.1/", status=500))
    assert slot.delay == 30.0
