"""The general rules of the built-in analyzers, one data file of cases per rule
(tests/plugins/data/analyzer_rules.json), through the plugin manager."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.analyze.service import TextInput, analyze_text
from plugins.analyzers.gazetteer import gazetteer, key

CASES = json.loads((Path(__file__).parent / "data" / "analyzer_rules.json").read_text(encoding="utf-8"))


def _same_place(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a is b
    return key(a) == key(b) or any(x is y for x in gazetteer().lookup(a) for y in gazetteer().lookup(b))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_analyzer_rule(pm, case):
    """Each rule's case yields the expected fields (places compared by any of their names)."""
    result = analyze_text(pm, TextInput(case["text"], municipality=case.get("municipality")))
    assert result["errors"] == []
    for field, expected in case["expect"].items():
        if field in ("municipality", "partner"):
            assert _same_place(result[field], expected), (case["rule"], field, result)
        else:
            assert result[field] == expected, (case["rule"], field, result)
