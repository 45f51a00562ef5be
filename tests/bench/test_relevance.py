"""bench/relevance runs its labelled page changes through the real ``prepare`` (day 1, then
day 2 against day 1's stored text): a change to what ``prepare`` returns must not break
the benchmark silently (it once read a field ``Prepared`` no longer has)."""

from __future__ import annotations

import importlib

import pytest

from monitor.plugin_manager import make_plugin_manager


@pytest.fixture(scope="module")
def bench():  # type: ignore[no-untyped-def]
    return importlib.import_module("bench.relevance.__main__")


def test_page_changes_run_through_prepare(bench) -> None:  # type: ignore[no-untyped-def]
    gold = bench.load("pages")[:4]
    assert gold
    pm = make_plugin_manager(distribution="twinwatch")
    got = bench.predict(pm, "pages", gold)
    assert len(got) == len(gold)
    # each labelled page change is a change on day 2, with its analyzers' summary
    assert all(p["changes"] >= 1 and "score" in p for p in got)
