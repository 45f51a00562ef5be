"""A site's place (``spiders.hostslot``) is given back by the download handler as soon as
its answer is in, and by the middleware only after a failure, once the circuit breaker
has seen it (``spiders.breaker``)."""

from __future__ import annotations

import pytest
import scrapy
from scrapy import exceptions as sx
from scrapy.http import Request
from scrapy.utils.test import get_crawler

from spiders.hostslot import HELD, HostSlotMiddleware
from spiders.netpolicy import PolicyAiohttpDownloadHandler
from spiders.runstate import HostSlot


def _parts() -> tuple[HostSlotMiddleware, PolicyAiohttpDownloadHandler]:
    crawler = get_crawler(scrapy.Spider, {"TWINWATCH_ALLOW_PRIVATE": ["127.0.0.0/8"],
                                          "CONCURRENT_REQUESTS_PER_DOMAIN": 1})
    return HostSlotMiddleware.from_crawler(crawler), PolicyAiohttpDownloadHandler(crawler)


async def test_the_handler_gives_the_place_back_when_the_answer_is_in(http_server):
    middleware, handler = _parts()
    try:
        for status in (200, 404, 500):
            url = http_server.set(f"/s{status}", b"x" * 1000, status=status)
            request = Request(url)
            await middleware.process_request(request)
            slot = request.meta[HELD]
            assert isinstance(slot, HostSlot) and slot.places.locked()  # one place, taken
            response = await handler.download_request(request)
            assert response.status == status and len(response.body) == 1000
            assert not slot.places.locked() and HELD not in request.meta, status  # given back, once
            middleware.process_response(request, response)  # coming back up: nothing more to give
            assert not slot.places.locked()
            await middleware.process_request(Request(url))  # the site's next request goes at once
            assert slot.places.locked()
            slot.places.release()
    finally:
        await handler.close()


async def test_a_failure_keeps_the_place_until_the_middlewares_have_seen_it(http_server):
    middleware, handler = _parts()
    url = http_server.url("/")
    http_server.stop()  # nobody listens on its port now: connection refused
    try:
        request = Request(url, meta={"download_timeout": 5})
        await middleware.process_request(request)
        slot = request.meta[HELD]
        with pytest.raises(sx.DownloadConnectionRefusedError) as failed:
            await handler.download_request(request)
        assert slot.places.locked()  # still held while the breaker looks at the failure
        middleware.process_exception(request, failed.value)
        assert not slot.places.locked()
    finally:
        await handler.close()
