"""Exports: pick a format and a table (records, twinning links, reviewed changes,
coverage), narrow it (the query line for changes; status, municipality and date for
records and links), optionally only what is new since the last export of that
format and table, see how much it holds, write the file through ``monitor.export.service``,
and see earlier batches (Enter writes one again, byte for byte) — what
``twinwatch export`` does.

The export formats come from the plugin manager (exporter plugins), loaded in a
worker the first time this screen opens.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Checkbox, DataTable, Footer, Header, Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from monitor.errors import QueryError, TwinwatchError
from monitor.export.service import ExportRequest, ExportResult, export, pending, replay
from monitor.export.tables import TABLES
from monitor.plugin_manager import exporters
from monitor.review.querylang import parse_query
from monitor.store.queries import export_batches
from monitor.text import one_line
from tui.data import Write, error_text, reading
from tui.messages import ChangesWritten, WriteFailed

DEFAULT_QUERY = "status:reviewed"
STATUSES = (("any status", ""), ("relevant", "relevant"), ("follow-up", "follow-up"),
            ("irrelevant", "irrelevant"))
"""Records and links: resting on a change with this review status (or any)."""
TABLE_WORDS = {"records": "records", "links": "twinning links", "changes": "changes",
               "coverage": "municipalities"}


@dataclass(frozen=True)
class FormatInfo:
    """What the screen needs to know of an exporter."""

    name: str
    extension: str
    tables: tuple[str, ...] | None
    default_table: str
    directory: bool


class ExportsScreen(Screen[None]):
    """Write records, links or reviewed changes to a file."""

    BINDINGS = [
        Binding("ctrl+w", "write", "Write file", id="exports.write",
                tooltip="Export what the form describes in the chosen format, and record the batch"),
        Binding("ctrl+n", "toggle_since_last", "Only new", id="exports.since-last", show=False,
                tooltip="Only what is new or changed since the last export of this format and table"),
        Binding("ctrl+r", "replay", "Write batch again", id="exports.replay", show=False,
                tooltip="Write the highlighted earlier batch again to the file, byte for byte "
                        "(Enter on the batch does the same)"),
        Binding("g", "refresh", "Refresh", id="exports.refresh", show=False,
                tooltip="Re-count and reload earlier exports"),
    ]

    @dataclass
    class Formats(Message):
        formats: list[FormatInfo]

    @dataclass
    class Counted(Message):
        key: tuple[Any, ...]
        count: int | None
        new: int | None
        error: str | None
        batches: list[dict[str, Any]]

    def __init__(self, db_path: str) -> None:
        super().__init__()
        self.db_path = db_path
        self.formats: dict[str, FormatInfo] = {}
        """Format name -> what its exporter writes."""
        self.count: int | None = None
        """How many items the form describes."""
        self.new: int | None = None
        """How many of them are new since the last export of this format and table."""
        self.batches: list[dict[str, Any]] = []
        """Earlier export batches, newest first."""
        self._counting = False
        self._count_wanted: tuple[ExportRequest | None] | None = None
        self._form_error: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="exports-form"):
            with Horizontal(classes="exports-row"):
                yield Label(Text("format"), classes="exports-label")
                yield Select([], id="exports-format", prompt="loading formats…", allow_blank=True)
                yield Label(Text("table"), classes="exports-label exports-label-2")
                yield Select([(Text(t), t) for t in TABLES], id="exports-table", value="records",
                             allow_blank=False)
                yield Checkbox("only new", id="exports-since-last",
                               tooltip="Only what is new or changed since the last export of this format "
                                       "and table (ctrl+n)")
            with Horizontal(classes="exports-row", id="exports-changes-row"):
                yield Label(Text("filter"), classes="exports-label")
                yield Input(value=DEFAULT_QUERY, id="exports-query",
                            placeholder="status:relevant tag:motion lang:nl …")
            with Horizontal(classes="exports-row", id="exports-records-row"):
                yield Label(Text("status"), classes="exports-label")
                yield Select([(Text(label), value or "any") for label, value in STATUSES],
                             id="exports-status", value="any", allow_blank=False)
                yield Label(Text("town"), classes="exports-label exports-label-2")
                yield Input(id="exports-municipality", placeholder="municipality (or partner)")
                yield Label(Text("from"), classes="exports-label exports-label-2")
                yield Input(id="exports-from", placeholder="YYYY-MM-DD")
            with Horizontal(classes="exports-row", id="exports-qids-row"):
                yield Label(Text("Q-ids"), classes="exports-label")
                yield Input(id="exports-qids", placeholder="CSV name,country,qid for towns without a Q-id")
            with Horizontal(classes="exports-row"):
                yield Label(Text("file"), classes="exports-label")
                yield Input(id="exports-path", placeholder="where to write")
            with Horizontal(classes="exports-row"):
                yield Static(id="exports-count")
                yield Button("Write (ctrl+w)", id="exports-write", variant="primary")
        yield Label(Text("Earlier exports — Enter writes one again to the file above"),
                    id="exports-batches-title")
        yield DataTable(id="exports-batches", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "twinwatch — exports"
        table = self.query_one("#exports-batches", DataTable)
        for key, label, width in (("id", "batch", 5), ("at", "written", 16), ("format", "format", 15),
                                  ("table", "table", 8), ("count", "items", 6), ("filter", "filter", 30),
                                  ("path", "file", None)):
            table.add_column(Text(label), key=key, width=width)
        self._show_rows()
        self._load_formats()
        self.action_refresh()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    # -- the form ------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="exports-formats", exit_on_error=False)
    def _load_formats(self) -> None:
        pm = self.app.plugin_manager()  # type: ignore[attr-defined]
        found = [FormatInfo(name, getattr(e, "extension", ""), getattr(e, "tables", None),
                            getattr(e, "default_table", "records"), bool(getattr(e, "directory", False)))
                 for name, e in sorted(exporters(pm).items())]
        self.post_message(self.Formats(found))

    @on(Formats)
    def _formats(self, message: Formats) -> None:
        self.formats = {f.name: f for f in message.formats}
        select: Select[str] = self.query_one("#exports-format", Select)
        select.set_options([(f.name, f.name) for f in message.formats])
        select.prompt = "format"
        if message.formats:
            select.value = "csv" if "csv" in self.formats else message.formats[0].name

    @property
    def fmt(self) -> str | None:
        value = self.query_one("#exports-format", Select).value
        return value if isinstance(value, str) else None

    @property
    def table_name(self) -> str:
        value = self.query_one("#exports-table", Select).value
        return value if isinstance(value, str) else "records"

    @on(Select.Changed, "#exports-format")
    def _format_changed(self, event: Select.Changed) -> None:
        fmt = self.fmt
        if fmt is None:
            return
        info = self.formats.get(fmt)
        tables = (info.tables if info and info.tables else tuple(TABLES))
        select: Select[str] = self.query_one("#exports-table", Select)
        current = self.table_name
        select.set_options([(Text(t), t) for t in tables])
        select.value = current if current in tables else (info.default_table if info else tables[0])
        path = self.query_one("#exports-path", Input)
        ext = info.extension if info else f".{fmt}"
        stem = Path(path.value).stem if path.value else "twinwatch-export"
        parent = Path(path.value).parent if path.value else Path.cwd()
        path.value = str(parent / f"{stem}{ext}")
        self._show_rows()
        self.action_refresh()

    @on(Select.Changed, "#exports-table")
    def _table_changed(self, event: Select.Changed) -> None:
        self._show_rows()
        self.action_refresh()

    def _show_rows(self) -> None:
        """Show the filters that apply to the chosen table."""
        table = self.table_name
        self.query_one("#exports-changes-row").display = table == "changes"
        self.query_one("#exports-records-row").display = table in ("records", "links")
        self.query_one("#exports-qids-row").display = table == "links"

    @on(Input.Changed, "#exports-query, #exports-municipality, #exports-from, #exports-qids")
    @on(Select.Changed, "#exports-status")
    @on(Checkbox.Changed, "#exports-since-last")
    def _form_changed(self) -> None:
        self.action_refresh()

    def action_toggle_since_last(self) -> None:
        box = self.query_one("#exports-since-last", Checkbox)
        box.value = not box.value

    def request(self) -> ExportRequest:
        """The export the form describes.

        Raises:
            QueryError: the changes filter cannot be read.
        """
        fmt = self.fmt or ""
        table = self.table_name
        since_last = self.query_one("#exports-since-last", Checkbox).value
        if table == "changes":
            text = self.query_one("#exports-query", Input).value
            q = parse_query(text)
            return ExportRequest(fmt, table="changes", where=q.filter, query=text.strip() or None,
                                 since_last=since_last)
        if table == "coverage":
            return ExportRequest(fmt, table="coverage", since_last=since_last)
        status = self.query_one("#exports-status", Select).value
        qids = self.query_one("#exports-qids", Input).value.strip()
        return ExportRequest(
            fmt, table=table, statuses=(status,) if isinstance(status, str) and status != "any" else (),
            municipality=self.query_one("#exports-municipality", Input).value.strip() or None,
            date_from=self.query_one("#exports-from", Input).value.strip() or None,
            since_last=since_last, qids=Path(qids).expanduser() if qids and table == "links" else None)

    # -- counting ------------------------------------------------------------------------

    def action_refresh(self) -> None:
        """Count what the form describes. One count runs at a time and only the latest
        request waits behind it: typing a filter on a large database must not start a
        full read per key."""
        if self.fmt is None:
            req = None
        else:
            try:
                req = self.request()
            except QueryError as exc:
                self._form_error = exc.message
                self._show_count(None, None, exc.message)
                return
        self._form_error = None
        self._count_wanted = (req,)
        if not self._counting:
            self._next_count()

    def _next_count(self) -> None:
        wanted, self._count_wanted = self._count_wanted, None
        if wanted is None:
            return
        self._counting = True
        self._count(wanted[0], wanted)

    @work(thread=True, group="exports-count", exit_on_error=False)
    def _count(self, req: ExportRequest | None, key: tuple[Any, ...]) -> None:
        count = new = None
        error = None
        with reading(self.db_path) as db:
            if req is not None:
                try:
                    count, new = pending(db, self.app.plugin_manager(), req)  # type: ignore[attr-defined]
                except TwinwatchError as exc:
                    error = exc.message
            batches = export_batches(db)
        self.post_message(self.Counted(key, count, new, error, batches))

    def _show_count(self, count: int | None, new: int | None, error: str | None) -> None:
        self.count, self.new = count, new
        if error or count is None:
            text = error or ""
        else:
            what = TABLE_WORDS.get(self.table_name, self.table_name)
            since = f"since the last {self.fmt} export of {self.table_name}"
            if self.query_one("#exports-since-last", Checkbox).value:
                text = f"{new:,} of {count:,} {what} are new {since}: they will be written"
            else:
                text = f"{count:,} {what} match ({new:,} new {since})"
        self.query_one("#exports-count", Static).update(Text(text))

    @on(Counted)
    def _counted(self, message: Counted) -> None:
        self._counting = False
        if self._count_wanted is not None:  # the form changed meanwhile: count again first
            self._next_count()
            return
        if self._form_error is None:  # else the filter's error stays shown
            self._show_count(message.count, message.new, message.error)
        self.batches = message.batches
        table = self.query_one("#exports-batches", DataTable)
        row = table.cursor_row
        table.clear()
        for b in message.batches:
            table.add_row(Text(str(b["id"])), Text(b["created_at"][:16].replace("T", " ")),
                          Text(one_line(b["format"], 15)), Text(one_line(b.get("table") or "", 10)),
                          Text(str(b["count"])), Text(one_line(filter_text(b["filters"]), 80)),
                          Text(one_line(b["path"] or "", 200)), key=str(b["id"]))
        if table.row_count:
            table.move_cursor(row=min(max(row, 0), table.row_count - 1), animate=False)

    # -- writing -------------------------------------------------------------------------

    @on(Button.Pressed, "#exports-write")
    def _pressed(self, event: Button.Pressed) -> None:
        self.action_write()

    def _target(self) -> Path | None:
        target = self.query_one("#exports-path", Input).value.strip()
        if not target:
            self.notify("Say where to write the file.", severity="warning", markup=False)
            return None
        return Path(target).expanduser()

    def action_write(self) -> None:
        """Write the file and record the batch."""
        if self.fmt is None:
            self.notify("Pick a format first.", severity="warning", markup=False)
            return
        try:
            req = self.request()
        except QueryError as exc:
            self.notify(exc.message, title="Filter not understood", severity="error", markup=False)
            return
        path = self._target()
        if path is None:
            return
        app = self.app

        def run(db):
            return export(db, app.plugin_manager(), req, path)  # type: ignore[attr-defined]

        app.submit(Write(f"export {req.fmt}", run, reply_to=(self,)))  # type: ignore[attr-defined]

    @on(DataTable.RowSelected, "#exports-batches")
    def _batch_selected(self, event: DataTable.RowSelected) -> None:
        self.action_replay()

    def action_replay(self) -> None:
        """Write the highlighted earlier batch again (``twinwatch export --batch N``)."""
        table = self.query_one("#exports-batches", DataTable)
        if not table.row_count:
            return
        batch_id = int(self.batches[table.cursor_row]["id"])
        path = self._target()
        if path is None:
            return
        app = self.app

        def run(db):
            return replay(db, app.plugin_manager(), batch_id, path)  # type: ignore[attr-defined]

        app.submit(Write(f"batch {batch_id} again", run, reply_to=(self,)))  # type: ignore[attr-defined]

    @on(ChangesWritten)
    def _written(self, message: ChangesWritten) -> None:
        r: ExportResult = message.result
        what = TABLE_WORDS.get(r.table, r.table)
        self.notify(f"{r.count} {what} written to {r.path} (batch {r.batch_id})", title="Exported",
                    markup=False)
        for warning in r.warnings:
            self.notify(warning, title="Export warning", severity="warning", markup=False)
        self.action_refresh()

    @on(WriteFailed)
    def _write_failed(self, message: WriteFailed) -> None:
        self.notify(message.error, title="Export failed", severity="error", markup=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "exports-count" and event.state in (WorkerState.ERROR,
                                                                      WorkerState.CANCELLED):
            self._counting = False
            self._next_count()
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.notify(error_text(event.worker.error), title="Error", severity="error", markup=False)


def filter_text(filters: dict[str, Any]) -> str:
    """An earlier batch's filters in one line, as the form would show them."""
    if filters.get("query"):
        parts = [filters["query"]]
    else:
        parts = [",".join(filters.get("statuses", []))]
        if filters.get("municipality"):
            parts.append(f"town {filters['municipality']}")
        if filters.get("from"):
            parts.append(f"from {filters['from']}")
    if filters.get("since_last"):
        parts.append("only new")
    return " · ".join(p for p in parts if p)
