"""Saved views: a modal list of the curator's named queries. Enter opens one, d
deletes it, Escape closes. Returns ``("open" | "delete", view)`` or ``None``."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from monitor.models import SavedView
from monitor.text import one_line


class ViewsScreen(ModalScreen[tuple[str, SavedView] | None]):
    """Pick a saved view."""

    BINDINGS = [
        Binding("escape", "cancel", "Close", id="views.cancel", tooltip="Close the list"),
        Binding("d", "delete", "Delete", id="views.delete", tooltip="Delete the highlighted view"),
    ]

    def __init__(self, views: Sequence[SavedView]) -> None:
        super().__init__()
        self.views = list(views)
        """The saved views, by name."""

    def compose(self) -> ComposeResult:
        with Vertical(id="views-dialog"):
            if self.views:
                yield Label(Text("Saved views — Enter opens, d deletes, Escape closes"), id="views-title")
                options = []
                for v in self.views:
                    label = Text(one_line(v.name, 40), style="bold")
                    label.append("  ")
                    label.append(one_line(v.query, 60) or "(everything)")
                    label.append(f"  · {v.sort}", style="dim")
                    options.append(Option(label, id=str(v.id)))
                yield OptionList(*options, id="views-list")
            else:
                yield Label(Text("No saved views yet: type a query with / and press ctrl+s to save it."),
                            id="views-title")

    def _highlighted(self) -> SavedView | None:
        lists = self.query(OptionList)
        if not lists or lists.first().highlighted is None:
            return None
        return self.views[lists.first().highlighted or 0]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(("open", self.views[event.option_index]))

    def action_delete(self) -> None:
        view = self._highlighted()
        if view is not None:
            self.dismiss(("delete", view))

    def action_cancel(self) -> None:
        self.dismiss(None)
