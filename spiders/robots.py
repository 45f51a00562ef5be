"""robots.txt for the crawl: RFC 9309's rules where Scrapy allows everything, one
fetch per site for the whole run, and a cache in the database between runs.

:class:`RobotsPolicyMiddleware` replaces Scrapy's RobotsTxtMiddleware:

======================================  =========================================
robots.txt answer                       policy (kept in ``robots_cache`` for)
======================================  =========================================
2xx                                     obey it (24 h); ``Crawl-delay`` honoured
                                        up to ``TWINWATCH_CRAWL_DELAY_MAX``
3xx                                     followed (up to REDIRECT_MAX_TIMES); one
                                        left unfollowed counts as a 4xx
4xx (404, 403, 410, …) except 429       no rules: everything allowed (24 h,
                                        RFC 9309 §2.3.1.3)
5xx or 429                              everything disallowed (1 h); the source
                                        fails as ``robots`` (RFC 9309 §2.3.1.4)
unreachable (refused, DNS, timeout)     disallowed as well (1 h): the source fails
                                        with the network error (``network-error``
                                        / ``timeout``), the page is not requested;
                                        from the cache, as ``robots``
too large / redirect loop / refused     Scrapy's behaviour: no rules, not cached
======================================  =========================================

What a status means and for how long is :mod:`monitor.net.robots`'s; the cache is
read once per run and written through ``monitor.ingest.writer.save_robots`` (the
``TWINWATCH_ROBOTS_DB`` setting names the database; without it nothing is cached,
as in ``sources test``).

A site's robots.txt is had once per run for every crawler of the run
(``spiders.runstate``): before, each kind's crawler fetched it. And each waiting
request gets the rules: Scrapy 2.13+ awaits one Deferred per site from every
waiting request, and a Deferred turned into a Future hands its result to the first
waiter only (``Deferred.asFuture`` consumes it), so from the third request of a
site on, robots.txt was not obeyed at all (scrapy/scrapy#6802 made the change).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import SplitResult

from scrapy import exceptions as sx
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Request
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler

from monitor.models import RobotsEntry
from monitor.net import robots
from spiders.failures import connection_failure
from spiders.hostslot import slot_of
from spiders.middlewares import TwinwatchBlocked
from spiders.runstate import CrawlRun, run_of

logger = logging.getLogger(__name__)

DB_SETTING = "TWINWATCH_ROBOTS_DB"
"""Scrapy setting: the database whose ``robots_cache`` the crawl reads and writes."""


class _Blocked:
    """Stands in for a robots.txt parser when the policy disallows the whole site."""

    def __init__(self, kind: str, message: str, status: int | None = None) -> None:
        self.kind, self.message, self.status = kind, message, status

    def allowed(self, url: Any, user_agent: Any) -> bool:
        return False


def _unreachable(exc: Exception) -> str:
    """Why robots.txt could not be had, in a few words."""
    name = type(exc).__name__
    if isinstance(exc, sx.DownloadTimeoutError) or "Timeout" in name:
        return "timed out"
    if isinstance(exc, sx.DownloadConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, sx.CannotResolveHostError):
        return "DNS lookup failed"
    if isinstance(exc, sx.DownloadFailedError):
        return connection_failure(exc)
    return f"{name}: {exc}"


def _read_cache(path: str) -> dict[str, RobotsEntry]:
    from monitor.store.db import open_db
    from monitor.store.queries import robots_entries

    db = open_db(path, migrate=False)
    try:
        return robots_entries(db)
    finally:
        db.close()


def _write_cache(path: str, entry: RobotsEntry) -> None:
    from monitor.ingest.writer import save_robots
    from monitor.store.db import open_db

    db = open_db(path, migrate=False)
    try:
        save_robots(db, entry)
    finally:
        db.close()


class RobotsPolicyMiddleware(RobotsTxtMiddleware):
    """RobotsTxtMiddleware with the policy, the sharing and the cache of the module
    docstring."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        s = crawler.settings
        self.run: CrawlRun = run_of(s, f"crawler-{id(crawler)}")
        self.db_path: str | None = s.get(DB_SETTING) or None
        self.delay_cap = s.getfloat("TWINWATCH_CRAWL_DELAY_MAX", robots.CRAWL_DELAY_MAX)
        self.per_host = s.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 1)
        self._rules: dict[str, Any] = {}
        """Origin -> this crawler's parser (``None``: no rules; :class:`_Blocked`)."""

    def _inc(self, name: str) -> None:
        if self._stats is not None:
            self._stats.inc_value(f"twinwatch/robots/{name}")

    async def robot_parser(self, request: Request) -> Any:  # type: ignore[override]
        url = urlparse_cached(request)
        origin = f"{url.scheme}://{url.netloc}"
        if origin in self._rules:
            return self._rules[origin]
        pending = self.run.robots.get(origin)
        if pending is None:
            pending = self.run.robots[origin] = asyncio.get_running_loop().create_future()
            try:
                pending.set_result(await self._load(origin))
            except BaseException as exc:  # never leave the others waiting
                pending.set_result(None)
                if not isinstance(exc, Exception):
                    raise
                logger.exception("robots.txt of %s", origin)
        # Shielded: a waiter that is cancelled must not cancel the others' answer.
        entry = await asyncio.shield(pending)
        parser = self._parser(entry, url)
        self._rules[origin] = parser
        return parser

    async def _cache(self) -> dict[str, RobotsEntry]:
        if self.db_path is None:
            return {}
        pending = self.run.cache
        if pending is None:
            pending = self.run.cache = asyncio.get_running_loop().create_future()
            try:
                pending.set_result(await asyncio.to_thread(_read_cache, self.db_path))
            except Exception as exc:  # an old or locked database: fetch as if none
                logger.warning("robots.txt cache unreadable: %s", exc)
                pending.set_result({})
        return await asyncio.shield(pending)

    async def _load(self, origin: str) -> tuple[RobotsEntry, bool] | None:
        """``(entry, fetched in this run)``; ``None`` for no rules (Scrapy's behaviour
        when robots.txt is refused, too large or a redirect loop)."""
        cached = (await self._cache()).get(origin)
        if cached is not None and robots.is_fresh(cached):
            self._inc("cached")
            return cached, False
        request = Request(f"{origin}/robots.txt", priority=self.DOWNLOAD_PRIORITY,
                          meta={"dont_obey_robotstxt": True}, callback=NO_CALLBACK)
        self._inc("fetched")
        try:
            assert self.crawler.engine is not None
            response = await self.crawler.engine.download_async(request)
        except sx.IgnoreRequest:
            return None
        except Exception as exc:
            self._inc("unreachable")
            entry = robots.entry_for(origin, status=None, error=_unreachable(exc))
        else:
            delay = None
            if 200 <= response.status < 300:
                rules = build_from_crawler(self._parserimpl, self.crawler, robots.cut(response.body))
                delay = self._delay_of(rules)
            entry = robots.entry_for(origin, status=response.status, body=response.body,
                                     crawl_delay=delay)
        if self.db_path is not None:
            try:
                await asyncio.to_thread(_write_cache, self.db_path, entry)
            except Exception as exc:  # the crawl goes on; robots.txt is asked again next run
                logger.warning("robots.txt of %s not cached: %s", origin, exc)
        return entry, True

    def _user_agent(self) -> str:
        return str(self._robotstxt_useragent or self._default_useragent)

    def _delay_of(self, rules: Any) -> float | None:
        ask = getattr(rules, "crawl_delay", None)
        return ask(self._user_agent()) if ask is not None else None

    def _parser(self, loaded: tuple[RobotsEntry, bool] | None, url: SplitResult) -> Any:
        if loaded is None:
            return None
        entry, fetched_now = loaded
        if entry.policy == "allow":
            return None
        if entry.policy == "disallow":
            if entry.status is None:
                # an unreachable robots.txt fails the source as what it was (a timeout, a
                # network error) on every crawl while the answer is cached, not as "robots"
                kind = "timeout" if entry.error == "timed out" else "network-error"
                if fetched_now:
                    return _Blocked(kind, f"robots.txt unreachable ({entry.error}); page not requested")
                self._inc("unreachable_cached")
                return _Blocked(kind, robots.describe(entry, self.delay_cap))
            self._inc("server_error")
            return _Blocked("robots", robots.describe(entry, self.delay_cap), entry.status)
        self._honour_delay(url.hostname or "", entry)
        return build_from_crawler(self._parserimpl, self.crawler, entry.body)

    def _honour_delay(self, host: str, entry: RobotsEntry) -> None:
        """Make the site wait ``Crawl-delay`` (capped) between any two of its requests,
        whichever kind's crawler sends them (``spiders.hostslot``)."""
        delay = robots.capped_delay(entry.crawl_delay, self.delay_cap)
        if delay is None:
            return
        if entry.crawl_delay is not None and entry.crawl_delay > delay:
            self._inc("crawl_delay_capped")
        slot = slot_of(self.run, host.lower(), self.per_host)
        slot.delay = max(slot.delay, delay)

    def process_request_2(self, rp: Any, request: Request) -> None:
        if isinstance(rp, _Blocked):
            raise TwinwatchBlocked(rp.kind, rp.message, rp.status)
        super().process_request_2(rp, request)
