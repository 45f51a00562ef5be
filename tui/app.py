"""The dashboard application: global bindings, the stylesheets and the first screen.

Screens live in ``tui/screens/``, reusable widgets in ``tui/widgets/``, styles in
``tui/styles/``. This module holds no query and no layout of its own.
"""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding
from textual.widgets import HelpPanel

from tui.screens.inbox import InboxScreen


class TwinwatchApp(App[None]):
    """The curator's dashboard on the database at ``db_path``."""

    TITLE = "twinwatch"
    CSS_PATH = ["styles/app.tcss", "styles/inbox.tcss", "styles/tag.tcss"]

    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit", tooltip="Leave the dashboard"),
        Binding("question_mark", "toggle_help", "Help", id="app.help", key_display="?",
                tooltip="Show or hide all keys"),
    ]

    def __init__(self, db_path: str, *, refresh_interval: float = 5.0) -> None:
        super().__init__()
        self.db_path = str(db_path)
        """The twinwatch database file (already created and migrated by the CLI)."""
        self.refresh_interval = refresh_interval
        """Seconds between automatic reloads of the inbox."""

    def on_mount(self) -> None:
        self.push_screen(InboxScreen(self.db_path, refresh_interval=self.refresh_interval))

    def action_toggle_help(self) -> None:
        """Show the key list beside the screen, or hide it."""
        if self.screen.query(HelpPanel):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()
