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
from monitor.plugin_manager import PluginManager, describe, exporters, make_plugin_manager, source_kinds


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

    def kinds(self) -> list[str]:
        """Kind names the installed plugins provide (the built-ins when none do)."""
        return sorted(source_kinds(self.pm)) or list(SOURCE_KINDS)


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
    """Add, configure, test, import and list watched sources and their health."""


def _interval(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    from monitor.sources import parse_interval

    if value is None:
        return None
    try:
        return parse_interval(value)
    except TwinwatchError as exc:
        raise click.BadParameter(exc.message) from exc


def rule_options(f: Any) -> Any:
    """The options that set a source's schedule and rules (add, set, test)."""
    options = [
        click.option("--every", callback=_interval,
                     help="How often the source is due: 30m, 6h, 1d, 1w (default 1d)."),
        click.option("--select", "region",
                     help="Watch only this region: a CSS selector, or XPath starting with / "
                          "(\"\" removes it). Without it, main-content extraction."),
        click.option("--ignore", "ignore", multiple=True,
                     help="Regular expression; matching text is removed before comparing (repeatable)."),
        click.option("--added-only/--not-added-only", "added_only", default=None,
                     help="Report only added text; removals alone are not a change."),
        click.option("--min-change", type=click.IntRange(min=0),
                     help="Ignore page changes touching fewer characters than this."),
        click.option("--link-pattern",
                     help="listing: regular expression an article link must match."),
        click.option("--max-items", type=click.IntRange(0, 1000),
                     help="feed/listing: new articles fetched per run at most (default 10)."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _rules(every: int | None, region: str | None, ignore: tuple[str, ...], added_only: bool | None,
           min_change: int | None, link_pattern: str | None, max_items: int | None) -> Any:
    from monitor.sources import Rules

    cleared = ignore == ("",)  # --ignore "" clears the list
    return Rules(every_s=every, region=region, ignore=() if cleared else (tuple(ignore) or None),
                 added_only=added_only,
                 min_change=min_change, link_pattern=link_pattern, max_items=max_items)


@sources.command("add")
@click.argument("url")
@click.option("--kind", default="page", show_default=True,
              help="page: a web page; feed: RSS/Atom/JSON Feed; listing: a news index or "
                   "sitemap.xml; document: a PDF; or a kind added by a plugin.")
@click.option("--municipality", help="The municipality this source speaks for.")
@click.option("--country", help="Two-letter country code, e.g. BE.")
@click.option("--lang", help="Language code of the source, e.g. nl.")
@click.option("--tag", "tags", multiple=True, help="A tag for the source (repeatable).")
@rule_options
@pass_ctx
def sources_add(c: Context, url: str, kind: str, municipality: str | None, country: str | None,
                lang: str | None, tags: tuple[str, ...], every: int | None, region: str | None,
                ignore: tuple[str, ...], added_only: bool | None, min_change: int | None,
                link_pattern: str | None, max_items: int | None) -> None:
    """Watch URL. Prints the new source's id."""
    from monitor.sources import NewSource, add_sources

    rules = _rules(every, region, ignore, added_only, min_change, link_pattern, max_items)
    with c.db() as db:
        added, skipped = add_sources(
            db, [NewSource(url, kind, municipality, country, lang, tags, rules)], c.kinds())
    if skipped:
        click.echo(f"already watched: {url}", err=True)
    for sid in added:
        click.echo(sid)


@sources.command("set")
@click.argument("source_id", type=int)
@rule_options
@pass_ctx
def sources_set(c: Context, source_id: int, every: int | None, region: str | None,
                ignore: tuple[str, ...], added_only: bool | None, min_change: int | None,
                link_pattern: str | None, max_items: int | None) -> None:
    """Change the schedule and rules of SOURCE_ID; options not given stay as they are
    (--ignore replaces the list; --ignore "" clears it)."""
    from monitor.sources import set_rules

    rules = _rules(every, region, ignore, added_only, min_change, link_pattern, max_items)
    with c.db() as db:
        set_rules(db, source_id, rules)


@sources.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_ctx
def sources_import(c: Context, file: Path) -> None:
    """Add the sources listed in FILE: CSV with a header row (url, kind, municipality,
    country, lang, tags) or OPML. Nothing is added if any row is invalid."""
    from monitor.sources import add_sources, read_source_file

    new = read_source_file(file, c.kinds())
    with c.db() as db:
        added, skipped = add_sources(db, new, c.kinds())
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


@sources.command("health")
@click.option("--silent-after", type=click.IntRange(min=1), default=30, show_default=True,
              help="Flag a source as silent after this many fetches in a row without a change.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per source, in an array.")
@click.option("--problems", is_flag=True, help="Only sources with a problem.")
@pass_ctx
def sources_health(c: Context, silent_after: int, as_json: bool, problems: bool) -> None:
    """Source health, problems first: failing (consecutive failures), silent (region
    stopped matching, nothing in the index, or no change for --silent-after fetches),
    never fetched; with last success, last change and last relevant change."""
    from monitor.queries import health
    from monitor.render import health_line

    with c.db() as db:
        rows = health(db, silent_after=silent_after)
    if problems:
        rows = [r for r in rows if r.problem != "ok"]
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in rows], indent=2, ensure_ascii=False))
        return
    for r in rows:
        click.echo(health_line(r))


@sources.command("test")
@click.argument("target")
@click.option("--kind", help="Kind of a new URL (default page); for a source id, its own.")
@rule_options
@click.option("--timeout", type=float, default=30, show_default=True,
              help="Seconds before the fetch gives up.")
@click.option("--history", "history_n", type=click.IntRange(min=0), default=10, show_default=True,
              help="For a source id: replay its last N stored versions with these rules.")
@pass_ctx
def sources_test(c: Context, target: str, kind: str | None, every: int | None, region: str | None,
                 ignore: tuple[str, ...], added_only: bool | None, min_change: int | None,
                 link_pattern: str | None, max_items: int | None, timeout: float, history_n: int) -> None:
    """Fetch TARGET (a URL, or the id of a watched source) once and print the text
    twinwatch would watch, storing nothing. For a source id, options override its
    rules, and its stored history is replayed to show what these rules would have
    reported."""
    from monitor.tryout import try_source

    rules = _rules(every, region, ignore, added_only, min_change, link_pattern, max_items)
    with c.db() as db:
        report = try_source(db, c.pm, target, kind=kind, rules=rules, timeout=timeout,
                            history=history_n)
    click.echo(report)


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
              help="Crawl only this source id (repeatable), due or not.")
@click.option("--all", "all_sources", is_flag=True,
              help="Crawl every enabled source, due or not. Default: only the due ones.")
@click.option("--timeout", type=float, help="Seconds before a download gives up (default 30).")
@click.option("--max-size", type=click.IntRange(min=1024),
              help="Largest body in bytes; a bigger one fails as too-large (default 10 MiB).")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors (for cron).")
@pass_ctx
def crawl(c: Context, source_ids: tuple[int, ...], all_sources: bool, timeout: float | None,
          max_size: int | None, quiet: bool) -> None:
    """Fetch the due sources (each has an interval, default daily), store what
    changed, notify, print a one-line summary. Every run is logged to twinwatch.log
    in the user log directory; a progress bar shows when stdout is a terminal.

    Exit codes: 0 done (also when some sources failed: the summary counts them and
    'sources health' names them); 2 unknown source; 3 database error; 4 no crawler
    plugin; 75 another crawl is running on this database.
    """
    from monitor.crawl import crawl as run_crawl
    from monitor.logs import setup_logging

    setup_logging()
    settings: dict[str, Any] = {}
    if timeout:
        settings["DOWNLOAD_TIMEOUT"] = timeout
    if max_size:
        settings["DOWNLOAD_MAXSIZE"] = max_size
        settings["DOWNLOAD_WARNSIZE"] = 0
    pm = c.pm
    if quiet or not sys.stdout.isatty():
        summary = run_crawl(c.db_path, pm, source_ids, settings, all_sources=all_sources)
    else:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        with Progress("crawl", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      transient=True) as bar:
            task = bar.add_task("crawl", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            summary = run_crawl(c.db_path, pm, source_ids, settings, all_sources=all_sources,
                                progress=progress)
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


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="As JSON.")
@pass_ctx
def plugins(c: Context, as_json: bool) -> None:
    """List loaded plugins, their hooks, export formats, source kinds and load errors."""
    pm = c.pm
    info: dict[str, Any] = {
        "plugins": describe(pm),
        "exporters": sorted(exporters(pm)),
        "kinds": {name: kind.description for name, kind in sorted(source_kinds(pm).items())},
        "errors": [{"name": e.name, "value": e.value, "message": e.message} for e in pm.load_errors],
    }
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    for p in info["plugins"]:
        click.echo(f"{p['name']:<12} {p['module']:<24} {', '.join(p['hooks'])}")
    click.echo(f"export formats: {', '.join(info['exporters'])}")
    click.echo(f"source kinds: {', '.join(info['kinds'])}")
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
