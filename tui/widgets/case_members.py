"""The other changes of a change's case, for the change view: when, where from,
status and title of each; Enter on one shows it. Hidden for a change alone in its
case (or not grouped yet).

Self-contained (it reads its own data in a thread worker) so the change view needs
only to place it and call :meth:`CaseMembers.show`.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Label
from textual.worker import get_current_worker

from monitor import clock
from monitor.models import InboxRow
from monitor.review.case_inbox import case_id_of
from monitor.review.inbox import case_rows
from monitor.text import one_line
from tui.data import reading


class CaseMembers(Vertical):
    """A title line and a table of the other members of the case."""

    DEFAULT_CSS = """
    CaseMembers { height: auto; max-height: 9; }
    CaseMembers > DataTable { height: auto; max-height: 8; }
    """

    @dataclass
    class Loaded(Message):
        change_id: int
        case_id: int | None
        rows: list[InboxRow]

    @dataclass
    class Chosen(Message):
        """Enter on a member: the change view shows it."""

        change_id: int

    def __init__(self, db_path: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.db_path = db_path
        self.change_id: int | None = None
        """The change whose case is shown."""
        self.member_ids: list[int] = []
        """The other changes of its case, as listed."""

    def compose(self) -> ComposeResult:
        yield Label(Text("Same case — Enter opens"), classes="change-title")
        yield DataTable(cursor_type="row", zebra_stripes=True)

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one(DataTable)

    def on_mount(self) -> None:
        self.display = False
        for key, label, width in (("detected", "detected", 16), ("source", "source", 18),
                                  ("status", "status", 10), ("title", "title", None)):
            self.table.add_column(Text(label), key=key, width=width)

    def show(self, change_id: int) -> None:
        """Read and list the other members of ``change_id``'s case."""
        self.change_id = change_id
        self._load(change_id)

    @work(thread=True, exclusive=True, group="case-members", exit_on_error=False)
    def _load(self, change_id: int) -> None:
        with reading(self.db_path) as db:
            case_id = case_id_of(db, change_id)
            rows = case_rows(db, case_id) if case_id is not None else []
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(change_id, case_id, rows))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        message.stop()
        if message.change_id != self.change_id:
            return
        others = [r for r in message.rows if r.id != message.change_id]
        self.member_ids = [r.id for r in others]
        table = self.table
        table.clear()
        for r in others:
            table.add_row(Text(clock.minute(r.detected_at)), Text(one_line(r.source_label, 60)),
                          Text(r.status), Text(one_line(r.title, 200)), key=str(r.id))
        self.query_one(Label).update(Text(f"Same case ({len(others) + 1} changes) — Enter opens"))
        self.display = bool(others)

    @on(DataTable.RowSelected)
    def _chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.Chosen(int(event.row_key.value)))
