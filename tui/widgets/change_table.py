"""The change table: one page of the inbox, one line per change, keyed by change id.

A Line-API widget (``ScrollView`` + ``render_line``) rather than a ``DataTable``:
DataTable re-renders every visible row whenever the cursor moves or a cell changes
(its row cache is keyed on the cursor position), which costs 50-100 ms per key on
a full screen; here a cursor move re-renders two lines and a review one.

Cells are :class:`rich.text.Text` built from one-line, control-free text, never
markup: a scraped title such as ``a[/b]c`` shows as written. Columns that do not
fit drop out by priority, so the table reads at 80 columns and uses a wide
terminal fully. Reloading keeps the cursor on the same change id, not on the same
row number. The table holds one page (a window of the inbox); moving past its
first or last row posts :class:`ChangeTable.EdgeReached` so the screen can load the
next window.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from monitor import clock
from monitor.models import InboxRow
from monitor.text import one_line


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int
    """Cells; the title column takes what is left (at least this)."""
    priority: int
    """Lower stays longer when the terminal is narrow."""
    right: bool = False


COLUMNS = (
    Column("mark", " ", 1, 0),
    Column("score", "score", 5, 2, right=True),
    Column("status", "status", 10, 0),
    Column("detected", "detected", 16, 1),
    Column("municipality", "municipality", 14, 1),
    Column("title", "title", 24, 0),
    Column("category", "category", 12, 3),
    Column("source", "source", 18, 4),
    Column("tags", "tags", 16, 2),
)
"""The columns in display order."""

MARK = "●"
"""Shown in the first column of a selected (marked) change."""

FOLDED, UNFOLDED, MEMBER = "▸ ", "▾ ", "  └ "
"""Title prefixes: a case row (folded, unfolded) and a member shown under it."""


def format_score(score: float | None) -> str:
    return "" if score is None else f"{score:.2f}"


def visible_columns(width: int) -> list[tuple[Column, int]]:
    """The columns that fit in ``width`` cells (one space between), with their widths;
    the title takes the room left over."""
    shown = list(COLUMNS)
    while True:
        fixed = sum(c.width + 1 for c in shown)
        if fixed <= width or len(shown) <= 3:
            break
        drop = max((c for c in shown if c.priority > 0), key=lambda c: (c.priority, COLUMNS.index(c)),
                   default=None)
        if drop is None:
            break
        shown.remove(drop)
    spare = max(width - sum(c.width + 1 for c in shown), 0)
    return [(c, c.width + spare if c.key == "title" else c.width) for c in shown]


class ChangeTable(ScrollView, can_focus=True):
    """One page of changes with a row cursor; the row key is the change id as a string."""

    BINDINGS = [
        Binding("up", "cursor_up", "Up", id="table.up", show=False),
        Binding("down", "cursor_down", "Down", id="table.down", show=False),
        Binding("pageup", "page_up", "Page up", id="table.page-up", show=False),
        Binding("pagedown", "page_down", "Page down", id="table.page-down", show=False),
        Binding("home,ctrl+home", "first", "First", id="table.first", show=False),
        Binding("end,ctrl+end", "last", "Last", id="table.last", show=False),
        Binding("enter", "select_cursor", "Open", id="table.open", show=False),
    ]

    COMPONENT_CLASSES = {
        "change-table--header",
        "change-table--cursor",
        "change-table--even-row",
        "change-table--new",
        "change-table--relevant",
        "change-table--irrelevant",
        "change-table--follow-up",
        "change-table--mark",
    }

    DEFAULT_CSS = """
    ChangeTable {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;
        &:focus {
            background-tint: $foreground 5%;
            & > .change-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
        & > .change-table--header { text-style: bold; background: $panel; color: $foreground; }
        & > .change-table--even-row { background: $surface-lighten-1 50%; }
        &:dark > .change-table--even-row { background: $surface-darken-1 40%; }
        & > .change-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .change-table--new { text-style: bold; }
        & > .change-table--relevant { color: $text-success; }
        & > .change-table--irrelevant { color: $text-muted; }
        & > .change-table--follow-up { color: $text-warning; }
        & > .change-table--mark { color: $text-accent; text-style: bold; }
    }
    """

    @dataclass
    class RowHighlighted(Message):
        """The cursor moved to another change."""

        table: ChangeTable
        cursor_row: int
        change_id: int | None

        @property
        def control(self) -> ChangeTable:
            return self.table

    @dataclass
    class RowSelected(Message):
        """Enter (or a double click) on a change."""

        table: ChangeTable
        cursor_row: int
        change_id: int

        @property
        def control(self) -> ChangeTable:
            return self.table

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
        super().__init__(id=id, classes=classes)
        self._order: list[int] = []
        self._rows: dict[int, InboxRow] = {}
        self._cache: dict[tuple[object, ...], Strip] = {}
        self._style_cache: dict[tuple[object, ...], dict[str, Style]] = {}
        self.cursor_row = 0
        """Index of the highlighted row on this page."""
        self.marked: set[int] = set()
        """Ids of the changes selected for a bulk action (they may lie on other pages)."""
        self.page_offset = 0
        """Position of the first row in the whole inbox."""
        self.more_above = False
        """True when rows before this page exist."""
        self.more_below = False
        """True when rows after this page exist."""
        self.expanded: set[int] = set()
        """Ids of the cases whose members are shown under their row (kept across pages)."""
        self._member_of: dict[int, int] = {}

    # -- reading ----------------------------------------------------------------

    @property
    def ids(self) -> list[int]:
        """Change ids in display order."""
        return list(self._order)

    @property
    def row_count(self) -> int:
        return len(self._order)

    def is_valid_row_index(self, index: int) -> bool:
        return 0 <= index < len(self._order)

    @property
    def selected_id(self) -> int | None:
        """The id of the change under the cursor, or ``None`` when the table is empty."""
        if not self.is_valid_row_index(self.cursor_row):
            return None
        return self._order[self.cursor_row]

    @property
    def page_rows(self) -> int:
        """Rows of the inbox page itself, without the case members shown under their case."""
        return len(self._order) - len(self._member_of)

    def lead_of(self, change_id: int) -> int | None:
        """For a member shown under its case's row: that row's change id."""
        return self._member_of.get(change_id)

    def row_for(self, change_id: int) -> InboxRow | None:
        """The loaded row with that id, if it is on this page."""
        return self._rows.get(change_id)

    def cells(self, row: InboxRow, styles: dict[str, Style] | None = None) -> dict[str, Text]:
        """The cells of one change by column key, as plain :class:`Text` (never markup)."""
        styles = styles or self._styles()
        status_style = styles.get(row.status, Style())
        mark_style = styles["mark"]
        title = one_line(row.title, 300)
        events = row.events
        if events > 1:  # several records to draft: the count before the title, like a case's
            title = f"{events} events · {title}"
        if row.id in self._member_of:
            title = MEMBER + title
        elif row.case is not None:
            fold = UNFOLDED if row.case.case_id in self.expanded else FOLDED
            # the count first and the title next, so both survive a narrow column
            details = row.case.details()
            title = f"{fold}{row.case.size} changes: {title}" + (f"  [{details}]" if details else "")
        return {
            "mark": Text(MARK if row.id in self.marked else " ", style=mark_style),
            "score": Text(format_score(row.score)),
            "status": Text(row.status, style=status_style),
            "detected": Text(clock.minute(row.detected_at)),
            "municipality": Text(one_line(row.municipality or "", 30)),
            "title": Text(title),
            "category": Text(one_line(row.category or "", 30)),
            "source": Text(one_line(row.source_label, 60)),
            "tags": Text(one_line(", ".join(row.tags), 60)),
        }

    def get_row(self, key: str) -> list[Text]:
        """Every cell of the change with id ``key``, in column order."""
        cells = self.cells(self._rows[int(key)])
        return [cells[c.key] for c in COLUMNS]

    def get_cell(self, key: str, column: str) -> Text:
        """One cell of the change with id ``key``."""
        return self.cells(self._rows[int(key)])[column]

    # -- writing ----------------------------------------------------------------

    def show_rows(self, rows: Sequence[InboxRow], *, offset: int = 0, total: int | None = None,
                  select_id: int | None = None, select_index: int | None = None) -> None:
        """Replace the page with ``rows`` (starting at ``offset`` of ``total``).

        The cursor goes to ``select_id`` when it is on the page, else to
        ``select_index``, else stays on the same change id, else on the same row
        number.
        """
        selected = self.selected_id
        old_index = self.cursor_row
        self.page_offset = offset
        self.more_above = offset > 0
        # Without a total yet (it is being counted), a full page means there may be more.
        self.more_below = (offset + len(rows) < total) if total is not None else len(rows) > 0
        new_order = [r.id for r in rows]
        self._member_of = {}
        self._order = new_order
        self._rows = {r.id: r for r in rows}
        if len(self._cache) > 4000:
            self._cache.clear()
        self.virtual_size = Size(self.scrollable_content_region.width, len(rows) + 1)
        if not rows:
            self.cursor_row = 0
            self.refresh()
            self.post_message(self.RowHighlighted(self, 0, None))
            return
        if select_id is not None and select_id in self._rows:
            index = new_order.index(select_id)
        elif select_index is not None:
            index = select_index
        elif selected is not None and selected in self._rows:
            index = new_order.index(selected)
        else:
            index = old_index
        self.move_cursor(row=index, force=selected != self.selected_id)
        self.refresh()

    def update_change(self, row: InboxRow) -> None:
        """Redraw one change in place (after a review or a reload)."""
        if row.id not in self._rows:
            return
        self._rows[row.id] = row
        self._refresh_row(self._order.index(row.id))

    def show_members(self, lead_id: int, rows: Sequence[InboxRow]) -> None:
        """Show ``rows`` (a case's other changes) right under the row of ``lead_id``."""
        self.hide_members(lead_id)
        if lead_id not in self._rows:
            return
        selected = self.selected_id
        at = self._order.index(lead_id) + 1
        new = [r for r in rows if r.id not in self._rows]
        self._order[at:at] = [r.id for r in new]
        for r in new:
            self._rows[r.id] = r
            self._member_of[r.id] = lead_id
        self._reshape(selected)

    def hide_members(self, lead_id: int) -> None:
        """Fold the members shown under ``lead_id`` again."""
        gone = [cid for cid, lead in self._member_of.items() if lead == lead_id]
        if not gone:
            if lead_id in self._rows:
                self._refresh_row(self._order.index(lead_id))
            return
        selected = self.selected_id
        for cid in gone:
            del self._member_of[cid]
            del self._rows[cid]
        dropped = set(gone)
        self._order = [cid for cid in self._order if cid not in dropped]
        self._reshape(lead_id if selected in gone else selected)

    def _reshape(self, selected: int | None) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._order) + 1)
        if selected is not None and selected in self._rows:
            self.move_cursor(row=self._order.index(selected), force=selected != self.selected_id)
        self.refresh()

    def set_marked(self, ids: Collection[int]) -> None:
        """Show ``ids`` as selected (marked) and the others as not."""
        changed = self.marked.symmetric_difference(ids)
        self.marked = set(ids)
        for cid in changed:
            if cid in self._rows:
                self._refresh_row(self._order.index(cid))

    def select_id(self, change_id: int) -> bool:
        """Put the cursor on a change; ``False`` when it is not on this page."""
        if change_id not in self._rows:
            return False
        self.move_cursor(row=self._order.index(change_id))
        return True

    def clear(self) -> None:
        self.show_rows([])

    # -- the cursor ----------------------------------------------------------------

    def move_cursor(self, *, row: int, animate: bool = False, force: bool = False) -> None:
        """Put the cursor on row ``row`` (clamped) and scroll it into view."""
        if not self._order:
            return
        row = min(max(row, 0), len(self._order) - 1)
        old = self.cursor_row
        self.cursor_row = row
        if old != row:
            self._refresh_row(old)
        self._refresh_row(row)
        self._scroll_to_cursor()
        if old != row or force:
            self.post_message(self.RowHighlighted(self, row, self._order[row]))

    def _visible_rows(self) -> int:
        return max(self.scrollable_content_region.height - 1, 1)

    def _scroll_to_cursor(self) -> None:
        top = int(self.scroll_y)
        visible = self._visible_rows()
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + visible:
            self.scroll_to(y=self.cursor_row - visible + 1, animate=False, immediate=True)

    def _refresh_row(self, index: int) -> None:
        y = index - int(self.scroll_y) + 1
        if 1 <= y < self.size.height:
            self.refresh_line(y)

    def action_cursor_down(self) -> None:
        if self.cursor_row >= self.row_count - 1:
            if self.more_below:
                self.post_message(self.EdgeReached(self, "next"))
        else:
            self.move_cursor(row=self.cursor_row + 1)

    def action_cursor_up(self) -> None:
        if self.cursor_row <= 0:
            if self.more_above:
                self.post_message(self.EdgeReached(self, "previous"))
        else:
            self.move_cursor(row=self.cursor_row - 1)

    def action_page_down(self) -> None:
        if self.cursor_row >= self.row_count - 1 and self.more_below:
            self.post_message(self.EdgeReached(self, "next"))
        else:
            self.move_cursor(row=self.cursor_row + self._visible_rows())

    def action_page_up(self) -> None:
        if self.cursor_row <= 0 and self.more_above:
            self.post_message(self.EdgeReached(self, "previous"))
        else:
            self.move_cursor(row=self.cursor_row - self._visible_rows())

    def action_first(self) -> None:
        if self.more_above:
            self.post_message(self.EdgeReached(self, "first"))
        else:
            self.move_cursor(row=0)

    def action_last(self) -> None:
        if self.more_below:
            self.post_message(self.EdgeReached(self, "last"))
        else:
            self.move_cursor(row=self.row_count - 1)

    def action_select_cursor(self) -> None:
        cid = self.selected_id
        if cid is not None:
            self.post_message(self.RowSelected(self, self.cursor_row, cid))

    def on_click(self, event: events.Click) -> None:
        index = int(self.scroll_y) + event.y - 1
        if event.y >= 1 and self.is_valid_row_index(index):
            self.move_cursor(row=index)
            if event.chain >= 2:
                self.action_select_cursor()

    # -- rendering ----------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._order) + 1)
        self._scroll_to_cursor()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()
        self._style_cache.clear()

    def _on_focus(self, event: events.Focus) -> None:
        self.refresh()

    def _on_blur(self, event: events.Blur) -> None:
        self.refresh()

    def _styles(self) -> dict[str, Style]:
        """Component styles, looked up once per theme and focus state (a lookup walks
        the stylesheet and costs more than drawing a row)."""
        key = (self.app.theme, self.has_focus)
        cached = self._style_cache.get(key)
        if cached is None:
            names = ("header", "cursor", "even-row", "new", "relevant", "irrelevant", "follow-up", "mark")
            cached = {n: self.get_component_rich_style(f"change-table--{n}", partial=n not in
                                                       ("header", "cursor", "even-row")) for n in names}
            self._style_cache = {key: cached}
        return cached

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            return self._header(width, base)
        index = int(self.scroll_y) + y - 1
        if not self.is_valid_row_index(index):
            return Strip.blank(width, base)
        row = self._rows[self._order[index]]
        cursor = index == self.cursor_row
        key = (row, index % 2, cursor, cursor and self.has_focus, row.id in self.marked, width,
               self.app.theme, base, row.id in self._member_of,
               row.case is not None and row.case.case_id in self.expanded)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._cache[key] = self._render_row(row, index, cursor, width, base)
        return strip

    def _segments(self, values: dict[str, tuple[str, Style | None]], width: int,
                  style: Style) -> Strip:
        """One line of cells: each cut (with an ellipsis) or padded to its column."""
        segments: list[Segment] = []
        for column, w in visible_columns(width):
            text, cell_style = values[column.key]
            if cell_len(text) > w:
                text = set_cell_size(text, w - 1) + "…" if w > 1 else set_cell_size(text, w)
            pad = " " * (w - cell_len(text))
            text = pad + text if column.right else text + pad
            segments.append(Segment(text, style + cell_style if cell_style else style))
            segments.append(Segment(" ", style))
        return Strip(segments).crop_extend(0, width, style)

    def _render_row(self, row: InboxRow, index: int, cursor: bool, width: int, base: Style) -> Strip:
        styles = self._styles()
        style = base + styles["even-row"] if index % 2 else base
        if cursor:
            style = style + styles["cursor"]
        values: dict[str, tuple[str, Style | None]] = {
            key: (text.plain, text.style if isinstance(text.style, Style) else None)
            for key, text in self.cells(row, styles).items()
        }
        if cursor:  # the cursor's colours win over the status colours, as in DataTable
            values = {k: (v, None) for k, (v, _) in values.items()}
        return self._segments(values, width, style)

    def _header(self, width: int, base: Style) -> Strip:
        style = base + self._styles()["header"]
        return self._segments({c.key: (c.label, None) for c in COLUMNS}, width, style)
