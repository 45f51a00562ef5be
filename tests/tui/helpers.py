"""Helpers for driving the dashboard with Pilot."""

from __future__ import annotations

from textual.worker import WorkerCancelled, WorkerFailed

from tui.screens.change import ChangeScreen


async def settle(pilot, app, rounds: int = 3) -> None:
    """Let workers finish and the messages they posted be handled (a worker replaced
    by a newer one of its exclusive group counts as finished)."""
    for _ in range(rounds):
        for _ in range(200):
            active = [w for w in app.workers if not w.is_finished]
            if not active:
                break
            try:
                await app.workers.wait_for_complete(active)
            except (WorkerCancelled, WorkerFailed):
                pass
        await pilot.pause()


async def open_change(pilot, app, change_id: int) -> ChangeScreen:
    """From the inbox, open the change view of ``change_id``."""
    await settle(pilot, app)
    assert app.screen.table.select_id(change_id)
    await settle(pilot, app)
    await pilot.press("enter")
    await settle(pilot, app)
    assert isinstance(app.screen, ChangeScreen) and app.screen.change_id == change_id
    return app.screen
