"""Sources: every watched source with its health, failing and silent ones first;
enable or disable one; crawl one now in the background; see its changes.

A crawl runs as ``twinwatch --db PATH crawl --source ID`` in a subprocess (the TUI
never imports the spiders, and Scrapy's reactor stays out of this process); its
output lines are shown as progress, and the inbox picks up what it stored.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static
from textual.worker import Worker, WorkerState, get_current_worker

from monitor import clock
from monitor.children import GRACE, group_options, kill_group
from monitor.models import SourceStatus
from monitor.review.inbox import change_counts_by_source
from monitor.sources.health import sources_by_health
from monitor.sources.manage import set_enabled
from monitor.text import one_line
from tui.data import Write, error_text, reading
from tui.messages import ChangesWritten, QueryRequested, WriteFailed

COLUMNS = (("health", "health", 13), ("id", "id", 4), ("municipality", "municipality", 16),
           ("kind", "kind", 5), ("fetched", "last fetch", 11), ("changed", "last change", 11),
           ("changes", "changes", 7), ("status", "last result", 24), ("url", "url", None))


def crawl_command(db_path: str, source_id: int) -> list[str]:
    """``twinwatch --db PATH crawl --source ID``, with this Python (so it works
    without the venv on PATH)."""
    return [sys.executable, "-m", "monitor", "--db", db_path, "crawl", "--source", str(source_id)]




class SourcesScreen(Screen[None]):
    """Sources by health."""

    BINDINGS = [
        Binding("e", "toggle_enabled", "Enable/disable", id="sources.toggle",
                tooltip="Stop or resume crawling the highlighted source"),
        Binding("c", "crawl", "Crawl now", id="sources.crawl",
                tooltip="Crawl the highlighted source now, in the background"),
        Binding("enter", "show_changes", "Its changes", id="sources.changes",
                tooltip="Show the source's changes in the inbox"),
        Binding("g", "refresh", "Refresh", id="sources.refresh", show=False, tooltip="Reload the list"),
    ]

    @dataclass
    class Loaded(Message):
        rows: list[tuple[SourceStatus, str]]
        counts: dict[int, int]

    @dataclass
    class CrawlProgress(Message):
        source_id: int
        line: str
        done: bool = False
        code: int | None = None

    def __init__(self, db_path: str) -> None:
        super().__init__()
        self.db_path = db_path
        self.rows: list[tuple[SourceStatus, str]] = []
        """Sources with their health, in display order."""
        self.crawling: dict[int, float] = {}
        """Source id -> when its crawl started."""
        self.last_crawl: dict[int, tuple[int | None, str]] = {}
        """Source id -> (exit code, last line) of its last crawl from here."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="sources-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="sources-crawl")
        yield Footer(compact=True)

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#sources-table", DataTable)

    def on_mount(self) -> None:
        self.title = "twinwatch — sources"
        for key, label, width in COLUMNS:
            self.table.add_column(Text(label), key=key, width=width)
        self.table.focus()
        self.action_refresh()
        self.set_interval(1.0, self._tick, name="sources-crawl-clock")

    def _tick(self) -> None:
        if self.crawling:
            self._show_crawls()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="sources-load", exit_on_error=False)
    def _load(self) -> None:
        now = self.app.clock()  # type: ignore[attr-defined]
        with reading(self.db_path) as db:
            rows = sources_by_health(db, now)
            counts = change_counts_by_source(db)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(rows, counts))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        table = self.table
        selected = self.selected_id
        self.rows = message.rows
        now = self.app.clock()  # type: ignore[attr-defined]
        table.clear()
        for s, health in message.rows:
            src = s.source
            result = s.last_status or "—"
            if s.consecutive_failures:
                result += f" ×{s.consecutive_failures}: {s.last_error or ''}"
            if src.id in self.crawling:
                result = "crawling…"
            style = {"failing": "bold red", "blocked": "bold red", "gone": "bold red",
                     "moved": "bold magenta", "silent": "yellow", "disabled": "dim",
                     "extraction lost": "bold red", "look": "yellow"}.get(health, "")
            table.add_row(
                Text(health, style=style), Text(str(src.id), justify="right"),
                Text(one_line(src.municipality or "—", 30)), Text(src.kind),
                Text(clock.ago(s.last_fetched, now)), Text(clock.ago(s.last_change_at, now)),
                Text(str(message.counts.get(src.id, 0)), justify="right"),
                Text(one_line(result, 60)), Text(one_line(src.url, 200)), key=str(src.id),
            )
        ids = [s.source.id for s, _ in message.rows]
        if selected in ids:
            table.move_cursor(row=ids.index(selected), animate=False)
        failing = sum(1 for _, h in message.rows if h in ("failing", "blocked", "moved", "gone"))
        silent = sum(1 for _, h in message.rows if h == "silent")
        self.sub_title = f"{len(ids)} sources · {failing} failing · {silent} silent"
        self._show_crawls()

    @property
    def selected_id(self) -> int | None:
        table = self.table
        if not table.row_count or not table.is_valid_row_index(table.cursor_row):
            return None
        return self.rows[table.cursor_row][0].source.id if table.cursor_row < len(self.rows) else None

    def _selected(self) -> SourceStatus | None:
        sid = self.selected_id
        return next((s for s, _ in self.rows if s.source.id == sid), None)

    # -- actions ------------------------------------------------------------------

    def action_toggle_enabled(self) -> None:
        s = self._selected()
        if s is None:
            return
        sid, enable = s.source.id, not s.source.enabled
        self.app.submit(Write(  # type: ignore[attr-defined]
            f"{'enabled' if enable else 'disabled'} source {sid}",
            lambda db: set_enabled(db, sid, enable), reply_to=(self,)))

    @on(ChangesWritten)
    def _written(self, message: ChangesWritten) -> None:
        self.notify(message.label.capitalize() + ".", markup=False)
        self.action_refresh()

    @on(WriteFailed)
    def _write_failed(self, message: WriteFailed) -> None:
        self.notify(message.error, title=f"Not saved: {message.label}", severity="error", markup=False)

    def action_show_changes(self) -> None:
        sid = self.selected_id
        if sid is None:
            return
        self.app.switch_mode("inbox")
        self.app.screen.post_message(QueryRequested(f"source:{sid}", "date"))

    def action_crawl(self) -> None:
        """Crawl the highlighted source now: ``twinwatch crawl --source ID`` in a subprocess."""
        sid = self.selected_id
        if sid is None:
            return
        if sid in self.crawling:
            self.notify(f"Source {sid} is already being crawled.", markup=False)
            return
        self.crawling[sid] = time.monotonic()
        self._show_crawls()
        self._crawl(sid)

    @work(group="sources-crawl", exit_on_error=False)
    async def _crawl(self, source_id: int) -> None:
        try:
            # In its own process group, dying with the dashboard (monitor.children).
            proc = await asyncio.create_subprocess_exec(
                *crawl_command(self.db_path, source_id), stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, **group_options(),
            )
        except OSError as exc:
            self.post_message(self.CrawlProgress(source_id, f"cannot start the crawl: {exc}", done=True,
                                                 code=-1))
            return
        last = ""
        assert proc.stdout is not None
        try:
            async for raw in proc.stdout:
                line = one_line(raw.decode("utf-8", "replace"), 200)
                if line:
                    last = line
                    self.post_message(self.CrawlProgress(source_id, line))
            code = await proc.wait()
        except asyncio.CancelledError:  # the dashboard is closing: the crawl and its helpers end
            kill_group(proc.pid, signal.SIGTERM)  # the crawl closes its run and stops at once
            try:
                await asyncio.wait_for(proc.wait(), GRACE)
            except TimeoutError:
                kill_group(proc.pid)
                await proc.wait()
            raise
        self.post_message(self.CrawlProgress(source_id, last, done=True, code=code))

    @on(CrawlProgress)
    def _crawl_progress(self, message: CrawlProgress) -> None:
        if message.done:
            self.crawling.pop(message.source_id, None)
            self.last_crawl[message.source_id] = (message.code, message.line)
            if message.code == 0:
                self.notify(message.line or "done", title=f"Crawl of source {message.source_id}",
                            markup=False)
            else:
                self.notify(message.line or f"exit code {message.code}",
                            title=f"Crawl of source {message.source_id} failed ({message.code})",
                            severity="error", markup=False)
            self.action_refresh()
        else:
            self.last_crawl[message.source_id] = (None, message.line)
        self._show_crawls()

    def _show_crawls(self) -> None:
        text = Text()
        for sid, started in sorted(self.crawling.items()):
            line = self.last_crawl.get(sid, (None, ""))[1]
            text.append(f"crawling source {sid} ({time.monotonic() - started:.0f} s) ", style="bold")
            text.append(one_line(line, 120))
            text.append("\n")
        for sid, (code, line) in sorted(self.last_crawl.items()):
            if sid not in self.crawling and code is not None:
                text.append(f"source {sid}: ", style="bold")
                text.append(one_line(line, 120) if code == 0 else f"failed ({code}): {one_line(line, 100)}")
                text.append("\n")
        text.rstrip()
        box = self.query_one("#sources-crawl", Static)
        box.update(text)
        box.display = bool(text.plain)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.notify(error_text(event.worker.error), title="Error", severity="error", markup=False)
