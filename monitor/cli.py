"""The ``twinwatch`` command: a thin click layer over monitor's services.

Data goes to stdout, diagnostics to stderr. Expected failures (:class:`TwinwatchError`)
print one line and exit with the code from :mod:`monitor.exitcodes`; only a bug
prints a traceback.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import click

from monitor import __version__, exitcodes
from monitor.config import default_db_path
from monitor.db import open_db
from monitor.errors import PluginError, TwinwatchError
from monitor.export import REVIEWED
from monitor.models import REVIEW_STATUSES, SOURCE_KINDS
from monitor.plugin_manager import PluginManager, describe, exporters, make_plugin_manager


class Context:
    """What every command gets: the database path and a lazily made plugin manager."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self._pm: PluginManager | None = None

    @property
    def pm(self) -> PluginManager:
        if self._pm is None:
            self._pm = make_plugin_manager()
            for err in self._pm.load_errors:
                click.echo(f"warning: plugin {err.name} ({err.value}) not loaded: {err.message}",
                           err=True)
        return self._pm

    def db(self) -> Any:
        return open_db(self.db_path)


pass_ctx = click.make_pass_decorator(Context)


class TwinwatchGroup(click.Group):
    """Turns TwinwatchError into a one-line message and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TwinwatchError as exc:
            raise _Failure(exc.message, exc.exit_code) from exc
        except sqlite3.DatabaseError as exc:  # locked past the busy timeout, disk full, corrupt
            raise _Failure(f"database error: {exc}", exitcodes.STORAGE) from exc


class _Failure(click.ClickException):
    """A TwinwatchError as click prints it: ``Error: message`` and the exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.exit_code = code  # type: ignore[misc]


@click.group(cls=TwinwatchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="TWINWATCH_DB",
    help="SQLite database file (default: twinwatch.db in the user data directory; env TWINWATCH_DB).",
)
@click.version_option(__version__, prog_name="twinwatch")
@click.pass_context
def cli(ctx: click.Context, db_path: Path | None) -> None:
    """Watch municipal websites and news for town-twinning and solidarity
    announcements, review what changed, and export it."""
    ctx.obj = Context(db_path or default_db_path())


@cli.command()
@pass_ctx
def init(c: Context) -> None:
    """Create the database (or bring it up to date) and print its path."""
    c.db().close()
    click.echo(str(c.db_path))


# --------------------------------------------------------------------------- sources


@cli.group()
def sources() -> None:
    """Add, import and list watched sources."""


@sources.command("add")
@click.argument("url")
@click.option("--kind", type=click.Choice(SOURCE_KINDS), default="page", show_default=True,
              help="page: a web page (main text is watched); feed: RSS/Atom.")
@click.option("--municipality", help="The municipality this source speaks for.")
@click.option("--country", help="Two-letter country code, e.g. BE.")
@click.option("--lang", help="Language code of the source, e.g. nl.")
@click.option("--tag", "tags", multiple=True, help="A tag for the source (repeatable).")
@pass_ctx
def sources_add(c: Context, url: str, kind: str, municipality: str | None, country: str | None,
                lang: str | None, tags: tuple[str, ...]) -> None:
    """Watch URL. Prints the new source's id."""
    from monitor.sources import NewSource, add_sources

    with c.db() as db:
        added, skipped = add_sources(db, [NewSource(url, kind, municipality, country, lang, tags)])
    if skipped:
        click.echo(f"already watched: {url}", err=True)
    for sid in added:
        click.echo(sid)


@sources.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_ctx
def sources_import(c: Context, file: Path) -> None:
    """Add the sources listed in FILE: CSV with a header row (url, kind, municipality,
    country, lang, tags) or OPML. Nothing is added if any row is invalid."""
    from monitor.sources import add_sources, read_source_file

    new = read_source_file(file)
    with c.db() as db:
        added, skipped = add_sources(db, new)
    click.echo(f"{len(added)} added, {skipped} already watched", err=True)


@sources.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per source, in an array.")
@pass_ctx
def sources_list(c: Context, as_json: bool) -> None:
    """List sources with their fetch health."""
    from monitor.queries import sources as all_sources
    from monitor.render import source_line

    with c.db() as db:
        rows = all_sources(db)
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in rows], indent=2, ensure_ascii=False))
    else:
        for r in rows:
            click.echo(source_line(r))


@sources.command("enable")
@click.argument("source_id", type=int)
@pass_ctx
def sources_enable(c: Context, source_id: int) -> None:
    """Crawl SOURCE_ID again."""
    from monitor.sources import set_enabled

    with c.db() as db:
        set_enabled(db, source_id, True)


@sources.command("disable")
@click.argument("source_id", type=int)
@pass_ctx
def sources_disable(c: Context, source_id: int) -> None:
    """Stop crawling SOURCE_ID (its history stays)."""
    from monitor.sources import set_enabled

    with c.db() as db:
        set_enabled(db, source_id, False)


# --------------------------------------------------------------------------- crawl


@cli.command()
@click.option("--source", "source_ids", type=int, multiple=True,
              help="Crawl only this source id (repeatable). Default: every enabled source.")
@click.option("--timeout", type=float, help="Seconds before a download gives up (default 30).")
@click.option("--max-size", type=click.IntRange(min=1024),
              help="Largest body in bytes; a bigger one fails as too-large (default 10 MiB).")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors (for cron).")
@pass_ctx
def crawl(c: Context, source_ids: tuple[int, ...], timeout: float | None, max_size: int | None,
          quiet: bool) -> None:
    """Fetch sources, store what changed, print a one-line summary.

    Exit codes: 0 done (also when some sources failed: the summary counts them and
    'sources list' names them); 2 unknown source; 3 database error; 4 no crawler
    plugin; 75 another crawl is running on this database.
    """
    from monitor.crawl import crawl as run_crawl

    settings: dict[str, Any] = {}
    if timeout:
        settings["DOWNLOAD_TIMEOUT"] = timeout
    if max_size:
        settings["DOWNLOAD_MAXSIZE"] = max_size
        settings["DOWNLOAD_WARNSIZE"] = 0
    summary = run_crawl(c.db_path, c.pm, source_ids, settings)
    if not quiet:
        click.echo(summary.line())


# --------------------------------------------------------------------------- review


@cli.command()
@click.option("--status", type=click.Choice(REVIEW_STATUSES), help="Only changes with this status.")
@click.option("--search", help="Full-text query over title and changed text (FTS5 syntax).")
@click.option("--limit", type=int, default=None, help="At most this many changes.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per change, in an array.")
@pass_ctx
def changes(c: Context, status: str | None, search: str | None, limit: int | None,
            as_json: bool) -> None:
    """List detected changes, newest first."""
    from monitor.queries import ChangeFilter
    from monitor.queries import changes as query
    from monitor.render import changes_text

    with c.db() as db:
        rows = query(db, ChangeFilter(status=status, search=search), limit=limit)
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in rows], indent=2, ensure_ascii=False))
    elif rows:
        click.echo(changes_text(rows))
    else:
        click.echo("no changes", err=True)


@cli.command()
@click.argument("change_id", type=int)
@click.option("--status", type=click.Choice(REVIEW_STATUSES), help="The decision.")
@click.option("--tag", "tags", multiple=True, help="Add a tag (repeatable).")
@click.option("--untag", "untags", multiple=True, help="Remove a tag (repeatable).")
@click.option("--note", help="A note for the record.")
@pass_ctx
def review(c: Context, change_id: int, status: str | None, tags: tuple[str, ...],
           untags: tuple[str, ...], note: str | None) -> None:
    """Record a decision on CHANGE_ID: status, tags, note."""
    from monitor.review import review as do_review

    if not (status or tags or untags or note is not None):
        raise click.UsageError("give at least one of --status, --tag, --untag, --note")
    with c.db() as db:
        r = do_review(db, change_id, status=status, add_tags=tags, remove_tags=untags, note=note)
    click.echo(f"#{r.change_id} {r.status}" + (f" [{', '.join(r.tags)}]" if r.tags else ""))


# --------------------------------------------------------------------------- export


@cli.command()
@click.option("--format", "fmt", default="csv", show_default=True,
              help="Output format: csv, json, or one added by a plugin (see 'twinwatch plugins').")
@click.option("--status", "statuses", type=click.Choice(REVIEWED), multiple=True,
              help="Only changes with this status (repeatable). Default: every reviewed change.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (default: stdout).")
@pass_ctx
def export(c: Context, fmt: str, statuses: tuple[str, ...], output: Path | None) -> None:
    """Export reviewed changes and record the export as a batch."""
    from monitor.export import export as do_export

    with c.db() as db:
        result = do_export(db, c.pm, fmt, output, statuses=statuses or REVIEWED)
    click.echo(f"export batch {result.batch_id}: {result.count} changes -> {result.path}", err=True)


# --------------------------------------------------------------------------- interactive


@cli.command()
@pass_ctx
def tui(c: Context) -> None:
    """Open the curator's dashboard."""
    c.db().close()
    if not c.pm.hook.launch_dashboard(db_path=str(c.db_path)):
        raise PluginError("no installed plugin provides the dashboard (is 'tui' installed?)")


@cli.command()
@click.option("--no-tui", is_flag=True, help="Print the changes instead of opening the dashboard.")
@click.option("--keep", is_flag=True, help="Keep the demo database of an earlier run.")
@click.pass_context
def demo(ctx: click.Context, no_tui: bool, keep: bool) -> None:
    """Serve a small municipal web on 127.0.0.1, crawl it, change it, crawl again,
    then open the dashboard on what changed. Uses its own database unless --db is given."""
    from monitor.config import demo_db_path
    from monitor.demo import run_demo

    c: Context = ctx.obj
    explicit = ctx.find_root().params.get("db_path") is not None
    db_path = c.db_path if explicit else demo_db_path()
    run_demo(db_path, fresh=not (explicit or keep), echo=lambda s: click.echo(s, err=True))
    if no_tui:
        from monitor.queries import changes as query
        from monitor.render import changes_text

        with open_db(db_path) as db:
            click.echo(changes_text(query(db)))
        return
    if not c.pm.hook.launch_dashboard(db_path=str(db_path)):
        raise PluginError("no installed plugin provides the dashboard (is 'tui' installed?)")


# --------------------------------------------------------------------------- analyze


@cli.command()
@click.argument("file", type=click.File("r", encoding="utf-8", errors="replace"), default="-")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per input line, in order.")
@click.option("--whole", is_flag=True, help="Plain text: the whole input is one text (default: one a line).")
@pass_ctx
def analyze(c: Context, file: Any, as_json: bool, whole: bool) -> None:
    """Run the analyzers on text without crawling.

    FILE (or - for standard input, the default) is plain text, one text a line, or
    JSON Lines with "text" and optional "title", "lang", "url", "municipality",
    "country". With --json, each result has relevant, score, reasons, category,
    lang, municipality, country, partner, partner_country, date, amount_eur. The
    curator's model (see 'model train') is blended in when the database has one.
    """
    from monitor.analysis import analyze_text, read_inputs
    from monitor.learn import load
    from monitor.models import AnalysisContext

    context = AnalysisContext(model=load(c.db_path))
    for item in read_inputs(file, whole=whole):
        result = analyze_text(c.pm, item, context)
        if as_json:
            click.echo(json.dumps(result, ensure_ascii=False))
        else:
            from monitor.render import analysis_line

            click.echo(analysis_line(result, item.title or item.text))


@cli.group()
def model() -> None:
    """Learn relevance from the curator's verdicts."""


@model.command("train")
@pass_ctx
def model_train(c: Context) -> None:
    """Train the relevance model on changes reviewed relevant or irrelevant, print its
    cross-validated precision and recall, and save it beside the database. From then
    on crawls and 'analyze' blend it with the vocabulary score."""
    from monitor.learn import train

    with c.db() as db:
        report = train(db, c.db_path)
    for line in report.lines():
        click.echo(line)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="As JSON.")
@pass_ctx
def plugins(c: Context, as_json: bool) -> None:
    """List loaded plugins, their hooks, export formats and load errors."""
    pm = c.pm
    info: dict[str, Any] = {
        "plugins": describe(pm),
        "exporters": sorted(exporters(pm)),
        "errors": [{"name": e.name, "value": e.value, "message": e.message} for e in pm.load_errors],
    }
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    for p in info["plugins"]:
        click.echo(f"{p['name']:<12} {p['module']:<24} {', '.join(p['hooks'])}")
    click.echo(f"export formats: {', '.join(info['exporters'])}")
    for e in info["errors"]:
        click.echo(f"error: {e['name']} ({e['value']}): {e['message']}")


def main() -> None:
    """Console-script entry point."""
    try:
        cli.main(prog_name="twinwatch")
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug: say so plainly, keep the traceback for the report
        import traceback

        traceback.print_exc()
        click.echo(f"internal error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(exitcodes.INTERNAL)
