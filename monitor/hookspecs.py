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

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pluggy

from monitor.errors import ExtractError

if TYPE_CHECKING:
    from monitor.models import (
        AnalysisContext,
        ChangeDraft,
        ChangeRow,
        CrawlSummary,
        Extracted,
        FetchResult,
        Finding,
        Link,
        Source,
    )

__all__ = ["ExtractError", "SourceKind", "hookimpl", "hookspec"]

PROJECT = "twinwatch"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


ExtractFn = Callable[[Any, "Source", "FetchResult"], "Extracted"]
"""``extract(pm, source, result)``: ``pm`` is the :class:`monitor.plugin_manager.PluginManager`
(typed ``Any`` here so that this module does not import the manager, which imports it)."""
LinksFn = Callable[["Source", "FetchResult"], "list[Link]"]
StartFn = Callable[["Source"], "list[Link]"]
AttachmentsFn = Callable[["Source", "FetchResult"], "list[Link]"]
ReadAheadFn = Callable[["Source", "FetchResult"], None]


@dataclass(frozen=True)
class SourceKind:
    """A kind of source a plugin provides."""

    name: str
    """The ``--kind`` value."""
    description: str
    """One line for ``--help`` and ``twinwatch plugins``."""
    spider: str
    """``"package.module:SpiderClass"``, loaded by the crawler plugin only."""
    extract: ExtractFn
    """``extract(pm, source, result) -> Extracted``; raise :class:`ExtractError`
    (or any exception) when the fetch cannot be read."""
    links: LinksFn | None = None
    """Index kinds: ``links(source, result) -> [Link]``, the entries a spider may
    follow to fetch each new entry's full text."""
    reports_edits: bool = False
    """Index kinds: an entry whose text the index changed is an ``edited-entry``."""
    start: StartFn | None = None
    """Portal kinds: ``start(source) -> [Link]``, the first pages to read, for an API
    whose base URL answers nothing (a JSON:API base): ``source.last_modified`` is the
    time to ask for changes since. Without it the walk starts at the source's URL."""
    attachments: AttachmentsFn | None = None
    """Portal kinds: ``attachments(source, page) -> [Link]``, the documents (PDFs) of a
    page's items to fetch, each ``Link(key, url, title)`` with ``key`` the entry it
    belongs to. The portal spider calls it on each page it keeps, except in a first
    sync (a baseline fetches no documents, as a feed's first fetch follows no articles),
    with the source as stored: ``last_modified`` is the time the last complete sync
    began and ``known_items`` the keys of the stored entries. Return only the documents
    of entries new or changed since then whose text the portal does not give itself.
    The spider fetches them within the run's request budget and size limits, each URL
    once a run, and hands them to ``extract`` as ``result.attachments`` (``key`` as
    given; ``url`` where the bytes came from, ``redirects`` the hops before it); a
    document that failed (HTTP 404, too large, refused) is an attachment with its
    ``error_kind`` and ``error``, never a failure of the source."""
    read_ahead: ReadAheadFn | None = None
    """Portal kinds: ``read_ahead(source, page)``, called by ingest, in the crawl process,
    on each page the portal spider keeps, while the walk goes on (the crawl waits on the
    portal most of the time): the kind may read the page's entries then and keep them
    for its ``extract`` in the same process, found again by the page's content (its
    ``key``, ``url`` and text), so that the run's result is extracted sooner once the
    walk ends. ``page.body`` is the page's text in UTF-8, as the run's document holds
    it. It returns nothing, and may be skipped (a crawl that extracts in worker
    processes does not call it): ``extract`` must give the same entries without it.
    An exception is ignored (``extract`` reports the page)."""


# ---------------------------------------------------------------------------
# kinds: what can be watched
# ---------------------------------------------------------------------------


@hookspec
def register_source_kinds() -> list[SourceKind] | None:
    """Return the source kinds a plugin provides, as
    :class:`~monitor.hookspecs.SourceKind` objects: a ``name`` (the ``--kind`` value), a
    ``description``, the import path of its Scrapy ``spider``
    (``"package.module:Class"``, loaded only by the crawler), an ``extract(pm,
    source, result)`` function returning :class:`~monitor.models.Extracted`, and for
    index kinds a ``links(source, result)`` function returning the
    :class:`~monitor.models.Link` objects the spider may follow.

    Called once per plugin manager, when a command first needs the kinds (adding a
    source, a crawl, ingest). The built-in kinds (page, feed, listing, document)
    are registered by the ``spiders`` plugin through this same hook; a later
    plugin with the same ``name`` replaces an earlier one. If an implementation
    raises, it is reported as a plugin load error and its kinds are missing.
    """


@hookspec
def search_terms(lang: str) -> list[str] | None:
    """Return the words and phrases that make a text a candidate in language ``lang``
    (``nl``, ``de``, ...), for a portal's server-side full-text search: ``sources add
    --query auto`` joins every implementation's terms into the source's query, so that
    only candidate items are downloaded (the analyzers still decide).

    A term is a word (``stedenband``), a phrase of several words, or a word ending in
    ``*`` (a prefix: ``stedenband*`` also finds ``stedenbanden``). Return ``None`` or an
    empty list for a language the plugin has no words for. Called only when a curator
    asks for an automatic query; an exception is shown as that command's error.
    """


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


@hookspec
def extraction_path(source: Source, url: str, body: bytes, content_type: str) -> str | None:
    """Say which way an ``extract_text`` implementation reads this page, in a few words
    (``landmark <main>``, ``trafilatura``, ...), for ``twinwatch sources test``.

    Called only by ``sources test``, and only on the plugin whose ``extract_text``
    answered for the page: implement it beside your ``extract_text`` when your
    extractor has more than one way. Return ``None`` to say nothing (the test then
    names the plugin). An exception is shown as "path unknown"; nothing is stored.
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
    and ``write(table, target)``. ``table`` is a :class:`monitor.export.tables.Table`
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
# notify: after a crawl
# ---------------------------------------------------------------------------


@hookspec
def notify_crawl(summary: CrawlSummary, changes: list[ChangeRow], config: dict[str, Any]) -> None:
    """Tell someone what a crawl found.

    Called by ``twinwatch crawl`` after a run that stored at least one change or
    new item, with the run's :class:`~monitor.models.CrawlSummary`, its changes
    (:class:`~monitor.models.ChangeRow`, findings included) and the ``[notify]``
    table of the configuration file (``{}`` when there is none). The built-in
    implementation (``plugins.notify``) sends a short summary through apprise to
    each URL in ``config["urls"]``.

    Each implementation is called on its own: if it raises, the failure is logged
    (stderr and the log file) and the crawl still succeeds; so a notifier should
    also catch and log its own delivery failures.
    """


# ---------------------------------------------------------------------------
# run: the parts of the program that live outside monitor
# ---------------------------------------------------------------------------


@hookspec(firstresult=True)
def crawl_sources(
    db_path: str, sources: list[Source], run_id: int, settings: dict[str, Any], kinds: dict[str, SourceKind]
) -> bool | None:
    """Fetch ``sources`` now and hand each result to :func:`monitor.ingest.pipeline.ingest`.

    Called by ``twinwatch crawl`` after it has opened a crawl run ``run_id`` in the
    database at ``db_path``. ``settings`` holds overrides (for example
    ``{"DOWNLOAD_TIMEOUT": 5}``); ``kinds`` maps each kind name to its
    :class:`~monitor.hookspecs.SourceKind` (whose ``spider`` fetches it). Blocks until
    every source has a result; every source must get one (a failure is a result).
    Return ``True`` when handled. The built-in implementation (``spiders``) runs
    one Scrapy crawler process, so it can be called once per process.

    An exception ends the command with an internal error; sources already
    ingested stay stored.
    """


@hookspec(firstresult=True)
def fetch_sources(
    sources: list[Source], settings: dict[str, Any], kinds: dict[str, SourceKind]
) -> list[FetchResult] | None:
    """Fetch ``sources`` once, exactly as a crawl would (robots.txt, limits, followed
    articles), and return their :class:`~monitor.models.FetchResult` objects
    without storing anything. Used by ``twinwatch sources test``.

    ``firstresult``; return ``None`` to let another plugin answer. Like
    ``crawl_sources``, the built-in implementation can be called once per process.
    An exception ends the command with an internal error.
    """


@hookspec(firstresult=True)
def launch_dashboard(db_path: str) -> bool | None:
    """Open the interactive dashboard on the database at ``db_path``; return when it
    closes. Return ``True`` when handled. The built-in implementation is the
    Textual app in ``tui``."""
