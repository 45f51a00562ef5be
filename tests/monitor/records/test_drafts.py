"""The record form's starting values, the records search, and the export preview
count, on the demo web's real changes and records."""

from __future__ import annotations

import pytest

from monitor.errors import QueryError, SourceError
from monitor.export.service import ExportRequest, export, pending
from monitor.records import registry as records
from monitor.records.drafts import draft, parse_record_search, search_records
from monitor.records.queries import records as list_records
from monitor.records.registry import prefill
from monitor.review.decisions import set_fact
from monitor.store.queries import change
from tests.demo_data import build, fixed_clock


@pytest.fixture
def demo(db_path, pm, monkeypatch):
    fixed_clock(monkeypatch)
    return build(db_path, pm)


def test_draft_is_prefill_with_valid_corrections(demo, db):
    """Corrected facts replace the analyzers' suggestions; a correction that is no valid
    record value (an amount in words) leaves the suggestion."""
    cid = demo["changes"]["vvsg/overview.html"]
    base = prefill(change(db, cid))
    assert draft(db, cid) == base
    set_fact(db, cid, "partner", "Gaza City")
    set_fact(db, cid, "category", "symbolic_action")
    set_fact(db, cid, "amount", "five thousand")
    got = draft(db, cid)
    assert (got["partner"], got["action"]) == ("Gaza City", "symbolic_action")
    assert got.get("amount_eur") == base.get("amount_eur")
    with pytest.raises(SourceError):
        draft(db, 999)


def test_records_search(demo, db):
    """Filters and words narrow the records; a bad search is a QueryError."""
    found = list_records(db)
    ids = demo["records"]

    def ids_of(text: str) -> list[int]:
        return [r.id for r in search_records(found, text)]

    assert ids_of("") == [1, 2, 3]
    assert ids_of("action:twinning") == [ids["suspended"], ids["established"]]
    assert ids_of("municipality:megiddo date:2024") == [ids["suspended"]]
    assert ids_of("date:2012..2024") == [ids["suspended"], ids["established"]]
    assert ids_of("date:2025..") == [ids["aid"]]
    assert ids_of("country:il") == [ids["suspended"], ids["established"]]
    assert ids_of(f"change:{demo['changes']['ixelles/cooperation.html']}") == [ids["suspended"]]
    assert ids_of('"children in gaza"') == [ids["aid"]]
    assert ids_of("unicef ixelles") == []
    for bad in ('"open', "colour:red", "change:x"):
        with pytest.raises(QueryError):
            parse_record_search(bad)


def test_pending_counts_what_since_last_would_write(demo, db, pm, tmp_path):
    """pending() counts the items, and those an only-new export would write."""
    req = ExportRequest("csv", table="records")
    assert pending(db, pm, req) == (3, 3)
    export(db, pm, req, tmp_path / "a.csv")
    assert pending(db, pm, req) == (3, 0)
    records.update(db, demo["records"]["aid"], {"amount_eur": "7000"})
    assert pending(db, pm, req) == (3, 1)
    only_new = ExportRequest("csv", table="records", since_last=True)
    assert export(db, pm, only_new, tmp_path / "b.csv").count == 1
    assert pending(db, pm, ExportRequest("json", table="links")) == (1, 1)
