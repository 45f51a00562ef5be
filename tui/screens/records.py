"""Records mode: the registry records with a search line, the highlighted record in
full with its evidence (quoted passage, source URL, fingerprint, fetch time), and a
second tab with the twinning links as timelines (established → suspended → resumed
→ ended). A record is edited in the record form and deleted after a confirmation.

Records and links are read in one worker (on opening, on coming back to the mode and
after each write); the search runs over what was read. Writes go through the app's
write queue (``monitor.records.registry``).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static, TabbedContent, TabPane
from textual.worker import Worker, WorkerState, get_current_worker

from monitor.errors import QueryError
from monitor.records import registry as record_writes
from monitor.records.drafts import search_records
from monitor.records.queries import Record, TwinningLink, records, twinning_links
from monitor.text import one_line
from tui.data import Write, error_text, reading
from tui.dialogs.confirm import ConfirmScreen
from tui.dialogs.record_form import RecordFormScreen
from tui.messages import ChangesWritten, WriteFailed
from tui.widgets.record_text import amount_text, history_text, link_text, place, record_text

SEARCH_PLACEHOLDER = "/ to search: municipality:Ixelles action:twinning date:2024..2025 change:12 words…"

_NEEDS_RECORD = {"edit", "delete", "open_change"}


class RecordsScreen(Screen[None]):
    """Registry records and twinning links."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (150, "-wide")]

    BINDINGS = [
        Binding("slash", "focus_search", "Search", id="records.search", key_display="/",
                tooltip="Search records: municipality: partner: country: action: date: change: and words"),
        Binding("escape", "escape", "Back", id="records.escape", show=False,
                tooltip="Leave the search line; else clear the search"),
        Binding("e", "edit", "Edit", id="records.edit",
                tooltip="Edit the highlighted record in the record form (Enter does the same)"),
        Binding("d", "delete", "Delete", id="records.delete",
                tooltip="Delete the highlighted record (asks first)"),
        Binding("l", "toggle_tab", "Links/records", id="records.links",
                tooltip="Switch between the records and the twinning links with their timelines"),
        Binding("c", "open_change", "Change", id="records.change", show=False,
                tooltip="Open the change the highlighted record first rests on"),
        Binding("o", "open_url", "Browser", id="records.open-url", show=False,
                tooltip="Open the evidence's URL (a link's latest source) in a web browser"),
        Binding("g", "refresh", "Refresh", id="records.refresh", show=False,
                tooltip="Read the records again"),
    ]

    @dataclass
    class Loaded(Message):
        records: list[Record]
        links: list[TwinningLink]

    def __init__(self, db_path: str) -> None:
        super().__init__()
        self.db_path = db_path
        self.records: list[Record] = []
        """Every record, newest first, as last read."""
        self.shown: list[Record] = []
        """The records matching the search line, in table order."""
        self.links: list[TwinningLink] = []
        """Every twinning link, by municipality."""

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(id="records-tabs", initial="records-pane"):
            with TabPane("Records", id="records-pane"):
                yield Input(id="records-search", placeholder=SEARCH_PLACEHOLDER)
                yield Static(id="records-status")
                with Container(id="records-body"):
                    yield DataTable(id="records-table", cursor_type="row", zebra_stripes=True)
                    with VerticalScroll(id="records-detail-box"):
                        yield Static(id="records-detail")
            with TabPane("Twinning links", id="links-pane"):
                with Container(id="links-body"):
                    yield DataTable(id="links-table", cursor_type="row", zebra_stripes=True)
                    with VerticalScroll(id="links-detail-box"):
                        yield Static(id="links-detail")
        yield Footer(compact=True)

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#records-table", DataTable)

    @property
    def links_table(self) -> DataTable[Text]:
        return self.query_one("#links-table", DataTable)

    @property
    def search_input(self) -> Input:
        return self.query_one("#records-search", Input)

    def on_mount(self) -> None:
        self.title = "twinwatch — records"
        for key, label, width in (("id", "#", 5), ("date", "date", 10), ("municipality", "municipality", 20),
                                  ("partner", "partner", 20), ("action", "action", 20),
                                  ("amount", "€", 9), ("evidence", "ev.", 3), ("summary", "summary", None)):
            self.table.add_column(Text(label), key=key, width=width)
        for key, label, width in (("municipality", "municipality", 22), ("partner", "partner", 22),
                                  ("state", "state", 11), ("since", "since", 10),
                                  ("history", "history", None)):
            self.links_table.add_column(Text(label), key=key, width=width)
        self.table.focus()
        self.action_refresh()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    # -- loading ----------------------------------------------------------------------

    def action_refresh(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="records-load", exit_on_error=False)
    def _load(self) -> None:
        with reading(self.db_path) as db:
            found = records(db)
            links = twinning_links(db)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(list(reversed(found)), links))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.records = message.records
        self.links = message.links
        self._show_records()
        self._show_links()

    def _show_records(self) -> None:
        status = self.query_one("#records-status", Static)
        try:
            shown = search_records(self.records, self.search_input.value)
        except QueryError as exc:
            status.update(Text(f"Search not understood: {exc.message}"))
            return
        table = self.table
        keep = self.selected.id if self.selected is not None else None
        self.shown = shown
        table.clear()
        for r in shown:
            table.add_row(Text(str(r.id)), Text(r.date or ""), Text(place(r.municipality, r.country)),
                          Text(place(r.partner, r.partner_country) if r.partner else ""),
                          Text(r.action or ""), Text(amount_text(r.amount_eur)), Text(str(len(r.evidence))),
                          Text(one_line(r.summary or "", 200)), key=str(r.id))
        index = next((i for i, r in enumerate(shown) if r.id == keep), 0)
        if shown:
            table.move_cursor(row=index, animate=False)
        status.update(Text(f"{len(shown)} of {len(self.records)} records · {len(self.links)} twinning links"
                           if self.records else "No records yet: open a change (Enter in the inbox) "
                                                "and press c to make one."))
        self._show_detail()
        self.refresh_bindings()

    def _show_links(self) -> None:
        table = self.links_table
        row = table.cursor_row
        table.clear()
        for i, lk in enumerate(self.links):
            table.add_row(Text(place(lk.municipality, lk.country)),
                          Text(place(lk.partner, lk.partner_country)), Text(lk.state),
                          Text(lk.start or ""), Text(one_line(history_text(lk), 300)),
                          key=str(i))
        if self.links:
            table.move_cursor(row=min(max(row, 0), len(self.links) - 1), animate=False)
        self._show_link()

    @property
    def selected(self) -> Record | None:
        """The highlighted record."""
        row = self.table.cursor_row if self.table.row_count else -1
        return self.shown[row] if 0 <= row < len(self.shown) else None

    @property
    def selected_link(self) -> TwinningLink | None:
        row = self.links_table.cursor_row if self.links_table.row_count else -1
        return self.links[row] if 0 <= row < len(self.links) else None

    @on(DataTable.RowHighlighted, "#records-table")
    def _show_detail(self) -> None:
        r = self.selected
        self.query_one("#records-detail", Static).update(record_text(r) if r else Text(""))

    @on(DataTable.RowHighlighted, "#links-table")
    def _show_link(self) -> None:
        lk = self.selected_link
        self.query_one("#links-detail", Static).update(
            link_text(lk) if lk else Text("No twinning links yet: they are built from records whose action "
                                          "is twinning_established, _suspended, _ended or _debate."))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in _NEEDS_RECORD and (self.selected is None or self._on_links()):
            return None
        return True

    def _on_links(self) -> bool:
        return self.query_one(TabbedContent).active == "links-pane"

    # -- search and tabs --------------------------------------------------------------

    @on(Input.Changed, "#records-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self._show_records()

    @on(Input.Submitted, "#records-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.table.focus()

    def action_focus_search(self) -> None:
        self.query_one(TabbedContent).active = "records-pane"
        self.search_input.focus()

    def action_escape(self) -> None:
        if self.search_input.has_focus:
            self.table.focus()
        elif self.search_input.value:
            self.search_input.value = ""

    def action_toggle_tab(self) -> None:
        tabs = self.query_one(TabbedContent)
        tabs.active = "records-pane" if self._on_links() else "links-pane"
        (self.links_table if self._on_links() else self.table).focus()
        self.refresh_bindings()

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()

    # -- edit, delete, open -------------------------------------------------------------

    @on(DataTable.RowSelected, "#records-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_edit()

    def action_edit(self) -> None:
        r = self.selected
        if r is None:
            return
        values = {k: getattr(r, k) for k in record_writes.EDITABLE}
        rid = r.id

        def save(changed: dict[str, object] | None) -> None:
            if changed == {}:
                self.notify(f"Record #{rid}: nothing changed.", markup=False)
            elif changed:
                self._write(f"edit record #{rid}", lambda db: record_writes.update(db, rid, changed))

        context = r.evidence[0].url if r.evidence else ""
        self.app.push_screen(RecordFormScreen(f"Record #{rid}", values, context=context, only_changes=True),
                             save)

    def action_delete(self) -> None:
        r = self.selected
        if r is None:
            return
        rid = r.id

        def answer(yes: bool | None) -> None:
            if yes:
                self._write(f"delete record #{rid}", lambda db: record_writes.delete(db, rid))

        what = f"{r.municipality or '?'} · {r.action or 'no action'} · {r.date or 'undated'} · {r.summary}"
        self.app.push_screen(ConfirmScreen(f"Delete record #{rid} and its evidence links?", what), answer)

    def action_open_change(self) -> None:
        r = self.selected
        if r is None or not r.evidence:
            return
        ids = [e.change_id for e in r.evidence]
        self.app.open_change(ids[0], ids)  # type: ignore[attr-defined]

    def action_open_url(self) -> None:
        if self._on_links():
            lk = self.selected_link
            url = next((e.source_url for e in reversed(lk.events) if e.source_url), None) if lk else None
        else:
            r = self.selected
            url = r.evidence[0].url if r and r.evidence else None
        if url:
            self.app.open_url(url)  # type: ignore[attr-defined]
            self.notify(one_line(url, 200), title="Opening in the browser", markup=False)

    def _write(self, label: str, run) -> None:
        self.app.submit(Write(label, run, reply_to=(self,)))  # type: ignore[attr-defined]

    @on(ChangesWritten)
    def _written(self, message: ChangesWritten) -> None:
        r = message.result
        if isinstance(r, Record):
            self.notify(f"Record #{r.id} saved (version {r.version})", markup=False)
        else:
            self.notify(f"Done: {message.label}", markup=False)
        self.action_refresh()

    @on(WriteFailed)
    def _write_failed(self, message: WriteFailed) -> None:
        self.notify(message.error, title=f"Not saved: {message.label}", severity="error", markup=False)
        self.action_refresh()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.notify(error_text(event.worker.error), title="Database error", severity="error",
                        markup=False)
