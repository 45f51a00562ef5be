"""One municipality of the coverage table: its names, its sources with their health
(failing, silent, never fetched, fine, disabled, with the last error) and its recent
relevant changes (reviewed relevant, or new with a score of 0.5 or more); Enter on a
change opens it in the change view (through ``TwinwatchApp.open_change``: a dialog
imports no screen)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static
from textual.worker import get_current_worker

from monitor import clock
from monitor.models import ChangeRow, SourceStatus
from monitor.sources.coverage import CoverageRow, municipality_changes
from monitor.sources.health import sources_by_health
from monitor.text import one_line
from tui.data import reading


class CoverageDetailScreen(ModalScreen[None]):
    """Sources and recent relevant changes of one municipality."""

    BINDINGS = [
        Binding("escape,q", "dismiss", "Close", id="coverage-detail.close", key_display="Esc",
                tooltip="Back to the coverage table"),
        Binding("tab", "focus_next", "Sources/changes", id="coverage-detail.next", show=False,
                tooltip="Move between the sources and the changes"),
    ]

    @dataclass
    class Loaded(Message):
        sources: list[tuple[SourceStatus, str]]
        changes: list[ChangeRow]

    def __init__(self, db_path: str, row: CoverageRow) -> None:
        super().__init__()
        self.db_path = db_path
        self.row = row
        """The municipality shown, as the coverage table computed it."""
        self.change_ids: list[int] = []
        """The changes listed, in order."""

    def compose(self) -> ComposeResult:
        m = self.row.municipality
        names = " · ".join(f"{lang}: {name}" for lang, name in m.names.items())
        with Vertical(id="coverage-detail-dialog"):
            yield Static(Text(one_line(f"{m.label} ({m.country} {m.code})", 200)), id="coverage-detail-title")
            yield Static(Text(one_line(names, 300)), id="coverage-detail-names")
            yield Label(Text(f"Sources ({len(self.row.sources)})"), classes="coverage-detail-heading")
            yield DataTable(id="coverage-detail-sources", cursor_type="row", zebra_stripes=True)
            yield Label(Text("Recent relevant changes — Enter opens"), classes="coverage-detail-heading")
            yield DataTable(id="coverage-detail-changes", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        sources = self.query_one("#coverage-detail-sources", DataTable)
        for key, label, width in (("health", "health", 13), ("id", "id", 4), ("kind", "kind", 8),
                                  ("fetched", "last fetch", 11), ("error", "last result", 28),
                                  ("url", "url", None)):
            sources.add_column(Text(label), key=key, width=width)
        changes = self.query_one("#coverage-detail-changes", DataTable)
        for key, label, width in (("detected", "detected", 16), ("status", "status", 10),
                                  ("title", "title", None)):
            changes.add_column(Text(label), key=key, width=width)
        changes.focus()
        self._load()

    @work(thread=True, exclusive=True, group="coverage-detail", exit_on_error=False)
    def _load(self) -> None:
        now = self.app.clock()  # type: ignore[attr-defined]
        wanted = set(self.row.sources)
        with reading(self.db_path) as db:
            found = [(s, h) for s, h in sources_by_health(db, now) if s.source.id in wanted]
            changes = municipality_changes(db, self.row.sources)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(found, changes))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        now = self.app.clock()  # type: ignore[attr-defined]
        sources = self.query_one("#coverage-detail-sources", DataTable)
        sources.clear()
        for s, health in message.sources:
            result = s.last_error or s.last_status or "—"
            sources.add_row(Text(health), Text(str(s.source.id)), Text(one_line(s.source.kind, 10)),
                            Text(clock.ago(s.last_fetched, now)), Text(one_line(result, 80)),
                            Text(one_line(s.source.url, 200)), key=str(s.source.id))
        changes = self.query_one("#coverage-detail-changes", DataTable)
        changes.clear()
        self.change_ids = [c.id for c in message.changes]
        for c in message.changes:
            changes.add_row(Text(clock.minute(c.detected_at)), Text(c.status),
                            Text(one_line(c.title, 200)), key=str(c.id))
        if not message.changes:
            self.query_one("#coverage-detail-sources", DataTable).focus()

    @on(DataTable.RowSelected, "#coverage-detail-changes")
    def _change_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.app.open_change(int(event.row_key.value), self.change_ids)  # type: ignore[attr-defined]
