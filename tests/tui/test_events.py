"""A change holding several events in the dashboard, with Pilot on a real database: the
inbox's "3 events" mark, the change view's event picker, the record form pre-filled
from the picked event, and a hostile ``events`` value that crashes neither."""

from __future__ import annotations

import pytest

from monitor.records.drafts import event_drafts
from monitor.records.queries import RecordFilter
from monitor.records.queries import records as list_records
from monitor.sources.manage import NewSource, add_sources
from monitor.store.db import open_db, read_only
from tests.helpers import add_change
from tests.tui.helpers import open_change, settle
from tests.tui.snapshot_app import make_app
from tui.dialogs.event_pick import EventPickScreen
from tui.dialogs.record_form import FIELDS, RecordFormScreen
from tui.widgets.record_text import form_value

pytestmark = pytest.mark.slow

EVENTS = [
    {"municipality": "Voorbeeldegem", "country": "BE", "action": "humanitarian_aid",
     "date": "2025-11-12", "amount_eur": 5000, "passage": "Voorbeeldegem: 5,000 euro to UNICEF."},
    {"municipality": "Gent", "country": "BE", "action": "symbolic_action", "date": "2025-11-20",
     "passage": "Gent: the [b]Palestinian[/b] flag was raised at the town hall."},
    {"municipality": "Leuven", "country": "BE", "action": "council_motion", "date": "2025-11-21",
     "amount_eur": "2500,50", "passage": "Leuven: the council adopted a motion on Gaza."},
]
HOSTILE = ["x", 7, None, {"municipality": {"a": 1}}, {"colour": "red"}, [{"municipality": "Gent"}],
           {"municipality": "[bold]Gent\x1b[2J", "country": "Belgium", "action": "party",
            "amount_eur": {"eur": 5}, "passage": "a[/b]c \x1b]8;;http://evil\x07link"},
           {"municipality": "Leuven", "date": "someday", "passage": 12345}]


@pytest.fixture
def ids(db_path):
    with open_db(db_path) as db:
        (vvsg,), _ = add_sources(db, [NewSource("https://www.vvsg.be/gaza", "page", None, "BE", "nl")])
        return {
            "plain": add_change(db, vvsg, "VVSG newsletter", "A newsletter.", "2025-11-21T06:00:00Z",
                                score=0.7),
            "overview": add_change(db, vvsg, "VVSG Gaza actions", "Three towns acted.",
                                   "2025-11-23T06:00:00Z", score=0.9,
                                   facts={"municipality": {"name": "Voorbeeldegem", "country": "BE"},
                                          "category": "humanitarian_aid", "date": "2025-11-12",
                                          "amount": 5000, "events": EVENTS}),
            "hostile": add_change(db, vvsg, "Hostile events", "Odd.", "2025-11-22T06:00:00Z", score=0.8,
                                  facts={"events": HOSTILE}),
        }


def drafts_of(db_path, change_id):
    db = read_only(db_path)
    try:
        return event_drafts(db, change_id)
    finally:
        db.close()


def records_of(db_path, change_id):
    db = read_only(db_path)
    try:
        return list_records(db, RecordFilter(change_id=change_id))
    finally:
        db.close()


async def test_inbox_marks_changes_of_several_events(db_path, ids):
    """The inbox's title cell says "3 events" for the overview, nothing for a plain change."""
    app = make_app(db_path)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot, app)
        table = app.screen.table
        assert table.get_cell(str(ids["overview"]), "title").plain == "3 events · VVSG Gaza actions"
        assert table.get_cell(str(ids["hostile"]), "title").plain == "2 events · Hostile events"
        assert table.get_cell(str(ids["plain"]), "title").plain == "VVSG newsletter"
        assert "3 events · VVSG Gaza actions" in "".join(
            table.render_line(y).text for y in range(1, 4))


async def test_pick_an_event_and_record_it(db_path, ids):
    """c on a change of three events opens the picker; the second event's form is pre-filled
    from that event; saved, the record quotes the event's passage; Esc in the picker
    writes nothing."""
    cid = ids["overview"]
    expected = drafts_of(db_path, cid)
    app = make_app(db_path)
    async with app.run_test(size=(140, 36)) as pilot:
        view = await open_change(pilot, app, cid)
        assert "Main event of 3" in str(view.query_one("#change-facts-title").render())
        await pilot.press("c")
        await settle(pilot, app)
        picker = app.screen
        assert isinstance(picker, EventPickScreen)
        assert picker.table.row_count == 3
        assert picker.table.get_cell("2", "passage").plain == EVENTS[1]["passage"]
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.screen is view and records_of(db_path, cid) == []

        await pilot.press("c")
        await settle(pilot, app)
        await pilot.press("down", "enter")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, RecordFormScreen)
        assert "event 2 of 3" in form.form_title
        assert form.current() == {key: form_value(key, expected[1].values.get(key)) for key, _, _ in FIELDS}
        assert form.current()["municipality"] == "Gent" and form.current()["action"] == "symbolic_action"
        assert str(form.query_one("#record-form-context").render()) == EVENTS[1]["passage"]
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is view
        (made,) = records_of(db_path, cid)
        assert (made.municipality, made.action, made.date) == ("Gent", "symbolic_action", "2025-11-20")
        assert [e.quote for e in made.evidence] == [EVENTS[1]["passage"]]

        await pilot.press("c")  # the picker now says which event is recorded; the third one
        await settle(pilot, app)
        assert app.screen.table.get_cell("2", "record").plain == f"#{made.id}"
        await pilot.press("down", "down", "enter")
        await settle(pilot, app)
        assert app.screen.current()["amount_eur"] == "2500.5"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert sorted(r.municipality for r in records_of(db_path, cid)) == ["Gent", "Leuven"]


async def test_single_event_change_opens_the_form_directly(db_path, ids):
    """A change without events: c opens the form at once, as before."""
    app = make_app(db_path)
    async with app.run_test(size=(140, 36)) as pilot:
        await open_change(pilot, app, ids["plain"])
        await pilot.press("c")
        await settle(pilot, app)
        assert isinstance(app.screen, RecordFormScreen)
        assert app.screen.form_title == f"New record from change #{ids['plain']}"


async def test_hostile_events_value_crashes_nothing(db_path, ids):
    """Junk items are left out (two events remain), markup and escapes show as written
    text, and the picked event's form opens and saves."""
    cid = ids["hostile"]
    app = make_app(db_path)
    async with app.run_test(size=(140, 36)) as pilot:
        await open_change(pilot, app, cid)
        await pilot.press("c")
        await settle(pilot, app)
        picker = app.screen
        assert isinstance(picker, EventPickScreen) and picker.table.row_count == 2
        assert picker.table.get_cell("1", "passage").plain == "a[/b]c link"
        assert picker.table.get_cell("2", "passage").plain == "12345"
        await pilot.press("enter")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, RecordFormScreen)
        assert form.current()["municipality"] == "[bold]Gent" and form.current()["country"] == "BE"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        (made,) = records_of(db_path, cid)
        assert made.municipality == "[bold]Gent" and made.evidence[0].quote == "a[/b]c link"
