"""The private-address policy (``monitor.net.policy``) inside Scrapy, at two levels.

* :class:`NetPolicyMiddleware`, first of the downloader middlewares, checks every
  request before anything else sees it (so before robots.txt is asked for): the
  scheme, an IP literal, and every address a host name resolves to. Redirects come
  back through it as new requests, so each hop is checked; a redirect to another
  scheme, which Scrapy would hand back as a plain 3xx, is refused here by name.
  A refused request fails its source as ``refused`` with the policy's sentence.
* :class:`PolicyResolver` is the reactor's resolver: the address the connection
  will really use is checked once more as it is resolved. The middleware's answer
  and the connection's could differ (a short DNS TTL, "DNS rebinding"); this one
  cannot be bypassed, because no connection to a name is made without it.

Both read the allow list from the ``TWINWATCH_ALLOW_PRIVATE`` setting (a list of
CIDRs that ``spiders.settings.as_dict`` fills from the config file and the
environment).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy import exceptions as sx
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from scrapy.resolver import CachingThreadedResolver
from twisted.internet.defer import Deferred
from twisted.internet.error import DNSLookupError

from monitor.net.policy import SCHEMES, NetPolicy, Refused, ip_literal, load_policy, policy_from, resolve_host
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
        self._resolved: dict[tuple[str, int | None], list[str]] = {}

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
        try:
            if ip_literal(host) is not None:
                self.policy.check_url(request.url, resolve=False)
                return
            key = (host, parts.port)
            addresses = self._resolved.get(key)
            if addresses is None:
                addresses = await asyncio.to_thread(resolve_host, host, parts.port)
                self._resolved[key] = addresses
            self.policy.check_addresses(host, addresses)
        except Refused as exc:
            raise self._refuse(str(exc)) from None

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


class PolicyRefusedDNS(DNSLookupError):
    """A name resolved to an address the policy refuses (no connection is made)."""


REFUSALS: dict[str, str] = {}
"""Host name -> the policy's sentence, for names the resolver refused in this process.
Twisted's adapter from a simple resolver to a hostname resolver turns any lookup
error into "no results", so the reason is kept here for :func:`refused_message`."""


class PolicyResolver(CachingThreadedResolver):
    """Scrapy's caching resolver that refuses to hand out a non-public address."""

    policy: NetPolicy = NetPolicy()

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> PolicyResolver:
        resolver = super().from_crawler(crawler, reactor)
        resolver.policy = _policy(crawler.settings)
        return resolver

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:  # noqa: N802 (Twisted's name)
        d = super().getHostByName(name, timeout)
        d.addCallback(self._check, name)
        return d

    def _check(self, address: str, name: str) -> str:
        why = self.policy.problem(address)
        if why:
            message = why.replace("refused: ", f"refused: {name} resolves to ", 1)
            REFUSALS[name.lower()] = message
            raise PolicyRefusedDNS(message)
        REFUSALS.pop(name.lower(), None)
        return address


def refused_message(exc: BaseException, url: str) -> str | None:
    """The policy's sentence when ``exc`` (a failed request for ``url``) is a refusal
    by the resolver, else ``None``."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, PolicyRefusedDNS | sx.CannotResolveHostError | DNSLookupError):
            text = str(seen)
            if "refused: " in text:
                return text[text.index("refused: "):].rstrip(".")
            return REFUSALS.get((urlsplit(url).hostname or "").lower())
        seen = seen.__cause__ or seen.__context__
    return None
