"""The change view: one change in full — its diff with the analyzers' reasons
highlighted, the suggested record (facts) editable in place, and the other
versions of the same source, each one key away. From here a change becomes a
registry record (``c``: the record form, pre-filled; for a change holding several
events, after picking the event) or supports an existing one (``l``: pick it from a
list).

Reads run in thread workers; writes (decisions, fact corrections) go through the
app's write queue and are heard by the inbox below as well.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label
from textual.worker import Worker, WorkerState, get_current_worker

from monitor import clock
from monitor.models import ChangeDetail
from monitor.records import registry as records
from monitor.records.drafts import EventDraft, event_drafts
from monitor.records.queries import Record, RecordFilter
from monitor.records.queries import records as list_records
from monitor.review.decisions import review, set_fact, undo
from monitor.review.inbox import change_detail, event_counts
from monitor.store.queries import all_tags, change
from monitor.text import one_line
from tui.data import Write, error_text, reading
from tui.dialogs.event_pick import EventPickScreen
from tui.dialogs.prompt import PromptScreen
from tui.dialogs.record_form import RecordFormScreen
from tui.dialogs.record_pick import RecordPickScreen
from tui.dialogs.tag import TagScreen
from tui.messages import ChangesWritten, WriteFailed
from tui.screens.inbox import InboxScreen
from tui.widgets.case_members import CaseMembers
from tui.widgets.diff_view import DiffView

_NEEDS_CHANGE = {"mark", "tag", "note", "edit_fact", "open_url", "copy_url", "versions", "new_record",
                 "link_record"}


class ChangeScreen(Screen[None]):
    """One change with its facts and history."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (140, "-wide")]

    BINDINGS = [
        Binding("escape,backspace", "close", "Back", id="change.close", tooltip="Back to the inbox"),
        Binding("r", "mark('relevant')", "Relevant", id="change.relevant",
                tooltip="Mark relevant and show the next change"),
        Binding("x", "mark('irrelevant')", "Not relevant", id="change.irrelevant",
                tooltip="Mark not relevant and show the next change"),
        Binding("f", "mark('follow-up')", "Follow up", id="change.follow-up",
                tooltip="Mark for follow-up and show the next change"),
        Binding("u", "mark('new')", "Unmark", id="change.new", show=False, tooltip="Back to new"),
        Binding("t", "tag", "Tag", id="change.tag", tooltip="Add a tag (-tag removes one)"),
        Binding("a", "note", "Note", id="change.note", show=False, tooltip="Write a note"),
        Binding("e", "edit_fact", "Edit fact", id="change.edit-fact",
                tooltip="Correct the highlighted fact of the suggested record"),
        Binding("c", "new_record", "Record", id="change.new-record",
                tooltip="Make a registry record of this change: the form opens pre-filled "
                        "(again for a second record; a change of several events asks which first)"),
        Binding("l", "link_record", "Link record", id="change.link-record", show=False,
                tooltip="Let this change support an existing record (pick it from a list)"),
        Binding("v", "versions", "Versions", id="change.versions",
                tooltip="Go to the versions of this source (Enter opens one)"),
        Binding("o", "open_url", "Browser", id="change.open-url", tooltip="Open the URL in a web browser"),
        Binding("y", "copy_url", "Copy URL", id="change.copy-url", show=False,
                tooltip="Copy the URL to the clipboard"),
        Binding("z", "undo", "Undo", id="change.undo", show=False, tooltip="Undo the last decision"),
        Binding("j,n", "step(1)", "Next change", id="change.next", show=False,
                tooltip="Show the next change of the inbox page"),
        Binding("k,p", "step(-1)", "Previous change", id="change.previous", show=False,
                tooltip="Show the previous change of the inbox page"),
        Binding("space", "scroll_diff(1)", "Scroll", id="change.diff-down", show=False,
                tooltip="Scroll the diff down a page"),
        Binding("b", "scroll_diff(-1)", "Scroll back", id="change.diff-up", show=False,
                tooltip="Scroll the diff up a page"),
    ]

    @dataclass
    class Loaded(Message):
        change_id: int
        detail: ChangeDetail | None
        tags: list[str]
        record_ids: tuple[int, ...] = ()
        events: int = 1

    @dataclass
    class DraftRead(Message):
        """What a new record of each event of ``change_id`` starts with, read in a worker."""

        change_id: int
        events: list[EventDraft]

        @property
        def values(self) -> dict[str, object]:
            """The main event's values (all there is for a change of one event)."""
            return self.events[0].values

    def __init__(self, db_path: str, change_id: int, ids: Sequence[int] = (), *,
                 search_terms: Sequence[str] = ()) -> None:
        super().__init__()
        self.db_path = db_path
        self.change_id = change_id
        """The change shown."""
        self.ids = list(ids) or [change_id]
        """The inbox page's changes, for next / previous."""
        self.search_terms = tuple(search_terms)
        self.detail: ChangeDetail | None = None
        """The change as last loaded."""
        self.known_tags: list[str] = []
        self.record_ids: tuple[int, ...] = ()
        """The records this change supports."""
        self.events = 1
        """How many events the change holds (each can become a record)."""
        self._editing: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Container(id="change-body"):
            yield DiffView(id="change-diff", show_facts=False)
            with Container(id="change-side"):
                with Vertical(id="change-facts-box"):
                    yield Label(Text(facts_title(())), id="change-facts-title", classes="change-title")
                    yield DataTable(id="change-facts", cursor_type="row", zebra_stripes=True)
                    yield Input(id="change-fact-input", placeholder="Enter saves, empty resets, Esc cancels")
                yield CaseMembers(self.db_path, id="change-case")
                with Vertical(id="change-versions-box"):
                    yield Label(Text("Versions of this source — Enter opens"), classes="change-title")
                    yield DataTable(id="change-versions", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    @property
    def facts_table(self) -> DataTable[Text]:
        return self.query_one("#change-facts", DataTable)

    @property
    def versions_table(self) -> DataTable[Text]:
        return self.query_one("#change-versions", DataTable)

    @property
    def diff_view(self) -> DiffView:
        return self.query_one(DiffView)

    def on_mount(self) -> None:
        self.title = "twinwatch — change"
        self.facts_table.add_column(Text("field"), key="field", width=12)
        self.facts_table.add_column(Text("value"), key="value")
        self.facts_table.add_column(Text("suggested"), key="suggested")
        for key, label, width in (("detected", "detected", 16), ("kind", "kind", 12),
                                  ("status", "status", 10), ("delta", "+/-", 7), ("title", "title", None)):
            self.versions_table.add_column(Text(label), key=key, width=width)
        self.query_one("#change-fact-input").display = False
        self.facts_table.focus()
        self.load()

    # -- loading ----------------------------------------------------------------

    def load(self) -> None:
        self._load(self.change_id)
        self.query_one(CaseMembers).show(self.change_id)

    @on(CaseMembers.Chosen)
    def _case_member_chosen(self, message: CaseMembers.Chosen) -> None:
        self.show_change(message.change_id)

    @work(thread=True, exclusive=True, group="change-load", exit_on_error=False)
    def _load(self, change_id: int) -> None:
        with reading(self.db_path) as db:
            detail = change_detail(db, change_id)
            tags = all_tags(db)
            rids = tuple(r.id for r in list_records(db, RecordFilter(change_id=change_id)))
            events = event_counts(db, [change_id]).get(change_id, 1)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(change_id, detail, tags, rids, events))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.change_id != self.change_id:
            return
        self.detail = message.detail
        self.known_tags = message.tags
        self.record_ids = message.record_ids
        self.events = message.events
        self.query_one("#change-facts-title", Label).update(
            Text(facts_title(message.record_ids, message.events)))
        self.diff_view.show(message.detail, self.search_terms)
        d = message.detail
        self.sub_title = "" if d is None else f"#{d.change.id} · {d.change.status}"
        facts = self.facts_table
        row_before = facts.cursor_row
        facts.clear()
        vers = self.versions_table
        vers.clear()
        if d is None:
            self.sub_title = f"change {self.change_id} no longer exists"
            return
        for f in d.facts:
            value = Text(one_line(f.value or "—", 200))
            if f.corrected is not None:
                value.append("  (corrected)", style="dim italic")
            facts.add_row(Text(f.field), value, Text(one_line(f.suggested or "", 200), style="dim"),
                          key=f.field)
        if facts.row_count:
            facts.move_cursor(row=min(max(row_before, 0), facts.row_count - 1), animate=False)
        for v in d.versions:
            title = Text(one_line(v.title, 80))
            if v.change_id == d.change.id:
                title.stylize("bold")
            vers.add_row(Text(clock.minute(v.detected_at)), Text(one_line(v.kind, 20)), Text(v.status),
                         Text(f"+{v.added}/-{v.removed}"), title, key=str(v.change_id))
        index = next((i for i, v in enumerate(d.versions) if v.change_id == d.change.id), 0)
        if vers.row_count:
            vers.move_cursor(row=index, animate=False)
        self.refresh_bindings()

    def show_change(self, change_id: int) -> None:
        """Switch to another change (next, previous, another version)."""
        self.change_id = change_id
        if change_id not in self.ids:
            self.ids.append(change_id)
        self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in _NEEDS_CHANGE and self.detail is None:
            return None
        return True

    # -- navigation -------------------------------------------------------------

    def action_close(self) -> None:
        if self._editing is not None:
            self._stop_editing()
            return
        self.dismiss()

    def action_step(self, delta: int) -> None:
        if self.change_id in self.ids:
            i = self.ids.index(self.change_id) + delta
            if 0 <= i < len(self.ids):
                self.show_change(self.ids[i])

    def action_versions(self) -> None:
        self.versions_table.focus()

    @on(DataTable.RowSelected, "#change-versions")
    def _version_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.show_change(int(event.row_key.value))

    def action_scroll_diff(self, direction: int) -> None:
        if direction > 0:
            self.diff_view.scroll_page_down()
        else:
            self.diff_view.scroll_page_up()

    def action_open_url(self) -> None:
        if self.detail is not None:
            self.app.open_url(self.detail.change.url)
            self.notify(one_line(self.detail.change.url, 200), title="Opening in the browser", markup=False)

    def action_copy_url(self) -> None:
        if self.detail is not None:
            self.app.copy_to_clipboard(self.detail.change.url)
            self.notify(one_line(self.detail.change.url, 200), title="URL copied", markup=False)

    # -- facts, edited in place ------------------------------------------------------

    @on(DataTable.RowSelected, "#change-facts")
    def _fact_selected(self, event: DataTable.RowSelected) -> None:
        self.action_edit_fact()

    def action_edit_fact(self) -> None:
        """Edit the highlighted fact in the line below the table."""
        if self.detail is None or not self.facts_table.row_count:
            return
        fact = self.detail.facts[self.facts_table.cursor_row]
        self._editing = fact.field
        box = self.query_one("#change-fact-input", Input)
        box.display = True
        box.border_title = f"{fact.field}"
        box.value = fact.value or ""
        box.focus()

    def _stop_editing(self) -> None:
        self._editing = None
        box = self.query_one("#change-fact-input", Input)
        box.display = False
        self.facts_table.focus()

    @on(Input.Submitted, "#change-fact-input")
    def _fact_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        field, cid, value = self._editing, self.change_id, event.value
        self._stop_editing()
        if field is None:
            return
        self._write(f"{field} corrected", lambda db: set_fact(db, cid, field, value), (cid,))

    # -- decisions ------------------------------------------------------------------

    def _write(self, label: str, run, change_ids: tuple[int, ...] = ()) -> None:
        listeners = (self, *[s for s in self.app.screen_stack if isinstance(s, InboxScreen)])
        self.app.submit(Write(label, run, change_ids, reply_to=listeners))  # type: ignore[attr-defined]

    def action_mark(self, status: str) -> None:
        cid = self.change_id

        def run(db):
            review(db, cid, status=status)
            return change(db, cid)

        self._write(status, run, (cid,))
        if status != "new" and self.change_id in self.ids and self.ids.index(cid) + 1 < len(self.ids):
            self.action_step(1)

    def action_tag(self) -> None:
        cid = self.change_id
        title = self.detail.change.title if self.detail else ""

        def add(tag: str | None) -> None:
            if not tag:
                return
            remove = tag.startswith("-") and len(tag) > 1
            name = one_line(tag[1:] if remove else tag, 64)

            def run(db):
                review(db, cid, **({"remove_tags": [name]} if remove else {"add_tags": [name]}))
                return change(db, cid)

            self._write(("-" if remove else "+") + name, run, (cid,))

        self.app.push_screen(TagScreen(title, self.known_tags), add)

    def action_note(self) -> None:
        cid = self.change_id
        note = self.detail.change.review.note if self.detail else None

        def save(text: str | None) -> None:
            if text is not None:
                def run(db):
                    review(db, cid, note=text)
                    return change(db, cid)

                self._write("note", run, (cid,))

        self.app.push_screen(PromptScreen("Note (empty removes it):", value=note or "", allow_empty=True),
                             save)

    def action_undo(self) -> None:
        self._write("undo", undo)

    # -- registry records ---------------------------------------------------------------

    def action_new_record(self) -> None:
        """Open the record form on the analyzers' suggestions (and the corrected facts)."""
        self._read_draft(self.change_id)

    @work(thread=True, exclusive=True, group="change-draft", exit_on_error=False)
    def _read_draft(self, change_id: int) -> None:
        with reading(self.db_path) as db:
            events = event_drafts(db, change_id)
        self.post_message(self.DraftRead(change_id, events))

    @on(DraftRead)
    def _draft_read(self, message: DraftRead) -> None:
        cid, events = message.change_id, message.events
        if len(events) == 1:
            self._open_form(cid, events[0], 1)
            return

        def picked(number: int | None) -> None:
            if number is not None:
                self._open_form(cid, events[number - 1], len(events))

        self.app.push_screen(EventPickScreen(cid, events), picked)

    def _open_form(self, cid: int, event: EventDraft, of: int) -> None:
        """The record form on one event's draft; saved, the record quotes that event."""
        title = self.detail.change.title if self.detail and self.detail.change.id == cid else ""
        n = len(self.record_ids) if cid == self.change_id else 0
        number = event.number

        def save(values: dict[str, object] | None) -> None:
            if values is not None:
                self._write_record("new record", lambda db: records.create(db, cid, values, event=number),
                                   cid)

        heading = f"New record from change #{cid}"
        if of > 1:
            heading += f", event {number} of {of}"
            if event.record_id is not None:
                heading += f" (already recorded as #{event.record_id})"
            context = event.quote
        else:
            context = title
        if n and (of == 1 or event.record_id is None):
            heading += f" (it already supports {n})"
        self.app.push_screen(RecordFormScreen(heading, event.values, context=context), save)

    def action_link_record(self) -> None:
        """Pick an existing record for this change to support."""
        cid = self.change_id

        def chosen(record_id: int | None) -> None:
            if record_id is not None:
                self._write_record("link to record", lambda db: records.link(db, record_id, cid), cid)

        self.app.push_screen(RecordPickScreen(self.db_path, cid), chosen)

    def _write_record(self, label: str, run, change_id: int) -> None:
        # Records change nothing the inbox shows: only this screen hears the result.
        self.app.submit(Write(label, run, (change_id,), reply_to=(self,)))  # type: ignore[attr-defined]

    @on(ChangesWritten)
    def _written(self, message: ChangesWritten) -> None:
        if isinstance(message.result, Record):
            r = message.result
            self.notify(f"Record #{r.id}: {r.municipality or '?'} · {r.action or 'no action'} · "
                        f"{r.date or 'undated'} · {len(r.evidence)} supporting change(s)",
                        title="Record saved", markup=False)
        if message.label == "undo" or self.change_id in message.change_ids:
            self.load()

    @on(WriteFailed)
    def _write_failed(self, message: WriteFailed) -> None:
        self.notify(message.error, title=f"Not saved: {message.label}", severity="error", markup=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.notify(error_text(event.worker.error), title="Database error", severity="error",
                        markup=False)


def facts_title(record_ids: Sequence[int], events: int = 1) -> str:
    """The facts panel's title: what e, c and l do, the records the change supports, and
    how many events it holds when more than one (the facts are its main event's)."""
    held = (f" · supports record{'s' if len(record_ids) > 1 else ''} "
            + ", ".join(f"#{i}" for i in record_ids[:5]) + ("…" if len(record_ids) > 5 else "")
            if record_ids else "")
    if events > 1:
        return f"Main event of {events} — e corrects · c records one · l links" + held
    return "Suggested record — e corrects · c records it · l links" + held
