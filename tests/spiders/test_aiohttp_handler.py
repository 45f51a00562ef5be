"""The aiohttp handler's resolver applies the private-address policy itself: with
aiohttp, Scrapy's reactor resolver (spiders.netpolicy.PolicyResolver) is never asked."""

from __future__ import annotations

import asyncio

import pytest

from monitor.net.policy import policy_from
from spiders import settings
from spiders.aiohttp_handler import PolicyAiohttpResolver


def resolve(allowed: list[str]) -> list[str]:
    async def run() -> list[str]:
        resolver = PolicyAiohttpResolver(policy_from(allowed))
        try:
            return [r["host"] for r in await resolver.resolve("localhost", 80)]
        finally:
            await resolver.close()

    return asyncio.run(run())


def test_localhost_refused_unless_allowed():
    with pytest.raises(OSError, match="refused: localhost resolves to 127.0.0.1"):
        resolve([])
    assert resolve(["127.0.0.0/8"]) == ["127.0.0.1"]


def test_http_goes_through_the_policy_handler():
    assert settings.DOWNLOAD_HANDLERS["http"] == settings.DOWNLOAD_HANDLERS["https"] == (
        "spiders.aiohttp_handler.PolicyAiohttpDownloadHandler")
