"""Messages that travel between screens, named in the past tense.

A message that belongs to a single widget or screen is nested in it instead
(for example ``InboxScreen.Loaded``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

from monitor.models import ChangeRow


@dataclass
class ChangeReviewed(Message):
    """A curator decision on one change was stored; ``change`` is the change as now stored."""

    change: ChangeRow


@dataclass
class ChangesWritten(Message):
    """A curator action was stored (a review, a bulk action, an undo, a fact, a view)."""

    label: str
    change_ids: tuple[int, ...]
    result: Any


@dataclass
class WriteFailed(Message):
    """A curator action could not be stored."""

    label: str
    change_ids: tuple[int, ...]
    error: str


@dataclass
class QueryRequested(Message):
    """Another screen asks the inbox to show a query (a source's changes, a saved view)."""

    query: str
    sort: str | None = None
