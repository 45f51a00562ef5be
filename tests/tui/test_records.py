"""Registry records in the dashboard, with Pilot on the demo web's real database: a
record made from a change (a bad value, then a good one), a change linked to an
existing record, the records mode (search, evidence, edit, delete), the twinning
timelines, exports of records and links read back, hostile text, keys."""

from __future__ import annotations

import csv
import io
import json

import pytest
from rich.text import Text

from monitor.plugin_manager import make_plugin_manager
from monitor.records import registry as records
from monitor.records.drafts import draft
from monitor.records.queries import RecordFilter, twinning_links
from monitor.records.queries import records as list_records
from monitor.review.decisions import set_fact
from monitor.store.db import open_db, read_only
from tests import demo_data
from tests.tui.helpers import open_change, settle
from tests.tui.snapshot_app import HOSTILE, make_app
from tui.dialogs.confirm import ConfirmScreen
from tui.dialogs.help import HelpScreen
from tui.dialogs.record_form import FIELDS, RecordFormScreen
from tui.dialogs.record_pick import RecordPickScreen
from tui.screens.change import ChangeScreen
from tui.screens.exports import ExportsScreen
from tui.screens.records import RecordsScreen
from tui.widgets.record_text import form_value

pytestmark = pytest.mark.slow


@pytest.fixture
def demo(db_path, monkeypatch):
    """The demo web (day 1 and 2) ingested with every analyzer, reviewed, with three records."""
    demo_data.fixed_clock(monkeypatch)
    return demo_data.build(db_path, make_plugin_manager(distribution="twinwatch"))


def read(db_path, fn, *args, **kw):
    db = read_only(db_path)
    try:
        return fn(db, *args, **kw)
    finally:
        db.close()


async def records_mode(pilot, app) -> RecordsScreen:
    await settle(pilot, app)
    await pilot.press("5")
    await settle(pilot, app)
    assert isinstance(app.screen, RecordsScreen)
    return app.screen


async def test_record_from_a_change_bad_value_then_good(db_path, demo):
    """c opens the form pre-filled from findings and corrections; a bad country is named and
    kept as typed; fixed, the record is stored with the change as evidence."""
    vvsg = demo["changes"]["vvsg/overview.html"]
    db = open_db(db_path)
    set_fact(db, vvsg, "partner", "Gaza City")  # a correction made earlier in the change view
    db.close()
    expected = read(db_path, draft, vvsg)
    assert expected["partner"] == "Gaza City" and expected.get("action")
    app = make_app(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        view = await open_change(pilot, app, vvsg)
        assert view.record_ids == (demo["records"]["aid"],)
        await pilot.press("c")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, RecordFormScreen)
        assert form.current() == {key: form_value(key, expected.get(key)) for key, _, _ in FIELDS}

        form.query_one("#record-field-municipality").value = "Gent"
        form.query_one("#record-field-country").value = "Belgium"
        form.query_one("#record-field-amount_eur").value = "2500,50"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is form, "a bad value must keep the form open"
        assert set(form.errors) == {"country"} and "two-letter" in form.errors["country"]
        assert "two-letter" in str(form.query_one("#record-form-errors").render())
        assert form.query_one("#record-field-country").has_class("-invalid")
        assert form.query_one("#record-field-country").has_focus
        assert form.current()["municipality"] == "Gent" and form.current()["country"] == "Belgium"
        assert len(read(db_path, list_records)) == 3  # nothing written yet

        form.query_one("#record-field-country").value = ""
        await pilot.press(*"be", "enter")
        await settle(pilot, app)
        assert app.screen is view
        made = read(db_path, list_records, RecordFilter(change_id=vvsg))
        assert len(made) == 2
        new = made[-1]
        assert (new.municipality, new.country, new.partner, new.amount_eur, new.action) == (
            "Gent", "BE", "Gaza City", 2500.5, expected["action"])
        assert [e.change_id for e in new.evidence] == [vvsg]
        assert view.record_ids == (demo["records"]["aid"], new.id)
        assert f"#{new.id}" in str(view.query_one("#change-facts-title").render())

        await pilot.press("c")  # a second record of the same change: the form again, Esc cancels
        await settle(pilot, app)
        assert isinstance(app.screen, RecordFormScreen)
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.screen is view and len(read(db_path, list_records)) == 4


async def test_link_a_change_to_an_existing_record(db_path, demo):
    """l lists the records; a search narrows them; Enter links; a record the change already
    supports is not linked twice."""
    brussels = demo["changes"]["brussels/solidarity.html"]
    aid = demo["records"]["aid"]
    app = make_app(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        view = await open_change(pilot, app, brussels)
        await pilot.press("l")
        await settle(pilot, app)
        pick = app.screen
        assert isinstance(pick, RecordPickScreen)
        assert pick.table.row_count == 3
        await pilot.press(*"action:humanitarian")
        await settle(pilot, app)
        assert [r.id for r in pick.shown] == [aid]
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.screen is view
        rec = read(db_path, records.get, aid)
        assert [e.change_id for e in rec.evidence] == [demo["changes"]["vvsg/overview.html"], brussels]
        assert rec.version == 2
        assert view.record_ids == (aid,)

        await pilot.press("l")
        await settle(pilot, app)
        pick = app.screen
        await pilot.press("down", "enter")  # the list, first row: the aid record again
        await settle(pilot, app)
        assert app.screen is pick and pick.shown[0].id == aid
        assert any("already supports" in str(n.message) for n in app._notifications)
        await pilot.press("escape")
        await settle(pilot, app)
        assert read(db_path, records.get, aid).version == 2


async def test_records_mode_search_evidence_edit_delete(db_path, demo):
    """5 lists records newest first with their evidence; / searches; e edits (a bad date is
    refused, a good one stored, only it); d deletes after a yes, not after a no."""
    suspended = demo["records"]["suspended"]
    app = make_app(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await records_mode(pilot, app)
        assert [r.id for r in screen.shown] == [3, 2, 1]
        await pilot.press("slash", *"action:twinning date:2024")
        await settle(pilot, app)
        assert [r.id for r in screen.shown] == [suspended]
        await pilot.press("enter")
        detail = str(screen.query_one("#records-detail").render())
        rec = read(db_path, records.get, suspended)
        for ev in rec.evidence:
            assert ev.url in detail and (ev.snapshot_fp or "") in detail and ev.fetched_at[:10] in detail
        assert "[removed] Megiddo (Israel)" in detail and "Evidence (2)" in detail

        await pilot.press("e", "ctrl+s")  # saved untouched: nothing is written
        await settle(pilot, app)
        assert isinstance(app.screen, RecordsScreen)
        assert read(db_path, records.get, suspended).version == rec.version
        assert any("nothing changed" in str(n.message) for n in app._notifications)

        await pilot.press("e")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, RecordFormScreen) and form.current()["partner"] == "Megiddo"
        form.query_one("#record-field-date").value = "June 2024"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is form and set(form.errors) == {"date"}
        form.query_one("#record-field-date").value = "2024-06-15"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, RecordsScreen)
        after = read(db_path, records.get, suspended)
        assert (after.date, after.version, after.partner, after.summary) == (
            "2024-06-15", rec.version + 1, rec.partner, rec.summary)
        assert screen.table.get_cell(str(suspended), "date").plain == "2024-06-15"

        await pilot.press("d")
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot, app)
        assert read(db_path, records.get, suspended).id == suspended
        await pilot.press("d")
        await settle(pilot, app)
        await pilot.press("y")
        await settle(pilot, app)
        assert [r.id for r in read(db_path, list_records)] == [2, 3]
        assert screen.shown == []  # the search still asks for 2024 twinning records
        await pilot.press("slash", "ctrl+u", "escape")
        await settle(pilot, app)
        assert [r.id for r in screen.shown] == [3, 2]


async def test_twinning_timeline_tab(db_path, demo):
    """l shows the links: Ixelles–Megiddo suspended with its dated history; a new
    establishing record makes it resumed."""
    app = make_app(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await records_mode(pilot, app)
        await pilot.press("l")
        await settle(pilot, app)
        assert screen.links_table.has_focus
        assert screen.links_table.row_count == 1
        row = [c.plain for c in screen.links_table.get_row_at(0)]
        assert row[:4] == ["Ixelles (BE)", "Megiddo (IL)", "suspended", "2012"]
        assert row[4] == "established 2012 → suspended 2024-06"
        timeline = str(screen.query_one("#links-detail").render())
        assert "2012" in timeline and "2024-06" in timeline and "record #1" in timeline
        assert "http://127.0.0.1:8000/" in timeline

        db = open_db(db_path)
        records.create(db, demo["changes"]["news/feed.xml"], {
            "municipality": "Ixelles", "partner": "Megiddo", "action": "twinning_established",
            "date": "2025-01"})
        db.close()
        await pilot.press("g")
        await settle(pilot, app)
        row = [c.plain for c in screen.links_table.get_row_at(0)]
        assert row[2] == "resumed" and row[4].endswith("resumed 2025-01")
        assert read(db_path, twinning_links)[0].state == "resumed"
        await pilot.press("l")
        assert screen.table.has_focus


async def test_export_records_and_links_from_the_dashboard(db_path, demo, tmp_path):
    """3: the records table in CSV read back with the csv module; only-new after one edit
    writes exactly that record; links as JSON read back."""
    out = tmp_path / "records.csv"
    app = make_app(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        await pilot.press("3")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, ExportsScreen)
        assert screen.fmt == "csv" and screen.table_name == "records"
        assert (screen.count, screen.new) == (3, 3)
        screen.query_one("#exports-path").value = str(out)
        await pilot.press("ctrl+w")
        await settle(pilot, app)
        rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
        assert sorted(int(r["record_id"]) for r in rows) == [1, 2, 3]
        suspended = next(r for r in rows if r["record_id"] == str(demo["records"]["suspended"]))
        assert (suspended["partner"], suspended["action"], suspended["date"]) == (
            "Megiddo", "twinning_suspended", "2024-06")

        db = open_db(db_path)
        records.update(db, demo["records"]["aid"], {"amount_eur": "6000"})
        db.close()
        await pilot.press("ctrl+n")
        await settle(pilot, app)
        assert (screen.count, screen.new) == (3, 1)
        again = tmp_path / "new.csv"
        screen.query_one("#exports-path").value = str(again)
        await pilot.press("ctrl+w")
        await settle(pilot, app)
        rows = list(csv.DictReader(io.StringIO(again.read_text(encoding="utf-8-sig"))))
        assert [(r["record_id"], r["amount_eur"]) for r in rows] == [(str(demo["records"]["aid"]), "6000")]
        assert screen.new == 0
        batches = screen.query_one("#exports-batches")
        assert batches.row_count == 2
        assert batches.get_cell("2", "filter").plain == "only new"
        assert batches.get_cell("2", "table").plain == "records"

        screen.query_one("#exports-format").value = "json"
        screen.query_one("#exports-table").value = "links"
        screen.query_one("#exports-since-last").value = False
        await settle(pilot, app)
        assert screen.query_one("#exports-qids-row").display
        assert not screen.query_one("#exports-changes-row").display
        assert (screen.count, screen.new) == (1, 1)
        links_out = tmp_path / "links.json"
        screen.query_one("#exports-path").value = str(links_out)
        await pilot.press("ctrl+w")
        await settle(pilot, app)
        data = json.loads(links_out.read_text(encoding="utf-8"))
        [link] = data if isinstance(data, list) else data["rows"]
        assert (link["municipality"], link["partner"], link["state"]) == ("Ixelles", "Megiddo", "suspended")

        # quickstatements writes links only: choosing it narrows the table list.
        screen.query_one("#exports-table").value = "records"
        screen.query_one("#exports-format").value = "quickstatements"
        await settle(pilot, app)
        assert screen.table_name == "links"

        # An earlier batch written again is the same bytes.
        batches.focus()
        batches.move_cursor(row=2)  # batch 1 (newest first)
        replayed = tmp_path / "replayed.csv"
        screen.query_one("#exports-path").value = str(replayed)
        batches.focus()
        await pilot.press("enter")
        await settle(pilot, app)
        assert replayed.read_bytes() == out.read_bytes()


async def test_hostile_record_text_is_plain(db_path, demo):
    """Markup and escapes in a record's fields and evidence show as written, in the table,
    the detail panel and the form."""
    literal = HOSTILE.replace("\x1b]8;;http://evil\x07", "").replace("\x1b[2J", "")  # sequences go whole
    db = open_db(db_path)
    rec = records.create(db, demo["changes"]["news/feed.xml"], {
        "municipality": "[bold]Gent[/]", "summary": HOSTILE, "action": "other_solidarity"})
    db.close()
    app = make_app(db_path)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await records_mode(pilot, app)
        assert screen.selected is not None and screen.selected.id == rec.id
        summary = screen.table.get_cell(str(rec.id), "summary")
        assert isinstance(summary, Text) and summary.plain == literal
        assert screen.table.get_cell(str(rec.id), "municipality").plain == "[bold]Gent[/] (BE)"
        detail = screen.query_one("#records-detail").render()
        assert literal in str(detail) and "\x1b" not in str(detail)
        await pilot.press("e")
        await settle(pilot, app)
        assert app.screen.current()["municipality"] == "[bold]Gent[/]"
        assert app.screen.current()["summary"] == literal
        assert app.is_running


async def test_record_keys_are_listed_and_remappable(db_path, demo, private_config):
    """Every new binding is on the help screen; [keymap] remaps the records mode key."""
    private_config.parent.mkdir(parents=True)
    private_config.write_text('[keymap]\n"app.records" = "9"\n"records.delete" = "D"\n')
    app = make_app(db_path, config_file=private_config)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        await pilot.press("5")
        await settle(pilot, app)
        assert not isinstance(app.screen, RecordsScreen)
        await pilot.press("9")
        await settle(pilot, app)
        assert isinstance(app.screen, RecordsScreen)
        await pilot.press("d")
        await settle(pilot, app)
        assert isinstance(app.screen, RecordsScreen)
        await pilot.press("D")
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n", "question_mark")
        await settle(pilot, app)
        assert isinstance(app.screen, HelpScreen)
        listed = set(app.screen.binding_ids())
        for cls in (RecordsScreen, RecordFormScreen, RecordPickScreen, ConfirmScreen, ChangeScreen,
                    ExportsScreen):
            assert {b.id for b in cls.BINDINGS} <= listed
        table = app.screen.query_one("#help-table")
        assert table.get_cell("records.delete", "keys").plain == "D"


async def test_typing_an_export_filter_counts_one_at_a_time(db_path, demo, monkeypatch):
    """Typing the changes filter key by key runs one count at a time and ends on the count of
    the final filter; a filter that cannot be read shows its error and no stale count."""
    import threading
    import time

    import tui.screens.exports as exports_screen

    running: list[int] = []
    peak: list[int] = [0]
    lock = threading.Lock()
    real = exports_screen.pending

    def slow_pending(db, pm, req):
        with lock:
            running.append(1)
            peak[0] = max(peak[0], len(running))
        try:
            time.sleep(0.05)
            return real(db, pm, req)
        finally:
            with lock:
                running.pop()

    monkeypatch.setattr(exports_screen, "pending", slow_pending)
    app = make_app(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        await pilot.press("3")
        await settle(pilot, app)
        screen = app.screen
        screen.query_one("#exports-table").value = "changes"
        await settle(pilot, app)
        assert screen.count == 4  # every reviewed change of the demo: three relevant, one not
        box = screen.query_one("#exports-query")
        box.value = ""
        box.focus()
        await pilot.press(*"status:irrelevant")
        await settle(pilot, app, rounds=6)
        assert peak[0] == 1
        assert screen.count == 1
        await pilot.press(*' "unclosed')
        await settle(pilot, app, rounds=6)
        assert screen.count is None
        shown = str(screen.query_one("#exports-count").render())
        assert shown and "match" not in shown
