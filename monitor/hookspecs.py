"""Hook specifications: everything a twinwatch plugin can implement.

A plugin is any installed package with an entry point in the ``twinwatch`` group;
the built-ins in ``plugins/``, ``spiders/`` and ``tui/`` are registered the same way.
Implement a hook with ``@monitor.hookspecs.hookimpl`` and accept any subset of its
arguments, by name. Arguments may be added in later versions; none is ever
renamed or removed.

Every hook is documented in ``docs/plugins.md`` with its exact signature (a test
checks it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from monitor.models import AnalysisContext, ChangeDraft, Finding, Source

PROJECT = "twinwatch"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# ---------------------------------------------------------------------------
# extract: fetched bytes -> text
# ---------------------------------------------------------------------------


@hookspec(firstresult=True)
def extract_text(source: Source, url: str, body: bytes, content_type: str) -> str | None:
    """Turn a fetched page into its main text, one paragraph per line.

    Called by ingest for every ``page`` source whose bytes changed since the last
    fetch. ``body`` is the raw (decompressed) response body and ``content_type``
    the response's ``Content-Type`` header ("" when absent).

    Return the text, or ``None`` to let the next implementation try. The first
    non-``None`` answer wins (``firstresult``). The built-in trafilatura
    extractor is ``trylast``, so a plugin can take over a kind of page.

    If an implementation raises, the fetch is recorded as a ``parse-error``
    outcome of that source with the exception's message; nothing is stored.
    """


# ---------------------------------------------------------------------------
# analyze: a change -> findings
# ---------------------------------------------------------------------------


@hookspec
def analyze_change(change: ChangeDraft, context: AnalysisContext) -> list[Finding] | None:
    """Read a change before it is stored and return findings about it.

    Called once per change (a changed page, a new or edited feed entry), inside
    the crawl, before the change is written, and by ``twinwatch analyze`` on text
    given to it. ``change`` holds the source, the added and removed paragraphs, the
    diff blocks and the full new text. ``context`` carries what the analyzer may
    use beside the change: ``context.model`` is the relevance model learnt from
    the curator's verdicts (``None`` until ``twinwatch model train`` made one).

    Return a list of :class:`~monitor.models.Finding` (or ``None``). Findings of
    all analyzers are stored with the change, each with the plugin's name.

    Each implementation is called on its own: if it raises, an ``error`` finding
    naming the plugin and the exception is stored instead, and the other
    analyzers still run. The crawl goes on.
    """


# ---------------------------------------------------------------------------
# export: reviewed changes -> files
# ---------------------------------------------------------------------------


@hookspec
def register_exporters() -> list[Any] | None:
    """Return exporters: objects with ``name`` (the ``--format`` value),
    ``extension`` (like ``".csv"``), ``directory`` (true when it writes a folder),
    ``tables`` (the table names it can write, or ``None`` for any), ``default_table``
    and ``write(table, target)``. ``table`` is a :class:`monitor.export_tables.Table`
    (name, documented columns, rows of plain values, the batch's id and time);
    ``target`` is a binary file, or an empty folder when ``directory`` is true.
    ``write`` may return a list of warnings (rows skipped or cut). It must depend only
    on the table, never on the clock, so a replayed batch gives the same bytes.

    Called when the CLI or TUI needs the list of formats. A later plugin with the
    same ``name`` replaces an earlier one. If an implementation raises, it is
    reported as a plugin load error and its exporters are missing; if ``write``
    raises, the export fails, no partial output is left and no batch is recorded.
    """


# ---------------------------------------------------------------------------
# run: the parts of the program that live outside monitor
# ---------------------------------------------------------------------------


@hookspec(firstresult=True)
def crawl_sources(db_path: str, sources: list[Source], run_id: int, settings: dict[str, Any]) -> bool | None:
    """Fetch ``sources`` now and hand each result to :func:`monitor.ingest.ingest`.

    Called by ``twinwatch crawl`` after it has opened a crawl run ``run_id`` in the
    database at ``db_path``. ``settings`` holds overrides (for example
    ``{"DOWNLOAD_TIMEOUT": 5}``). Blocks until every source has a result; every
    source must get one (a failure is a result). Return ``True`` when handled.
    The built-in implementation (``spiders``) runs one Scrapy crawler process, so
    it can be called once per process.

    An exception ends the command with an internal error; sources already
    ingested stay stored.
    """


@hookspec(firstresult=True)
def launch_dashboard(db_path: str) -> bool | None:
    """Open the interactive dashboard on the database at ``db_path``; return when it
    closes. Return ``True`` when handled. The built-in implementation is the
    Textual app in ``tui``."""
