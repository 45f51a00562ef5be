"""Helpers for driving the dashboard with Pilot."""

from __future__ import annotations

from textual.worker import WorkerCancelled, WorkerFailed


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
