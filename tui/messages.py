"""Messages that travel between screens, named in the past tense.

A message that belongs to a single widget or screen is nested in it instead
(for example ``InboxScreen.Loaded``).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from monitor.models import ChangeRow


@dataclass
class ChangeReviewed(Message):
    """A curator decision was stored; ``change`` is the change as now stored."""

    change: ChangeRow


@dataclass
class ReviewFailed(Message):
    """A curator decision could not be stored."""

    change_id: int
    error: str
