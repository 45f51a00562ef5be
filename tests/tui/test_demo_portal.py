"""The demo's council portal in the dashboard, with Pilot on a real database: the
motion Schoonbeke's council adopts on day 2 shows as a relevant decision with its
municipality, session date, amount and category; the minutes approved with it do not."""

from __future__ import annotations

import pytest

from monitor.plugin_manager import make_plugin_manager
from tests import demo_data
from tests.tui.helpers import open_change, settle
from tests.tui.snapshot_app import make_app

pytestmark = pytest.mark.slow

MOTION = "Motie over de humanitaire toestand in Gaza"


@pytest.fixture
def portal(db_path, monkeypatch):
    """The demo portal's two days ingested through the ``lblod`` kind with every analyzer."""
    demo_data.fixed_clock(monkeypatch)
    return demo_data.portal_changes(db_path, make_plugin_manager(distribution="twinwatch"))


def facts(view) -> dict[str, str]:
    table = view.facts_table
    return {str(table.get_row_at(i)[0]): str(table.get_row_at(i)[1]) for i in range(table.row_count)}


async def test_the_portal_motion_is_a_relevant_decision_with_its_facts(db_path, portal):
    """The inbox ranks the motion first, relevant with a decision category; its change view
    shows Schoonbeke, the session date and the 10,000 euro of aid."""
    [motion] = [cid for title, cid in portal.items() if title.startswith(MOTION)]
    [minutes] = [cid for title, cid in portal.items() if title.startswith("Goedkeuring van de notulen")]
    assert len(portal) == 2  # day 1 was the baseline: only the new session's two items
    app = make_app(db_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot, app)
        table = app.screen.table
        first = table.row_for(motion)
        assert first is not None and first.score is not None and first.score >= 0.5
        assert first.category in ("council_motion", "humanitarian_aid")
        low = table.row_for(minutes)
        assert low is not None and (low.score or 0) < 0.5
        assert str(table.get_cell(str(motion), "category")) == first.category

        view = await open_change(pilot, app, motion)
        shown = facts(view)
        assert shown["municipality"].startswith("Schoonbeke")
        assert shown["date"] == "2025-11-24"
        assert shown["amount"].replace(",", "").startswith("10000")
        assert shown["category"] == first.category
