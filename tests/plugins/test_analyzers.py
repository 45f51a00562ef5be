"""The built-in analyzers on the cases in tests/data/analyzer_cases.json, through the plugin manager."""

from __future__ import annotations

import json
import time

import pytest

from monitor.analyze.run import analyze
from monitor.analyze.service import TextInput, analyze_text
from monitor.models import CATEGORIES, ChangeDraft, Source
from tests.conftest import DATA

CASES = json.loads((DATA / "analyzer_cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_analyzer_case(pm, case):
    """Each case's text yields the expected fields (and never an error finding)."""
    result = analyze_text(pm, TextInput(case["text"], municipality=case.get("municipality")))
    assert result["errors"] == []
    for field, expected in case["expect"].items():
        assert result[field] == expected, (field, result)
    assert 0.0 <= result["score"] <= 1.0
    assert result["category"] is None or result["category"] in CATEGORIES


def test_every_builtin_analyzer_reports_each_finding(pm):
    """language, relevance, category, municipality, partner, date and amount are all attached."""
    draft = ChangeDraft(Source(0, "http://x"), "new-entry", "http://x", "", ("Geen nieuws vandaag.",), ())
    names = {f.name for f in analyze(pm, draft)}
    assert {"language", "relevance", "category", "municipality", "partner", "date", "amount"} <= names


def test_undetermined_findings_say_why(pm):
    """An empty change gets findings whose reasons say what could not be determined."""
    draft = ChangeDraft(Source(0, "http://x"), "page-changed", "http://x", "", (), ())
    findings = {f.name: f for f in analyze(pm, draft)}
    for name in ("municipality", "partner", "date", "amount", "language"):
        assert findings[name].value is None and findings[name].reasons, name
    assert findings["relevance"].value == 0.0


def test_very_long_text_is_fast_and_safe(pm):
    """A 300-page text (about 900,000 characters) is analyzed without error in well under a second."""
    page = "Le conseil communal a approuvé le budget des écoles et des routes pour l'année prochaine. " * 30
    text = "\n".join(page for _ in range(300))
    started = time.perf_counter()
    result = analyze_text(pm, TextInput(text))
    assert time.perf_counter() - started < 2.0
    assert result["errors"] == [] and result["relevant"] is False


def test_removed_twinning_paragraph_counts(pm):
    """A page change that only removes a twinning partner is still scored relevant."""
    src = Source(1, "http://x", municipality="Ixelles", country="BE")
    removed = ("Megiddo (Israel) became a twin town in 2012 after a decision of the municipal council.",)
    draft = ChangeDraft(src, "page-changed", "http://x", "Ixelles", (), removed)
    rel = next(f for f in analyze(pm, draft) if f.name == "relevance")
    assert rel.value >= 0.5 and any("twin" in r for r in rel.reasons)


def test_a_decision_date_given_as_data_is_the_date_finding(pm):
    """A portal entry's session date (``ChangeDraft.decided``) is the date finding, over the
    older dates its text quotes; without it the date comes from the text."""
    src = Source(1, "http://x", municipality="Lindeloo", country="BE")
    text = ("Gelet op het decreet over het lokaal bestuur van 22 december 2017 keurt de gemeenteraad "
            "het reglement voor de markten goed.")
    plain = ChangeDraft(src, "new-entry", "http://x", "Marktreglement", (text,), (), text=text,
                        published="2025-11-24")
    decided = ChangeDraft(src, "new-entry", "http://x", "Marktreglement", (text,), (), text=text,
                          published="2025-11-24", decided="2025-11-20")
    date = {d: next(f for f in analyze(pm, c) if f.name == "date") for d, c in (("plain", plain),
                                                                                ("decided", decided))}
    assert date["plain"].value != "2025-11-20"
    assert date["decided"].value == "2025-11-20" and "meeting that decided it" in date["decided"].reasons[0]
