"""The per-host circuit breaker: a host that hangs costs a crawl run its timeout
twice, however many sources it holds.

After a timeout or a connection failure (refused, DNS) on a host (robots.txt
included), its other requests wait while one of them, the probe, finds out whether
the host answers again. If the probe answers (with any status), they all go on. If
it fails too, the host is down for the rest of the run: every other request for it
fails at once as ``host-down``, with the first error's message, and is not sent.
Each source is recorded with its own outcome and is tried again next run.

Without it, each source on a hanging host cost the timeout, and once more for the
retry: 10 sources on one such server took 32 s with ``--timeout 3``, and 30 with
the default 30 s timeout would hold a cron run for a quarter of an hour.

:class:`HostBreakerMiddleware` sits last among the downloader middlewares, next to
the download, so it sees every failure first (before RetryMiddleware retries it)
and hands a request on only when the host may take it. Requests wait for their
site's place just before it (``spiders.hostslot``), not in a download slot's
queue, where no middleware could stop them after the probe failed. The hosts'
health is shared by the run's crawlers (``spiders.runstate``): a host down for
the pages is down for the feed.
"""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy import exceptions as sx
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached

from spiders.failures import connection_failure
from spiders.middlewares import TwinwatchBlocked
from spiders.netpolicy import refused_message
from spiders.runstate import CrawlRun, HostHealth, run_of

HELD = "_twinwatch_held"
"""``request.meta`` key: the request was handed on to the download by us."""
PROBE = "_twinwatch_probe"
"""``request.meta`` key: the request is its host's probe."""


def host_failure(exc: BaseException, url: str) -> str | None:
    """The message for ``exc`` if it says that the host does not answer (a timeout,
    a refused connection, a failed DNS lookup), else ``None``. A refusal by the
    address policy, an oversized body or a connection cut mid-answer are not the
    host's health."""
    if isinstance(exc, sx.DownloadTimeoutError) or "TimeoutError" in type(exc).__name__:
        return f"timed out: {exc}"
    if isinstance(exc, sx.DownloadConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, sx.CannotResolveHostError) and refused_message(exc, url) is None:
        return f"DNS lookup failed: {exc}"
    if isinstance(exc, sx.DownloadFailedError) and not isinstance(exc, sx.ResponseDataLossError):
        why = connection_failure(exc)
        if "closed the connection" not in why:  # it answered, then hung up: not down
            return why
    return None


class HostBreakerMiddleware:
    """The circuit breaker of the module docstring (settings: ``TWINWATCH_BREAKER``
    to switch it off; counters ``twinwatch/breaker/*`` in the crawler's stats)."""

    def __init__(self, crawler: Crawler, run: CrawlRun, patience: float) -> None:
        self.crawler = crawler
        self.patience = patience
        """Seconds to wait for a probe at most: it ends within its timeout, or its
        retry's; past twice that and a little, it is taken as lost."""
        self.run = run

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostBreakerMiddleware:
        s = crawler.settings
        if not s.getbool("TWINWATCH_BREAKER", True):
            raise sx.NotConfigured
        return cls(crawler, run_of(s, f"crawler-{id(crawler)}"), 2 * s.getfloat("DOWNLOAD_TIMEOUT", 180) + 10)

    def _inc(self, name: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"twinwatch/breaker/{name}")

    @staticmethod
    def _key(request: Request) -> str:
        parts = urlparse_cached(request)
        return f"{(parts.hostname or '').lower()}:{parts.port or ''}"

    def _down(self, health: HostHealth) -> TwinwatchBlocked:
        self._inc("host_down")
        return TwinwatchBlocked(
            "host-down", f"host not answering, not requested: {health.failure} "
            "(and again on a second try); tried again next run")

    async def process_request(self, request: Request) -> None:
        request.meta.pop(HELD, None)  # a retry or redirect copies its request's meta
        request.meta.pop(PROBE, None)
        key = self._key(request)
        health = self.run.hosts.setdefault(key, HostHealth())
        if health.down:
            raise self._down(health)
        while health.failure is not None and not health.down:
            if health.probe is None:  # this one finds out
                health.probe = asyncio.get_running_loop().create_future()
                request.meta[PROBE] = True
                self._inc("probes")
                break
            self._inc("waits")
            try:
                await asyncio.wait_for(asyncio.shield(health.probe), self.patience)
            except TimeoutError:  # the probe never came back: never wait forever
                health.probe = None
        if health.down:
            raise self._down(health)
        request.meta[HELD] = True

    def _done(self, request: Request, failure: str | None) -> None:
        key = self._key(request)
        if not request.meta.pop(HELD, False):
            # Never handed on by us: refused here or by a middleware before us (whose
            # exception Scrapy hands to every middleware). It says nothing of the host.
            return
        health = self.run.hosts.setdefault(key, HostHealth())
        probe = request.meta.pop(PROBE, False)
        if failure is None:  # it answered: whatever was wrong is over
            health.failure, health.down = None, False
        elif health.failure is None:
            health.failure = failure
            self._inc("tripped")
        elif probe:
            health.down = True
        if probe and health.probe is not None:
            waiting, health.probe = health.probe, None
            if not waiting.done():
                waiting.set_result(failure is None)

    def process_response(self, request: Request, response: Response) -> Response:
        self._done(request, None)
        return response

    def process_exception(self, request: Request, exception: Exception) -> Any:
        self._done(request, host_failure(exception, request.url))
        return None
