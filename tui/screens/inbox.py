"""The inbox: the change table, the diff of the highlighted change, and the review keys.

Every database access runs in a thread worker with its own connection and posts
its result back as a message; the event loop never waits on SQLite. Reads use
``read_only`` connections; decisions are written through ``monitor.review``
with an ``open_db`` connection, one at a time and in the order they were made.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static
from textual.worker import Worker, WorkerState, get_current_worker

from monitor.db import open_db, read_only
from monitor.errors import TwinwatchError
from monitor.models import ChangeRow
from monitor.queries import ChangeFilter, all_tags, change, changes, count_changes, status_counts
from monitor.review import review
from monitor.text import one_line
from tui.messages import ChangeReviewed, ReviewFailed
from tui.screens.tag import TagScreen
from tui.widgets.change_table import ChangeTable
from tui.widgets.diff_view import DiffView

EMPTY_HINT = "No changes yet — run `twinwatch crawl`"
"""What the inbox says when the database holds no change at all."""


@dataclass(frozen=True)
class Decision:
    """One curator decision waiting to be written."""

    change_id: int
    status: str | None = None
    add_tags: tuple[str, ...] = ()


# Actions that need a highlighted change; check_action greys them out otherwise.
_NEEDS_CHANGE = {"mark", "tag", "next", "previous", "scroll_diff"}


class InboxScreen(Screen[None]):
    """Changes newest first, with the diff of the highlighted one beside or below."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (160, "-wide")]
    """Side by side from 160 columns: below that the title column would be cut to nothing."""

    BINDINGS = [
        Binding("r", "mark('relevant')", "Relevant", id="inbox.relevant",
                tooltip="Mark the change relevant and go to the next one"),
        Binding("x", "mark('irrelevant')", "Not relevant", id="inbox.irrelevant",
                tooltip="Mark the change not relevant and go to the next one"),
        Binding("f", "mark('follow-up')", "Follow up", id="inbox.follow-up",
                tooltip="Mark the change for follow-up and go to the next one"),
        Binding("u", "mark('new')", "Unmark", id="inbox.new",
                tooltip="Put the change back to new"),
        Binding("t", "tag", "Tag", id="inbox.tag", tooltip="Add a tag to the change"),
        Binding("n,j,down", "next", "Next", id="inbox.next", show=False,
                tooltip="Go to the next change"),
        Binding("k,p,up", "previous", "Previous", id="inbox.previous", show=False,
                tooltip="Go to the previous change"),
        Binding("space", "scroll_diff(1)", "Scroll diff", id="inbox.diff-down", show=False,
                tooltip="Scroll the diff down a page"),
        Binding("b", "scroll_diff(-1)", "Scroll diff back", id="inbox.diff-up", show=False,
                tooltip="Scroll the diff up a page"),
        Binding("g", "refresh", "Refresh", id="inbox.refresh", tooltip="Reload changes from the database"),
    ]

    @dataclass
    class Loaded(Message):
        """A load worker read the inbox; ``seq`` tells stale results apart."""

        seq: int
        rows: list[ChangeRow]
        counts: dict[str, int]
        total: int
        tags: list[str]

    def __init__(self, db_path: str, *, refresh_interval: float = 5.0, limit: int = 500) -> None:
        super().__init__()
        self.db_path = db_path
        """The database file; each worker opens its own connection to it."""
        self.refresh_interval = refresh_interval
        """Seconds between automatic reloads (a crawl may be writing meanwhile)."""
        self.limit = limit
        """How many of the newest changes the table holds."""
        self.loaded = False
        """True once the first load arrived."""
        self.known_tags: list[str] = []
        """Tags in use, for the tag prompt's completion."""
        self._load_seq = 0
        self._pending: queue.Queue[Decision] = queue.Queue()
        self._writer_lock = threading.Lock()

    # -- layout ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text(EMPTY_HINT), id="inbox-empty")
        with Container(id="inbox-body"):
            yield ChangeTable(id="inbox-table")
            yield DiffView(id="inbox-diff")
        yield Footer(compact=True, show_command_palette=False)

    @property
    def table(self) -> ChangeTable:
        return self.query_one(ChangeTable)

    @property
    def diff_view(self) -> DiffView:
        return self.query_one(DiffView)

    def on_mount(self) -> None:
        self.title = "twinwatch"
        self.sub_title = "loading…"
        self.table.loading = True
        self.table.focus()
        self.action_refresh()
        if self.refresh_interval > 0:
            self.set_interval(self.refresh_interval, self.action_refresh, name="inbox-refresh")

    # -- loading ----------------------------------------------------------------

    def action_refresh(self) -> None:
        """Reload the inbox from the database (the result replaces older loads)."""
        self._load_seq += 1
        self._load(self._load_seq)

    @work(thread=True, exclusive=True, group="inbox-load", exit_on_error=False)
    def _load(self, seq: int) -> None:
        db = read_only(self.db_path)
        try:
            rows = changes(db, ChangeFilter(newest_first=True), limit=self.limit)
            counts = status_counts(db)
            total = count_changes(db)
            tags = all_tags(db)
        finally:
            db.close()
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(seq, rows, counts, total, tags))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.seq != self._load_seq:
            return  # a newer load is on its way
        first = not self.loaded
        self.loaded = True
        self.known_tags = message.tags
        self.sub_title = self._counts_line(message.counts, len(message.rows), message.total)
        self.set_class(message.total == 0, "-empty")
        table = self.table
        table.loading = False
        table.show_rows(message.rows)
        self._show_selected()
        if first:
            table.focus()
        self.refresh_bindings()

    @staticmethod
    def _counts_line(counts: dict[str, int], shown: int, total: int) -> str:
        line = " · ".join(
            f"{label} {counts.get(status, 0)}"
            for status, label in (("new", "new"), ("relevant", "relevant"),
                                  ("irrelevant", "irrelevant"), ("follow-up", "follow-up"))
        )
        if shown < total:
            line += f" · showing newest {shown} of {total}"
        return line

    # -- selection ----------------------------------------------------------------

    def _show_selected(self) -> None:
        cid = self.table.selected_id
        row = self.table.row_for(cid) if cid is not None else None
        if row != self.diff_view.change:
            self.diff_view.show(row)

    @on(DataTable.RowHighlighted, "#inbox-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_selected()

    def action_next(self) -> None:
        self.table.action_cursor_down()

    def action_previous(self) -> None:
        self.table.action_cursor_up()

    def action_scroll_diff(self, direction: int) -> None:
        if direction > 0:
            self.diff_view.scroll_page_down()
        else:
            self.diff_view.scroll_page_up()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in _NEEDS_CHANGE:
            tables = self.query(ChangeTable)
            if not tables or tables.first().selected_id is None:
                return None  # shown, but greyed out
        return True

    # -- decisions ------------------------------------------------------------------

    def action_mark(self, status: str) -> None:
        """Store ``status`` for the highlighted change, then go to the next one."""
        cid = self.table.selected_id
        if cid is None:
            return
        self._submit(Decision(cid, status=status))
        self.table.action_cursor_down()

    def action_tag(self) -> None:
        """Ask for a tag and add it to the highlighted change."""
        cid = self.table.selected_id
        if cid is None:
            return
        row = self.table.row_for(cid)

        def add(tag: str | None) -> None:
            if tag:
                self._submit(Decision(cid, add_tags=(tag,)))

        self.app.push_screen(TagScreen(row.title if row else "", self.known_tags), add)

    def _submit(self, decision: Decision) -> None:
        self._pending.put(decision)
        self._write_decisions()

    @work(thread=True, group="inbox-review", exit_on_error=False)
    def _write_decisions(self) -> None:
        # Not exclusive: a decision must never be cancelled. The lock and the FIFO
        # queue make writes happen one at a time, in the order they were made.
        with self._writer_lock:
            if self._pending.empty():
                return
            db = open_db(self.db_path, migrate=False)
            try:
                while True:
                    try:
                        d = self._pending.get_nowait()
                    except queue.Empty:
                        break
                    try:
                        review(db, d.change_id, status=d.status, add_tags=d.add_tags)
                        stored = change(db, d.change_id)
                    except Exception as exc:  # one failed decision must not stop the rest
                        text = (exc.message if isinstance(exc, TwinwatchError)
                                else f"{type(exc).__name__}: {exc}")
                        self.post_message(ReviewFailed(d.change_id, text))
                        continue
                    if stored is not None:
                        self.post_message(ChangeReviewed(stored))
            finally:
                db.close()

    @on(ChangeReviewed)
    def _reviewed(self, message: ChangeReviewed) -> None:
        self.table.update_change(message.change)
        self._show_selected()
        self.action_refresh()  # counts, and drops any load that started before the write

    @on(ReviewFailed)
    def _review_failed(self, message: ReviewFailed) -> None:
        self.notify(one_line(message.error, 300), title=f"Change {message.change_id} not saved",
                    severity="error", markup=False)

    # -- errors ---------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Any worker that raised becomes one notification (the app keeps running)."""
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        if event.worker.group == "inbox-load":
            self.table.loading = False
        text = one_line(getattr(error, "message", None) or f"{type(error).__name__}: {error}", 300)
        self.notify(text, title="Database error", severity="error", markup=False)
