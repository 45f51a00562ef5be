"""Cases in the inbox: a case of several changes is one row (its lead change, with
how many changes, which languages and kinds); ``c`` shows its other changes under
it or folds them again; a decision on the case row applies to every change of the
case at once.

Not a screen and not a base class: :class:`InboxCases` is a helper object that
:class:`tui.screens.inbox.InboxScreen` makes and asks first when a decision is made
(it takes the decision when the cursor is on a case row, and leaves it to
:class:`tui.screens.inbox_actions.InboxActions` otherwise). Its worker runs on the
screen and its result comes back as ``InboxScreen.MembersLoaded``; it reaches the
screen only through :class:`tui.screens.inbox_actions.InboxHost`.

The folding itself happens in SQL (:mod:`monitor.review.case_inbox`); a case
decision is one ``monitor.review.cases.review_case`` call through the app's write
queue: one transaction, one undoable action. A member row shown under its case is an
ordinary change: decisions on it apply to it alone, and ``m`` then ``r`` decides on
the lead alone.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from monitor.models import CaseBadge, InboxRow
from monitor.review.cases import review_case
from monitor.review.inbox import case_rows
from monitor.text import one_line
from tui.data import reading
from tui.dialogs.tag import TagScreen
from tui.screens.inbox_actions import InboxActions, InboxHost


class InboxCases:
    """Fold, unfold and decide on cases of one inbox screen (see the module docstring)."""

    def __init__(self, screen: InboxHost, actions: InboxActions) -> None:
        self.screen = screen
        """The inbox whose case rows these are."""
        self.actions = actions
        """The inbox's decisions, whose write queue a case decision goes through."""

    def under_cursor(self) -> tuple[int, CaseBadge] | None:
        """(lead change id, case) when the cursor is on a case row and nothing is selected."""
        table = self.screen.table
        cid = table.selected_id
        if cid is None or table.marked or table.lead_of(cid) is not None:
            return None
        row = table.row_for(cid)
        return (cid, row.case) if row is not None and row.case is not None else None

    # -- fold and unfold --------------------------------------------------------------

    def toggle(self) -> None:
        """Show the other changes of the case under the cursor, or fold them again."""
        table = self.screen.table
        cid = table.selected_id
        if cid is None:
            return
        lead = table.lead_of(cid)
        if lead is not None:  # on a member: fold its case and go back to the case row
            cid = lead
        row = table.row_for(cid)
        if row is None or row.case is None:
            self.screen.notify("This change is not part of a case.", markup=False)
            return
        if row.case.case_id in table.expanded:
            table.expanded.discard(row.case.case_id)
            table.hide_members(cid)
            table.select_id(cid)
        else:
            table.expanded.add(row.case.case_id)
            self._load_members(cid, row.case.case_id, self.screen.sort)

    def expand_shown(self) -> None:
        """After a page load: show again the members of the unfolded cases on it."""
        table = self.screen.table
        for cid in table.ids:
            row = table.row_for(cid)
            if row is not None and row.case is not None and row.case.case_id in table.expanded:
                self._load_members(cid, row.case.case_id, self.screen.sort)

    def _load_members(self, lead_id: int, case_id: int, sort: str) -> None:
        self.screen.run_worker(partial(self._read_members, lead_id, case_id, sort), name="_load_members",
                               thread=True, group="inbox-members", exit_on_error=False)

    def _read_members(self, lead_id: int, case_id: int, sort: str) -> None:
        s = self.screen
        with reading(s.db_path) as db:
            rows = case_rows(db, case_id, sort)
        s.post_message(s.MembersLoaded(lead_id, case_id, rows))

    def members_loaded(self, lead_id: int, case_id: int, rows: list[InboxRow]) -> None:
        table = self.screen.table
        lead = table.row_for(lead_id)
        if lead is None or lead.case is None or lead.case.case_id != case_id:
            return  # the page changed meanwhile
        if case_id in table.expanded:
            table.show_members(lead_id, [r for r in rows if r.id != lead_id])

    # -- decisions on a whole case ------------------------------------------------------

    def _case_ids_shown(self, lead_id: int) -> tuple[int, ...]:
        table = self.screen.table
        return (lead_id, *(cid for cid in table.ids if table.lead_of(cid) == lead_id))

    def mark(self, status: str) -> bool:
        """On a case row: ``status`` for every change of the case (``True``); elsewhere
        nothing (``False``: an ordinary decision)."""
        found = self.under_cursor()
        if found is None:
            return False
        lead_id, case = found
        shown = self._case_ids_shown(lead_id)
        table = self.screen.table
        for cid in shown:  # shown at once; the stored rows replace them when written
            row = table.row_for(cid)
            if row is not None:
                table.update_change(replace(row, status=status))
        self.actions.write(f"{status} on case {case.case_id}",
                           lambda db: review_case(db, case.case_id, status=status), shown)
        table.move_cursor(row=table.ids.index(shown[-1]))
        table.action_cursor_down()
        return True

    def tag(self) -> bool:
        """On a case row: ask for a tag (``-tag`` removes it) for every change of the
        case (``True``); elsewhere nothing (``False``)."""
        found = self.under_cursor()
        if found is None:
            return False
        lead_id, case = found
        shown = self._case_ids_shown(lead_id)
        row = self.screen.table.row_for(lead_id)
        title = f"case of {case.size} changes: {row.title if row else ''}"

        def add(tag: str | None) -> None:
            if not tag:
                return
            remove = tag.startswith("-") and len(tag) > 1
            name = one_line(tag[1:] if remove else tag, 64)
            kw = {"remove_tags": [name]} if remove else {"add_tags": [name]}
            self.actions.write(f"{'-' if remove else '+'}{name} on case {case.case_id}",
                               lambda db: review_case(db, case.case_id, **kw), shown)

        self.screen.app.push_screen(TagScreen(title, self.screen.known_tags), add)
        return True
