"""Scrapy's aiohttp download handler, with the private-address policy in its resolver.

Scrapy's aiohttp handler costs less CPU per request than its Twisted one (measured
on a bare spider: 1.08 against 1.28 ms), but it connects through aiohttp's own
resolver, not the reactor's: :class:`spiders.netpolicy.PolicyResolver` would never
see its look-ups, and a name that resolves to a private address when the
connection is made ("DNS rebinding") would get through. :class:`PolicyAiohttpResolver`
checks every address aiohttp is about to connect to, as ``PolicyResolver`` does;
:class:`PolicyAiohttpDownloadHandler` is Scrapy's handler with that resolver in its
connector. IP literals never reach a resolver in either handler: the middleware
checks them.
"""

from __future__ import annotations

import socket

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from scrapy.core.downloader.handlers._aiohttp import AiohttpDownloadHandler, _ClientResponse
from scrapy.core.downloader.handlers._base_streaming import BaseStreamingDownloadHandler
from scrapy.crawler import Crawler
from scrapy.utils.ssl import _make_ssl_context

from monitor.net.policy import NetPolicy
from spiders.netpolicy import REFUSALS, _policy


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
    """Scrapy's aiohttp handler whose connector resolves through :class:`PolicyAiohttpResolver`."""

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
