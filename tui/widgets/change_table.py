"""The change table: one row per change, keyed by change id.

Cells are :class:`rich.text.Text` built from one-line, control-free text: a
``str`` cell would be parsed as markup, and a scraped title such as ``a[/b]c``
would then crash the table or change its look. Reloading keeps the cursor on the
same change id, not on the same row number.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import RowDoesNotExist

from monitor.models import ChangeRow
from monitor.text import one_line

COLUMNS = (
    ("id", "id"),
    ("detected", "detected"),
    ("status", "status"),
    ("municipality", "municipality"),
    ("kind", "kind"),
    ("title", "title"),
    ("tags", "tags"),
)
"""(key, label) of each column, in display order."""


def format_detected(detected_at: str) -> str:
    """``2026-11-23T10:00:00.123Z`` as ``2026-11-23 10:00``."""
    return detected_at[:16].replace("T", " ")


class ChangeTable(DataTable[Text]):
    """Changes newest first; the row key is the change id as a string."""

    COMPONENT_CLASSES = DataTable.COMPONENT_CLASSES | {
        "change-table--new",
        "change-table--relevant",
        "change-table--irrelevant",
        "change-table--follow-up",
    }

    DEFAULT_CSS = """
    ChangeTable .change-table--new { text-style: bold; }
    ChangeTable .change-table--relevant { color: $text-success; }
    ChangeTable .change-table--irrelevant { color: $text-muted; }
    ChangeTable .change-table--follow-up { color: $text-warning; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=True)
        self._order: list[int] = []
        self._rows: dict[int, ChangeRow] = {}

    def on_mount(self) -> None:
        for key, label in COLUMNS:
            # Status cells are updated in place; give them room for "irrelevant"
            # instead of the width of the statuses present at first load.
            self.add_column(Text(label), key=key, width=10 if key == "status" else None)

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

    def row_for(self, change_id: int) -> ChangeRow | None:
        """The loaded change with that id, if it is in the table."""
        return self._rows.get(change_id)

    def cells(self, row: ChangeRow) -> list[Text]:
        """The cells of one change, as plain :class:`Text` (never markup)."""
        status_style = self.get_component_rich_style(f"change-table--{row.status}", partial=True)
        return [
            Text(str(row.id), justify="right"),
            Text(format_detected(row.detected_at)),
            Text(row.status, style=status_style),
            Text(one_line(row.municipality or "", 30)),
            Text(one_line(row.kind, 20)),
            Text(one_line(row.title, 80)),
            Text(one_line(", ".join(row.review.tags), 40)),
        ]

    def show_rows(self, rows: Sequence[ChangeRow]) -> None:
        """Replace the contents with ``rows``, keeping the cursor on the same change id.

        When the ids are unchanged, only cells that differ are updated (no flicker, no
        scroll jump). When the selected change is gone, the cursor stays at the same
        row number.
        """
        selected = self.selected_id
        old_index = self.cursor_row
        new_order = [r.id for r in rows]
        if new_order == self._order:
            for r in rows:
                if self._rows.get(r.id) != r:
                    self.update_change(r)
            return
        self._order = new_order
        self._rows = {r.id: r for r in rows}
        self.clear()
        for r in rows:
            self.add_row(*self.cells(r), key=str(r.id))
        if not rows:
            return
        if selected is not None and selected in self._rows:
            index = new_order.index(selected)
        else:
            index = min(max(old_index, 0), len(rows) - 1)
        self.move_cursor(row=index, animate=False)

    def update_change(self, row: ChangeRow) -> None:
        """Redraw one change in place (after a review or a reload)."""
        if row.id not in self._rows:
            return
        self._rows[row.id] = row
        try:
            for (key, _), cell in zip(COLUMNS, self.cells(row), strict=True):
                self.update_cell(str(row.id), key, cell)
        except RowDoesNotExist:
            pass

    def select_id(self, change_id: int) -> bool:
        """Put the cursor on a change; ``False`` when it is not in the table."""
        if change_id not in self._rows:
            return False
        self.move_cursor(row=self._order.index(change_id), animate=False)
        return True
