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
