"""The inbox's actions on the curator's behalf: the query line, saved views and
decisions (mark, tag, note, select, undo).

Not a screen and not a base class: :class:`InboxActions` is a helper object that
:class:`tui.screens.inbox.InboxScreen` makes and calls from its action methods and
message handlers. The bindings, the messages and the workers stay the screen's
(a worker runs on the screen, so one that raises is reported by the screen's
handler). The helper reaches the screen only through :class:`InboxHost`, so this
module does not import the screen. Case folding is in :mod:`tui.screens.inbox_cases`.

Decisions go through the app's write queue (``monitor.review.decisions``): one at a
time, in the order made, each in its own short transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from textual.widgets import Input

from monitor.errors import QueryError
from monitor.models import ChangeDetail, InboxCounts, InboxRow, SavedView
from monitor.review.decisions import review, review_many, undo
from monitor.review.inbox import inbox_counts, inbox_rows, saved_views
from monitor.review.querylang import InboxQuery, parse_query
from monitor.review.views import delete_view, save_view
from monitor.store.queries import all_tags, change
from monitor.text import one_line
from tui.data import DetailCache, LoadRequest, Write, reading
from tui.dialogs.prompt import PromptScreen
from tui.dialogs.tag import TagScreen
from tui.dialogs.views import ViewsScreen
from tui.messages import ChangesWritten, QueryRequested, WriteFailed

if TYPE_CHECKING:
    from textual.app import App
    from textual.message import Message

    from tui.widgets.change_table import ChangeTable


class InboxHost(Protocol):
    """What the inbox's helpers use of the inbox screen (``InboxScreen`` has it all)."""

    db_path: str
    query_state: InboxQuery
    sort: str
    detail: ChangeDetail | None
    read_ahead: DetailCache
    known_tags: list[str]
    counts: InboxCounts | None
    first_max_id: int | None

    @property
    def app(self) -> App[Any]: ...
    @property
    def table(self) -> ChangeTable: ...
    @property
    def query_input(self) -> Input: ...
    def request_load(self, request: LoadRequest) -> None: ...
    def focus_table_once_loaded(self) -> None: ...
    def update_header(self) -> None: ...
    def show_selected(self) -> None: ...
    def forget_detail(self, change_ids: Iterable[int]) -> None: ...
    def notify(self, message: str, **kwargs: Any) -> None: ...
    def post_message(self, message: Message) -> bool: ...
    def run_worker(self, work: Callable[[], Any], **kwargs: Any) -> Any: ...
    RowsRefreshed: Callable[[list[InboxRow], InboxCounts, list[str]], Message]
    MembersLoaded: Callable[[int, int, list[InboxRow]], Message]


class InboxActions:
    """Query line, saved views and decisions of one inbox screen (see the module docstring)."""

    def __init__(self, screen: InboxHost) -> None:
        self.screen = screen
        """The inbox these actions act on."""

    # -- the query line ------------------------------------------------------------

    def focus_query(self) -> None:
        self.screen.query_input.focus()

    def escape(self) -> None:
        s = self.screen
        if s.query_input.has_focus:
            s.table.focus()
        elif s.table.marked:
            self.select_none()
        elif not s.query_state.is_empty:
            self.apply_query("")

    def query_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.apply_query(event.value):
            # Focus moves once the results are shown: moving it redraws the footer,
            # which would otherwise hold up the query's first page by a frame or two.
            self.screen.focus_table_once_loaded()

    def query_changed(self, event: Input.Changed) -> None:
        self.screen.query_input.remove_class("-error")

    def apply_query(self, text: str, sort: str | None = None) -> bool:
        """Show the changes matching ``text``; ``False`` (and a notification) when it
        cannot be read."""
        s = self.screen
        try:
            q = parse_query(text)
        except QueryError as exc:
            s.query_input.add_class("-error")
            s.notify(exc.message, title="Query not understood", severity="error", markup=False)
            return False
        if s.query_input.value != text:
            s.query_input.value = text
        s.query_input.remove_class("-error")
        s.query_state = q
        s.sort = sort or q.sort or s.sort
        s.request_load(LoadRequest(position=0))
        return True

    def query_requested(self, message: QueryRequested) -> None:
        self.apply_query(message.query, message.sort)

    def toggle_sort(self) -> None:
        """Rank by relevance, or newest first; the cursor stays on its change."""
        s = self.screen
        s.sort = "date" if s.sort == "relevance" else "relevance"
        s.request_load(LoadRequest(anchor_id=s.table.selected_id, keep=10))

    # -- saved views ------------------------------------------------------------------

    def views(self) -> None:
        """Pick a saved view (Enter opens it, d deletes it)."""
        self.screen.run_worker(self._load_views, name="_load_views", thread=True, exclusive=True,
                               group="inbox-views", exit_on_error=False)

    def _load_views(self) -> None:
        with reading(self.screen.db_path) as db:
            views = saved_views(db)
        self.screen.app.call_from_thread(self._pick_view, views)

    def _pick_view(self, views: list[SavedView]) -> None:
        def chosen(result: tuple[str, SavedView] | None) -> None:
            if result is None:
                return
            what, view = result
            if what == "open":
                self.apply_query(view.query, view.sort)
            else:
                self.write(f"delete view {view.name}", lambda db: delete_view(db, view.id))

        self.screen.app.push_screen(ViewsScreen(views), chosen)

    def save_view(self) -> None:
        """Name the query line and keep it as a saved view."""
        s = self.screen
        text, sort = s.query_input.value.strip(), s.sort
        try:
            parse_query(text)
        except QueryError as exc:
            s.notify(exc.message, title="Query not understood", severity="error", markup=False)
            return

        def save(name: str | None) -> None:
            if name:
                self.write(f"saved view {name}", lambda db: save_view(db, name, text, sort))

        s.app.push_screen(PromptScreen("Save this query as a view named:", placeholder="view name",
                                       detail=text or "(everything)"), save)

    # -- decisions ------------------------------------------------------------------

    def targets(self) -> list[int]:
        """The selected changes, or else the highlighted one."""
        table = self.screen.table
        if table.marked:
            return sorted(table.marked)
        cid = table.selected_id
        return [cid] if cid is not None else []

    def write(self, label: str, run, change_ids: tuple[int, ...] = ()) -> None:
        """Queue a write whose result the inbox hears (``ChangesWritten`` / ``WriteFailed``)."""
        s = self.screen
        s.read_ahead.written(change_ids)
        s.app.submit(Write(label, run, change_ids, reply_to=(s,)))  # type: ignore[attr-defined]

    def mark(self, status: str) -> None:
        """Store ``status`` for the selected changes, or for the highlighted one and
        go to the next."""
        ids = self.targets()
        if not ids:
            return
        table = self.screen.table
        if table.marked:
            self.write(f"{status} on {len(ids)} changes",
                       lambda db: review_many(db, ids, status=status), tuple(ids))
            table.set_marked(())
            self.screen.update_header()
            return
        (cid,) = ids
        row = table.row_for(cid)
        if row is not None:  # shown at once; the stored row replaces it when written
            table.update_change(replace(row, status=status))

        def run(db):
            review(db, cid, status=status)
            return change(db, cid)

        self.write(status, run, (cid,))
        table.action_cursor_down()

    def tag(self) -> None:
        """Ask for a tag and add it (``-tag`` removes it) to the selected or highlighted changes."""
        ids = self.targets()
        if not ids:
            return
        s = self.screen
        row = s.table.row_for(ids[0])
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

                self.write(label, run, (cid,))
            else:
                self.write(f"{label} on {len(ids)} changes",
                           lambda db: review_many(db, ids, **kw), tuple(ids))
                s.table.set_marked(())
                s.update_header()

        s.app.push_screen(TagScreen(title, s.known_tags), add)

    def note(self) -> None:
        """Write (or clear) the note of the highlighted change."""
        s = self.screen
        cid = s.table.selected_id
        if cid is None:
            return
        current = s.detail.change.review.note if s.detail and s.detail.change.id == cid else None
        row = s.table.row_for(cid)

        def save(text: str | None) -> None:
            if text is None:
                return

            def run(db):
                review(db, cid, note=text)
                return change(db, cid)

            self.write("note", run, (cid,))

        s.app.push_screen(PromptScreen("Note (empty removes it):", value=current or "",
                                       detail=row.title if row else "", allow_empty=True), save)

    def undo(self) -> None:
        """Undo the latest decision (each press goes one further back)."""
        self.write("undo", undo)

    def select(self) -> None:
        """Toggle the highlighted change in the selection and go to the next one."""
        table = self.screen.table
        cid = table.selected_id
        if cid is None:
            return
        table.set_marked(table.marked ^ {cid})
        self.screen.update_header()
        table.action_cursor_down()

    def select_none(self) -> None:
        self.screen.table.set_marked(())
        self.screen.update_header()

    def select_page(self) -> None:
        table = self.screen.table
        table.set_marked(table.marked | set(table.ids))
        self.screen.update_header()

    # -- what the write queue answers ----------------------------------------------------

    def written(self, message: ChangesWritten) -> None:
        s = self.screen
        result = message.result
        if message.label == "undo":
            if result is None:
                s.notify("Nothing to undo.", markup=False)
                return
            s.notify(f"Undone: {result.label}", markup=False)
            s.read_ahead.written(result.change_ids)
            s.forget_detail(result.change_ids)  # read again with the load below
            s.request_load(LoadRequest(anchor_id=result.change_ids[0] if result.change_ids else None,
                                       position=s.table.page_offset, offset_hint=s.table.page_offset,
                                       keep=10))
            return
        if message.label.startswith(("saved view", "delete view")):
            s.notify(message.label.capitalize() + ".", markup=False)
            return
        ids = [i for i in message.change_ids if s.table.row_for(i) is not None]
        s.read_ahead.written(message.change_ids)
        s.forget_detail(message.change_ids)  # re-read: status, tags or note changed
        s.run_worker(partial(self._refresh_rows, ids), name="_refresh_rows", thread=True,
                     group="inbox-rows", exit_on_error=False)

    def _refresh_rows(self, ids: list[int]) -> None:
        s = self.screen
        with reading(s.db_path) as db:
            rows = inbox_rows(db, ids)
            counts = inbox_counts(db, s.first_max_id)
            tags = all_tags(db)
        s.post_message(s.RowsRefreshed(rows, counts, tags))

    def rows_refreshed(self, rows: list[InboxRow], counts: InboxCounts, tags: list[str]) -> None:
        s = self.screen
        for row in rows:
            s.table.update_change(row)
        s.counts = counts
        s.known_tags = tags
        s.update_header()
        s.show_selected()

    def write_failed(self, message: WriteFailed) -> None:
        s = self.screen
        what = ", ".join(str(i) for i in message.change_ids[:5])
        s.notify(message.error, title=f"Not saved: {message.label}" + (f" ({what})" if what else ""),
                 severity="error", markup=False)
        s.request_load(LoadRequest(anchor_id=s.table.selected_id, offset_hint=s.table.page_offset))
