"""Cases in the dashboard with Pilot on a real database: a case of three changes
(one event reported by a feed, a page and a second page, in two languages) shows
once in the inbox, unfolds and folds, takes one decision for every member (and one
undo), and the change view of a member lists the others."""

from __future__ import annotations

import pytest

from monitor.review.cases import case_of, group
from monitor.sources.manage import NewSource, add_sources
from monitor.store.db import open_db, read_only
from monitor.store.queries import change
from tests.helpers import add_change
from tests.tui.helpers import settle
from tests.tui.snapshot_app import build, fixed_clock, make_app
from tui.screens.change import ChangeScreen
from tui.screens.inbox import InboxScreen
from tui.widgets.case_members import CaseMembers
from tui.widgets.change_table import ChangeTable

pytestmark = pytest.mark.slow

EVENT = ("De gemeenteraad van Gent heeft op 12 maart beslist de stedenband met Bethlehem te verlengen "
         "voor zes jaar, met een jaarlijkse bijdrage voor de scholen van beide steden en een bezoek.")


MARKUP = "[b]Gand[/b] a[/x]c"
"""A title that would be markup if a widget parsed it."""


@pytest.fixture
def case_db(db_path):
    """The snapshot app's data plus one case of three changes; returns ids by name."""
    return build_with_case(db_path)


def build_with_case(db_path):
    """The snapshot app's data plus one case of three changes; returns ids by name."""
    ids = build(db_path)
    db = open_db(db_path)
    try:
        with fixed_clock("2026-03-14T08:00:00.000000Z"):
            (stad, krant), _ = add_sources(db, [
                NewSource("https://stad.gent/persberichten", "page", "Gent", "BE", "nl"),
                NewSource("https://www.lesoir.be/gand", "page", "Gent", "BE", "fr"),
            ])
        # not the snapshot data's "Bethlehem": its Gent change must stay out of this case
        facts = {"municipality": "Gent", "partner": "Bethlehem (Palestine)"}
        ids["lead"] = add_change(db, stad, "Gent verlengt stedenband met Bethlehem", EVENT,
                                 "2026-03-14T11:00:00.000000Z", score=0.95, language="nl", facts=facts,
                                 kind="page-changed")
        ids["copy"] = add_change(db, stad, "Persbericht stedenband", EVENT + " Persdienst stad Gent.",
                                 "2026-03-14T11:30:00.000000Z", score=0.6, language="nl", facts=facts,
                                 kind="page-changed", url="https://stad.gent/persberichten/2")
        ids["french"] = add_change(db, krant, MARKUP + " prolonge son jumelage avec Bethléem",
                                   "Le conseil communal de Gand prolonge de six ans le jumelage avec "
                                   "Bethléem (kwijtschelding).", "2026-03-14T12:00:00.000000Z",
                                   score=0.5, language="fr", facts=facts)
        group(db)
        ids["case"] = case_of(db, ids["lead"]).id
    finally:
        db.close()
    return ids


def status_of(db_path, change_id):
    db = read_only(db_path)
    try:
        return change(db, change_id).review.status
    finally:
        db.close()


def test_the_case_is_grouped(case_db, db_path):
    """The three reports of the event form one case (the premise of the other tests)."""
    db = read_only(db_path)
    try:
        assert case_of(db, case_db["lead"]).change_ids == tuple(sorted((case_db["lead"], case_db["copy"],
                                                                        case_db["french"])))
        assert len(case_of(db, case_db["stedenband"]).change_ids) == 1
    finally:
        db.close()


async def test_a_case_shows_once_and_unfolds(case_db, db_path):
    """One row for the case (lead, count, languages, kinds); c shows the members under it, c folds."""
    app = make_app(db_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, InboxScreen)
        table = screen.query_one(ChangeTable)
        assert table.ids[0] == case_db["lead"]
        assert case_db["copy"] not in table.ids and case_db["french"] not in table.ids
        assert screen.total == 7 and table.page_rows == 7  # 9 changes, a case of 3 counts once
        title = table.get_cell(str(case_db["lead"]), "title").plain
        assert title == ("▸ 3 changes: Gent verlengt stedenband met Bethlehem"
                         "  [fr nl · new-entry page-changed]")
        await pilot.press("c")
        await settle(pilot, app)
        assert table.ids[:3] == [case_db["lead"], case_db["copy"], case_db["french"]]
        assert table.page_rows == 7 and table.row_count == 9
        assert table.get_cell(str(case_db["lead"]), "title").plain.startswith("▾ ")
        member = table.get_cell(str(case_db["french"]), "title").plain
        assert member.startswith("  └ ")
        assert member.endswith("[b]Gand[/b] a[/x]c prolonge son jumelage avec Bethléem")  # plain text
        await pilot.press("j", "c")  # on a member, c folds its case and returns to the case row
        await settle(pilot, app)
        assert table.row_count == 7 and table.selected_id == case_db["lead"]
        assert screen.sub_title.startswith("new 6")


async def test_a_query_matching_one_member_finds_it(case_db, db_path):
    """A search that only one member matches shows that member (the case is not hidden)."""
    app = make_app(db_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot, app)
        screen = app.screen
        screen.apply_query("kwijtschelding")
        await settle(pilot, app)
        assert screen.table.ids == [case_db["french"]]
        screen.apply_query("stedenband lang:nl")
        await settle(pilot, app)
        assert case_db["lead"] in screen.table.ids and case_db["copy"] not in screen.table.ids


async def test_a_case_review_marks_every_member_and_undoes_at_once(case_db, db_path):
    """r on the case row stores relevant for all three changes; z takes all three back; t tags all."""
    app = make_app(db_path)
    members = (case_db["lead"], case_db["copy"], case_db["french"])
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot, app)
        table = app.screen.query_one(ChangeTable)
        assert table.selected_id == case_db["lead"]
        await pilot.press("r")
        await settle(pilot, app)
        assert [status_of(db_path, cid) for cid in members] == ["relevant"] * 3
        assert status_of(db_path, case_db["stedenband"]) == "new"
        assert table.row_for(case_db["lead"]).status == "relevant"
        await pilot.press("z")
        await settle(pilot, app)
        assert [status_of(db_path, cid) for cid in members] == ["new"] * 3
        table.select_id(case_db["lead"])
        await pilot.press("t", *"gent-bethlehem", "enter")
        await settle(pilot, app)
        db = read_only(db_path)
        try:
            assert all("gent-bethlehem" in change(db, cid).review.tags for cid in members)
        finally:
            db.close()
        # a member shown under its case is decided on alone
        table.select_id(case_db["lead"])
        await pilot.press("c")
        await settle(pilot, app)
        table.select_id(case_db["copy"])
        await pilot.press("x")
        await settle(pilot, app)
        assert [status_of(db_path, cid) for cid in members] == ["new", "irrelevant", "new"]


async def test_the_change_view_lists_the_other_members(case_db, db_path):
    """The change view of a member shows the other changes of its case; Enter opens one."""
    app = make_app(db_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, ChangeScreen) and screen.change_id == case_db["lead"]
        box = screen.query_one(CaseMembers)
        assert box.display and box.member_ids == [case_db["copy"], case_db["french"]]
        box.table.focus()
        box.table.move_cursor(row=1)
        await pilot.press("enter")
        await settle(pilot, app)
        assert screen.change_id == case_db["french"]
        assert screen.query_one(CaseMembers).member_ids == [case_db["lead"], case_db["copy"]]
        screen.show_change(case_db["stedenband"])
        await settle(pilot, app)
        assert not screen.query_one(CaseMembers).display
