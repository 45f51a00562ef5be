"""Plugins: what is loaded (name, module, hooks), the export formats, and every
plugin that failed to load with its error (``monitor.plugin_manager.describe``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, Static
from textual.worker import Worker, WorkerState

from monitor.plugin_manager import describe, exporters
from monitor.text import one_line
from tui.data import error_text


class PluginsScreen(Screen[None]):
    """Loaded plugins and load errors."""

    BINDINGS = [
        Binding("g", "refresh", "Refresh", id="plugins.refresh", show=False, tooltip="Read the list again"),
    ]

    @dataclass
    class Loaded(Message):
        plugins: list[dict[str, Any]]
        formats: list[str]
        errors: list[tuple[str, str, str]]

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="plugins-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="plugins-formats")
        yield Label(Text("Load errors"), id="plugins-errors-title")
        yield Static(id="plugins-errors")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "twinwatch — plugins"
        table = self.query_one("#plugins-table", DataTable)
        for key, label, width in (("name", "plugin", 14), ("module", "module", 26), ("hooks", "hooks", None)):
            table.add_column(Text(label), key=key, width=width)
        table.focus()
        self.action_refresh()

    def action_refresh(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="plugins-load", exit_on_error=False)
    def _load(self) -> None:
        pm = self.app.plugin_manager()  # type: ignore[attr-defined]
        plugins = describe(pm)
        formats = sorted(exporters(pm))
        errors = [(e.name, e.value, e.message) for e in pm.load_errors]
        self.post_message(self.Loaded(plugins, formats, errors))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        table = self.query_one("#plugins-table", DataTable)
        table.clear()
        for p in message.plugins:
            table.add_row(Text(one_line(p["name"], 40)), Text(one_line(p["module"], 60)),
                          Text(", ".join(p["hooks"])), key=p["name"])
        self.query_one("#plugins-formats", Static).update(
            Text("export formats: " + (", ".join(message.formats) or "none")))
        errors = Text()
        for name, value, text in message.errors:
            errors.append(f"{one_line(name, 40)} ({one_line(value, 80)}): ", style="bold")
            errors.append(one_line(text, 300) + "\n")
        errors.rstrip()
        self.query_one("#plugins-errors", Static).update(errors if errors.plain else Text("none"))
        self.sub_title = f"{len(message.plugins)} loaded · {len(message.errors)} failed"

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.notify(error_text(event.worker.error), title="Error", severity="error", markup=False)
