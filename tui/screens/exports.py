"""Exports: pick a format and a filter (the query line's language), see how many
changes it holds, write the file through ``monitor.export``, and see earlier
batches.

The export formats come from the plugin manager (exporter plugins), loaded in a
worker the first time this screen opens.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Header, Input, Label, Select, Static
from textual.worker import Worker, WorkerState, get_current_worker

from monitor.errors import QueryError
from monitor.export import ExportRequest, export
from monitor.inbox import inbox_count
from monitor.plugin_manager import exporters
from monitor.queries import export_batches
from monitor.querylang import parse_query
from monitor.text import one_line
from tui.data import Write, error_text, reading
from tui.messages import ChangesWritten, WriteFailed

DEFAULT_QUERY = "status:reviewed"


class ExportsScreen(Screen[None]):
    """Write reviewed changes to a file."""

    BINDINGS = [
        Binding("ctrl+w", "write", "Write file", id="exports.write",
                tooltip="Export the changes matching the filter in the chosen format"),
        Binding("g", "refresh", "Refresh", id="exports.refresh", show=False,
                tooltip="Re-count and reload earlier exports"),
    ]

    @dataclass
    class Formats(Message):
        formats: list[tuple[str, str]]

    @dataclass
    class Counted(Message):
        query: str
        count: int
        batches: list[dict]

    def __init__(self, db_path: str) -> None:
        super().__init__()
        self.db_path = db_path
        self.formats: dict[str, str] = {}
        """Format name -> file extension."""
        self.count: int | None = None
        """How many changes the filter holds."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="exports-form"):
            with Horizontal(classes="exports-row"):
                yield Label(Text("format"), classes="exports-label")
                yield Select([], id="exports-format", prompt="loading formats…", allow_blank=True)
            with Horizontal(classes="exports-row"):
                yield Label(Text("filter"), classes="exports-label")
                yield Input(value=DEFAULT_QUERY, id="exports-query",
                            placeholder="status:relevant tag:motion lang:nl …")
            with Horizontal(classes="exports-row"):
                yield Label(Text("file"), classes="exports-label")
                yield Input(id="exports-path", placeholder="where to write")
            with Horizontal(classes="exports-row"):
                yield Static(id="exports-count")
                yield Button("Write (ctrl+w)", id="exports-write", variant="primary")
        yield Label(Text("Earlier exports"), id="exports-batches-title")
        yield DataTable(id="exports-batches", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "twinwatch — exports"
        table = self.query_one("#exports-batches", DataTable)
        for key, label, width in (("id", "batch", 5), ("at", "written", 16), ("format", "format", 8),
                                  ("count", "changes", 7), ("filter", "filter", 30), ("path", "file", None)):
            table.add_column(Text(label), key=key, width=width)
        self._load_formats()
        self.action_refresh()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    @work(thread=True, exclusive=True, group="exports-formats", exit_on_error=False)
    def _load_formats(self) -> None:
        pm = self.app.plugin_manager()  # type: ignore[attr-defined]
        found = sorted((name, getattr(e, "extension", "")) for name, e in exporters(pm).items())
        self.post_message(self.Formats(found))

    @on(Formats)
    def _formats(self, message: Formats) -> None:
        self.formats = dict(message.formats)
        select: Select[str] = self.query_one("#exports-format", Select)
        select.set_options([(name, name) for name, _ in message.formats])
        select.prompt = "format"
        if message.formats:
            first = "csv" if "csv" in self.formats else message.formats[0][0]
            select.value = first

    @on(Select.Changed, "#exports-format")
    def _format_changed(self, event: Select.Changed) -> None:
        fmt = event.value
        if not isinstance(fmt, str):
            return
        path = self.query_one("#exports-path", Input)
        ext = self.formats.get(fmt, f".{fmt}")
        stem = Path(path.value).stem if path.value else "twinwatch-export"
        parent = Path(path.value).parent if path.value else Path.cwd()
        path.value = str(parent / f"{stem}{ext}")

    @on(Input.Changed, "#exports-query")
    def _query_changed(self, event: Input.Changed) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        self._count(self.query_one("#exports-query", Input).value)

    @work(thread=True, exclusive=True, group="exports-count", exit_on_error=False)
    def _count(self, text: str) -> None:
        try:
            q = parse_query(text)
        except QueryError as exc:
            self.app.call_from_thread(self._show_count, text, None, exc.message)
            return
        with reading(self.db_path) as db:
            n = inbox_count(db, q.filter)
            batches = export_batches(db)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Counted(text, n, batches))

    def _show_count(self, text: str, count: int | None, error: str | None) -> None:
        self.count = count
        self.query_one("#exports-count", Static).update(Text(error or f"{count:,} changes match"))

    @on(Counted)
    def _counted(self, message: Counted) -> None:
        self._show_count(message.query, message.count, None)
        table = self.query_one("#exports-batches", DataTable)
        table.clear()
        for b in message.batches:
            filters = b["filters"]
            shown = filters.get("query") or ",".join(filters.get("statuses", []))
            table.add_row(Text(str(b["id"])), Text(b["created_at"][:16].replace("T", " ")),
                          Text(one_line(b["format"], 10)), Text(str(b["count"])),
                          Text(one_line(shown, 60)), Text(one_line(b["path"] or "", 200)), key=str(b["id"]))

    @on(Button.Pressed, "#exports-write")
    def _pressed(self, event: Button.Pressed) -> None:
        self.action_write()

    def action_write(self) -> None:
        """Write the file and record the batch."""
        fmt = self.query_one("#exports-format", Select).value
        text = self.query_one("#exports-query", Input).value
        target = self.query_one("#exports-path", Input).value.strip()
        if not isinstance(fmt, str):
            self.notify("Pick a format first.", severity="warning", markup=False)
            return
        if not target:
            self.notify("Say where to write the file.", severity="warning", markup=False)
            return
        try:
            q = parse_query(text)
        except QueryError as exc:
            self.notify(exc.message, title="Filter not understood", severity="error", markup=False)
            return
        app = self.app
        path = Path(target).expanduser()

        def run(db):
            request = ExportRequest(fmt, table="changes", where=q.filter, query=text.strip() or None)
            return export(db, app.plugin_manager(), request, path)  # type: ignore[attr-defined]

        app.submit(Write(f"export {fmt}", run, reply_to=(self,)))  # type: ignore[attr-defined]

    @on(ChangesWritten)
    def _written(self, message: ChangesWritten) -> None:
        r = message.result
        self.notify(f"{r.count} changes written to {r.path} (batch {r.batch_id})", title="Exported",
                    markup=False)
        self.action_refresh()

    @on(WriteFailed)
    def _write_failed(self, message: WriteFailed) -> None:
        self.notify(message.error, title="Export failed", severity="error", markup=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.notify(error_text(event.worker.error), title="Error", severity="error", markup=False)
