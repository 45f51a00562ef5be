"""``twinwatch record`` and ``changes`` on a change holding several events: the events
listed and numbered, --event, --all-events, --json, and the count in the listing."""

from __future__ import annotations

import json

import pytest

from monitor.records.queries import RecordFilter, records
from monitor.sources.manage import NewSource, add_sources
from monitor.store.db import open_db
from tests.helpers import add_change

EVENTS = [
    {"municipality": "Voorbeeldegem", "country": "BE", "action": "humanitarian_aid",
     "date": "2025-11-12", "amount_eur": 5000, "passage": "Voorbeeldegem: 5,000 euro to UNICEF."},
    {"municipality": "Gent", "country": "BE", "action": "symbolic_action", "date": "2025-11-20",
     "passage": "Gent: the Palestinian flag was raised at the town hall."},
    {"municipality": "Leuven", "country": "BE", "action": "council_motion", "date": "2025-11-21",
     "passage": "Leuven: the council adopted a motion on Gaza."},
]


@pytest.fixture
def ids(db_path):
    with open_db(db_path) as db:
        (vvsg,), _ = add_sources(db, [NewSource("https://www.vvsg.be/gaza", "page", None, "BE", "nl")])
        plain = add_change(db, vvsg, "VVSG newsletter", "A newsletter.", "2025-11-22T06:00:00Z",
                           facts={"municipality": "Gent"})
        overview = add_change(db, vvsg, "VVSG: Gaza actions", "Three towns acted.", "2025-11-23T06:00:00Z",
                              facts={"municipality": {"name": "Voorbeeldegem", "country": "BE"},
                                     "category": "humanitarian_aid", "date": "2025-11-12",
                                     "amount": 5000, "events": EVENTS})
        hostile = add_change(db, vvsg, "Hostile", "Odd.", "2025-11-24T06:00:00Z",
                             facts={"events": ["x", {"municipality": {"a": 1}}, {"colour": "red"},
                                               {"municipality": "Gent", "country": "Belgium"},
                                               {"municipality": "Leuven\x1b[2J", "date": "soon"}]})
    return {"plain": plain, "overview": overview, "hostile": hostile}


def stored(db_path, change_id):
    with open_db(db_path) as db:
        return records(db, RecordFilter(change_id=change_id))


def test_changes_listing_counts_events(twinwatch, ids):
    """Only a change holding two or more events says so in `twinwatch changes`."""
    out = twinwatch("changes").stdout
    heads = {int(line.split()[0][1:]): line for line in out.splitlines() if line.startswith("#")}
    assert heads[ids["overview"]].endswith("VVSG: Gaza actions  (3 events)")
    assert heads[ids["hostile"]].endswith("Hostile  (2 events)")
    assert "events" not in heads[ids["plain"]]


def test_record_lists_events_and_makes_the_first(twinwatch, ids, db_path):
    """Without --event: the events numbered with their facts, and the main event recorded."""
    out = twinwatch("record", str(ids["overview"])).stdout
    lines = out.splitlines()
    assert lines[0] == f"change {ids['overview']} holds 3 events (--event N records one, --all-events each):"
    (made,) = stored(db_path, ids["overview"])
    assert lines[1] == ("*  1. Voorbeeldegem (BE) humanitarian_aid, 2025-11-12, 5,000.00 EUR"
                        f"  [record {made.id}]")
    assert lines[2] == "       “Voorbeeldegem: 5,000 euro to UNICEF.”"
    assert lines[3] == "   2. Gent (BE) symbolic_action, 2025-11-20"
    assert lines[5] == "   3. Leuven (BE) council_motion, 2025-11-21"
    assert f"record {made.id} v1: Voorbeeldegem (BE) humanitarian_aid" in out
    assert made.evidence[0].quote == EVENTS[0]["passage"]


def test_record_event_n_then_correct_it(twinwatch, ids, db_path):
    """--event 2 records the second event with its own passage; again with a field, it
    corrects that record instead of making another; an event out of range is refused."""
    out = twinwatch("record", str(ids["overview"]), "--event", "2").stdout
    (made,) = stored(db_path, ids["overview"])
    assert (made.municipality, made.action, made.date) == ("Gent", "symbolic_action", "2025-11-20")
    assert made.evidence[0].quote == EVENTS[1]["passage"]
    assert f"*  2. Gent (BE) symbolic_action, 2025-11-20  [record {made.id}]" in out
    twinwatch("record", str(ids["overview"]), "--event", "2", "--partner", "Rafah")
    (fixed,) = stored(db_path, ids["overview"])
    assert (fixed.id, fixed.partner, fixed.version) == (made.id, "Rafah", 2)
    bad = twinwatch("record", str(ids["overview"]), "--event", "4", check=False)
    assert bad.returncode == 2 and "--event takes 1 to 3" in bad.stderr
    bad = twinwatch("record", str(ids["overview"]), "--event", "1", "--record", str(made.id), check=False)
    assert bad.returncode == 2


def test_record_all_events_once_and_json(twinwatch, ids, db_path):
    """--all-events records every event not yet recorded (twice: nothing new); --json gives
    every event's draft with its record, and the records."""
    twinwatch("record", str(ids["overview"]), "--event", "3")
    out = json.loads(twinwatch("record", str(ids["overview"]), "--all-events", "--json").stdout)
    made = stored(db_path, ids["overview"])
    assert sorted(r.municipality for r in made) == ["Gent", "Leuven", "Voorbeeldegem"]
    assert [r["municipality"] for r in out["records"]] == ["Voorbeeldegem", "Gent"]
    assert [e["event"] for e in out["events"]] == [1, 2, 3]
    assert [e["quote"] for e in out["events"]] == [e["passage"] for e in EVENTS]
    assert {e["record_id"] for e in out["events"]} == {r.id for r in made}
    assert out["events"][0]["amount_eur"] == 5000.0 and out["change_id"] == ids["overview"]
    again = twinwatch("record", str(ids["overview"]), "--all-events")
    assert "has its record already" in again.stderr
    assert len(stored(db_path, ids["overview"])) == 3


def test_record_of_a_single_event_change_is_unchanged(twinwatch, ids):
    """A change without events: no listing, the JSON is the list of records as before."""
    text = twinwatch("record", str(ids["plain"])).stdout
    assert text.startswith("record 1 v1: Gent (BE) ?, undated") and "events" not in text
    out = json.loads(twinwatch("record", str(ids["plain"]), "--json").stdout)
    assert isinstance(out, list) and out[0]["municipality"] == "Gent"
    assert out[0]["evidence"][0]["quote"] == "A newsletter."


def test_hostile_events_value(twinwatch, ids, db_path):
    """Junk items are ignored and bad values not suggested; what is left is recorded."""
    out = twinwatch("record", str(ids["hostile"]), "--all-events").stdout
    assert "\x1b" not in out and "holds 2 events" in out
    made = {r.municipality: r for r in stored(db_path, ids["hostile"])}
    assert sorted(made) == ["Gent", "Leuven"]
    # "Belgium" is no country code: the main event keeps the source's; "soon" no date
    assert (made["Gent"].country, made["Leuven"].country, made["Leuven"].date) == ("BE", None, None)
