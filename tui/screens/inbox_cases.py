"""Cases in the inbox: a case of several changes is one row (its lead change, with
how many changes, which languages and kinds); ``c`` shows its other changes under
it or folds them again; a decision on the case row applies to every change of the
case at once.

A base class of :class:`tui.screens.inbox.InboxScreen` (after
:class:`tui.screens.inbox_actions.InboxActions`, whose decisions it extends). The
folding itself happens in SQL (:mod:`monitor.review.case_inbox`); a case decision is one
``monitor.review.cases.review_case`` call through the app's write queue: one transaction,
one undoable action. A member row shown under its case is an ordinary change:
decisions on it apply to it alone, and ``m`` then ``r`` decides on the lead alone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from textual import on, work
from textual.message import Message

from monitor.models import CaseBadge, InboxRow
from monitor.review.case_inbox import case_rows
from monitor.review.cases import review_case
from monitor.text import one_line
from tui.data import reading
from tui.dialogs.tag import TagScreen
from tui.screens.inbox_actions import InboxActions


class InboxCases(InboxActions):
    """Fold, unfold and decide on cases (see the module docstring)."""

    @dataclass
    class MembersLoaded(Message):
        """A case's changes, read to be shown under its row."""

        lead_id: int
        case_id: int
        rows: list[InboxRow]

    def case_under_cursor(self) -> tuple[int, CaseBadge] | None:
        """(lead change id, case) when the cursor is on a case row and nothing is selected."""
        table = self.table
        cid = table.selected_id
        if cid is None or table.marked or table.lead_of(cid) is not None:
            return None
        row = table.row_for(cid)
        return (cid, row.case) if row is not None and row.case is not None else None

    # -- fold and unfold --------------------------------------------------------------

    def action_toggle_case(self) -> None:
        """Show the other changes of the case under the cursor, or fold them again."""
        table = self.table
        cid = table.selected_id
        if cid is None:
            return
        lead = table.lead_of(cid)
        if lead is not None:  # on a member: fold its case and go back to the case row
            cid = lead
        row = table.row_for(cid)
        if row is None or row.case is None:
            self.notify("This change is not part of a case.", markup=False)
            return
        if row.case.case_id in table.expanded:
            table.expanded.discard(row.case.case_id)
            table.hide_members(cid)
            table.select_id(cid)
        else:
            table.expanded.add(row.case.case_id)
            self._load_members(cid, row.case.case_id, self.sort)

    def expand_shown_cases(self) -> None:
        """After a page load: show again the members of the unfolded cases on it."""
        table = self.table
        for cid in table.ids:
            row = table.row_for(cid)
            if row is not None and row.case is not None and row.case.case_id in table.expanded:
                self._load_members(cid, row.case.case_id, self.sort)

    @work(thread=True, group="inbox-members", exit_on_error=False)
    def _load_members(self, lead_id: int, case_id: int, sort: str) -> None:
        with reading(self.db_path) as db:
            rows = case_rows(db, case_id, sort)
        self.post_message(self.MembersLoaded(lead_id, case_id, rows))

    @on(MembersLoaded)
    def _members_loaded(self, message: MembersLoaded) -> None:
        table = self.table
        lead = table.row_for(message.lead_id)
        if lead is None or lead.case is None or lead.case.case_id != message.case_id:
            return  # the page changed meanwhile
        if message.case_id in table.expanded:
            table.show_members(message.lead_id, [r for r in message.rows if r.id != message.lead_id])

    # -- decisions on a whole case ------------------------------------------------------

    def _case_ids_shown(self, lead_id: int) -> tuple[int, ...]:
        table = self.table
        return (lead_id, *(cid for cid in table.ids if table.lead_of(cid) == lead_id))

    def action_mark(self, status: str) -> None:
        """On a case row: ``status`` for every change of the case; else as usual."""
        found = self.case_under_cursor()
        if found is None:
            super().action_mark(status)
            return
        lead_id, case = found
        shown = self._case_ids_shown(lead_id)
        table = self.table
        for cid in shown:  # shown at once; the stored rows replace them when written
            row = table.row_for(cid)
            if row is not None:
                table.update_change(replace(row, status=status))
        self._write(f"{status} on case {case.case_id}",
                    lambda db: review_case(db, case.case_id, status=status), shown)
        table.move_cursor(row=table.ids.index(shown[-1]))
        table.action_cursor_down()

    def action_tag(self) -> None:
        """On a case row: the tag (``-tag`` removes it) goes on every change of the case."""
        found = self.case_under_cursor()
        if found is None:
            super().action_tag()
            return
        lead_id, case = found
        shown = self._case_ids_shown(lead_id)
        row = self.table.row_for(lead_id)
        title = f"case of {case.size} changes: {row.title if row else ''}"

        def add(tag: str | None) -> None:
            if not tag:
                return
            remove = tag.startswith("-") and len(tag) > 1
            name = one_line(tag[1:] if remove else tag, 64)
            kw = {"remove_tags": [name]} if remove else {"add_tags": [name]}
            self._write(f"{'-' if remove else '+'}{name} on case {case.case_id}",
                        lambda db: review_case(db, case.case_id, **kw), shown)

        self.app.push_screen(TagScreen(title, self.known_tags), add)
