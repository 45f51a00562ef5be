"""The http(s) download handler applies the private-address policy in its own
resolver (spiders.netpolicy): aiohttp resolves names itself, so this resolver,
not the reactor's, is the one every connection to a name goes through."""

from __future__ import annotations

import asyncio
import json

import pytest

from monitor.net.policy import policy_from
from spiders.netpolicy import PolicyAiohttpResolver
from tests.helpers import PARTNERS, page


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


NO_MIDDLEWARE = json.dumps({"DOWNLOADER_MIDDLEWARES": {"spiders.netpolicy.NetPolicyMiddleware": None}})
"""Crawl settings without the policy middleware: what is refused then, the handler refused."""


def _state(twinwatch) -> dict[str, dict]:
    return {s["url"]: s for s in json.loads(twinwatch("sources", "list", "--json").stdout)}


@pytest.mark.slow
def test_http_and_https_downloads_go_through_the_policy_handler(http_server, twinwatch):
    """With the middleware off, a real crawl of an http and an https URL on ``localhost``
    is refused by the download handler's resolver, and the server sees no request;
    allowed again, the same crawl does fetch."""
    http_url = http_server.set("/p.html", page(PARTNERS)).replace("127.0.0.1", "localhost")
    https_url = http_url.replace("http://", "https://").replace("/p.html", "/s.html")
    for url in (http_url, https_url):
        twinwatch("sources", "add", url, env={"TWINWATCH_ALLOW_PRIVATE": "127.0.0.0/8,::1"})
    out = twinwatch("crawl", "--all", "--timeout", "5",
                    env={"TWINWATCH_ALLOW_PRIVATE": "", "TWINWATCH_SCRAPY_SETTINGS": NO_MIDDLEWARE})
    assert "2 failed" in out.stdout, out.stdout
    state = _state(twinwatch)
    for url in (http_url, https_url):
        assert state[url]["last_status"] == "refused", (url, state[url])
        assert state[url]["last_error"].startswith("refused: localhost resolves to "), state[url]
        assert "loopback address" in state[url]["last_error"]
    assert http_server.requests == []
    # the same crawl with loopback allowed connects: the refusal was the policy's
    twinwatch("crawl", "--all", "--timeout", "5",
              env={"TWINWATCH_ALLOW_PRIVATE": "127.0.0.0/8,::1", "TWINWATCH_SCRAPY_SETTINGS": NO_MIDDLEWARE})
    state = _state(twinwatch)
    assert state[http_url]["last_status"] == "new", state[http_url]
    assert state[https_url]["last_status"] != "refused", state[https_url]
    assert any(p == "/p.html" for p, _ in http_server.requests)
