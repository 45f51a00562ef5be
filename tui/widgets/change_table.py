"""The change table: one page of the inbox, one row per change, keyed by change id.

Cells are :class:`rich.text.Text` built from one-line, control-free text: a
``str`` cell would be parsed as markup, and a scraped title such as ``a[/b]c``
would then crash the table or change its look. Reloading keeps the cursor on the
same change id, not on the same row number.

The table holds one page (a window of the inbox); moving past its first or last
row posts :class:`ChangeTable.EdgeReached` so the screen can load the next window.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import RowDoesNotExist

from monitor.models import InboxRow
from monitor.text import one_line

COLUMNS = (
    ("mark", " ", 1),
    ("score", "score", 5),
    ("status", "status", 10),
    ("detected", "detected", 16),
    ("municipality", "municipality", 14),
    ("title", "title", None),
    ("category", "category", 12),
    ("source", "source", 16),
    ("tags", "tags", None),
)
"""(key, label, width) of each column, in display order; width ``None`` fits the content.
Fixed widths keep in-place updates (a status, a tag) from shifting the layout."""

MARK = "●"
"""Shown in the first column of a selected (marked) change."""


def format_detected(detected_at: str) -> str:
    """``2026-11-23T10:00:00.123Z`` as ``2026-11-23 10:00``."""
    return detected_at[:16].replace("T", " ")


def format_score(score: float | None) -> str:
    return "" if score is None else f"{score:.2f}"


class ChangeTable(DataTable[Text]):
    """One page of changes; the row key is the change id as a string."""

    COMPONENT_CLASSES = DataTable.COMPONENT_CLASSES | {
        "change-table--new",
        "change-table--relevant",
        "change-table--irrelevant",
        "change-table--follow-up",
        "change-table--mark",
    }

    DEFAULT_CSS = """
    ChangeTable .change-table--new { text-style: bold; }
    ChangeTable .change-table--relevant { color: $text-success; }
    ChangeTable .change-table--irrelevant { color: $text-muted; }
    ChangeTable .change-table--follow-up { color: $text-warning; }
    ChangeTable .change-table--mark { color: $text-accent; text-style: bold; }
    """

    @dataclass
    class EdgeReached(Message):
        """The cursor tried to leave the page: ``where`` is ``next``, ``previous``,
        ``first`` or ``last``."""

        table: ChangeTable
        where: str

        @property
        def control(self) -> ChangeTable:
            return self.table

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=True)
        self._order: list[int] = []
        self._rows: dict[int, InboxRow] = {}
        self.marked: set[int] = set()
        """Ids of the changes selected for a bulk action (they may lie on other pages)."""
        self.page_offset = 0
        """Position of the first row in the whole inbox."""
        self.more_above = False
        """True when rows before this page exist."""
        self.more_below = False
        """True when rows after this page exist."""

    def on_mount(self) -> None:
        for key, label, width in COLUMNS:
            self.add_column(Text(label), key=key, width=width)

    # -- reading ----------------------------------------------------------------

    @property
    def ids(self) -> list[int]:
        """Change ids in display order."""
        return list(self._order)

    @property
    def selected_id(self) -> int | None:
        """The id of the change under the cursor, or ``None`` when the table is empty."""
        if not self._order or not self.is_valid_row_index(self.cursor_row):
            return None
        return self._order[self.cursor_row]

    def row_for(self, change_id: int) -> InboxRow | None:
        """The loaded row with that id, if it is on this page."""
        return self._rows.get(change_id)

    def cells(self, row: InboxRow) -> list[Text]:
        """The cells of one change, as plain :class:`Text` (never markup)."""
        status_style = self.get_component_rich_style(f"change-table--{row.status}", partial=True)
        mark_style = self.get_component_rich_style("change-table--mark", partial=True)
        return [
            Text(MARK if row.id in self.marked else " ", style=mark_style),
            Text(format_score(row.score), justify="right"),
            Text(row.status, style=status_style),
            Text(format_detected(row.detected_at)),
            Text(one_line(row.municipality or "", 30)),
            Text(one_line(row.title, 80)),
            Text(one_line(row.category or "", 30)),
            Text(one_line(row.source_label, 40)),
            Text(one_line(", ".join(row.tags), 40)),
        ]

    # -- writing ----------------------------------------------------------------

    def show_rows(self, rows: Sequence[InboxRow], *, offset: int = 0, total: int | None = None,
                  select_id: int | None = None, select_index: int | None = None) -> None:
        """Replace the page with ``rows`` (starting at ``offset`` of ``total``).

        The cursor goes to ``select_id`` when it is on the page, else to
        ``select_index``, else stays on the same change id, else on the same row
        number. When the ids are unchanged only cells that differ are updated (no
        flicker, no scroll jump).
        """
        selected = self.selected_id
        old_index = self.cursor_row
        self.page_offset = offset
        self.more_above = offset > 0
        self.more_below = total is not None and offset + len(rows) < total
        new_order = [r.id for r in rows]
        if new_order == self._order:
            for r in rows:
                if self._rows.get(r.id) != r:
                    self.update_change(r)
        else:
            self._order = new_order
            self._rows = {r.id: r for r in rows}
            self.clear()
            for r in rows:
                self.add_row(*self.cells(r), key=str(r.id))
        if not rows:
            return
        if select_id is not None and select_id in self._rows:
            index = new_order.index(select_id)
        elif select_index is not None:
            index = select_index
        elif selected is not None and selected in self._rows:
            index = new_order.index(selected)
        else:
            index = old_index
        index = min(max(index, 0), len(rows) - 1)
        if index != self.cursor_row:
            self.move_cursor(row=index, animate=False)

    def update_change(self, row: InboxRow) -> None:
        """Redraw one change in place (after a review or a reload)."""
        if row.id not in self._rows:
            return
        self._rows[row.id] = row
        try:
            for (key, _, _), cell in zip(COLUMNS, self.cells(row), strict=True):
                self.update_cell(str(row.id), key, cell)
        except RowDoesNotExist:
            pass

    def set_marked(self, ids: Collection[int]) -> None:
        """Show ``ids`` as selected (marked) and the others as not."""
        changed = self.marked.symmetric_difference(ids)
        self.marked = set(ids)
        for cid in changed:
            row = self._rows.get(cid)
            if row is not None:
                self.update_change(row)

    def select_id(self, change_id: int) -> bool:
        """Put the cursor on a change; ``False`` when it is not on this page."""
        if change_id not in self._rows:
            return False
        self.move_cursor(row=self._order.index(change_id), animate=False)
        return True

    # -- cursor at the page's edges ---------------------------------------------

    def action_cursor_down(self) -> None:
        if self.cursor_row >= self.row_count - 1 and self.more_below:
            self.post_message(self.EdgeReached(self, "next"))
        else:
            super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if self.cursor_row <= 0 and self.more_above:
            self.post_message(self.EdgeReached(self, "previous"))
        else:
            super().action_cursor_up()

    def action_page_down(self) -> None:
        if self.cursor_row >= self.row_count - 1 and self.more_below:
            self.post_message(self.EdgeReached(self, "next"))
        else:
            super().action_page_down()

    def action_page_up(self) -> None:
        if self.cursor_row <= 0 and self.more_above:
            self.post_message(self.EdgeReached(self, "previous"))
        else:
            super().action_page_up()

    def action_scroll_top(self) -> None:
        self.post_message(self.EdgeReached(self, "first"))

    def action_scroll_bottom(self) -> None:
        self.post_message(self.EdgeReached(self, "last"))

    action_scroll_home = action_scroll_top
    action_scroll_end = action_scroll_bottom
