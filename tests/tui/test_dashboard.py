"""The dashboard end to end with Pilot on real databases: keyboard triage, bulk
actions and undo, the query line and saved views, paging, the change view, the
other screens, keymap and theme, hostile text, and a crawl writing meanwhile."""

from __future__ import annotations

import threading
import time

import pytest
from rich.text import Text

from monitor.config import load_ui_config
from monitor.review.inbox import change_facts, saved_views
from monitor.store.db import open_db, read_only
from monitor.store.queries import change, changes
from tests.tui.conftest import FeedWriter
from tests.tui.helpers import settle
from tests.tui.snapshot_app import HOSTILE, build, make_app
from tui.app import TwinwatchApp
from tui.commands import TwinwatchCommands
from tui.dialogs.help import HelpScreen
from tui.dialogs.prompt import PromptScreen
from tui.dialogs.views import ViewsScreen
from tui.screens.change import ChangeScreen
from tui.screens.exports import ExportsScreen
from tui.screens.inbox import InboxScreen
from tui.screens.plugins import PluginsScreen
from tui.screens.sources import SourcesScreen
from tui.widgets.change_table import ChangeTable, visible_columns
from tui.widgets.diff_view import DiffView

pytestmark = pytest.mark.slow


def stored(db_path, change_id):
    db = read_only(db_path)
    try:
        return change(db, change_id)
    finally:
        db.close()


def inbox(app) -> InboxScreen:
    assert isinstance(app.screen, InboxScreen), app.screen
    return app.screen


@pytest.fixture
def fixed(db_path):
    """The snapshot app's database: varied changes, reviews and sources, fixed times."""
    return build(db_path)


async def query(pilot, app, text: str, *, type_it: bool = False) -> None:
    """Put a query on the query line (typed key by key with ``type_it``) and press Enter."""
    await pilot.press("slash")
    screen = inbox(app)
    screen.query_input.value = ""
    if type_it:
        await pilot.press(*text)
    else:
        screen.query_input.value = text
    await pilot.press("enter")
    await settle(pilot, app)


async def test_keyboard_triage_of_a_small_inbox(db_path, fixed):
    """Every new change triaged with keys only: filter, r/x/f, tag, note; the stored reviews match."""
    app = make_app(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        screen = inbox(app)
        await query(pilot, app, "status:new sort:date", type_it=True)
        table = screen.query_one(ChangeTable)
        assert table.ids == [fixed["stedenband"], fixed["hostile"], fixed["agenda"]]
        assert screen.sort == "date"
        await pilot.press("r")
        await settle(pilot, app)
        await pilot.press("t", *"twinning", "enter")
        await settle(pilot, app)
        await pilot.press("x")  # the hostile one
        await settle(pilot, app)
        await pilot.press("a", *"council agenda only", "enter")
        await settle(pilot, app)
        await pilot.press("f")
        await settle(pilot, app)
        assert stored(db_path, fixed["stedenband"]).review.status == "relevant"
        hostile = stored(db_path, fixed["hostile"]).review
        assert hostile.status == "irrelevant" and hostile.tags == ("twinning",)
        agenda = stored(db_path, fixed["agenda"]).review
        assert agenda.status == "follow-up" and agenda.note == "council agenda only"
        assert screen.sub_title.startswith("new 0 · relevant 2 · irrelevant 2 · follow-up 2")
        await pilot.press("g")  # a reload drops what no longer matches status:new
        await settle(pilot, app)
        assert table.row_count == 0 and screen.has_class("-nomatch")
        await pilot.press("escape")  # clears the query
        await settle(pilot, app)
        assert table.row_count == 6


async def test_bulk_tag_and_mark_then_undo(db_path, fixed):
    """m selects, t and f act on the whole selection; z undoes one action at a time."""
    app = make_app(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        screen = inbox(app)
        table = screen.query_one(ChangeTable)
        first3 = table.ids[:3]
        await pilot.press("m", "m", "m")
        assert table.marked == set(first3)
        assert table.get_cell(str(first3[0]), "mark").plain == "●"
        await pilot.press("t", *"gaza", "enter")
        await settle(pilot, app)
        assert all("gaza" in stored(db_path, i).review.tags for i in first3)
        assert table.marked == set()
        await pilot.press("ctrl+a")
        assert table.marked == set(table.ids)
        await pilot.press("f")
        await settle(pilot, app)
        assert all(stored(db_path, i).review.status == "follow-up" for i in table.ids)
        before = {i: stored(db_path, i).review for i in table.ids}
        await pilot.press("z")
        await settle(pilot, app)
        statuses = {i: stored(db_path, i).review.status for i in table.ids}
        assert statuses[fixed["jumelage"]] == "relevant" and statuses[fixed["stedenband"]] == "new"
        assert statuses[fixed["fiets"]] == "irrelevant"
        assert table.get_cell(str(fixed["stedenband"]), "status").plain == "new"
        await pilot.press("z")
        await settle(pilot, app)
        assert all("gaza" not in stored(db_path, i).review.tags for i in first3)
        assert before  # the bulk mark was real before the undo
        db = read_only(db_path)
        try:
            labels = [r[0] for r in db.execute("SELECT label FROM review_actions ORDER BY id")]
        finally:
            db.close()
        assert labels[-2:] == ["undo follow-up on 6 changes", "undo +gaza on 3 changes"]


async def test_filter_and_search_narrow_the_list(db_path, fixed):
    """The query line's filters and full-text words narrow the inbox; a bad query says why."""
    app = make_app(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        screen = inbox(app)
        table = screen.query_one(ChangeTable)
        assert table.row_count == 6
        await query(pilot, app, "lang:nl score:0.5..")
        assert set(table.ids) == {fixed["stedenband"], fixed["motie"]}
        await query(pilot, app, "megiddo")
        assert table.ids == [fixed["jumelage"]]
        assert "megiddo" in screen.diff_view.terms
        assert any(s.style for s in screen.diff_view.body_text.spans)  # highlighted, as spans
        await query(pilot, app, "tag:israel -status:new")
        assert table.ids == [fixed["jumelage"]]
        await query(pilot, app, "colour:red")
        assert screen.query_input.has_class("-error")
        assert table.ids == [fixed["jumelage"]]  # the last good query stays
        assert any("unknown filter" in str(n.message) for n in app._notifications)
        await pilot.press("escape", "escape")
        await settle(pilot, app)
        assert table.row_count == 6


async def test_saved_views(db_path, fixed):
    """ctrl+s names the query line; v lists views and Enter reopens one."""
    app = make_app(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        await query(pilot, app, "category:twinning,suspension")
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*"Twinning news", "enter")
        await settle(pilot, app)
        db = read_only(db_path)
        try:
            assert [(v.name, v.query) for v in saved_views(db)] == [
                ("Twinning news", "category:twinning,suspension")]
        finally:
            db.close()
        await pilot.press("escape", "escape")
        await settle(pilot, app)
        assert inbox(app).query_one(ChangeTable).row_count == 6
        await pilot.press("v")
        await settle(pilot, app)
        assert isinstance(app.screen, ViewsScreen)
        await pilot.press("enter")
        await settle(pilot, app)
        screen = inbox(app)
        assert screen.query_input.value == "category:twinning,suspension"
        assert set(screen.query_one(ChangeTable).ids) == {fixed["stedenband"], fixed["jumelage"]}


async def test_paging_through_a_larger_inbox(db_path, feed_writer):
    """The table holds one page; moving past its edge loads the next, End the last."""
    for n in range(23):
        feed_writer.publish((f"p{n}", f"Item {n:02}", f"Text {n}"))
    ids = [r.id for r in changes(open_db(db_path))]
    app = TwinwatchApp(str(db_path), refresh_interval=0, page_size=10)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        screen = inbox(app)
        table = screen.query_one(ChangeTable)
        assert table.ids == ids[:10] and table.more_below
        for _ in range(10):
            await pilot.press("down")
        await settle(pilot, app)
        assert table.selected_id == ids[10]
        assert table.page_offset > 0 and ids[10] in table.ids
        assert screen.diff_view.change.id == ids[10]
        await pilot.press("end")
        await settle(pilot, app)
        assert table.selected_id == ids[-1] and not table.more_below
        await pilot.press("home")
        await settle(pilot, app)
        assert table.selected_id == ids[0] and table.page_offset == 0


async def test_change_view_facts_versions_browser_and_copy(db_path, fixed):
    """Enter opens the change: a fact corrected in place is stored apart, versions and URL keys work."""
    opened: list[str] = []
    app = make_app(db_path, url_opener=opened.append)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot, app)
        screen = inbox(app)
        table = screen.query_one(ChangeTable)
        table.select_id(fixed["stedenband"])
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        view = app.screen
        assert isinstance(view, ChangeScreen) and view.change_id == fixed["stedenband"]
        facts = view.query_one("#change-facts")
        assert facts.get_cell("partner", "value").plain == "Bethlehem"
        assert "stedenband" in view.diff_view.body_text.plain.lower()
        # The relevance finding's reason ("Stedenband") is highlighted with a span.
        body = view.diff_view.body_text
        assert any(body.plain[s.start:s.end].lower() == "stedenband" for s in body.spans)

        facts.move_cursor(row=1)  # partner
        await pilot.press("e")
        box = view.query_one("#change-fact-input")
        assert box.has_focus and box.value == "Bethlehem"
        box.value = ""
        await pilot.press(*"Bethlehem (Palestine)", "enter")
        await settle(pilot, app)
        db = read_only(db_path)
        try:
            partner = {f.field: f for f in change_facts(db, fixed["stedenband"])}["partner"]
        finally:
            db.close()
        assert (partner.suggested, partner.corrected) == ("Bethlehem", "Bethlehem (Palestine)")
        assert "(corrected)" in facts.get_cell("partner", "value").plain

        await pilot.press("o", "y")
        await settle(pilot, app)
        assert opened == ["http://127.0.0.1/Stedenband met Bethlehem verlengd"]
        assert app.clipboard == opened[0]

        await pilot.press("v")
        versions = view.query_one("#change-versions")
        assert versions.has_focus and versions.row_count == 3  # three changes of the Gent feed
        await pilot.press("down", "enter")
        await settle(pilot, app)
        assert view.change_id == fixed["motie"]
        await pilot.press("r")
        await settle(pilot, app)
        assert stored(db_path, fixed["motie"]).review.status == "relevant"
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.screen is screen
        assert table.get_cell(str(fixed["motie"]), "status").plain == "relevant"


async def test_hostile_text_is_literal_everywhere(db_path, fixed):
    """Markup, OSC/CSI escapes and very long lines show as plain text in table, diff and change view."""
    literal = HOSTILE.replace("\x1b]8;;http://evil\x07", "").replace("\x1b[2J", "")  # sequences go whole
    app = make_app(db_path)
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(pilot, app)
        screen = inbox(app)
        table = screen.query_one(ChangeTable)
        table.select_id(fixed["hostile"])
        await settle(pilot, app)
        title = table.get_cell(str(fixed["hostile"]), "title")
        assert isinstance(title, Text) and title.plain == literal
        line = table.render_line(table.cursor_row + 1 - int(table.scroll_y))
        drawn = "".join(seg.text for seg in line)
        assert literal[:30] in drawn and "\x1b" not in drawn and "\x07" not in drawn
        diff = screen.query_one(DiffView)
        assert literal in diff.header_text.plain and f"Body {literal} end" in diff.body_text.plain
        await pilot.press("enter")
        await settle(pilot, app)
        assert literal in app.screen.diff_view.header_text.plain
        assert app.is_running

    huge = "x" * 200_000
    db = open_db(db_path)
    from tests.helpers import add_change
    long_id = add_change(db, 1, "long " + huge, huge + " [/] tail", "2026-03-15T00:00:00Z", score=0.99)
    db.close()
    app = make_app(db_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        screen = inbox(app)
        assert screen.query_one(ChangeTable).selected_id == long_id
        body = screen.diff_view.body_text.plain
        assert len(body) < 10_000 and "more characters" in body
        assert app.is_running


async def test_crawl_writing_meanwhile_does_not_disturb_a_review(db_path, three_changes, pm):
    """A second connection ingesting in a thread (holding write transactions) while the curator
    reviews: every decision is stored, no 'database is locked', new changes appear on refresh."""
    ids = [r.id for r in changes(open_db(db_path))]
    stop = threading.Event()
    errors: list[BaseException] = []
    published: list[int] = []

    def crawl() -> None:
        writer = FeedWriter.__new__(FeedWriter)
        writer.path, writer.pm, writer.items = db_path, pm, list(three_changes.items)
        writer.source_id = three_changes.source_id
        n = 0
        try:
            while not stop.is_set() and n < 40:
                writer.publish((f"crawl-{n}", f"Crawled {n}", "Arrived during the review. " * 50))
                published.append(n)
                n += 1
                # hold a write transaction for a while, as a slow crawl would
                db = open_db(db_path, migrate=False)
                with db.conn:
                    db.execute("BEGIN IMMEDIATE")
                    time.sleep(0.05)
                    db.execute("COMMIT")
                db.close()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    app = TwinwatchApp(str(db_path), refresh_interval=0.1)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        screen = inbox(app)
        table = screen.query_one(ChangeTable)
        thread = threading.Thread(target=crawl)
        thread.start()
        try:
            for cid in ids:
                assert table.select_id(cid)
                await pilot.press("r")
                await pilot.pause(0.05)
        finally:
            stop.set()
            thread.join(30)
        await settle(pilot, app)
        assert not errors, errors
        assert published
        assert [stored(db_path, i).review.status for i in ids] == ["relevant"] * 3
        assert not [n for n in app._notifications if "locked" in str(n.message)]
        deadline = time.monotonic() + 5
        while table.row_count < 3 + len(published) and time.monotonic() < deadline:
            await pilot.pause(0.1)
        assert table.row_count == 3 + len(published)
        assert all(table.get_cell(str(i), "status").plain == "relevant" for i in ids)


async def test_sources_screen_toggles_and_crawls(db_path, http_server):
    """Sources: failing first; e disables; c runs 'twinwatch crawl --source ID' in the background."""
    from tests.helpers import page

    url = http_server.set("/town.html", page(["Twinning with Biarritz since 1958."]))
    db = open_db(db_path)
    from monitor.sources.manage import NewSource, add_sources
    (sid,), _ = add_sources(db, [NewSource(url, "page", "Ixelles", "BE", "fr")])
    db.close()
    app = TwinwatchApp(str(db_path), refresh_interval=0)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("2")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, SourcesScreen)
        table = screen.query_one("#sources-table")
        assert table.get_cell(str(sid), "health").plain == "never fetched"
        await pilot.press("c")
        assert sid in screen.crawling
        deadline = time.monotonic() + 60
        while sid in screen.crawling and time.monotonic() < deadline:
            await pilot.pause(0.2)
        await settle(pilot, app)
        assert screen.last_crawl[sid][0] == 0, screen.last_crawl
        assert "crawl" in screen.last_crawl[sid][1]
        assert table.get_cell(str(sid), "status").plain.startswith("new")
        await pilot.press("e")
        await settle(pilot, app)
        assert table.get_cell(str(sid), "health").plain == "disabled"
        await pilot.press("e")
        await settle(pilot, app)
        assert table.get_cell(str(sid), "health").plain == "ok"


async def test_closing_the_dashboard_ends_its_crawl(db_path, http_server):
    """A crawl started from the sources screen ends (and closes its run) when the
    dashboard closes, however slow its site."""
    from monitor.sources.manage import NewSource, add_sources
    from tests import processes
    from tests.helpers import page

    url = http_server.set("/slow.html", page(["Twinning with Biarritz since 1958."]), hang=60)
    db = open_db(db_path)
    (sid,), _ = add_sources(db, [NewSource(url, "page", "Ixelles", "BE", "fr")])
    db.close()

    def crawls() -> list[processes.Proc]:
        return [p for p in processes.leftovers({}) if "crawl" in p.argv and str(db_path) in p.argv]

    app = TwinwatchApp(str(db_path), refresh_interval=0)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("2")
        await settle(pilot, app)
        await pilot.press("c")
        deadline = time.monotonic() + 60
        while not any(path == "/slow.html" for path, _ in http_server.requests):
            assert time.monotonic() < deadline, "the crawl never asked for the page"
            await pilot.pause(0.1)
        started = crawls()
        assert len(started) == 1
    deadline = time.monotonic() + 10
    while crawls() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert crawls() == []
    with open_db(db_path) as db:
        assert db.execute("SELECT status FROM crawl_runs").fetchall() == [("failed",)]


async def test_exports_screen_writes_a_batch(db_path, fixed, tmp_path):
    """Exports: pick a format, the changes table and a filter, write; the file and the batch list
    show it."""
    out = tmp_path / "out" / "relevant.json"
    out.parent.mkdir()  # an export never creates folders (see docs/exports.md)
    app = make_app(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        await pilot.press("3")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, ExportsScreen)
        assert set(screen.formats) >= {"csv", "json"}
        screen.query_one("#exports-format").value = "json"
        screen.query_one("#exports-table").value = "changes"
        screen.query_one("#exports-query").value = "status:relevant"
        await settle(pilot, app)
        assert screen.count == 1
        screen.query_one("#exports-path").value = str(out)
        await pilot.press("ctrl+w")
        await settle(pilot, app)
        assert out.exists() and '"Jumelage avec Megiddo suspendu"' in out.read_text()
        batches = screen.query_one("#exports-batches")
        assert batches.row_count == 1
        assert batches.get_cell("1", "filter").plain == "status:relevant"


async def test_plugins_and_help_screens(db_path, fixed):
    """Plugins lists what is loaded; the help screen lists every binding with its id."""
    app = make_app(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        await pilot.press("4")
        await settle(pilot, app)
        assert isinstance(app.screen, PluginsScreen)
        table = app.screen.query_one("#plugins-table")
        assert {"exporters", "dashboard"} <= {str(k.value) for k in table.rows}
        await pilot.press("1", "question_mark")
        await settle(pilot, app)
        assert isinstance(app.screen, HelpScreen)
        listed = set(app.screen.binding_ids())
        for cls in (TwinwatchApp, InboxScreen, ChangeScreen, SourcesScreen, ExportsScreen):
            assert {b.id for b in cls.BINDINGS} <= listed
        await pilot.press("escape")
        assert isinstance(app.screen, InboxScreen)


async def test_command_palette_offers_every_action(db_path, fixed):
    """The palette's twinwatch provider offers each inbox and app binding, and runs it."""
    app = make_app(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        screen = inbox(app)
        provider = TwinwatchCommands(screen)
        titles = {hit.text for hit in [h async for h in provider.discover()]}
        assert {"Relevant", "Not relevant", "Follow up", "Tag", "Undo", "Filter", "Sort", "Sources",
                "Exports", "Light/dark", "Help"} <= {str(t) for t in titles}
        first = screen.query_one(ChangeTable).selected_id
        hits = [h async for h in provider.search("not relevant")]
        [hit] = [h for h in hits if str(h.text) == "Not relevant"]
        await hit.command()  # what the palette does with the chosen hit
        await settle(pilot, app)
        assert stored(db_path, first).review.status == "irrelevant"


async def test_keymap_and_theme_from_the_config_file(db_path, fixed, private_config):
    """[keymap] remaps a binding by id; ctrl+t toggles the theme and remembers it."""
    private_config.parent.mkdir(parents=True)
    private_config.write_text('[tui]\ntheme = "textual-light"\n\n[keymap]\n"inbox.relevant" = "y"\n')
    app = make_app(db_path, config_file=private_config)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        assert app.theme == "textual-light"
        first = inbox(app).query_one(ChangeTable).selected_id
        await pilot.press("r")  # no longer bound
        await settle(pilot, app)
        assert stored(db_path, first).review.status == "new"
        await pilot.press("y")
        await settle(pilot, app)
        assert stored(db_path, first).review.status == "relevant"
        await pilot.press("ctrl+t")
        await settle(pilot, app)
        assert app.theme == "textual-dark"
    assert load_ui_config(private_config).theme == "textual-dark"
    assert load_ui_config(private_config).keymap == {"inbox.relevant": "y"}


async def test_a_broken_config_file_is_a_warning(db_path, fixed, private_config):
    """A config file that is not TOML is reported once; the dashboard runs on defaults."""
    private_config.parent.mkdir(parents=True)
    private_config.write_text("[tui\n")
    app = make_app(db_path, config_file=private_config)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert app.is_running
        assert any("not valid TOML" in str(n.message) for n in app._notifications)


def test_columns_adapt_to_the_width():
    """At 80 columns the table keeps mark, status, title (and what fits); wide, it shows all."""
    narrow = [c.key for c, _ in visible_columns(78)]
    assert {"mark", "status", "title"} <= set(narrow) and "source" not in narrow
    wide = visible_columns(200)
    assert [c.key for c, _ in wide] == ["mark", "score", "status", "detected", "municipality", "title",
                                         "category", "source", "tags"]
    assert sum(w + 1 for _, w in wide) == 200
