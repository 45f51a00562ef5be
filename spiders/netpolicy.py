"""The private-address policy (``monitor.net.policy``) as the crawler applies it:
every request checked by name, and every connection checked by the address it uses.

* :class:`NetPolicyMiddleware`, first of the downloader middlewares, checks every
  request before anything else sees it (so before robots.txt is asked for): the
  scheme, an IP literal, and every address a host name resolves to. Redirects come
  back through it as new requests, so each hop is checked; a redirect to another
  scheme, which Scrapy would hand back as a plain 3xx, is refused here by name.
  A refused request fails its source as ``refused`` with the policy's sentence.
* :class:`PolicyAiohttpDownloadHandler` is the download handler of http and https
  (``DOWNLOAD_HANDLERS``): Scrapy's aiohttp handler, whose connector resolves
  through :class:`PolicyAiohttpResolver`, so the address a connection will really
  use is checked once more as it is resolved. The middleware's answer and the
  connection's could differ (a short DNS TTL, "DNS rebinding"); this one cannot be
  bypassed, because no connection to a name is made without it. IP literals never
  reach a resolver: the middleware checks them.
* :func:`refused_message` finds the policy's sentence in a failed download, for
  the spiders' failure description.

Downloads do not go through the reactor's resolver (``TWISTED_DNS_RESOLVER``):
aiohttp resolves for itself, so the check lives in its resolver, here.
Scrapy's aiohttp handler also costs less CPU per request than its Twisted one
(measured on a bare spider: 1.08 against 1.28 ms).

Both checks read the allow list from the ``TWINWATCH_ALLOW_PRIVATE`` setting (a list
of CIDRs that ``spiders.settings.as_dict`` fills from the config file and the
environment). The decision itself (which address is refused, and the sentence
saying why) is :class:`monitor.net.policy.NetPolicy`'s, not this module's.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from scrapy import exceptions as sx
from scrapy.core.downloader.handlers._aiohttp import AiohttpDownloadHandler, _ClientResponse
from scrapy.core.downloader.handlers._base_streaming import BaseStreamingDownloadHandler
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from scrapy.utils.ssl import _make_ssl_context

from monitor.net.policy import SCHEMES, NetPolicy, Refused, ip_literal, load_policy, policy_from, resolve_host
from spiders.hostslot import release
from spiders.middlewares import TwinwatchBlocked

SETTING = "TWINWATCH_ALLOW_PRIVATE"
"""Scrapy setting: the CIDRs allowed although not public."""


def _policy(settings: Any) -> NetPolicy:
    values = settings.getlist(SETTING) if settings.get(SETTING) is not None else None
    return load_policy() if values is None else policy_from(values)


class NetPolicyMiddleware:
    """Refuse requests to non-public addresses and to schemes other than http(s)."""

    def __init__(self, crawler: Crawler, policy: NetPolicy) -> None:
        self.crawler = crawler
        self.policy = policy
        self._verdicts: dict[tuple[str, int | None], str | None] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NetPolicyMiddleware:
        return cls(crawler, _policy(crawler.settings))

    def _refuse(self, message: str) -> TwinwatchBlocked:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("twinwatch/netpolicy/refused")
        return TwinwatchBlocked("refused", message)

    async def process_request(self, request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme.lower() not in SCHEMES:
            raise self._refuse(f"refused: {parts.scheme} URL {request.url}; only http and https are fetched")
        host = parts.hostname or ""
        key = (host, parts.port)
        if key not in self._verdicts:
            self._verdicts[key] = await self._verdict(request.url, host, parts.port)
        refusal = self._verdicts[key]
        if refusal is not None:
            raise self._refuse(refusal)

    async def _verdict(self, url: str, host: str, port: int | None) -> str | None:
        """Why requests to ``host`` are refused, or ``None``: decided once a run for each
        host and port (the policy and the addresses do not change during a run; asked
        for every request, parsing the addresses cost a tenth of a millisecond each)."""
        try:
            if ip_literal(host) is not None:
                self.policy.check_url(url, resolve=False)
                return None
            addresses = await asyncio.to_thread(resolve_host, host, port)
            self.policy.check_addresses(host, addresses)
        except Refused as exc:
            return str(exc)
        return None

    def process_response(self, request: Request, response: Response) -> Request | Response:
        """A 3xx still here was not followed: Scrapy hands back redirects to other
        schemes (``file:``, ``ftp:``, ``javascript:``) as they are. Say so."""
        location = response.headers.get(b"Location")
        if 300 <= response.status < 400 and location:
            target = urljoin(request.url, location.decode("latin-1").strip())
            scheme = urlsplit(target).scheme.lower()
            if scheme and scheme not in SCHEMES:
                raise self._refuse(f"refused: redirect to a {scheme}: URL ({target[:200]}); "
                                   "only http and https are followed")
        return response


REFUSALS: dict[str, str] = {}
"""Host name -> the policy's sentence, for names the resolver refused in this process.
aiohttp reports a resolver's error as the ``strerror`` of an ``OSError`` (``None``
for ours, which has only a message), so the reason is kept here for
:func:`refused_message`."""


class PolicyAiohttpResolver(AbstractResolver):
    """aiohttp's threaded resolver that refuses to hand out a non-public address."""

    def __init__(self, policy: NetPolicy) -> None:
        self.policy = policy
        self._inner = aiohttp.ThreadedResolver()

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        found = await self._inner.resolve(host, port, family)
        for info in found:
            why = self.policy.problem(info["host"])
            if why:
                message = why.replace("refused: ", f"refused: {host} resolves to ", 1)
                REFUSALS[host.lower()] = message
                raise OSError(message)
        REFUSALS.pop(host.lower(), None)
        return found

    async def close(self) -> None:
        await self._inner.close()


class PolicyAiohttpDownloadHandler(AiohttpDownloadHandler):
    """Scrapy's aiohttp handler whose connector resolves through :class:`PolicyAiohttpResolver`,
    and which gives the site's place back (``spiders.hostslot``) as soon as an answer is in.

    That place was given back when the answer had come back up to the middleware, a
    few event-loop turns later: about 3 ms (median, 4 mean) between an answer and its
    site's next request, on a recrawl of ``bench/crawl --latency 50``, where a site's 100
    requests follow each other. A failure still gives the place back in the middleware,
    after the circuit breaker (``spiders.breaker``) has taken it into account, so that
    the site's next request is not sent to a host the breaker is about to stop.
    """

    def __init__(self, crawler: Crawler) -> None:
        # Scrapy's __init__ builds its session with aiohttp's resolver and offers no
        # hook for another: build the same session here, with ours.
        BaseStreamingDownloadHandler.__init__(self, crawler)
        self._ssl_context = _make_ssl_context(crawler.settings)
        connector = aiohttp.TCPConnector(
            local_addr=self._bind_address,
            limit=self._pool_size_total,
            limit_per_host=self._pool_size_per_host,
            resolver=PolicyAiohttpResolver(_policy(crawler.settings)),
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=False,
            response_class=_ClientResponse,
            skip_auto_headers=("Accept", "Accept-Encoding", "Content-Type", "User-Agent"),
        )

    async def download_request(self, request: Request) -> Response:
        response = await super().download_request(request)
        release(request)
        return response


def refused_message(exc: BaseException, url: str) -> str | None:
    """The policy's sentence when ``exc`` (a failed request for ``url``) is a refusal
    by the resolver, else ``None``."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, sx.CannotResolveHostError):
            text = str(seen)
            if "refused: " in text:
                return text[text.index("refused: "):].rstrip(".")
            return REFUSALS.get((urlsplit(url).hostname or "").lower())
        seen = seen.__cause__ or seen.__context__
    return None
