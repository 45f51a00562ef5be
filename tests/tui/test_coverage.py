"""The coverage mode with Pilot on a real database: 565 Belgian municipalities, the
filters and their counts, search in any language, sort by last relevant change, a
municipality's sources and changes, another country's list from the config file, and
the export of the coverage table."""

from __future__ import annotations

import csv

import pytest

from monitor.ingest.pipeline import ingest
from monitor.models import FetchResult
from monitor.plugin_manager import make_plugin_manager
from monitor.sources.manage import NewSource, add_sources
from monitor.store.db import open_db, read_only
from monitor.store.queries import export_batches
from tests.tui.helpers import settle
from tests.tui.snapshot_app import HOSTILE, build, fixed_clock, make_app
from tui.dialogs.coverage_detail import CoverageDetailScreen
from tui.dialogs.help import HelpScreen
from tui.dialogs.prompt import PromptScreen
from tui.screens.change import ChangeScreen
from tui.screens.coverage import CoverageScreen

pytestmark = pytest.mark.slow


def add_data(db_path, tmp_path, private_config):
    """The snapshot app's data (Gent, Ixelles, Leuven, failing Bruxelles, disabled Mons), a
    silent Namur source, a Dutch source with a hostile municipality name, and a reference
    list for NL in the config file."""
    ids = build(db_path)
    db = open_db(db_path)
    try:
        with fixed_clock("2025-06-01T08:00:00.000000Z"):
            (namur, utrecht), _ = add_sources(db, [
                NewSource("https://www.namur.be/actualites", "page", "Namur", "BE", "fr"),
                NewSource("https://www.utrecht.nl/nieuws", "page", "Utrecht", "NL", "nl"),
            ])
            ingest(db, make_plugin_manager(distribution="twinwatch"), FetchResult(namur, "u", 304))
    finally:
        db.close()
    ref = tmp_path / "nl.csv"
    ref.write_text("code,name,country\nGM0344,Utrecht,NL\nGM0599,Rotterdam,NL\n"
                   f"GM0363,\"{HOSTILE}\",NL\n", encoding="utf-8")
    private_config.parent.mkdir(parents=True, exist_ok=True)
    private_config.write_text(f'[coverage]\nreferences = ["{ref}"]\n', encoding="utf-8")
    return ids


async def open_coverage(pilot, app) -> CoverageScreen:
    await settle(pilot, app)
    await pilot.press("6")
    await settle(pilot, app)
    screen = app.screen
    assert isinstance(screen, CoverageScreen)
    return screen


async def test_coverage_lists_565_municipalities_and_filters_change_counts(db_path, tmp_path,
                                                                           private_config):
    """Key 6: all 565 Belgian municipalities; each filter shows its own count; the status line adds up."""
    add_data(db_path, tmp_path, private_config)
    app = make_app(db_path)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_coverage(pilot, app)
        assert screen.table.row_count == 565
        # Gent, Ixelles, Leuven, Bruxelles, Mons and Namur have a source
        counts = {}
        for expected in ("no source", "failing", "silent", "all"):
            await pilot.press("f")
            await settle(pilot, app)
            assert screen.problem == expected
            counts[expected] = screen.table.row_count
        assert counts == {"no source": 559, "failing": 1, "silent": 1, "all": 565}
        status = str(screen.query_one("#coverage-status").render())
        assert "565 municipalities · 6 with a source · 559 without · 1 failing · 1 silent" in status
        await pilot.press("f", "f")  # failing
        await settle(pilot, app)
        assert [r.municipality.names.get("fr") for r in screen.shown] == ["Bruxelles"]


async def test_search_in_any_language_sort_and_details(db_path, tmp_path, private_config):
    """Gand, Ghent and Gent find one place; sorting puts the last relevant change first;
    Enter lists its sources with health and its relevant changes, which open."""
    ids = add_data(db_path, tmp_path, private_config)
    app = make_app(db_path)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_coverage(pilot, app)
        for words in ("gand", "Gent", "elsene"):
            await pilot.press("slash", *words, "enter")
            await settle(pilot, app)
            assert len(screen.shown) == 1, words
            screen.query_one("#coverage-search").value = ""
            await settle(pilot, app)
        await pilot.press("s")
        await settle(pilot, app)
        assert screen.sort == "last relevant change"
        assert screen.shown[0].municipality.names["fr"] == "Ixelles"  # the one reviewed relevant
        await pilot.press("enter")
        await settle(pilot, app)
        detail = app.screen
        assert isinstance(detail, CoverageDetailScreen)
        sources = detail.query_one("#coverage-detail-sources")
        assert sources.row_count == 1
        assert detail.change_ids == [ids["jumelage"]]
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ChangeScreen) and app.screen.change_id == ids["jumelage"]
        await pilot.press("escape", "escape")
        await settle(pilot, app)
        assert app.screen is screen
        screen.query_one("#coverage-search").value = "brussel"
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        health = app.screen.query_one("#coverage-detail-sources").get_row_at(0)
        assert health[0].plain == "failing" and "no answer in 30 s" in health[4].plain


async def test_another_country_from_the_config_file(db_path, tmp_path, private_config):
    """c switches to the NL list named in the config file; a hostile name shows as written."""
    add_data(db_path, tmp_path, private_config)
    app = make_app(db_path)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_coverage(pilot, app)
        await pilot.press("c")
        await settle(pilot, app)
        assert screen.country == "NL"
        assert screen.table.row_count == 3
        by_code = {r.municipality.code: r for r in screen.shown}
        assert by_code["GM0344"].sources and not by_code["GM0599"].sources
        cell = screen.table.get_cell("GM0363", "name").plain
        assert cell.startswith("[bold]x[/] a[/b]c [link=http://evil]y[/link]") and "\x1b" not in cell


async def test_export_the_coverage_table(db_path, tmp_path, private_config):
    """ctrl+w asks for a file and writes the coverage table there through monitor.export.service."""
    add_data(db_path, tmp_path, private_config)
    target = tmp_path / "coverage.csv"
    app = make_app(db_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_coverage(pilot, app)
        await pilot.press("ctrl+w")
        await settle(pilot, app)
        assert isinstance(app.screen, PromptScreen)
        app.screen.query_one("Input").value = str(target)
        await pilot.press("enter")
        await settle(pilot, app)
    with target.open(encoding="utf-8") as fp:
        rows = list(csv.DictReader(fp))
    assert len(rows) == 565
    db = read_only(db_path)
    try:
        batch = export_batches(db)[0]
        assert (batch["count"], batch["path"]) == (565, str(target))
    finally:
        db.close()


async def test_coverage_keys_are_in_the_help(db_path, tmp_path, private_config):
    """The coverage keys and key 6 are listed on the help screen with their ids."""
    add_data(db_path, tmp_path, private_config)
    app = make_app(db_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_coverage(pilot, app)
        await pilot.press("question_mark")
        await settle(pilot, app)
        assert isinstance(app.screen, HelpScreen)
        listed = set(app.screen.binding_ids())
        assert {b.id for b in CoverageScreen.BINDINGS} | {"app.coverage", "inbox.case"} <= listed
