"""Bad input against a real crawl: each case bounded in time and memory, recorded on
its source, and the crawl goes on (one subprocess crawl for all of them)."""

from __future__ import annotations

import gzip
import json

import brotli
import pytest

from tests.conftest import Route, TestServer
from tests.helpers import PARTNERS, page

pytestmark = pytest.mark.slow


def test_hostile_servers_are_bounded_and_recorded(http_server, twinwatch):
    """Slow drip, redirect loop, 429 with Retry-After (short: waited; long: given up),
    truncated body, binary as HTML, gzip and brotli bombs, robots.txt answering 503."""
    s = http_server
    urls = {
        "good": s.set("/good.html", page(PARTNERS)),
        "drip": s.set("/drip.html", page(PARTNERS), drip=0.05),
        "loop": s.set("/loop-a", b"", status=302, headers={"Location": "/loop-b"}),
        "retry": s.set("/busy.html", b"busy", status=429, headers={"Retry-After": "1"},
                       then=Route(page(PARTNERS))),
        "toolong": s.set("/later.html", b"busy", status=503, headers={"Retry-After": "3600"}),
        "truncated": s.set("/cut.html", page(PARTNERS), truncate=300),
        "binary": s.set("/blob.html", bytes(range(256)) * 64),
        "gzip": s.set("/bomb.html", gzip.compress(b" " * 50_000_000, 9),
                      headers={"Content-Type": "text/html", "Content-Encoding": "gzip"}),
        "brotli": s.set("/bomb-br.html", brotli.compress(b" " * 50_000_000, quality=5),
                        headers={"Content-Type": "text/html", "Content-Encoding": "br"}),
    }
    s.set("/loop-b", b"", status=302, headers={"Location": "/loop-a"})
    sick = TestServer().start()
    try:
        sick.set("/robots.txt", b"down", status=503)
        urls["robots503"] = sick.set("/page.html", page(PARTNERS))
        for url in urls.values():
            twinwatch("sources", "add", url)
        out = twinwatch("crawl", "--timeout", "1", "--max-size", "1000000")  # the drip: a timeout
    finally:
        sick.stop()
    assert out.returncode == 0 and out.elapsed < 40  # type: ignore[attr-defined]
    assert "2 fetched" in out.stdout and "8 failed" in out.stdout, out.stdout
    state = {s["url"]: s for s in json.loads(twinwatch("sources", "list", "--json").stdout)}
    got = {name: (state[url]["last_status"], state[url]["last_error"] or "") for name, url in urls.items()}
    assert got["good"][0] == "new" and got["retry"][0] == "new"
    assert got["drip"][0] == "timeout"
    assert got["loop"][0] == "redirect-loop"
    assert got["toolong"][0] == "http-error" and "Retry-After 3600" in got["toolong"][1]
    assert got["truncated"][0] == "network-error" and "whole body" in got["truncated"][1]
    assert got["binary"][0] == "parse-error" and "binary" in got["binary"][1]
    assert got["gzip"][0] == "too-large" and got["brotli"][0] == "too-large"
    assert got["robots503"][0] == "robots" and "503" in got["robots503"][1]
    assert not [p for p, _ in sick.requests if p == "/page.html"]
    assert len([p for p, _ in s.requests if p == "/busy.html"]) == 2


def test_non_http_schemes_are_refused(twinwatch):
    """file:, javascript: and data: URLs are refused when added (exit 2, one line)."""
    for url in ("file:///etc/passwd", "javascript:alert(1)", "data:text/html,<p>x</p>"):
        proc = twinwatch("sources", "add", url, check=False)
        assert proc.returncode == 2 and "not an http(s) URL" in proc.stderr
