"""The help dialog: every binding of every screen, with its keys as remapped by
the config file and its id (what to write in ``[keymap]``), and the query line's
filters. Built from the screens' ``BINDINGS``, so it never goes stale.

Which screens are listed, and under what title, is the app's to say
(:func:`tui.app.screens`, handed in by ``TwinwatchApp.action_help``): this module
imports no screen and not the app."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from monitor.review.querylang import KEYS

QUERY_HELP = (
    "Query line (/): key:value filters and words, combined with AND. Filters: "
    + ", ".join(KEYS)
    + '. Examples: status:new lang:nl tag:motion "stedenband" · score:0.5.. date:7d · '
    "-tag:done municipality:Gent,Ixelles · source:12 sort:date. Words must all appear, "
    '"quoted phrases" as written, word* is a prefix, -word must not appear.'
)


class HelpScreen(ModalScreen[None]):
    """All keys, one table."""

    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss", "Close", id="help.close", key_display="Esc",
                tooltip="Close the help"),
    ]

    def __init__(self, screens: Sequence[tuple[str, type]]) -> None:
        super().__init__()
        self.screens = list(screens)
        """(title, class) of each screen whose keys are listed, in order."""

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog"):
            yield Static(Text("twinwatch — keys (change them in the [keymap] table of the config "
                              "file, by id)"), id="help-title")
            yield DataTable(id="help-table", cursor_type="row", zebra_stripes=True)
            yield Static(Text(QUERY_HELP), id="help-query")

    def on_mount(self) -> None:
        table = self.query_one("#help-table", DataTable)
        for key, label, width in (("where", "where", 11), ("keys", "keys", 14), ("what", "what", 20),
                                  ("id", "id (for [keymap])", 22), ("more", "", None)):
            table.add_column(Text(label), key=key, width=width)
        app = self.app
        for title, cls in self.screens:
            for b in cls.BINDINGS:
                if not isinstance(b, Binding) or not b.id:
                    continue
                keys = app.keys_for(b) if hasattr(app, "keys_for") else b.key
                table.add_row(Text(title), Text(keys), Text(b.description), Text(b.id),
                              Text(b.tooltip or ""), key=b.id)
        table.focus()

    def binding_ids(self) -> list[str]:
        """The ids listed (for tests)."""
        table = self.query_one("#help-table", DataTable)
        return [str(k.value) for k in table.rows]
