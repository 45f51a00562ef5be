"""The inbox screen, driven with Pilot against a real database file."""

from __future__ import annotations

import time

import pytest
from rich.text import Text
from textual.widgets import HelpPanel

from monitor.models import ChangeRow, DiffOp, Review
from monitor.store.db import read_only
from monitor.store.queries import change, changes
from tests.tui.helpers import settle
from tui.app import TwinwatchApp
from tui.dialogs.help import HelpScreen
from tui.dialogs.tag import TagScreen
from tui.messages import ChangeReviewed
from tui.screens.inbox import EMPTY_HINT, InboxScreen
from tui.widgets.change_table import ChangeTable
from tui.widgets.diff_view import DiffView, render_header, render_ops

# Two tests here are in make test-fast, so that it drives the dashboard once
# (test_review_keys_store_decisions_and_advance) and checks its renderers; the others
# are marked slow.

HOSTILE_TITLE = "[bold]x[/] a[/b]c [link=x]y[/link] \x1b[2J[link=http://evil]z[/link]"


def inbox(app: TwinwatchApp) -> InboxScreen:
    screen = app.screen
    assert isinstance(screen, InboxScreen)
    return screen


def stored(db_path, change_id: int) -> ChangeRow:
    db = read_only(db_path)
    try:
        row = change(db, change_id)
    finally:
        db.close()
    assert row is not None
    return row


def stored_ids(db_path) -> list[int]:
    db = read_only(db_path)
    try:
        return [r.id for r in changes(db)]
    finally:
        db.close()


@pytest.mark.slow
async def test_inbox_lists_changes_and_shows_highlighted_diff(db_path, three_changes):
    """The table lists changes newest first as Text cells and the diff view follows the cursor."""
    ids = stored_ids(db_path)
    app = TwinwatchApp(str(db_path), refresh_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        screen = inbox(app)
        table = screen.query_one(ChangeTable)
        assert table.ids == ids
        assert table.row_count == 3
        first = table.get_row(str(ids[0]))
        assert all(isinstance(cell, Text) for cell in first)
        assert table.get_cell(str(ids[0]), "title").plain == "Kalamu visit"
        assert table.get_cell(str(ids[0]), "status").plain == "new"
        assert table.get_cell(str(ids[0]), "municipality").plain == "Ixelles"
        assert len(table.get_cell(str(ids[0]), "detected").plain) == len("2026-01-01 10:00")
        assert screen.sub_title.startswith("new 3 · relevant 0 · irrelevant 0 · follow-up 0")

        diff = screen.query_one(DiffView)
        assert diff.change is not None and diff.change.id == ids[0]
        assert "Kalamu visit" in diff.header_text.plain
        assert "+ A delegation from Kalamu visits the town hall." in diff.body_text.plain

        await pilot.press("j")
        await settle(pilot, app)
        assert table.selected_id == ids[1]
        assert diff.change.id == ids[1]
        assert "+ A fund for partner towns opens." in diff.body_text.plain
        await pilot.press("k")
        await settle(pilot, app)
        assert diff.change.id == ids[0]


async def test_review_keys_store_decisions_and_advance(db_path, three_changes):
    """r, x and f store relevant / irrelevant / follow-up and move to the next change."""
    ids = stored_ids(db_path)
    messages: list[ChangeReviewed] = []

    def hook(message) -> None:
        # A bubbling message passes the hook once per node it reaches: count it once.
        if isinstance(message, ChangeReviewed) and not any(m is message for m in messages):
            messages.append(message)

    app = TwinwatchApp(str(db_path), refresh_interval=0)
    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        await settle(pilot, app)
        screen = inbox(app)
        table = screen.query_one(ChangeTable)
        assert table.selected_id == ids[0]

        await pilot.press("r")
        await settle(pilot, app)
        assert stored(db_path, ids[0]).status == "relevant"
        assert table.selected_id == ids[1]
        assert table.get_cell(str(ids[0]), "status").plain == "relevant"

        await pilot.press("x")
        await settle(pilot, app)
        assert stored(db_path, ids[1]).status == "irrelevant"
        assert table.selected_id == ids[2]

        await pilot.press("f")
        await settle(pilot, app)
        assert stored(db_path, ids[2]).status == "follow-up"
        assert table.selected_id == ids[2]  # the last change: nowhere further to go
        assert screen.sub_title.startswith("new 0 · relevant 1 · irrelevant 1 · follow-up 1")
        assert "status: follow-up" in screen.query_one(DiffView).header_text.plain

        await pilot.press("u")
        await settle(pilot, app)
        assert stored(db_path, ids[2]).status == "new"
        reviewed = [(m.change.id, m.change.status) for m in messages]
        assert reviewed == [(ids[0], "relevant"), (ids[1], "irrelevant"), (ids[2], "follow-up"),
                            (ids[2], "new")]


@pytest.mark.slow
async def test_rapid_decisions_are_all_stored_in_order(db_path, three_changes):
    """Keys pressed faster than the writes finish are all stored, the last one winning."""
    ids = stored_ids(db_path)
    app = TwinwatchApp(str(db_path), refresh_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("r", "r", "k", "k", "x")
        await settle(pilot, app)
        assert [stored(db_path, i).status for i in ids] == ["irrelevant", "relevant", "new"]
        assert inbox(app).query_one(ChangeTable).get_cell(str(ids[0]), "status").plain == "irrelevant"


@pytest.mark.slow
async def test_broken_database_is_a_notification(tmp_path):
    """A file that is not a database gives an error notification, not a crash."""
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    app = TwinwatchApp(str(bad), refresh_interval=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert app.is_running
        assert any(n.severity == "error" for n in app._notifications)


@pytest.mark.slow
async def test_tag_key_stores_tag(db_path, three_changes):
    """t opens the tag prompt; typing a tag and Enter stores it, Escape stores nothing."""
    ids = stored_ids(db_path)
    app = TwinwatchApp(str(db_path), refresh_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        table = inbox(app).query_one(ChangeTable)

        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TagScreen)
        await pilot.press(*"twinning", "enter")
        await settle(pilot, app)
        assert isinstance(app.screen, InboxScreen)
        assert stored(db_path, ids[0]).review.tags == ("twinning",)
        assert table.get_cell(str(ids[0]), "tags").plain == "twinning"
        assert table.selected_id == ids[0]  # tagging does not advance

        await pilot.press("t", *"quit?", "escape")  # q and ? are text in the prompt
        await settle(pilot, app)
        assert isinstance(app.screen, InboxScreen)
        assert stored(db_path, ids[0]).review.tags == ("twinning",)


@pytest.mark.slow
async def test_hostile_text_is_shown_literally(db_path, feed_writer):
    """Markup-like and escape-sequence text in a title and body shows as written, minus control chars."""
    feed_writer.publish(("evil", HOSTILE_TITLE, f"Body {HOSTILE_TITLE} end"))
    (cid,) = stored_ids(db_path)
    literal = HOSTILE_TITLE.replace("\x1b[2J", "")  # the escape sequence goes whole
    app = TwinwatchApp(str(db_path), refresh_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        screen = inbox(app)
        table = screen.query_one(ChangeTable)
        title = table.get_cell(str(cid), "title")
        assert isinstance(title, Text)
        assert title.plain == literal
        diff = screen.query_one(DiffView)
        assert literal in diff.header_text.plain
        assert f"Body {literal} end" in diff.body_text.plain
        for text in (title.plain, diff.header_text.plain, diff.body_text.plain):
            assert "\x1b" not in text
        await pilot.press("t", *"x", "enter")  # the prompt shows the title too
        await settle(pilot, app)
        assert stored(db_path, cid).review.tags == ("x",)
        assert app.is_running


def test_renderers_strip_control_characters():
    """The diff renderers drop ESC and other controls even if stored text still had them."""
    row = ChangeRow(
        id=1, source_id=1, url="http://x/\x1b[2J", kind="page-changed", title="T\x1b[31mred[/]",
        detected_at="2026-01-02T03:04:05.000000Z", added=(), removed=(),
        ops=(DiffOp("added", new="new\x1b[2J [b]"), DiffOp("removed", old="old\x9b1m"),
             DiffOp("changed", old="a b", new="a c", words=(("=", "a "), ("-", "b\x07"), ("+", "[c]")))),
        municipality="[i]M[/i]", country="BE", lang="fr", source_url="http://x/",
        review=Review(change_id=1, tags=("t[/]",)),
    )
    header = render_header(row).plain
    body = render_ops(row.ops).plain
    assert "Tred[/]" in header and "[i]M[/i]" in header and "t[/]" in header
    assert body.splitlines() == ["+ new [b]", "- old", "~ a b[c]"]
    assert not any(c in header + body for c in "\x1b\x9b\x07")


@pytest.mark.slow
async def test_new_change_appears_on_refresh_keeping_selection(db_path, three_changes):
    """A change ingested while the app runs shows up on the next refresh; the cursor stays on its change."""
    ids = stored_ids(db_path)
    app = TwinwatchApp(str(db_path), refresh_interval=0.2)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        screen = inbox(app)
        table = screen.query_one(ChangeTable)
        await pilot.press("j")
        await settle(pilot, app)
        assert table.selected_id == ids[1]
        assert table.cursor_row == 1

        three_changes.publish(("e", "Stedenband met Zababdeh", "A new twin village."))
        new_ids = stored_ids(db_path)
        assert len(new_ids) == 4
        deadline = time.monotonic() + 5
        while table.row_count < 4 and time.monotonic() < deadline:
            await pilot.pause(0.1)
        await settle(pilot, app)
        assert table.ids == new_ids
        assert table.get_cell(str(new_ids[0]), "title").plain == "Stedenband met Zababdeh"
        assert table.selected_id == ids[1]
        assert table.cursor_row == 2  # same change, one row further down
        assert screen.query_one(DiffView).change.id == ids[1]
        assert screen.sub_title.startswith("new 4 ")

        await pilot.press("g")
        await settle(pilot, app)
        assert table.selected_id == ids[1]


@pytest.mark.slow
async def test_small_terminal(db_path, three_changes):
    """At 80x24 the table and diff are stacked, both visible, and review keys work."""
    ids = stored_ids(db_path)
    app = TwinwatchApp(str(db_path), refresh_interval=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        screen = inbox(app)
        assert screen.has_class("-narrow")
        table = screen.query_one(ChangeTable)
        diff = screen.query_one(DiffView)
        assert table.region.height >= 5 and diff.region.height >= 5
        assert diff.region.y >= table.region.bottom  # stacked
        assert table.region.width == diff.region.width == 80
        await pilot.press("r")
        await settle(pilot, app)
        assert stored(db_path, ids[0]).status == "relevant"
        assert table.selected_id == ids[1]

        await pilot.press("f1")
        await pilot.pause()
        assert screen.query(HelpPanel)
        await pilot.press("f1")
        await pilot.pause()
        assert not screen.query(HelpPanel)

        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen is screen


@pytest.mark.slow
async def test_wide_terminal_is_side_by_side(db_path, three_changes):
    """On a wide terminal the diff sits to the right of the table; at 120 columns it is below."""
    app = TwinwatchApp(str(db_path), refresh_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        screen = inbox(app)
        assert screen.query_one(DiffView).region.y >= screen.query_one(ChangeTable).region.bottom
    app = TwinwatchApp(str(db_path), refresh_interval=0)
    async with app.run_test(size=(180, 40)) as pilot:
        await settle(pilot, app)
        screen = inbox(app)
        table, diff = screen.query_one(ChangeTable), screen.query_one(DiffView)
        assert diff.region.x >= table.region.right
        assert diff.region.y == table.region.y


@pytest.mark.slow
async def test_empty_database_shows_hint(db_path, db):
    """With no change stored, the inbox says how to get some and the keys do nothing."""
    app = TwinwatchApp(str(db_path), refresh_interval=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        screen = inbox(app)
        assert screen.has_class("-empty")
        hint = screen.query_one("#inbox-empty")
        assert hint.display and hint.region.height > 0
        assert EMPTY_HINT in str(hint.render())
        assert not screen.query_one("#inbox-body").display
        await pilot.press("r", "x", "t", "j")
        await settle(pilot, app)
        assert isinstance(app.screen, InboxScreen)
        assert app.is_running


@pytest.mark.slow
async def test_going_back_shows_the_decision_just_made(db_path, three_changes):
    """After r moves on, k shows the change just reviewed with its new status (no stale read-ahead)."""
    ids = stored_ids(db_path)
    app = TwinwatchApp(str(db_path), refresh_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        screen = inbox(app)
        for _ in range(3):
            await pilot.press("r", "k")
            await settle(pilot, app)
            assert screen.diff_view.change.id == ids[0]
            assert "status: relevant" in screen.diff_view.header_text.plain
            await pilot.press("t", *"seen", "enter", "j", "k")
            await settle(pilot, app)
            assert "tags: seen" in screen.diff_view.header_text.plain
            await pilot.press("z", "z")
            await settle(pilot, app)
            assert "status: new" in screen.diff_view.header_text.plain
