"""A change holding several events (an ``events`` finding): one draft and one record
each, its main event first; the inbox's count of them; a hostile ``events`` value."""

from __future__ import annotations

import pytest

from monitor.errors import ConfigError
from monitor.models import MAX_EVENTS
from monitor.records import registry as records
from monitor.records.drafts import draft, drafts, event_drafts
from monitor.records.registry import prefill
from monitor.review.decisions import set_fact
from monitor.review.inbox import event_counts, events_of, inbox_page, inbox_rows
from monitor.sources.manage import NewSource, add_sources
from monitor.store.queries import change
from tests.helpers import add_change

OVERVIEW = "VVSG: Gaza actions of Flemish municipalities"
ADDED = ("Voorbeeldegem: 5,000 euro to UNICEF (12 Nov 2025). Gent: flag raised (20 Nov 2025). "
         "Leuven: motion adopted (21 Nov 2025).")
EVENTS = [
    {"municipality": "Voorbeeldegem", "country": "BE", "action": "humanitarian_aid",
     "date": "2025-11-12", "amount_eur": 5000, "passage": "Voorbeeldegem: 5,000 euro to UNICEF."},
    {"municipality": "Gent", "country": "BE", "action": "symbolic_action", "date": "2025-11-20",
     "passage": "Gent: the Palestinian flag was raised at the town hall."},
    {"municipality": "Leuven", "action": "council_motion", "date": "2025-11-21",
     "passage": "Leuven: the council adopted a motion on Gaza."},
]
MAIN = {"municipality": {"name": "Voorbeeldegem", "country": "BE"}, "category": "humanitarian_aid",
        "date": "2025-11-12", "amount": 5000}


@pytest.fixture
def sources(db):
    (vvsg, ixelles), _ = add_sources(db, [
        NewSource("https://www.vvsg.be/gaza", "page", None, "BE", "nl"),
        NewSource("https://www.elsene.be/partners", "page", "Ixelles", "BE", "fr")])
    return {"vvsg": vvsg, "ixelles": ixelles}


def overview(db, sources, events=EVENTS, **facts) -> int:
    return add_change(db, sources["vvsg"], OVERVIEW, ADDED, "2025-11-23T06:00:00Z", score=0.9,
                      facts={**MAIN, **facts, "events": events})


def test_one_draft_per_event_main_first(db, sources):
    """Three events: three drafts; the first is today's draft (main findings), the others
    their own facts and passage; each record quotes its event's passage."""
    cid = overview(db, sources)
    got = drafts(db, cid)
    assert len(got) == 3
    assert got[0] == draft(db, cid)
    main = prefill(change(db, cid))
    assert {k: got[0][k] for k in main} == main
    assert (got[1]["municipality"], got[1].get("country"), got[1]["action"], got[1]["date"]) == (
        "Gent", "BE", "symbolic_action", "2025-11-20")
    assert got[1]["summary"] == "Gent: the Palestinian flag was raised at the town hall."
    assert "amount_eur" not in got[1]
    assert (got[2]["municipality"], got[2].get("country"), got[2]["action"]) == (
        "Leuven", None, "council_motion")
    quotes = [d.quote for d in event_drafts(db, cid)]
    assert quotes == [e["passage"] for e in EVENTS]

    rec = records.create(db, cid, {"country": "BE"}, event=3)
    assert (rec.municipality, rec.country, rec.action, rec.date) == ("Leuven", "BE", "council_motion",
                                                                     "2025-11-21")
    assert [e.quote for e in rec.evidence] == [EVENTS[2]["passage"]]
    assert [d.record_id for d in event_drafts(db, cid)] == [None, None, rec.id]
    with pytest.raises(ConfigError, match="holds 3 events"):
        records.create(db, cid, event=4)


def test_corrections_apply_to_the_main_event_only(db, sources):
    """A corrected fact of the change changes the first draft, not the other events'."""
    cid = overview(db, sources)
    set_fact(db, cid, "municipality", "Voorbeeldegem-Oost")
    set_fact(db, cid, "amount", "7500")
    got = drafts(db, cid)
    assert (got[0]["municipality"], got[0]["amount_eur"]) == ("Voorbeeldegem-Oost", 7500.0)
    assert [d["municipality"] for d in got[1:]] == ["Gent", "Leuven"]
    assert "amount_eur" not in got[1]


def test_main_event_takes_what_the_findings_leave_unknown(db, sources):
    """Without single-value findings, the main event's draft comes from the first event; an
    event naming no municipality on a town's page is that town's."""
    cid = add_change(db, sources["ixelles"], "Nos jumelages", "Biarritz. Megiddo.", "2025-11-23T06:00:00Z",
                     facts={"events": [
                         {"partner": "Biarritz", "partner_country": "FR",
                          "action": "twinning_established", "date": "1958", "passage": "Biarritz (France)"},
                         {"partner": "Megiddo", "partner_country": "IL", "action": "twinning_suspended",
                          "passage": "Megiddo (Israel)"}]})
    first, second = drafts(db, cid)
    assert (first["municipality"], first["country"], first["partner"], first["action"], first["date"]) == (
        "Ixelles", "BE", "Biarritz", "twinning_established", "1958")
    assert first["summary"] == "Nos jumelages"
    assert (second["municipality"], second["country"], second["partner"], second["partner_country"]) == (
        "Ixelles", "BE", "Megiddo", "IL")


def test_a_change_without_events_is_one_event_as_before(db, sources):
    """No events finding (or one event): one draft, the record quotes the whole change."""
    cid = add_change(db, sources["ixelles"], "Jumelage suspendu", "Megiddo suspended.",
                     "2025-11-23T06:00:00Z", facts={"partner": "Megiddo"})
    assert drafts(db, cid) == [prefill(change(db, cid))]
    assert records.create(db, cid).evidence[0].quote == "Megiddo suspended."
    one = overview(db, sources, events=EVENTS[:1])
    assert len(drafts(db, one)) == 1
    assert event_counts(db, [cid, one]) == {}


def test_inbox_rows_carry_the_event_count(db, sources):
    """The inbox's rows say how many events a change holds (1 without an events finding)."""
    plain = add_change(db, sources["ixelles"], "Agenda", "Conseil lundi.", "2025-11-22T06:00:00Z")
    cid = overview(db, sources)
    counts = {r.id: r.events for r in inbox_page(db)}
    assert counts == {plain: 1, cid: 3}
    assert [r.events for r in inbox_rows(db, [cid])] == [3]
    assert event_counts(db, [plain, cid]) == {cid: 3}


HOSTILE = [
    "not an event", 42, None, ["Gent"], {"municipality": {"name": "Gent"}},
    {"colour": "red", "evil": "\x1b[31m"}, {"municipality": True},
    {"municipality": "Gent", "country": "Belgium", "action": "party", "date": "yesterday",
     "amount_eur": "lots", "partner": ["x"], "passage": "Gent \x1b[2J raised a flag."},
    {"municipality": "Leuven\x1b[31m", "amount_eur": "2500,50"},
]


@pytest.mark.parametrize("value", [HOSTILE, {"events": EVENTS}, "three", 3, None, [], [[], {}]])
def test_hostile_events_value_never_crashes(db, sources, value):
    """Non-dict items, unknown keys and wrong shapes are left out; bad field values are not
    suggested; a value that is not a list is no events."""
    cid = overview(db, sources, events=value)
    got = event_drafts(db, cid)
    counted = event_counts(db, [cid]).get(cid, 1)
    assert len(got) == counted == max(len(events_of(value)), 1)
    for d in got:
        assert set(d.values) <= set(records.EDITABLE)
        assert "\x1b" not in d.quote and all("\x1b" not in str(v) for v in d.values.values())
    if value is HOSTILE:
        assert len(got) == 2
        assert (got[1].values["municipality"], got[1].values["amount_eur"]) == ("Leuven", 2500.5)
        assert got[0].quote == "Gent  raised a flag."
        for d in got:
            records.create(db, cid, event=d.number)


def test_events_are_capped(db, sources):
    """500 candidate events are read as MAX_EVENTS."""
    many = [{"municipality": f"Town {n}", "passage": f"Town {n} gave aid."} for n in range(500)]
    cid = overview(db, sources, events=["junk", *many])
    assert len(drafts(db, cid)) == MAX_EVENTS
    assert event_counts(db, [cid]) == {cid: MAX_EVENTS}
    assert drafts(db, cid)[-1]["municipality"] == f"Town {MAX_EVENTS - 1}"
