"""Pick an existing record for a change to support (instead of a duplicate): a search
line over the records (the records screen's search) and the matching records. Enter
picks the highlighted one; Escape cancels. Returns the record id through ``dismiss``.

The records are read once, in a worker, when the modal opens.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Static
from textual.worker import Worker, WorkerState

from monitor.errors import QueryError
from monitor.records.drafts import search_records
from monitor.records.queries import Record, records
from monitor.text import one_line
from tui.data import error_text, reading
from tui.widgets.record_text import place


class RecordPickScreen(ModalScreen[int | None]):
    """Choose the record a change should support."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="record-pick.cancel", tooltip="Close without linking"),
        Binding("down", "focus_list", "To the list", id="record-pick.list", show=False,
                tooltip="Move from the search line to the list of records"),
    ]

    @dataclass
    class Loaded(Message):
        records: list[Record]

    def __init__(self, db_path: str, change_id: int, *, search: str = "") -> None:
        super().__init__()
        self.db_path = db_path
        self.change_id = change_id
        """The change that is to support the chosen record."""
        self.search = search
        """The search line's first text."""
        self.records: list[Record] = []
        """Every record, newest first."""
        self.shown: list[Record] = []
        """The records matching the search line."""

    def compose(self) -> ComposeResult:
        with Vertical(id="record-pick-dialog"):
            yield Label(Text(f"Link change #{self.change_id} to an existing record — type to search, "
                             "Enter links, Esc cancels"), id="record-pick-title")
            yield Input(self.search, id="record-pick-search",
                        placeholder="municipality:Ixelles action:twinning date:2024 words…")
            yield Static(id="record-pick-status")
            yield DataTable(id="record-pick-table", cursor_type="row", zebra_stripes=True)

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#record-pick-table", DataTable)

    def on_mount(self) -> None:
        for key, label, width in (("id", "#", 5), ("date", "date", 10), ("municipality", "municipality", 18),
                                  ("partner", "partner", 18), ("action", "action", 20),
                                  ("summary", "summary", None)):
            self.table.add_column(Text(label), key=key, width=width)
        self.query_one("#record-pick-search", Input).focus()
        self._load()

    @work(thread=True, exclusive=True, group="record-pick", exit_on_error=False)
    def _load(self) -> None:
        with reading(self.db_path) as db:
            found = records(db)
        self.post_message(self.Loaded(list(reversed(found))))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.records = message.records
        self._show()

    @on(Input.Changed, "#record-pick-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self._show()

    def _show(self) -> None:
        status = self.query_one("#record-pick-status", Static)
        try:
            self.shown = search_records(self.records, self.query_one("#record-pick-search", Input).value)
        except QueryError as exc:
            status.update(Text(exc.message))
            return
        table = self.table
        table.clear()
        for r in self.shown:
            linked = any(e.change_id == self.change_id for e in r.evidence)
            summary = Text(one_line(r.summary or "", 120))
            if linked:
                summary.append("  (already supported by this change)", style="dim italic")
            table.add_row(Text(str(r.id)), Text(r.date or ""), Text(place(r.municipality, r.country)),
                          Text(place(r.partner, r.partner_country) if r.partner else ""),
                          Text(r.action or ""), summary,
                          key=str(r.id))
        status.update(Text(f"{len(self.shown)} of {len(self.records)} records"
                           if self.records else "No records yet: c in the change view makes one."))

    def action_focus_list(self) -> None:
        self.table.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._pick(self.table.cursor_row)

    @on(DataTable.RowSelected, "#record-pick-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self._pick(event.cursor_row)

    def _pick(self, row: int) -> None:
        if not self.shown or not 0 <= row < len(self.shown):
            return
        chosen = self.shown[row]
        if any(e.change_id == self.change_id for e in chosen.evidence):
            self.notify(f"Change #{self.change_id} already supports record #{chosen.id}.", markup=False)
            return
        self.dismiss(chosen.id)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.notify(error_text(event.worker.error), title="Database error", severity="error",
                        markup=False)
