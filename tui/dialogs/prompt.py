"""A one-line prompt: a small modal with a label and one Input. Enter answers,
Escape cancels. Used for notes, saved-view names and fact corrections.

It returns the text typed (or ``None``) through ``dismiss``; the caller stores it.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from monitor.text import one_line


class PromptScreen(ModalScreen[str | None]):
    """Ask for one line of text."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="prompt.cancel", tooltip="Close without saving"),
    ]

    def __init__(self, prompt: str, *, value: str = "", placeholder: str = "", detail: str = "",
                 allow_empty: bool = False) -> None:
        super().__init__()
        self.prompt = prompt
        """What is asked (our text)."""
        self.value = value
        """The text the input starts with."""
        self.placeholder = placeholder
        self.detail = detail
        """What it is about: may be scraped text, shown plain."""
        self.allow_empty = allow_empty
        """Whether an empty answer is an answer (it clears a note) or a cancel."""

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-dialog"):
            yield Label(Text(self.prompt), id="prompt-label")
            if self.detail:
                yield Label(Text(one_line(self.detail, 70)), id="prompt-detail")
            yield Input(value=self.value, placeholder=self.placeholder or "Enter saves, Escape cancels",
                        id="prompt-input")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        self.dismiss(text if (text or self.allow_empty) else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
