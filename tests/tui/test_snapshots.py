"""Snapshots of the key screens (pytest-textual-snapshot), at a fixed size, on the
data of one app factory with fixed timestamps and clock.

Update them (``pytest tests/tui/test_snapshots.py --snapshot-update``) only on the
pinned Python and Textual versions (pyproject's test extra), after looking at the
new SVGs in ``tests/tui/__snapshots__``.
"""

from __future__ import annotations

import pytest

from tests.tui.helpers import settle
from tests.tui.snapshot_app import build, make_app

pytestmark = pytest.mark.slow

SIZE = (120, 34)


def test_inbox_snapshot(snap_compare, db_path):
    """The inbox ranked by relevance, with the top change's diff below."""
    build(db_path)
    app = make_app(db_path)

    async def ready(pilot):
        await settle(pilot, app)

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_change_view_snapshot(snap_compare, db_path):
    """The change view of a reviewed change with a corrected fact and two versions."""
    ids = build(db_path)
    app = make_app(db_path)

    async def ready(pilot):
        await settle(pilot, app)
        app.screen.table.select_id(ids["jumelage"])
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_sources_screen_snapshot(snap_compare, db_path):
    """Sources by health: failing, then never fetched and silent, fine, disabled."""
    build(db_path)
    app = make_app(db_path)

    async def ready(pilot):
        await settle(pilot, app)
        await pilot.press("2")
        await settle(pilot, app)

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)
