"""The inbox: the query line, one page of the change table, the diff of the
highlighted change, and the review keys.

Every database access runs in a thread worker with its own connection and posts
its result back as a message; the event loop never waits on SQLite. The table
holds one page (``page_size`` rows) of the inbox as ranked in SQLite; moving past
its edge loads the next page, and a reload keeps the cursor on the same change.
A periodic check reloads only when the data changed (:func:`monitor.inbox.data_stamp`).
Decisions go through the app's write queue (``monitor.review``), one at a time and
in the order they were made.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, replace

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static
from textual.worker import Worker, WorkerState, get_current_worker

from monitor.errors import QueryError
from monitor.inbox import (
    change_detail,
    data_stamp,
    inbox_count,
    inbox_counts,
    inbox_page,
    inbox_position,
    inbox_rows,
    saved_views,
)
from monitor.models import ChangeDetail, InboxCounts, InboxRow, SavedView
from monitor.queries import all_tags, change
from monitor.querylang import InboxQuery, parse_query
from monitor.review import review, review_many, undo
from monitor.text import one_line
from monitor.views import delete_view, save_view
from tui.data import Write, error_text, reading
from tui.messages import ChangesWritten, QueryRequested, WriteFailed
from tui.screens.prompt import PromptScreen
from tui.screens.tag import TagScreen
from tui.screens.views import ViewsScreen
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
                 "scroll_diff"}


@dataclass(frozen=True)
class LoadRequest:
    """Which page to load and where to put the cursor."""

    anchor_id: int | None = None
    """Keep the cursor on this change if it still matches."""
    position: int | None = None
    """Else put it at this position (-1: the last row)."""
    offset_hint: int | None = None
    """Keep this page offset when the cursor's row still falls inside it."""
    keep: int = 0
    """Else start the page this many rows before the cursor."""
    force: bool = True
    """Reload even when nothing changed in the database."""


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
        Binding("g", "refresh", "Refresh", id="inbox.refresh", show=False,
                tooltip="Reload changes from the database"),
    ]

    @dataclass
    class Loaded(Message):
        """A load worker read a page; ``seq`` tells stale results apart."""

        seq: int
        rows: list[InboxRow]
        offset: int
        total: int | None
        """``None`` while a new query's matches are being counted (see :class:`Counted`)."""
        counts: InboxCounts
        stamp: tuple[int, ...]
        tags: list[str]
        select_id: int | None
        select_index: int | None
        detail: ChangeDetail | None = None
        """The change the cursor lands on, read in the same worker (one round trip less)."""

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
        self._details: OrderedDict[int, ChangeDetail] = OrderedDict()
        self._generation = 0
        self._written_at: dict[int, int] = {}
        """Change id -> generation of its latest write (prefetches older than it are stale)."""
        self.loaded_seq = 0
        """The ``seq`` of the load shown (the benchmark waits on it)."""
        self._stamp: tuple[int, ...] | None = None
        self._first_max_id: int | None = None

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
        with reading(self.db_path) as db:
            stamp = data_stamp(db)
            if not req.force and stamp == self._stamp:
                return
            counts = inbox_counts(db, self._first_max_id)
            f = q.filter
            page = self.page_size
            if not q.is_empty and req.anchor_id is None and req.position == 0:
                # A new query: show its first page at once, count its matches after.
                rows = inbox_page(db, f, sort=sort, offset=0, limit=page)
                tags = all_tags(db)
                if get_current_worker().is_cancelled:
                    return
                exact = len(rows) < page
                detail = change_detail(db, rows[0].id) if rows else None
                self.post_message(self.Loaded(seq, rows, 0, len(rows) if exact else None, counts, stamp,
                                              tags, select_id=None, select_index=0, detail=detail))
                if not exact:
                    total = inbox_count(db, f)
                    if not get_current_worker().is_cancelled:
                        self.post_message(self.Counted(seq, total))
                return
            total = counts.total if q.is_empty else inbox_count(db, f)
            pos = None
            if req.anchor_id is not None:
                pos = inbox_position(db, f, sort, req.anchor_id)
            if pos is None:
                pos = req.position if req.position is not None else 0
                if pos < 0:
                    pos = total - 1
            pos = min(max(pos, 0), max(total - 1, 0))
            hint = req.offset_hint
            if hint is not None and hint <= pos < hint + page and (hint < total or hint == 0):
                offset = hint
            else:
                offset = max(0, min(pos - req.keep, total - page))
            rows = inbox_page(db, f, sort=sort, offset=offset, limit=page)
            tags = all_tags(db)
            anchor = req.anchor_id if any(r.id == req.anchor_id for r in rows) else None
            index = min(max(pos - offset, 0), len(rows) - 1)
            target = anchor if anchor is not None else (rows[index].id if rows else None)
            detail = None
            if target is not None and (self.detail is None or self.detail.change.id != target):
                detail = change_detail(db, target)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(seq, rows, offset, total, counts, stamp, tags,
                                          select_id=anchor, select_index=pos - offset, detail=detail))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.seq != self._load_seq:
            return  # a newer load is on its way
        first = not self.loaded
        had_rows = bool(self.table.row_count)
        self.loaded = True
        self.loaded_seq = message.seq
        if message.stamp != self._stamp:
            self._forget()  # another process may have reviewed or corrected something
        self._stamp = message.stamp
        if self._first_max_id is None:
            self._first_max_id = message.counts.max_change_id
        self.known_tags = message.tags
        self.counts = message.counts
        self.total = message.total
        if message.detail is not None:
            self.detail = message.detail
            self._remember(message.detail)
        self.set_class(message.counts.total == 0, "-empty")
        self.set_class(message.counts.total > 0 and not message.rows, "-nomatch")
        empty = self.query_one("#inbox-empty", Static)
        empty.update(Text(EMPTY_HINT if message.counts.total == 0 else NO_MATCH_HINT))
        table = self.table
        table.loading = False
        table.show_rows(message.rows, offset=message.offset, total=message.total,
                        select_id=message.select_id, select_index=message.select_index)
        self._update_header()
        self._show_selected()
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
        self.table.more_below = self.table.page_offset + self.table.row_count < message.total
        self._update_header()

    def _focus_table_from_query(self) -> None:
        if self.query_input.has_focus:
            self.table.focus()

    def _update_header(self) -> None:
        counts = self.counts
        if counts is not None:
            self.sub_title = self._counts_line(counts)
        table = self.table
        shown = table.row_count
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

    def _show_selected(self) -> None:
        cid = self.table.selected_id
        if cid is None:
            self.detail = None
            self.diff_view.show(None)
            return
        if (self.detail is None or self.detail.change.id != cid) and cid in self._details:
            self.detail = self._details[cid]
        if self.detail is None or self.detail.change.id != cid:
            if self._detail_wanted != cid:  # not already on its way
                self._detail_wanted = cid
                self._load_detail(cid)
            return
        if self.diff_view.detail is not self.detail or self.diff_view.search_terms != self.query_state.terms:
            self.diff_view.show(self.detail, self.query_state.terms)
        self._prefetch_around(cid)

    def _remember(self, detail: ChangeDetail) -> None:
        self._details[detail.change.id] = detail
        self._details.move_to_end(detail.change.id)
        while len(self._details) > 64:
            self._details.popitem(last=False)

    def _forget(self, ids: Iterable[int] | None = None) -> None:
        """Drop cached details (all of them, or those of ``ids``) so they are read again."""
        if ids is None:
            self._details.clear()
        else:
            for cid in ids:
                self._details.pop(cid, None)

    def _mark_written(self, ids: Iterable[int]) -> None:
        """Forget what is cached about ``ids`` and ignore reads of them begun before now."""
        self._generation += 1
        for cid in ids:
            self._written_at[cid] = self._generation
            self._details.pop(cid, None)

    def _prefetch_around(self, cid: int) -> None:
        """Read the next changes' details ahead, so r/x/f and j show the next diff at once."""
        ids = self.table.ids
        if cid not in ids:
            return
        i = ids.index(cid)
        wanted = [x for x in ids[i + 1:i + 4] + ids[max(i - 1, 0):i] if x not in self._details]
        if wanted:
            self._prefetch(wanted, self._generation)

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
            if self._written_at.get(detail.change.id, -1) < message.generation:
                self._remember(detail)

    @work(thread=True, exclusive=True, group="inbox-detail", exit_on_error=False)
    def _load_detail(self, change_id: int) -> None:
        with reading(self.db_path) as db:
            detail = change_detail(db, change_id)
        if not get_current_worker().is_cancelled:
            self.post_message(self.DetailLoaded(change_id, detail))

    @on(DetailLoaded)
    def _detail_loaded(self, message: DetailLoaded) -> None:
        if self._detail_wanted == message.change_id:
            self._detail_wanted = None
        if message.detail is not None:
            self._remember(message.detail)
        if message.change_id != self.table.selected_id:
            return
        self.detail = message.detail
        self.diff_view.show(message.detail, self.query_state.terms)
        self._prefetch_around(message.change_id)

    @on(ChangeTable.RowHighlighted, "#inbox-table")
    def _highlighted(self, event: ChangeTable.RowHighlighted) -> None:
        self._show_selected()

    @on(ChangeTable.RowSelected, "#inbox-table")
    def _selected(self, event: ChangeTable.RowSelected) -> None:
        self.action_open()

    @on(ChangeTable.EdgeReached)
    def _edge(self, event: ChangeTable.EdgeReached) -> None:
        table = self.table
        margin = min(10, self.page_size // 3)  # rows of the old page kept in view
        if event.where == "next":
            pos, keep = table.page_offset + table.row_count, margin
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
        self.query_input.focus()

    def action_escape(self) -> None:
        if self.query_input.has_focus:
            self.table.focus()
        elif self.table.marked:
            self.action_select_none()
        elif not self.query_state.is_empty:
            self.apply_query("")

    @on(Input.Submitted, "#inbox-query")
    def _query_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.apply_query(event.value):
            # Focus moves once the results are shown: moving it redraws the footer,
            # which would otherwise hold up the query's first page by a frame or two.
            self._focus_table_when_loaded = True

    @on(Input.Changed, "#inbox-query")
    def _query_changed(self, event: Input.Changed) -> None:
        self.query_input.remove_class("-error")

    def apply_query(self, text: str, sort: str | None = None) -> bool:
        """Show the changes matching ``text``; ``False`` (and a notification) when it
        cannot be read."""
        try:
            q = parse_query(text)
        except QueryError as exc:
            self.query_input.add_class("-error")
            self.notify(exc.message, title="Query not understood", severity="error", markup=False)
            return False
        if self.query_input.value != text:
            self.query_input.value = text
        self.query_input.remove_class("-error")
        self.query_state = q
        self.sort = sort or q.sort or self.sort
        self.request_load(LoadRequest(position=0))
        return True

    @on(QueryRequested)
    def _query_requested(self, message: QueryRequested) -> None:
        self.apply_query(message.query, message.sort)

    def action_toggle_sort(self) -> None:
        """Rank by relevance, or newest first; the cursor stays on its change."""
        self.sort = "date" if self.sort == "relevance" else "relevance"
        self.request_load(LoadRequest(anchor_id=self.table.selected_id, keep=10))

    # -- saved views ------------------------------------------------------------------

    def action_views(self) -> None:
        """Pick a saved view (Enter opens it, d deletes it)."""
        self._load_views()

    @work(thread=True, exclusive=True, group="inbox-views", exit_on_error=False)
    def _load_views(self) -> None:
        with reading(self.db_path) as db:
            views = saved_views(db)
        self.app.call_from_thread(self._pick_view, views)

    def _pick_view(self, views: list[SavedView]) -> None:
        def chosen(result: tuple[str, SavedView] | None) -> None:
            if result is None:
                return
            what, view = result
            if what == "open":
                self.apply_query(view.query, view.sort)
            else:
                self._write(f"delete view {view.name}", lambda db: delete_view(db, view.id))

        self.app.push_screen(ViewsScreen(views), chosen)

    def action_save_view(self) -> None:
        """Name the query line and keep it as a saved view."""
        text, sort = self.query_input.value.strip(), self.sort
        try:
            parse_query(text)
        except QueryError as exc:
            self.notify(exc.message, title="Query not understood", severity="error", markup=False)
            return

        def save(name: str | None) -> None:
            if name:
                self._write(f"saved view {name}", lambda db: save_view(db, name, text, sort))

        self.app.push_screen(PromptScreen("Save this query as a view named:", placeholder="view name",
                                          detail=text or "(everything)"), save)

    # -- decisions ------------------------------------------------------------------

    def _targets(self) -> list[int]:
        """The selected changes, or else the highlighted one."""
        table = self.table
        if table.marked:
            return sorted(table.marked)
        cid = table.selected_id
        return [cid] if cid is not None else []

    def _write(self, label: str, run, change_ids: tuple[int, ...] = ()) -> None:
        self._mark_written(change_ids)
        self.app.submit(Write(label, run, change_ids, reply_to=(self,)))  # type: ignore[attr-defined]

    def action_mark(self, status: str) -> None:
        """Store ``status`` for the selected changes, or for the highlighted one and
        go to the next."""
        ids = self._targets()
        if not ids:
            return
        table = self.table
        if table.marked:
            self._write(f"{status} on {len(ids)} changes",
                        lambda db: review_many(db, ids, status=status), tuple(ids))
            table.set_marked(())
            self._update_header()
            return
        (cid,) = ids
        row = table.row_for(cid)
        if row is not None:  # shown at once; the stored row replaces it when written
            table.update_change(replace(row, status=status))

        def run(db):
            review(db, cid, status=status)
            return change(db, cid)

        self._write(status, run, (cid,))
        table.action_cursor_down()

    def action_tag(self) -> None:
        """Ask for a tag and add it (``-tag`` removes it) to the selected or highlighted changes."""
        ids = self._targets()
        if not ids:
            return
        row = self.table.row_for(ids[0])
        title = row.title if len(ids) == 1 and row else f"{len(ids)} selected changes"

        def add(tag: str | None) -> None:
            if not tag:
                return
            remove = tag.startswith("-") and len(tag) > 1
            name = one_line(tag[1:] if remove else tag, 64)
            kw = {"remove_tags": [name]} if remove else {"add_tags": [name]}
            label = ("-" if remove else "+") + name
            if len(ids) == 1:
                cid = ids[0]

                def run(db):
                    review(db, cid, **kw)
                    return change(db, cid)

                self._write(label, run, (cid,))
            else:
                self._write(f"{label} on {len(ids)} changes",
                            lambda db: review_many(db, ids, **kw), tuple(ids))
                self.table.set_marked(())
                self._update_header()

        self.app.push_screen(TagScreen(title, self.known_tags), add)

    def action_note(self) -> None:
        """Write (or clear) the note of the highlighted change."""
        cid = self.table.selected_id
        if cid is None:
            return
        current = self.detail.change.review.note if self.detail and self.detail.change.id == cid else None
        row = self.table.row_for(cid)

        def save(text: str | None) -> None:
            if text is None:
                return

            def run(db):
                review(db, cid, note=text)
                return change(db, cid)

            self._write("note", run, (cid,))

        self.app.push_screen(PromptScreen("Note (empty removes it):", value=current or "",
                                          detail=row.title if row else "", allow_empty=True), save)

    def action_undo(self) -> None:
        """Undo the latest decision (each press goes one further back)."""
        self._write("undo", undo)

    def action_select(self) -> None:
        """Toggle the highlighted change in the selection and go to the next one."""
        table = self.table
        cid = table.selected_id
        if cid is None:
            return
        table.set_marked(table.marked ^ {cid})
        self._update_header()
        table.action_cursor_down()

    def action_select_none(self) -> None:
        self.table.set_marked(())
        self._update_header()

    def action_select_page(self) -> None:
        self.table.set_marked(self.table.marked | set(self.table.ids))
        self._update_header()

    @on(ChangesWritten)
    def _written(self, message: ChangesWritten) -> None:
        result = message.result
        if message.label == "undo":
            if result is None:
                self.notify("Nothing to undo.", markup=False)
                return
            self.notify(f"Undone: {result.label}", markup=False)
            self._mark_written(result.change_ids)
            if self.detail is not None and self.detail.change.id in result.change_ids:
                self.detail = None  # read again with the load below
                self._detail_wanted = None
            self.request_load(LoadRequest(anchor_id=result.change_ids[0] if result.change_ids else None,
                                          position=self.table.page_offset, offset_hint=self.table.page_offset,
                                          keep=10))
            return
        if message.label.startswith(("saved view", "delete view")):
            self.notify(message.label.capitalize() + ".", markup=False)
            return
        ids = [i for i in message.change_ids if self.table.row_for(i) is not None]
        self._mark_written(message.change_ids)
        if self.detail is not None and self.detail.change.id in message.change_ids:
            self.detail = None  # re-read: status, tags or note changed
            self._detail_wanted = None
        self._refresh_rows(ids)

    @work(thread=True, group="inbox-rows", exit_on_error=False)
    def _refresh_rows(self, ids: list[int]) -> None:
        with reading(self.db_path) as db:
            rows = inbox_rows(db, ids)
            counts = inbox_counts(db, self._first_max_id)
            tags = all_tags(db)
        self.post_message(self.RowsRefreshed(rows, counts, tags))

    @on(RowsRefreshed)
    def _rows_refreshed(self, message: RowsRefreshed) -> None:
        for row in message.rows:
            self.table.update_change(row)
        self.counts = message.counts
        self.known_tags = message.tags
        self._update_header()
        self._show_selected()

    @on(WriteFailed)
    def _write_failed(self, message: WriteFailed) -> None:
        what = ", ".join(str(i) for i in message.change_ids[:5])
        self.notify(message.error, title=f"Not saved: {message.label}" + (f" ({what})" if what else ""),
                    severity="error", markup=False)
        self.request_load(LoadRequest(anchor_id=self.table.selected_id, offset_hint=self.table.page_offset))

    # -- leaving the inbox ------------------------------------------------------------

    def action_open(self) -> None:
        """Open the highlighted change in the change view."""
        from tui.screens.change import ChangeScreen

        cid = self.table.selected_id
        if cid is None:
            return
        self.app.push_screen(ChangeScreen(self.db_path, cid, self.table.ids,
                                          search_terms=self.query_state.terms))

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
