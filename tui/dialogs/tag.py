"""The tag prompt: a small modal with one Input. Enter saves, Escape cancels.

It returns the tag typed (or ``None``) through ``dismiss``; the caller stores it.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label

from monitor.text import one_line


class TagScreen(ModalScreen[str | None]):
    """Ask for one tag to add to a change; suggests tags already in use."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="tag.cancel", tooltip="Close without adding a tag"),
    ]

    def __init__(self, change_title: str, known_tags: Sequence[str] = ()) -> None:
        super().__init__()
        self.change_title = change_title
        """Title of the change being tagged (scraped text: shown as plain text)."""
        self.known_tags = list(known_tags)
        """Tags already in use, offered as completions."""

    def compose(self) -> ComposeResult:
        with Vertical(id="tag-dialog"):
            yield Label(Text(f"Add a tag to: {one_line(self.change_title, 60)}"), id="tag-prompt")
            yield Input(
                placeholder="tag (Enter saves, Escape cancels)",
                suggester=SuggestFromList(self.known_tags, case_sensitive=False),
                id="tag-input",
            )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        tag = event.value.strip()
        self.dismiss(tag or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
