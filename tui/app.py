"""The dashboard application: modes (inbox, sources, exports, plugins, records), global
bindings, the keymap and theme from the config file, the command palette, the
write queue, and the stylesheets.

It is also the screen registry: the modes, :meth:`TwinwatchApp.open_change` (how any
screen or dialog shows a change without importing the change view) and
:func:`screens` (whose keys the help lists). Screens live in ``tui/screens/``, modal
dialogs in ``tui/dialogs/``, reusable widgets in ``tui/widgets/``, styles in
``tui/styles/``. This module holds no query and no layout of its own, and nothing
below it imports it.
"""

from __future__ import annotations

import threading
import webbrowser
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.widgets import HelpPanel
from textual.worker import Worker, WorkerState

from monitor import clock as monitor_clock
from monitor.config import config_path, load_ui_config, save_theme
from monitor.errors import TwinwatchError
from monitor.plugin_manager import PluginManager, make_plugin_manager
from tui.commands import TwinwatchCommands
from tui.data import Write, WriteQueue, error_text
from tui.dialogs.confirm import ConfirmScreen
from tui.dialogs.coverage_detail import CoverageDetailScreen
from tui.dialogs.event_pick import EventPickScreen
from tui.dialogs.help import HelpScreen
from tui.dialogs.record_form import RecordFormScreen
from tui.dialogs.record_pick import RecordPickScreen
from tui.dialogs.views import ViewsScreen
from tui.screens.change import ChangeScreen
from tui.screens.coverage import CoverageScreen
from tui.screens.exports import ExportsScreen
from tui.screens.inbox import InboxScreen
from tui.screens.plugins import PluginsScreen
from tui.screens.records import RecordsScreen
from tui.screens.sources import SourcesScreen

DARK, LIGHT = "textual-dark", "textual-light"
"""The two themes the theme key toggles between (any theme can be picked in the palette)."""

STYLES = ["app", "inbox", "change", "tag", "prompt", "views", "sources", "exports", "plugins", "help",
          "records", "record_form", "coverage"]


class TwinwatchApp(App[None]):
    """The curator's dashboard on the database at ``db_path``."""

    TITLE = "twinwatch"
    CSS_PATH = [f"styles/{name}.tcss" for name in STYLES]
    COMMANDS = App.COMMANDS | {TwinwatchCommands}

    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit", tooltip="Leave the dashboard"),
        Binding("question_mark", "help", "Help", id="app.help", key_display="?",
                tooltip="List every key (and how to change them)"),
        Binding("f1", "toggle_keys", "Keys panel", id="app.keys", show=False,
                tooltip="Show or hide the key list beside the screen"),
        Binding("1", "switch_mode('inbox')", "Inbox", id="app.inbox", show=False,
                tooltip="The inbox of changes"),
        Binding("2", "switch_mode('sources')", "Sources", id="app.sources", show=False,
                tooltip="Watched sources and their health; crawl one now"),
        Binding("3", "switch_mode('exports')", "Exports", id="app.exports", show=False,
                tooltip="Write records, links or reviewed changes to a file; earlier exports"),
        Binding("4", "switch_mode('plugins')", "Plugins", id="app.plugins", show=False,
                tooltip="Loaded plugins and load errors"),
        Binding("5", "switch_mode('records')", "Records", id="app.records", show=False,
                tooltip="Registry records with their evidence, and twinning links as timelines"),
        Binding("6", "switch_mode('coverage')", "Coverage", id="app.coverage", show=False,
                tooltip="Every municipality: no source, failing or silent sources, last relevant change"),
        Binding("ctrl+t", "toggle_theme", "Light/dark", id="app.theme", show=False,
                tooltip="Switch between the light and the dark theme (remembered)"),
    ]

    def __init__(
        self,
        db_path: str,
        *,
        refresh_interval: float = 5.0,
        config_file: Path | None = None,
        url_opener: Callable[[str], Any] | None = None,
        plugin_manager: Callable[[], PluginManager] | None = None,
        clock: Callable[[], datetime] | None = None,
        page_size: int = 200,
    ) -> None:
        super().__init__()
        self.db_path = str(db_path)
        """The twinwatch database file (already created and migrated by the CLI)."""
        self.refresh_interval = refresh_interval
        """Seconds between checks for new data (a crawl may be writing meanwhile)."""
        self.config_file = config_file or config_path()
        """Where the keymap and theme are read, and the theme remembered."""
        self.url_opener: Callable[[str], Any] = url_opener or webbrowser.open
        """Opens a change's URL in a browser (tests pass a recorder)."""
        self.clock: Callable[[], datetime] = clock or monitor_clock.now
        """Now, for "3 days ago" and source health (tests pass a fixed one)."""
        self.page_size = page_size
        """Rows the inbox table holds at a time."""
        self.keymap: dict[str, str] = {}
        """Binding id -> keys, from the config file."""
        self.writes = WriteQueue(self.db_path)
        self._pm_factory = plugin_manager or make_plugin_manager
        self._pm: PluginManager | None = None
        self._pm_lock = threading.Lock()
        self._config_error: str | None = None
        self._loading_theme = True
        try:
            config = load_ui_config(self.config_file)
        except TwinwatchError as exc:
            self._config_error = exc.message
        else:
            self.keymap = dict(config.keymap)
            self.set_keymap(self.keymap)
            if config.theme and config.theme in self.available_themes:
                self.theme = config.theme
        self._loading_theme = False
        self.add_mode("inbox", lambda: InboxScreen(self.db_path, refresh_interval=self.refresh_interval,
                                                   page_size=self.page_size))
        self.add_mode("sources", lambda: SourcesScreen(self.db_path))
        self.add_mode("exports", lambda: ExportsScreen(self.db_path))
        self.add_mode("plugins", PluginsScreen)
        self.add_mode("records", lambda: RecordsScreen(self.db_path))
        self.add_mode("coverage", lambda: CoverageScreen(self.db_path))

    def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self.switch_mode("inbox")
        if self._config_error:
            self.notify(self._config_error, title="Config file ignored", severity="warning",
                        markup=False, timeout=10)

    # -- plugins ---------------------------------------------------------------------

    def plugin_manager(self) -> PluginManager:
        """The plugin manager, made on first use (call from a worker thread: loading
        plugins imports their packages)."""
        with self._pm_lock:
            if self._pm is None:
                self._pm = self._pm_factory()
            return self._pm

    # -- writes ----------------------------------------------------------------------

    def submit(self, write: Write) -> None:
        """Queue a curator action; it is written at once, in order, off the event loop."""
        self.writes.put(write)
        self._drain_writes()

    @work(thread=True, group="writes", exit_on_error=False)
    def _drain_writes(self) -> None:
        # Not exclusive: a decision must never be cancelled. WriteQueue's lock and
        # FIFO make writes happen one at a time, in the order they were made.
        self.writes.drain()

    # -- screens ------------------------------------------------------------------------

    def open_change(self, change_id: int, ids: Sequence[int] = (), *,
                    search_terms: Sequence[str] = ()) -> None:
        """Show one change in the change view, over the current screen; ``ids`` are the
        changes next / previous step through (the inbox page, a record's evidence)."""
        self.push_screen(ChangeScreen(self.db_path, change_id, ids, search_terms=search_terms))

    # -- keys, help, themes ------------------------------------------------------------

    def action_help(self) -> None:
        """Show every binding of every screen, with the keys as remapped."""
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
        else:
            self.push_screen(HelpScreen(screens()))

    def action_toggle_keys(self) -> None:
        """Show the key list beside the screen, or hide it."""
        if self.screen.query(HelpPanel):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def action_toggle_theme(self) -> None:
        """Light if dark, dark if light."""
        self.theme = LIGHT if self.current_theme.dark else DARK

    def _theme_changed(self, theme: Any) -> None:
        if not self._loading_theme:
            self._remember_theme(theme.name)

    @work(thread=True, group="config", exit_on_error=False)
    def _remember_theme(self, name: str) -> None:
        save_theme(name, self.config_file)

    def keys_for(self, binding: Binding) -> str:
        """The keys a binding answers to, after the config file's keymap."""
        keys = self.keymap.get(binding.id or "", binding.key) if binding.id else binding.key
        if binding.key_display and keys == binding.key:
            return binding.key_display
        return ", ".join(self.get_key_display(Binding(k.strip(), "")) for k in keys.split(","))

    # -- errors ---------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """An app worker that raised becomes one notification (the app keeps running)."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.notify(error_text(event.worker.error), title="Not saved" if event.worker.group ==
                        "config" else "Error", severity="error", markup=False)

    def notify_plain(self, message: str, *, title: str = "", severity: Any = "information",
                     timeout: float | None = None) -> None:
        """``notify`` for text that may hold scraped or user text: never markup."""
        self.notify(message, title=title, severity=severity, markup=False,
                    **({"timeout": timeout} if timeout is not None else {}))

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        """Open ``url`` with the injectable opener, off the event loop."""
        self.run_worker(partial(self.url_opener, url), thread=True, group="browser", exit_on_error=False)


def screens() -> list[tuple[str, type]]:
    """(title, class) of each screen whose keys are listed on the help screen."""
    return [("everywhere", TwinwatchApp), ("inbox", InboxScreen), ("change", ChangeScreen),
            ("saved views", ViewsScreen), ("sources", SourcesScreen), ("exports", ExportsScreen),
            ("plugins", PluginsScreen), ("records", RecordsScreen), ("record form", RecordFormScreen),
            ("pick record", RecordPickScreen), ("pick event", EventPickScreen), ("confirm", ConfirmScreen),
            ("coverage", CoverageScreen), ("municipality", CoverageDetailScreen)]
