"""A one-line status bar that redraws without a layout pass.

``Static.update`` asks for a new layout of the whole screen (its content may
change size), which costs a full repaint; a line of fixed height does not need
one, so this widget only refreshes itself. Content is :class:`rich.text.Text`,
never markup.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget


class StatusLine(Widget):
    """One line of plain text."""

    DEFAULT_CSS = """
    StatusLine { height: 1; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.text = Text()
        """What the line shows."""

    def update(self, text: Text) -> None:
        """Show ``text`` (cut to the width, never wrapped)."""
        if text.plain != self.text.plain or text.spans != self.text.spans:
            self.text = text
            self.refresh()

    def render(self) -> Text:
        line = self.text.copy()
        line.no_wrap = True
        line.overflow = "ellipsis"
        return line
