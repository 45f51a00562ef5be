"""Registry records and twinning timelines, on the demo web's real changes."""

from __future__ import annotations

import json

import pytest

from monitor.errors import ConfigError
from monitor.records import registry as records
from monitor.records.queries import RecordFilter, twinning_links
from monitor.records.queries import records as list_records
from monitor.store.db import open_db
from tests.demo_data import build, fixed_clock


@pytest.fixture
def demo(db_path, pm, monkeypatch):
    fixed_clock(monkeypatch)
    return build(db_path, pm)


def test_record_rests_on_quoted_evidence(demo, db):
    """A record keeps the quoted passage, URL, snapshot fingerprint and fetch time of each change."""
    rec = records.get(db, demo["records"]["suspended"])
    assert (rec.municipality, rec.partner, rec.action, rec.date) == (
        "Ixelles", "Megiddo", "twinning_suspended", "2024-06")
    assert [e.change_id for e in rec.evidence] == [demo["changes"]["news/feed.xml"],
                                                   demo["changes"]["ixelles/cooperation.html"]]
    feed_ev, page_ev = rec.evidence
    assert "suspend" in feed_ev.quote.lower() and feed_ev.url.endswith(".html")
    assert page_ev.quote == "[removed] Megiddo (Israel)"
    assert len(page_ev.snapshot_fp or "") == 64 and page_ev.fetched_at


def test_one_change_several_records_and_edits_bump_version(demo, db):
    """A change can yield several records; an edit raises the version; bad values are refused."""
    feed = demo["changes"]["news/feed.xml"]
    assert len(list_records(db, RecordFilter(change_id=feed))) == 2
    rec = records.update(db, demo["records"]["aid"], {"amount_eur": "5000,50", "partner": ""})
    assert rec.amount_eur == 5000.5 and rec.version == 2 and rec.partner is None
    for bad in ({"date": "12/11/2025"}, {"country": "Belgium"}, {"action": "party"},
                {"partner_qid": "123"}, {"colour": "red"}):
        with pytest.raises(ConfigError):
            records.update(db, rec.id, bad)


def test_twinning_timeline(demo, db):
    """Established 2012 then suspended 2024-06: one link whose state is suspended."""
    (link,) = twinning_links(db)
    assert (link.municipality, link.partner, link.state, link.start, link.end) == (
        "Ixelles", "Megiddo", "suspended", "2012", None)
    assert [(e.date, e.state) for e in link.events] == [("2012", "established"), ("2024-06", "suspended")]
    records.create(db, demo["changes"]["news/feed.xml"], {
        "municipality": "ixelles", "partner": "MEGIDDO", "action": "twinning_established",
        "date": "2025-01"})
    (link,) = twinning_links(db)
    assert [e.state for e in link.events] == ["established", "suspended", "resumed"]
    records.create(db, demo["changes"]["news/feed.xml"], {
        "municipality": "Ixelles", "partner": "Megiddo", "action": "twinning_ended", "date": "2025-06-30"})
    (link,) = twinning_links(db)
    assert (link.state, link.end) == ("ended", "2025-06-30")


def test_record_command_prefills_and_edits(twinwatch, db_path, pm, monkeypatch):
    """twinwatch record CHANGE creates, then corrects, the change's record; links list the pair."""
    fixed_clock(monkeypatch)
    ids = build(db_path, pm)
    brussels = ids["changes"]["brussels/solidarity.html"]
    out = json.loads(twinwatch("record", str(brussels), "--json").stdout)
    assert out[0]["municipality"] == "Brussels" and out[0]["country"] == "BE"
    assert out[0]["evidence"][0]["change_id"] == brussels
    out = json.loads(twinwatch("record", str(brussels), "--action", "partnership_cooperation",
                               "--amount-eur", "175000", "--json").stdout)
    assert (out[0]["action"], out[0]["amount_eur"], out[0]["version"]) == (
        "partnership_cooperation", 175000.0, 2)
    bad = twinwatch("record", str(brussels), "--date", "yesterday", check=False)
    assert bad.returncode == 2 and "date must be" in bad.stderr
    assert "Ixelles (BE) – Megiddo (IL): suspended" in twinwatch("links").stdout
    with open_db(db_path) as db:
        assert len(list_records(db)) == 4
