"""The inbox: the query line, one page of the change table, the diff of the
highlighted change, and the review keys.

Every database access runs in a thread worker with its own connection and posts
its result back as a message; the event loop never waits on SQLite. The table
holds one page (``page_size`` rows) of the inbox as ranked in SQLite; moving past
its edge loads the next page, and a reload keeps the cursor on the same change.
A periodic check reloads only when the data changed (:func:`monitor.review.inbox.data_stamp`),
and the details of the changes around the cursor are read ahead.

One screen class, composed of widgets (the query line, :class:`ChangeTable`,
:class:`DiffView`, :class:`StatusLine`) and two helper objects it makes:
:class:`tui.screens.inbox_actions.InboxActions` (the query line, saved views and
decisions) and :class:`tui.screens.inbox_cases.InboxCases` (cases folded into one
row). Every binding, message and worker is the screen's; its action methods and
message handlers hand the work to the helpers. The change view is opened through
``TwinwatchApp.open_change``, so this module does not import it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static
from textual.worker import Worker, WorkerState, get_current_worker

from monitor.models import ChangeDetail, InboxCounts, InboxRow
from monitor.review.inbox import (
    change_detail,
    inbox_count,
)
from monitor.review.querylang import InboxQuery
from monitor.text import one_line
from tui.data import DetailCache, LoadRequest, Page, error_text, read_page, reading
from tui.messages import ChangesWritten, QueryRequested, WriteFailed
from tui.screens.inbox_actions import InboxActions
from tui.screens.inbox_cases import InboxCases
from tui.widgets.change_table import ChangeTable
from tui.widgets.diff_view import DiffView
from tui.widgets.status_line import StatusLine

EMPTY_HINT = "No changes yet — run `twinwatch crawl`"
"""What the inbox says when the database holds no change at all."""

NO_MATCH_HINT = "No change matches this query — Escape clears it"
"""What the inbox says when the query line matches nothing."""

QUERY_PLACEHOLDER = '/ to filter: status:new lang:nl tag:motion "stedenband"   (? for all filters)'

# Actions that need a highlighted change; check_action greys them out otherwise.
_NEEDS_CHANGE = {"mark", "tag", "note", "select", "open", "open_url", "copy_url", "next", "previous",
                 "scroll_diff", "toggle_case"}


class InboxScreen(Screen[None]):
    """Changes ranked by relevance or date, with the diff of the highlighted one."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (160, "-wide")]
    """Side by side from 160 columns: below that the title column would be cut to nothing."""

    AUTO_FOCUS = "#inbox-table"

    BINDINGS = [
        Binding("r", "mark('relevant')", "Relevant", id="inbox.relevant",
                tooltip="Mark the change (or the selected ones) relevant and go to the next one"),
        Binding("x", "mark('irrelevant')", "Not relevant", id="inbox.irrelevant",
                tooltip="Mark the change (or the selected ones) not relevant and go to the next one"),
        Binding("f", "mark('follow-up')", "Follow up", id="inbox.follow-up",
                tooltip="Mark the change (or the selected ones) for follow-up and go to the next one"),
        Binding("u", "mark('new')", "Unmark", id="inbox.new", show=False,
                tooltip="Put the change (or the selected ones) back to new"),
        Binding("t", "tag", "Tag", id="inbox.tag",
                tooltip="Add a tag (or -tag to remove one) to the change or the selected ones"),
        Binding("a", "note", "Note", id="inbox.note", show=False, tooltip="Write a note on the change"),
        Binding("z", "undo", "Undo", id="inbox.undo", tooltip="Undo the last decision (repeat to go back)"),
        Binding("m", "select", "Select", id="inbox.select", show=False,
                tooltip="Select or unselect the change for a bulk action, and go to the next one"),
        Binding("M", "select_none", "Select none", id="inbox.select-none", show=False,
                tooltip="Clear the selection"),
        Binding("ctrl+a", "select_page", "Select page", id="inbox.select-page", show=False,
                tooltip="Select every change on this page"),
        Binding("slash", "focus_query", "Filter", id="inbox.query", key_display="/",
                tooltip="Type a query: status:new lang:nl tag:motion \"stedenband\""),
        Binding("escape", "escape", "Back", id="inbox.escape", show=False,
                tooltip="Leave the query line; else clear the selection; else clear the query"),
        Binding("s", "toggle_sort", "Sort", id="inbox.sort", show=False,
                tooltip="Rank by relevance or by date"),
        Binding("v", "views", "Views", id="inbox.views", show=False,
                tooltip="Open (or delete) a saved view"),
        Binding("ctrl+s", "save_view", "Save view", id="inbox.save-view", show=False,
                tooltip="Save the query line as a named view"),
        Binding("enter", "open", "Open", id="inbox.open", show=False,
                tooltip="Open the change: facts, versions, full diff"),
        Binding("o", "open_url", "Browser", id="inbox.open-url", show=False,
                tooltip="Open the change's URL in a web browser"),
        Binding("y", "copy_url", "Copy URL", id="inbox.copy-url", show=False,
                tooltip="Copy the change's URL to the clipboard"),
        Binding("n,j,down", "next", "Next", id="inbox.next", show=False,
                tooltip="Go to the next change"),
        Binding("k,p,up", "previous", "Previous", id="inbox.previous", show=False,
                tooltip="Go to the previous change"),
        Binding("space", "scroll_diff(1)", "Scroll diff", id="inbox.diff-down", show=False,
                tooltip="Scroll the diff down a page"),
        Binding("b", "scroll_diff(-1)", "Scroll diff back", id="inbox.diff-up", show=False,
                tooltip="Scroll the diff up a page"),
        Binding("c", "toggle_case", "Case", id="inbox.case", show=False,
                tooltip="Show the other changes of the case under the cursor, or fold them again"),
        Binding("g", "refresh", "Refresh", id="inbox.refresh", show=False,
                tooltip="Reload changes from the database"),
    ]

    @dataclass
    class Loaded(Message):
        """A load worker read a page; ``seq`` tells stale results apart."""

        seq: int
        page: Page

    @dataclass
    class Counted(Message):
        """The number of matches, counted after the first page of a new query was shown."""

        seq: int
        total: int

    @dataclass
    class DetailLoaded(Message):
        """The detail worker read the highlighted change."""

        change_id: int
        detail: ChangeDetail | None

    @dataclass
    class Prefetched(Message):
        """Details of the changes next to the cursor, read ahead."""

        details: list[ChangeDetail]
        generation: int

    @dataclass
    class RowsRefreshed(Message):
        """Rows re-read after a write, with fresh counts."""

        rows: list[InboxRow]
        counts: InboxCounts
        tags: list[str]

    @dataclass
    class MembersLoaded(Message):
        """A case's changes, read to be shown under its row."""

        lead_id: int
        case_id: int
        rows: list[InboxRow]

    def __init__(self, db_path: str, *, refresh_interval: float = 5.0, page_size: int = 200) -> None:
        super().__init__()
        self.db_path = db_path
        """The database file; each worker opens its own connection to it."""
        self.refresh_interval = refresh_interval
        """Seconds between checks for new data (a crawl may be writing meanwhile)."""
        self.page_size = page_size
        """How many rows the table holds at a time."""
        self.query_state = InboxQuery()
        """The query line in force."""
        self.sort = "relevance"
        """``relevance`` or ``date``."""
        self.loaded = False
        """True once the first page arrived."""
        self.total: int | None = 0
        """Changes matching the query (``None`` while counting)."""
        self.counts: InboxCounts | None = None
        """The header's counts, as last loaded."""
        self.known_tags: list[str] = []
        """Tags in use, for the tag prompt's completion."""
        self.detail: ChangeDetail | None = None
        """The highlighted change in full, once loaded."""
        self._load_seq = 0
        self._focus_table_when_loaded = False
        self._detail_wanted: int | None = None
        self.read_ahead = DetailCache()
        """Details of the changes around the cursor, read before they are needed."""
        self.loaded_seq = 0
        """The ``seq`` of the load shown (the benchmark waits on it)."""
        self._stamp: tuple[int, ...] | None = None
        self.first_max_id: int | None = None
        """The newest change when the inbox opened (what arrived since is counted apart)."""
        self.actions = InboxActions(self)
        """The query line, saved views and decisions."""
        self.cases = InboxCases(self, self.actions)
        """Cases: folding, unfolding, decisions on a whole case."""

    # -- layout ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder=QUERY_PLACEHOLDER, id="inbox-query", select_on_focus=False)
        yield StatusLine(id="inbox-status")
        yield Static(Text(EMPTY_HINT), id="inbox-empty")
        with Container(id="inbox-body"):
            yield ChangeTable(id="inbox-table")
            yield DiffView(id="inbox-diff")
        yield Footer(compact=True)

    @property
    def table(self) -> ChangeTable:
        return self.query_one(ChangeTable)

    @property
    def diff_view(self) -> DiffView:
        return self.query_one(DiffView)

    @property
    def query_input(self) -> Input:
        return self.query_one("#inbox-query", Input)

    def on_mount(self) -> None:
        self.title = "twinwatch"
        self.sub_title = "loading…"
        self.table.loading = True
        self.table.focus()
        self.request_load(LoadRequest(position=0))
        if self.refresh_interval > 0:
            self.set_interval(self.refresh_interval, self.poll, name="inbox-refresh")

    # -- loading ----------------------------------------------------------------

    def request_load(self, request: LoadRequest) -> None:
        """Load a page in a worker (the result replaces any older load)."""
        self._load_seq += 1
        self._load(self._load_seq, request, self.query_state, self.sort)

    def poll(self) -> None:
        """Reload if the database changed since the last load (a crawl, another curator)."""
        self.request_load(LoadRequest(anchor_id=self.table.selected_id, position=self.table.page_offset,
                                      offset_hint=self.table.page_offset, force=False))

    def action_refresh(self) -> None:
        """Reload the page from the database, keeping the cursor on its change."""
        self.request_load(LoadRequest(anchor_id=self.table.selected_id, position=self.table.page_offset
                                      + max(self.table.cursor_row, 0), offset_hint=self.table.page_offset))

    @work(thread=True, exclusive=True, group="inbox-load", exit_on_error=False)
    def _load(self, seq: int, req: LoadRequest, q: InboxQuery, sort: str) -> None:
        worker = get_current_worker()
        shown = self.detail.change.id if self.detail is not None else None
        with reading(self.db_path) as db:
            page = read_page(db, req, q, sort, self.page_size, since_id=self.first_max_id,
                             unchanged_since=self._stamp, shown_detail=shown)
            if page is None or worker.is_cancelled:
                return
            self.post_message(self.Loaded(seq, page))
            if page.total is None:  # a new query's first page is shown; now count its matches
                total = inbox_count(db, q.filter)
                if not worker.is_cancelled:
                    self.post_message(self.Counted(seq, total))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.seq != self._load_seq:
            return  # a newer load is on its way
        page = message.page
        first = not self.loaded
        had_rows = bool(self.table.row_count)
        self.loaded = True
        self.loaded_seq = message.seq
        if page.stamp != self._stamp:
            self.read_ahead.clear()  # another process may have reviewed or corrected something
        self._stamp = page.stamp
        if self.first_max_id is None:
            self.first_max_id = page.counts.max_change_id
        self.known_tags = page.tags
        self.counts = page.counts
        self.total = page.total
        if page.detail is not None:
            self.detail = page.detail
            self.read_ahead.put(page.detail)
        self.set_class(page.counts.total == 0, "-empty")
        self.set_class(page.counts.total > 0 and not page.rows, "-nomatch")
        empty = self.query_one("#inbox-empty", Static)
        empty.update(Text(EMPTY_HINT if page.counts.total == 0 else NO_MATCH_HINT))
        table = self.table
        table.loading = False
        table.show_rows(page.rows, offset=page.offset, total=page.total,
                        select_id=page.select_id, select_index=page.select_index)
        self.cases.expand_shown()
        self.update_header()
        self.show_selected()
        if first and not self.query_input.has_focus:
            table.focus()
        if self._focus_table_when_loaded:
            self._focus_table_when_loaded = False
            self.call_after_refresh(self._focus_table_from_query)
        if first or had_rows != bool(table.row_count):
            self.refresh_bindings()  # greys out the keys that need a change (redraws the footer)

    @on(Counted)
    def _counted(self, message: Counted) -> None:
        if message.seq != self._load_seq:
            return
        self.total = message.total
        self.table.more_below = self.table.page_offset + self.table.page_rows < message.total
        self.update_header()

    def focus_table_once_loaded(self) -> None:
        """Move the focus from the query line to the table when the next page is shown."""
        self._focus_table_when_loaded = True

    def _focus_table_from_query(self) -> None:
        if self.query_input.has_focus:
            self.table.focus()

    def update_header(self) -> None:
        counts = self.counts
        if counts is not None:
            self.sub_title = self._counts_line(counts)
        table = self.table
        shown = table.page_rows
        status = Text()
        if self.total:
            status.append(f"{table.page_offset + 1:,}–{table.page_offset + shown:,} of {self.total:,}")
        else:
            status.append("0 of 0")
        status.append("  ·  sort: " + self.sort)
        if not self.query_state.is_empty:
            status.append("  ·  query: ")
            status.append(one_line(self.query_state.text, 80))
        if table.marked:
            status.append(f"  ·  {len(table.marked):,} selected (r/x/f/t apply to all, M clears)")
        self.query_one("#inbox-status", StatusLine).update(status)

    @staticmethod
    def _counts_line(counts: InboxCounts) -> str:
        line = " · ".join(
            f"{label} {counts.by_status.get(status, 0):,}"
            for status, label in (("new", "new"), ("relevant", "relevant"),
                                  ("irrelevant", "irrelevant"), ("follow-up", "follow-up"))
        )
        if counts.arrived:
            line += f" · {counts.arrived:,} arrived since opened"
        return line

    # -- the highlighted change --------------------------------------------------

    def show_selected(self) -> None:
        cid = self.table.selected_id
        if cid is None:
            self.detail = None
            self.diff_view.show(None)
            return
        if (self.detail is None or self.detail.change.id != cid) and cid in self.read_ahead:
            self.detail = self.read_ahead.get(cid)
        if self.detail is None or self.detail.change.id != cid:
            if self._detail_wanted != cid:  # not already on its way
                self._detail_wanted = cid
                self._load_detail(cid)
            return
        if self.diff_view.detail is not self.detail or self.diff_view.search_terms != self.query_state.terms:
            self.diff_view.show(self.detail, self.query_state.terms)
        self._prefetch_around(cid)

    def _prefetch_around(self, cid: int) -> None:
        """Read the next changes' details ahead, so r/x/f and j show the next diff at once."""
        ids = self.table.ids
        if cid not in ids:
            return
        i = ids.index(cid)
        wanted = [x for x in ids[i + 1:i + 4] + ids[max(i - 1, 0):i] if x not in self.read_ahead]
        if wanted:
            self._prefetch(wanted, self.read_ahead.generation)

    @work(thread=True, exclusive=True, group="inbox-prefetch", exit_on_error=False)
    def _prefetch(self, ids: list[int], generation: int) -> None:
        details = []
        with reading(self.db_path) as db:
            for cid in ids:
                if get_current_worker().is_cancelled:
                    return
                detail = change_detail(db, cid)
                if detail is not None:
                    details.append(detail)
        self.post_message(self.Prefetched(details, generation))

    @on(Prefetched)
    def _prefetched(self, message: Prefetched) -> None:
        for detail in message.details:
            self.read_ahead.put(detail, message.generation)

    @work(thread=True, exclusive=True, group="inbox-detail", exit_on_error=False)
    def _load_detail(self, change_id: int) -> None:
        with reading(self.db_path) as db:
            detail = change_detail(db, change_id)
        if not get_current_worker().is_cancelled:
            self.post_message(self.DetailLoaded(change_id, detail))

    def forget_detail(self, change_ids: Iterable[int]) -> None:
        """Drop the highlighted change's detail if a write touched it: it is read again."""
        if self.detail is not None and self.detail.change.id in change_ids:
            self.detail = None
            self._detail_wanted = None

    @on(DetailLoaded)
    def _detail_loaded(self, message: DetailLoaded) -> None:
        if self._detail_wanted == message.change_id:
            self._detail_wanted = None
        if message.detail is not None:
            self.read_ahead.put(message.detail)
        if message.change_id != self.table.selected_id:
            return
        self.detail = message.detail
        self.diff_view.show(message.detail, self.query_state.terms)
        self._prefetch_around(message.change_id)

    @on(ChangeTable.RowHighlighted, "#inbox-table")
    def _highlighted(self, event: ChangeTable.RowHighlighted) -> None:
        self.show_selected()

    @on(ChangeTable.RowSelected, "#inbox-table")
    def _selected(self, event: ChangeTable.RowSelected) -> None:
        self.action_open()

    @on(ChangeTable.EdgeReached)
    def _edge(self, event: ChangeTable.EdgeReached) -> None:
        table = self.table
        margin = min(10, self.page_size // 3)  # rows of the old page kept in view
        if event.where == "next":
            pos, keep = table.page_offset + table.page_rows, margin
        elif event.where == "previous":
            pos, keep = table.page_offset - 1, self.page_size - 1 - margin
        elif event.where == "first":
            pos, keep = 0, 0
        else:
            pos, keep = -1, self.page_size - 1
        self.request_load(LoadRequest(position=pos, keep=keep))

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

    # -- the query line ------------------------------------------------------------

    def action_focus_query(self) -> None:
        self.actions.focus_query()

    def action_escape(self) -> None:
        self.actions.escape()

    def action_toggle_sort(self) -> None:
        """Rank by relevance, or newest first; the cursor stays on its change."""
        self.actions.toggle_sort()

    def apply_query(self, text: str, sort: str | None = None) -> bool:
        """Show the changes matching ``text``; ``False`` (and a notification) when it
        cannot be read."""
        return self.actions.apply_query(text, sort)

    @on(Input.Submitted, "#inbox-query")
    def _query_submitted(self, event: Input.Submitted) -> None:
        self.actions.query_submitted(event)

    @on(Input.Changed, "#inbox-query")
    def _query_changed(self, event: Input.Changed) -> None:
        self.actions.query_changed(event)

    @on(QueryRequested)
    def _query_requested(self, message: QueryRequested) -> None:
        self.actions.query_requested(message)

    # -- saved views ------------------------------------------------------------------

    def action_views(self) -> None:
        """Pick a saved view (Enter opens it, d deletes it)."""
        self.actions.views()

    def action_save_view(self) -> None:
        """Name the query line and keep it as a saved view."""
        self.actions.save_view()

    # -- decisions (a case row first, then the selection or the highlighted change) -----

    def action_mark(self, status: str) -> None:
        """Store ``status`` for the case under the cursor, the selected changes, or the
        highlighted one (and go to the next)."""
        if not self.cases.mark(status):
            self.actions.mark(status)

    def action_tag(self) -> None:
        """Ask for a tag and add it (``-tag`` removes it) to the case under the cursor,
        the selected changes or the highlighted one."""
        if not self.cases.tag():
            self.actions.tag()

    def action_note(self) -> None:
        """Write (or clear) the note of the highlighted change."""
        self.actions.note()

    def action_undo(self) -> None:
        """Undo the latest decision (each press goes one further back)."""
        self.actions.undo()

    def action_select(self) -> None:
        """Toggle the highlighted change in the selection and go to the next one."""
        self.actions.select()

    def action_select_none(self) -> None:
        self.actions.select_none()

    def action_select_page(self) -> None:
        self.actions.select_page()

    @on(ChangesWritten)
    def _written(self, message: ChangesWritten) -> None:
        self.actions.written(message)

    @on(RowsRefreshed)
    def _rows_refreshed(self, message: RowsRefreshed) -> None:
        self.actions.rows_refreshed(message.rows, message.counts, message.tags)

    @on(WriteFailed)
    def _write_failed(self, message: WriteFailed) -> None:
        self.actions.write_failed(message)

    # -- cases ---------------------------------------------------------------------

    def action_toggle_case(self) -> None:
        """Show the other changes of the case under the cursor, or fold them again."""
        self.cases.toggle()

    @on(MembersLoaded)
    def _members_loaded(self, message: MembersLoaded) -> None:
        self.cases.members_loaded(message.lead_id, message.case_id, message.rows)

    # -- leaving the inbox ------------------------------------------------------------

    def action_open(self) -> None:
        """Open the highlighted change in the change view."""
        cid = self.table.selected_id
        if cid is None:
            return
        self.app.open_change(cid, self.table.ids, search_terms=self.query_state.terms)  # type: ignore[attr-defined]

    def _url(self) -> str | None:
        if self.detail is not None and self.detail.change.id == self.table.selected_id:
            return self.detail.change.url
        return None

    def action_open_url(self) -> None:
        url = self._url()
        if url:
            self.app.open_url(url)
            self.notify(one_line(url, 200), title="Opening in the browser", markup=False)

    def action_copy_url(self) -> None:
        url = self._url()
        if url:
            self.app.copy_to_clipboard(url)
            self.notify(one_line(url, 200), title="URL copied", markup=False)

    # -- errors ---------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Any worker that raised becomes one notification (the app keeps running)."""
        if event.state != WorkerState.ERROR or event.worker.error is None:
            return
        if event.worker.group == "inbox-load":
            self.table.loading = False
        self.notify(error_text(event.worker.error), title="Database error", severity="error",
                    markup=False)
