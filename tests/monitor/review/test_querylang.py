"""The inbox query line, parsed into a filter: a pure function."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.errors import QueryError
from monitor.review.querylang import parse_query
from monitor.store.queries import ChangeFilter

TODAY = date(2026, 3, 15)


def f(text: str) -> ChangeFilter:
    return parse_query(text, today=TODAY).filter


@pytest.mark.parametrize("text,expected", [
    ("", ChangeFilter()),
    ("status:new", ChangeFilter(statuses=("new",))),
    ("status:new,follow-up", ChangeFilter(statuses=("new", "follow-up"))),
    ("is:followup status:not-relevant", ChangeFilter(statuses=("follow-up", "irrelevant"))),
    ("status:reviewed", ChangeFilter(statuses=("relevant", "irrelevant", "follow-up"))),
    ("-status:irrelevant", ChangeFilter(not_statuses=("irrelevant",))),
    ("tag:motion tag:gaza", ChangeFilter(tags=("motion", "gaza"))),
    ("-tag:done", ChangeFilter(not_tags=("done",))),
    ("source:12", ChangeFilter(source_ids=(12,))),
    ("source:ixelles.be,3", ChangeFilter(sources=("ixelles.be",), source_ids=(3,))),
    ('municipality:"Sint-Niklaas"', ChangeFilter(municipalities=("Sint-Niklaas",))),
    ("muni:Gent,Ixelles country:BE", ChangeFilter(municipalities=("Gent", "Ixelles"), countries=("BE",))),
    ("lang:nl language:fr", ChangeFilter(langs=("nl", "fr"))),
    ("cat:twinning", ChangeFilter(categories=("twinning",))),
    ("id:4,5", ChangeFilter(ids=(4, 5))),
    ("score:0.5", ChangeFilter(score_min=0.5)),
    ("score:0.2..0.8", ChangeFilter(score_min=0.2, score_max=0.8)),
    ("score:..0.3", ChangeFilter(score_max=0.3)),
    ("score:>=0.6", ChangeFilter(score_min=0.6)),
    ("score:<0.4", ChangeFilter(score_max=0.4)),
    ("date:2026-03-01", ChangeFilter(since="2026-03-01", until="2026-03-02")),
    ("date:2026-02", ChangeFilter(since="2026-02-01", until="2026-03-01")),
    ("date:2025-12", ChangeFilter(since="2025-12-01", until="2026-01-01")),
    ("date:2025", ChangeFilter(since="2025-01-01", until="2026-01-01")),
    ("date:2026-01-10..2026-01-20", ChangeFilter(since="2026-01-10", until="2026-01-21")),
    ("date:2026-01-10..", ChangeFilter(since="2026-01-10")),
    ("date:>=2026-01-10", ChangeFilter(since="2026-01-10")),
    ("date:<2026-01-10", ChangeFilter(until="2026-01-10")),
    ("date:<=2026-01-10", ChangeFilter(until="2026-01-11")),
    ("date:7d", ChangeFilter(since="2026-03-09")),
    ("date:2w", ChangeFilter(since="2026-03-02")),
    ("date:today", ChangeFilter(since="2026-03-15", until="2026-03-16")),
])
def test_filters(text, expected):
    """Each key:value becomes the matching ChangeFilter field."""
    assert f(text) == expected


@pytest.mark.parametrize("text,search", [
    ("stedenband", '"stedenband"'),
    ('"town twinning" Gaza', '"town twinning" "Gaza"'),
    ("zuster* -oorlog", '"zuster"* NOT "oorlog"'),
    ("a-b AND OR NEAR(", '"a-b" "AND" "OR" "NEAR("'),
    ('say "hi""', None),
])
def test_free_text_is_always_valid_fts(text, search):
    """Words become quoted FTS5 terms, so no user text is read as FTS syntax."""
    if search is None:
        with pytest.raises(QueryError):
            f(text)
    else:
        assert f(text).search == search


def test_the_example_from_the_issue():
    """status:new lang:nl tag:motion "stedenband" combines filters and a phrase."""
    q = parse_query('status:new lang:nl tag:motion "stedenband" sort:date', today=TODAY)
    assert q.filter == ChangeFilter(statuses=("new",), langs=("nl",), tags=("motion",),
                                    search='"stedenband"')
    assert q.sort == "date"
    assert q.terms == ("stedenband",)
    assert not q.is_empty
    assert parse_query("  ").is_empty


@pytest.mark.parametrize("text,position,words", [
    ("status:maybe", 0, "not a status"),
    ("lang:nl colour:red", 8, "unknown filter colour:"),
    ("score:high", 0, "not a number"),
    ("date:yesterdayish", 0, "not a date"),
    ("-lang:nl", 0, "cannot be negated"),
    ('tag:"unclosed', 4, "unclosed quote"),
    ("-oorlog", 0, "needs a word"),
    ("sort:alpha", 0, "relevance or date"),
    ("id:x", 0, "not a change id"),
    ("tag:", 0, "needs a value"),
])
def test_errors_say_what_and_where(text, position, words):
    """A query that cannot be read raises QueryError naming the term and its column."""
    with pytest.raises(QueryError) as err:
        parse_query(text, today=TODAY)
    assert words in err.value.message
    assert err.value.position == position
