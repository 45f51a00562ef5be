"""Coverage: every municipality of a reference list (all 565 Belgian ones built in,
other countries from the CSV lists named in the config file) with its sources,
failing or silent ones, and its last change and last relevant change.

Choose the country and what to show (all, no source, failing, silent), search by
any of a municipality's names (Gent, Gand and Ghent are one place), sort by the
last relevant change; Enter shows a municipality's sources with their health and
its recent relevant changes; ctrl+w writes the coverage table through
``monitor.export.service`` (the format follows the file's extension).

The table is computed in a worker (:func:`monitor.sources.coverage.coverage`); filtering,
search and sorting then work on the rows in memory (a few hundred).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Select, Static
from textual.worker import Worker, WorkerState, get_current_worker

from monitor.errors import TwinwatchError
from monitor.export.service import ExportRequest, export
from monitor.sources.coverage import (
    CoverageRow,
    Municipality,
    belgium,
    configured_references,
    coverage,
    matches,
)
from monitor.text import one_line
from tui.data import Write, error_text, reading
from tui.dialogs.coverage_detail import CoverageDetailScreen
from tui.dialogs.prompt import PromptScreen
from tui.messages import ChangesWritten, WriteFailed

FILTERS = (("all", "all"), ("no source", "no source"), ("failing", "failing"), ("silent", "silent"))
"""What the ``show`` selector offers: every municipality, or those with one problem."""

SORTS = ("problems first", "last relevant change")

FORMATS = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".xlsx": "xlsx"}
"""Export format by the file's extension (csv otherwise)."""

COLUMNS = (("code", "code", 7), ("name", "municipality", None), ("sources", "sources", 7),
           ("state", "state", 16), ("changed", "last change", 11), ("relevant", "last relevant", 13))


def shown_rows(rows: list[CoverageRow], problem: str, words: str, sort: str) -> list[CoverageRow]:
    """The rows the filter, the search words and the sort leave, in display order."""
    out = [r for r in rows if (problem == "all" or problem in r.problems) and matches(r.municipality, words)]
    if sort == "last relevant change":
        out.sort(key=lambda r: r.last_relevant or "", reverse=True)  # stable: problems first among equals
    return out


class CoverageScreen(Screen[None]):
    """Municipalities of a country and how well twinwatch watches them."""

    AUTO_FOCUS = "#coverage-table"

    BINDINGS = [
        Binding("enter", "open", "Details", id="coverage.open",
                tooltip="The municipality's sources with their health, and its recent relevant changes"),
        Binding("f", "cycle_filter", "Show", id="coverage.filter",
                tooltip="Show every municipality, or those without a source, failing or silent"),
        Binding("c", "cycle_country", "Country", id="coverage.country", show=False,
                tooltip="The next country's reference list"),
        Binding("s", "toggle_sort", "Sort", id="coverage.sort",
                tooltip="Problems first, or by last relevant change (newest first)"),
        Binding("slash", "focus_search", "Search", id="coverage.search", key_display="/",
                tooltip="Find a municipality by any of its names, in any language, or its code"),
        Binding("ctrl+w", "export", "Export", id="coverage.export",
                tooltip="Write the coverage table to a file (csv, json, jsonl or xlsx by the extension)"),
        Binding("escape", "escape", "Back", id="coverage.escape", show=False,
                tooltip="Leave the search line; else clear the search"),
        Binding("g", "refresh", "Refresh", id="coverage.refresh", show=False,
                tooltip="Compute the coverage again"),
    ]

    @dataclass
    class Loaded(Message):
        """The coverage of every country, computed by a worker."""

        rows: dict[str, list[CoverageRow]]
        error: str | None = None

    def __init__(self, db_path: str) -> None:
        super().__init__()
        self.db_path = db_path
        self.rows: dict[str, list[CoverageRow]] = {}
        """Coverage rows by country, as last computed."""
        self.shown: list[CoverageRow] = []
        """The rows in the table, in order."""
        self.country = "BE"
        self.problem = "all"
        self.sort = SORTS[0]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="coverage-bar"):
            yield Label(Text("country"), classes="coverage-label")
            yield Select([("BE", "BE")], value="BE", allow_blank=False, id="coverage-country")
            yield Label(Text("show"), classes="coverage-label")
            yield Select(list(FILTERS), value="all", allow_blank=False, id="coverage-filter")
            yield Input(placeholder="/ search: any name (Gent, Gand, Ghent) or NIS code",
                        id="coverage-search")
        yield Static(id="coverage-status")
        yield DataTable(id="coverage-table", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#coverage-table", DataTable)

    def on_mount(self) -> None:
        self.title = "twinwatch — coverage"
        for key, label, width in COLUMNS:
            self.table.add_column(Text(label), key=key, width=width)
        self.table.loading = True
        self.table.focus()
        self.action_refresh()

    def on_screen_resume(self) -> None:
        self.action_refresh()  # sources may have been added, fixed or crawled meanwhile

    def action_refresh(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="coverage-load", exit_on_error=False)
    def _load(self) -> None:
        now = self.app.clock()  # type: ignore[attr-defined]
        lists: dict[str, list[Municipality]] = {"BE": belgium()}
        error = None
        try:
            for m in configured_references(self.app.config_file):  # type: ignore[attr-defined]
                lists.setdefault(m.country or "?", []).append(m)
        except TwinwatchError as exc:
            error = exc.message
        with reading(self.db_path) as db:
            rows = {country: coverage(db, refs, now=now) for country, refs in lists.items()}
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(rows, error))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.rows = message.rows
        if message.error:
            self.notify(message.error, title="Reference lists", severity="warning", markup=False)
        select: Select[str] = self.query_one("#coverage-country", Select)
        countries = sorted(self.rows)
        select.set_options([(c, c) for c in countries])
        if self.country not in self.rows:
            self.country = "BE"
        select.value = self.country
        self.table.loading = False
        self.show()

    # -- what is shown ------------------------------------------------------------------

    def show(self) -> None:
        """Fill the table from the rows in memory, keeping the cursor on its municipality."""
        table = self.table
        current = self.selected.municipality.code if self.selected else None
        words = self.query_one("#coverage-search", Input).value
        self.shown = shown_rows(self.rows.get(self.country, []), self.problem, words, self.sort)
        table.clear()
        for r in self.shown:
            m = r.municipality
            table.add_row(Text(one_line(m.code, 10)), Text(one_line(m.label, 120)), Text(str(len(r.sources))),
                          Text(", ".join(r.problems) or "ok"), Text((r.last_change or "—")[:10]),
                          Text((r.last_relevant or "—")[:10]), key=m.code)
        index = next((i for i, r in enumerate(self.shown) if r.municipality.code == current), 0)
        if self.shown:
            table.move_cursor(row=index, animate=False)
        self._status()

    def _status(self) -> None:
        rows = self.rows.get(self.country, [])
        count = {p: sum(1 for r in rows if p in r.problems) for p in ("no source", "failing", "silent")}
        line = (f"{self.country}: {len(rows):,} municipalities · {len(rows) - count['no source']:,} with a "
                f"source · {count['no source']:,} without · {count['failing']:,} failing · "
                f"{count['silent']:,} silent   —   showing {len(self.shown):,} ({self.problem}), "
                f"sorted: {self.sort}")
        self.query_one("#coverage-status", Static).update(Text(line))

    @property
    def selected(self) -> CoverageRow | None:
        """The row under the cursor."""
        row = self.table.cursor_row
        return self.shown[row] if self.shown and 0 <= row < len(self.shown) else None

    @on(Select.Changed, "#coverage-country")
    def _country_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self.country:
            self.country = event.value
            self.show()

    @on(Select.Changed, "#coverage-filter")
    def _filter_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self.problem:
            self.problem = event.value
            self.show()

    @on(Input.Changed, "#coverage-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.show()

    @on(Input.Submitted, "#coverage-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        self.table.focus()

    def action_cycle_filter(self) -> None:
        names = [f for f, _ in FILTERS]
        self.query_one("#coverage-filter", Select).value = names[(names.index(self.problem) + 1) % len(names)]

    def action_cycle_country(self) -> None:
        countries = sorted(self.rows) or ["BE"]
        nxt = countries[(countries.index(self.country) + 1) % len(countries)] if self.country in countries \
            else countries[0]
        self.query_one("#coverage-country", Select).value = nxt

    def action_toggle_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.show()

    def action_focus_search(self) -> None:
        self.query_one("#coverage-search", Input).focus()

    def action_escape(self) -> None:
        search = self.query_one("#coverage-search", Input)
        if search.has_focus:
            self.table.focus()
        elif search.value:
            search.value = ""

    # -- details and export --------------------------------------------------------------

    @on(DataTable.RowSelected, "#coverage-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        """The highlighted municipality's sources and recent relevant changes."""
        row = self.selected
        if row is not None:
            self.app.push_screen(CoverageDetailScreen(self.db_path, row))

    def action_export(self) -> None:
        """Ask for a file and write the coverage table there (through the write queue)."""
        app = self.app

        def write(target: str | None) -> None:
            if not target:
                return
            path = Path(target).expanduser()
            fmt = FORMATS.get(path.suffix.lower(), "csv")
            reference = tuple(r.municipality for r in self.rows.get(country, []))

            def run(db):
                pm = app.plugin_manager()  # type: ignore[attr-defined]
                return export(db, pm, ExportRequest(fmt, table="coverage", reference=reference), path)

            app.submit(Write(f"export coverage {fmt}", run, reply_to=(self,)))  # type: ignore[attr-defined]

        country = self.country
        app.push_screen(PromptScreen(f"Write the coverage table ({country}: every municipality) to:",
                                     value=str(Path.cwd() / f"twinwatch-coverage-{country.lower()}.csv"),
                                     detail="csv, json, jsonl or xlsx, by the file's extension"), write)

    @on(ChangesWritten)
    def _written(self, message: ChangesWritten) -> None:
        r = message.result
        self.notify(f"{r.count} municipalities written to {r.path} (batch {r.batch_id})", title="Exported",
                    markup=False)

    @on(WriteFailed)
    def _write_failed(self, message: WriteFailed) -> None:
        self.notify(message.error, title="Export failed", severity="error", markup=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.table.loading = False
            self.notify(error_text(event.worker.error), title="Error", severity="error", markup=False)
