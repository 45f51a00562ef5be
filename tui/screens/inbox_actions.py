"""The inbox's actions on the curator's behalf: the query line, saved views and
decisions (mark, tag, note, select, undo).

A base class of :class:`tui.screens.inbox.InboxScreen`, kept apart so each module
stays readable; it uses the screen's table, query line, read-ahead cache and
loader. Decisions go through the app's write queue (``monitor.review.decisions``): one at a
time, in the order made, each in its own short transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from textual import on, work
from textual.message import Message
from textual.screen import Screen
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
    from tui.widgets.change_table import ChangeTable


class InboxActions(Screen[None]):
    """Query line, saved views and decisions of the inbox (see the module docstring)."""

    # Provided by InboxScreen.
    table: ChangeTable
    query_input: Input
    query_state: InboxQuery
    sort: str
    detail: ChangeDetail | None
    read_ahead: DetailCache
    known_tags: list[str]
    counts: InboxCounts | None
    db_path: str
    _first_max_id: int | None
    _focus_table_when_loaded: bool
    _detail_wanted: int | None

    def request_load(self, request: LoadRequest) -> None:
        raise NotImplementedError

    def _update_header(self) -> None:
        raise NotImplementedError

    def _show_selected(self) -> None:
        raise NotImplementedError

    @dataclass
    class RowsRefreshed(Message):
        """Rows re-read after a write, with fresh counts."""

        rows: list[InboxRow]
        counts: InboxCounts
        tags: list[str]

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
        self.read_ahead.written(change_ids)
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
            self.read_ahead.written(result.change_ids)
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
        self.read_ahead.written(message.change_ids)
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

