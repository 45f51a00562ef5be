"""Pick the event of a change a new record is made of, when the change holds several
(an overview page gaining three municipalities' actions in a day): one line per event
with its facts, the record already made of it, and its passage. Enter picks the
highlighted event; Escape cancels. Returns the event's number through ``dismiss``.

The drafts are read by the caller (the change view's worker); nothing here touches
the database.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from monitor.records.drafts import EventDraft
from monitor.text import one_line
from tui.widgets.record_text import amount_text, place


class EventPickScreen(ModalScreen[int | None]):
    """Choose which event of a change to record."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="event-pick.cancel", tooltip="Close without a record"),
    ]

    def __init__(self, change_id: int, events: Sequence[EventDraft]) -> None:
        super().__init__()
        self.change_id = change_id
        """The change whose events are listed."""
        self.events = list(events)
        """One draft per event, the main event first."""

    def compose(self) -> ComposeResult:
        with Vertical(id="event-pick-dialog"):
            yield Label(Text(f"Change #{self.change_id} holds {len(self.events)} events — "
                             "Enter records the highlighted one, Esc cancels"), id="event-pick-title")
            yield DataTable(id="event-pick-table", cursor_type="row", zebra_stripes=True)
            yield Static(id="event-pick-passage")

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#event-pick-table", DataTable)

    def on_mount(self) -> None:
        for key, label, width in (("n", "#", 3), ("municipality", "municipality", 18),
                                  ("partner", "partner", 16), ("action", "action", 20),
                                  ("date", "date", 10), ("amount", "€", 9), ("record", "record", 7),
                                  ("passage", "passage", None)):
            self.table.add_column(Text(label), key=key, width=width)
        for e in self.events:
            v = e.values
            amount = v.get("amount_eur")
            self.table.add_row(
                Text(str(e.number)), Text(place(v.get("municipality"), v.get("country"))),
                Text(place(v.get("partner"), v.get("partner_country")) if v.get("partner") else ""),
                Text(one_line(str(v.get("action") or ""), 40)), Text(one_line(str(v.get("date") or ""), 10)),
                Text(amount_text(amount) if isinstance(amount, int | float) else ""),
                Text(f"#{e.record_id}" if e.record_id is not None else ""),
                Text(one_line(e.quote, 200)), key=str(e.number))
        self.table.focus()

    @on(DataTable.RowHighlighted, "#event-pick-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if 0 <= event.cursor_row < len(self.events):
            shown = self.events[event.cursor_row]
            self.query_one("#event-pick-passage", Static).update(Text(one_line(shown.quote, 600)))

    @on(DataTable.RowSelected, "#event-pick-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self.events):
            self.dismiss(self.events[event.cursor_row].number)

    def action_cancel(self) -> None:
        self.dismiss(None)
