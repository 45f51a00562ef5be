"""Fault injection: every scenario of ``scenarios.py`` against real ``twinwatch crawl``
processes (one per group and crawl, with healthy control sources), judged by
``harness.py``: bounded time and memory, a readable failure recorded on the source
(or the right text stored), no change invented on a second crawl, the control
sources stored, ``PRAGMA integrity_check`` ok."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.harness import CONTROLS, GroupResult, run_group
from tests.faults.scenarios import GROUPS, SCENARIOS, by_group

pytestmark = pytest.mark.slow

_results: dict[str, GroupResult] = {}


@pytest.fixture(scope="module")
def group_result(tmp_path_factory: pytest.TempPathFactory):
    """Runs each group once (two crawls) the first time one of its scenarios is checked."""

    def get(group: str) -> GroupResult:
        if group not in _results:
            _results[group] = run_group(
                group, by_group()[group], Path(tmp_path_factory.mktemp(f"faults-{group}"))
            )
        return _results[group]

    return get


@pytest.mark.timeout(300)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario(scenario, group_result):
    """The scenario is bounded, recorded as it should be, and invents no change."""
    result = group_result(scenario.group)
    verdict = result.verdicts[scenario.name]
    assert verdict.ok, (
        f"{scenario.name}: {verdict.problems} (first: {verdict.first}, second: {verdict.second})"
    )


@pytest.mark.timeout(300)
@pytest.mark.parametrize("group", list(GROUPS))
def test_group_crawls(group, group_result):
    """Both crawls of the group exit 0 within its time and memory bounds, the database
    passes integrity_check after each, and the healthy control sources are stored."""
    result = group_result(group)
    assert not result.problems, result.problems
    assert result.integrity == ["ok", "ok"]
    for name in CONTROLS:
        assert result.verdicts[name].ok, result.verdicts[name].problems
    failed = sum(
        1
        for v in result.verdicts.values()
        if v.first and v.first.outcome not in ("new", "changed", "unchanged", "not-modified", "no-match")
    )
    assert f"{failed} failed" in result.runs[0].stdout or failed == 0, result.runs[0].stdout
    assert all(r.max_rss_mb > 20 for r in result.runs), "rusage measured nothing"
