"""bench/crawl's latency-mode helpers, on hand-made server logs (no server, no crawl):
rows are ``[host, path, if-none-match, arrived, answered, status]``."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
from pathlib import Path

import pytest

CRAWL = Path(__file__).resolve().parents[2] / "bench" / "crawl"


@pytest.fixture(scope="module")
def bench():
    saved = os.environ.get("TWINWATCH_ALLOW_PRIVATE")
    loader = importlib.machinery.SourceFileLoader("bench_crawl", str(CRAWL))
    spec = importlib.util.spec_from_loader("bench_crawl", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    # The bench allows the loopback web at import: not for the tests after this one.
    if saved is None:
        os.environ.pop("TWINWATCH_ALLOW_PRIVATE", None)
    else:
        os.environ["TWINWATCH_ALLOW_PRIVATE"] = saved
    return module


LOG = [
    ["a", "/robots.txt", None, 0.0, 0.1, 200],
    ["a", "/p/0.html", None, 0.1, 0.2, 200],      # starts as robots.txt ends: no overlap
    ["a", "/feed.xml", None, 0.15, 0.3, 200],     # overlaps /p/0.html: two in flight
    ["a", "/robots.txt", None, 0.35, 0.45, 200],  # a repeat
    ["b", "/p/0.html", '"e1"', 0.0, 0.05, 304],
    ["b", "/p/1.html", None, 0.25, 0.35, 200],
]


def test_in_flight_counts_overlap_per_site(bench):
    assert bench.max_in_flight(LOG) == {"a": 2, "b": 1}


def test_plan_keeps_each_request_once_in_order(bench):
    plan, repeats = bench.polite_plan(LOG)
    assert plan == {"a": [("/robots.txt", None), ("/p/0.html", None), ("/feed.xml", None)],
                    "b": [("/p/0.html", '"e1"'), ("/p/1.html", None)]}
    assert repeats == 1


def test_limit_gaps_and_kinds(bench):
    assert bench.computed_limit(LOG) == pytest.approx(0.1 + 0.1 + 0.15 + 0.1)
    assert sorted(round(g, 2) for g in bench.idle_gaps(LOG)) == [0.0, 0.05, 0.2]
    assert bench.kinds_of(LOG) == {"robots.txt": 2, "pages": 3, "feeds": 1, "articles": 0, "other": 0,
                                   "304": 1}


def test_overlaps_name_the_kinds_that_share_no_slot(bench):
    assert bench.overlaps(LOG) == {"feeds+pages": 1}


def test_cpu_floor_is_the_wall_every_core_busy_would_take(bench):
    cores = os.cpu_count() or 1
    assert bench._floor({"crawl": {"cpu_exact": 9.0}, "server_cpu": 1.0}) == pytest.approx(10.0 / cores)


def test_overhead_is_the_wall_over_the_larger_of_floor_and_limit(bench):
    cores = os.cpu_count() or 1
    cpu_bound = {"crawl": {"cpu_exact": 10.0 * cores, "wall": 12.0}, "server_cpu": 0.0, "polite_wall": 5.0}
    paced = {"crawl": {"cpu_exact": 1.0 * cores, "wall": 6.0}, "server_cpu": 0.0, "polite_wall": 5.0}
    assert bench._overhead(cpu_bound) == pytest.approx(1.2)  # over its floor of 10 s
    assert bench._overhead(paced) == pytest.approx(1.2)  # over the limit of 5 s


def test_the_server_speaks_keep_alive_http_waits_and_logs_each_answer(bench):
    """The synthetic web's own HTTP server (bench/crawl ``_Site``): pages, 304 to a
    matching If-None-Match, 404, two requests on one connection, ``Connection: close``,
    each answer after the latency and logged with its arrival and end, and the log
    taken and emptied without being delayed or logged itself."""
    import http.client
    import json
    import multiprocessing
    import threading
    import time

    port = bench.free_port()
    ready, stop, day = multiprocessing.Event(), multiprocessing.Event(), multiprocessing.Value("i", 1)
    server = threading.Thread(target=bench.serve, args=(7, 2, 3, port, ready, stop, day, 0.05), daemon=True)
    server.start()
    try:
        assert ready.wait(30)
        site = bench.host(0)  # an even site: it sends ETags
        conn = http.client.HTTPConnection(site, port, timeout=10)
        started = time.monotonic()
        conn.request("GET", "/p/0.html")
        page = conn.getresponse()
        body = page.read()
        assert page.status == 200 and page.getheader("Content-Type") == "text/html; charset=utf-8"
        assert b"</html>" in body and int(page.getheader("Content-Length")) == len(body)
        assert time.monotonic() - started >= 0.05
        etag = page.getheader("ETag")
        assert etag
        conn.request("GET", "/nowhere")  # the same connection: kept alive
        missing = conn.getresponse()
        assert missing.status == 404 and missing.read() == b""
        conn.request("GET", "/p/0.html", headers={"If-None-Match": etag})
        same = conn.getresponse()
        assert same.status == 304 and same.read() == b"" and same.getheader("ETag") == etag
        conn.request("GET", "/robots.txt", headers={"Connection": "close"})
        last = conn.getresponse()
        last.read()
        assert last.getheader("Connection") == "close"
        conn.close()

        log_conn = http.client.HTTPConnection(site, port, timeout=10)
        asked = time.monotonic()
        log_conn.request("GET", bench.LOG_PATH)
        rows = json.loads(log_conn.getresponse().read())
        assert time.monotonic() - asked < 0.05  # not delayed
        paths = [r[1] for r in rows]
        assert paths == ["/p/0.html", "/nowhere", "/p/0.html", "/robots.txt"]
        assert all(r[0] == site and r[4] - r[3] >= 0.05 for r in rows)
        assert [r[2] for r in rows][:3] == [None, None, etag]
        assert [r[5] for r in rows][:3] == [200, 404, 304]
        log_conn.request("GET", bench.LOG_PATH)
        assert json.loads(log_conn.getresponse().read()) == []  # emptied, and not logged
        log_conn.close()
    finally:
        stop.set()
        server.join(10)
    assert not server.is_alive()
