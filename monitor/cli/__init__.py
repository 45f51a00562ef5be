"""The ``twinwatch`` command: a thin click layer over monitor's services.

Data goes to stdout, diagnostics to stderr. Expected failures (:class:`TwinwatchError`)
print one line and exit with the code from :mod:`monitor.errors`; only a bug
prints a traceback.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import click

from monitor import __version__, errors
from monitor.config import default_db_path
from monitor.errors import PluginError, TwinwatchError
from monitor.models import REVIEW_STATUSES, REVIEWED, SOURCE_KINDS  # not from export: SciPy at start-up
from monitor.plugin_manager import PluginManager, describe, exporters, make_plugin_manager, source_kinds
from monitor.sources.health import SILENT_FETCHES
from monitor.store.db import open_db


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
            raise _Failure(f"database error: {exc}", errors.STORAGE) from exc


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
    from monitor.sources.manage import parse_interval

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
    from monitor.sources.manage import Rules

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
    from monitor.sources.manage import NewSource, add_sources

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
    from monitor.sources.manage import set_rules

    rules = _rules(every, region, ignore, added_only, min_change, link_pattern, max_items)
    with c.db() as db:
        set_rules(db, source_id, rules)


@sources.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_ctx
def sources_import(c: Context, file: Path) -> None:
    """Add the sources listed in FILE: CSV with a header row (url, kind, municipality,
    country, lang, tags) or OPML. Nothing is added if any row is invalid."""
    from monitor.sources.manage import add_sources, read_source_file

    new = read_source_file(file, c.kinds())
    with c.db() as db:
        added, skipped = add_sources(db, new, c.kinds())
    click.echo(f"{len(added)} added, {skipped} already watched", err=True)


@sources.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per source, in an array.")
@pass_ctx
def sources_list(c: Context, as_json: bool) -> None:
    """List sources with their fetch health."""
    from monitor.cli.render import source_line
    from monitor.store.queries import sources as all_sources

    with c.db() as db:
        rows = all_sources(db)
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in rows], indent=2, ensure_ascii=False))
    else:
        for r in rows:
            click.echo(source_line(r))


@sources.command("export-scrapyd")
@click.option("--all", "all_sources", is_flag=True, help="Every enabled source, due or not.")
@click.option("--source", "source_ids", type=int, multiple=True, help="Only this source id (repeatable).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (default: stdout).")
@pass_ctx
def sources_export_scrapyd(c: Context, all_sources: bool, source_ids: tuple[int, ...],
                           output: Path | None) -> None:
    """Write the due sources (as `crawl` picks them) with their fetch state, as JSON, for
    the `twinwatch` spider under scrapyd: schedule it with `sources=FILE|URL`, then
    `twinwatch ingest` its feed export."""
    from monitor.crawl.service import select_sources
    from monitor.ingest.jsonl import sources_to_json

    with c.db() as db:
        chosen = select_sources(db, source_ids, all_sources=all_sources)
    text = json.dumps(sources_to_json(s.source for s in chosen), ensure_ascii=False)
    if output is None:
        click.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
    click.echo(f"{len(chosen)} source(s) for scrapyd", err=True)


@sources.command("health")
@click.option("--silent-after", type=click.IntRange(min=1), default=SILENT_FETCHES, show_default=True,
              help="Flag a source as silent after this many fetches in a row without a change.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per source, in an array.")
@click.option("--problems", is_flag=True, help="Only sources with a problem.")
@pass_ctx
def sources_health(c: Context, silent_after: int, as_json: bool, problems: bool) -> None:
    """Source health, problems first: failing (consecutive failures), silent (region
    stopped matching, nothing in the index, no change for --silent-after fetches or
    for 30 days), never fetched, then fine and disabled; with last success, last
    change and last relevant change. The dashboard and coverage use the same verdicts."""
    from monitor.cli.render import health_line
    from monitor.sources.health import health

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
    from monitor.crawl.tryout import try_source

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
    from monitor.sources.manage import set_enabled

    with c.db() as db:
        set_enabled(db, source_id, True)


@sources.command("disable")
@click.argument("source_id", type=int)
@pass_ctx
def sources_disable(c: Context, source_id: int) -> None:
    """Stop crawling SOURCE_ID (its history stays)."""
    from monitor.sources.manage import set_enabled

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
    from monitor.crawl.log import setup_logging
    from monitor.crawl.service import crawl as run_crawl

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


@cli.command("ingest")
@click.argument("paths", nargs=-1, required=True)
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@pass_ctx
def ingest_cmd(c: Context, paths: tuple[str, ...], quiet: bool) -> None:
    """Load fetch results written as JSON Lines by spiders running elsewhere (scrapyd):
    PATHS are files, folders or glob patterns. Each result goes through the same ingest
    as a local crawl; a result already loaded is skipped."""
    from monitor.ingest.jsonl import load

    with c.db() as db:
        summary = load(db, c.pm, paths, warn=lambda m: click.echo(f"warning: {m}", err=True))
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
    from monitor.cli.render import changes_text
    from monitor.store.queries import ChangeFilter
    from monitor.store.queries import changes as query

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
    from monitor.review.decisions import review as do_review

    if not (status or tags or untags or note is not None):
        raise click.UsageError("give at least one of --status, --tag, --untag, --note")
    with c.db() as db:
        r = do_review(db, change_id, status=status, add_tags=tags, remove_tags=untags, note=note)
    click.echo(f"#{r.change_id} {r.status}" + (f" [{', '.join(r.tags)}]" if r.tags else ""))


@cli.group("cases")
def cases_group() -> None:
    """Group changes that report the same event into cases, list and review them."""


@cases_group.command("group")
@pass_ctx
def cases_group_cmd(c: Context) -> None:
    """Put every change not yet grouped into a case (near-duplicate text, or the same
    municipality and partner, within 30 days)."""
    from monitor.review.cases import group

    with c.db() as db:
        click.echo(group(db).line())


@cases_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="As JSON.")
@pass_ctx
def cases_list(c: Context, as_json: bool) -> None:
    """Cases of two or more changes, newest first, with every source."""
    from dataclasses import asdict

    from monitor.review.cases import cases
    from monitor.text import one_line

    with c.db() as db:
        found = cases(db)
    if as_json:
        click.echo(json.dumps([asdict(k) for k in found], ensure_ascii=False, indent=2))
        return
    for k in found:
        click.echo(f"case {k.id}: {len(k.change_ids)} changes, {k.first_detected[:10]}–"
                   f"{k.last_detected[:10]}, {', '.join(k.municipalities) or '?'}: {one_line(k.title, 70)}")
        for url in k.urls:
            click.echo(f"  {one_line(url, 100)}")


@cases_group.command("review")
@click.argument("case_id", type=int)
@click.option("--status", type=click.Choice(REVIEW_STATUSES), help="The decision, for every change.")
@click.option("--tag", "tags", multiple=True, help="Add a tag to every change (repeatable).")
@click.option("--note", help="A note for every change.")
@pass_ctx
def cases_review(c: Context, case_id: int, status: str | None, tags: tuple[str, ...],
                 note: str | None) -> None:
    """Apply one decision to every change of CASE_ID."""
    from monitor.review.cases import review_case

    if not (status or tags or note is not None):
        raise click.UsageError("give at least one of --status, --tag, --note")
    with c.db() as db:
        done = review_case(db, case_id, status=status, add_tags=tags, note=note)
    click.echo(f"case {case_id}: {len(done)} changes {done[0].status if done else ''}")


# --------------------------------------------------------------------------- records


RECORD_OPTIONS = [
    click.option("--municipality", help="The acting municipality."),
    click.option("--country", help="Its country (two letters)."),
    click.option("--municipality-qid", help="Its Wikidata item (Q…), for QuickStatements."),
    click.option("--partner", help="The partner town, where there is one."),
    click.option("--partner-country", help="The partner's country (two letters)."),
    click.option("--partner-qid", help="The partner's Wikidata item (Q…)."),
    click.option("--action", help="One of: " + ", ".join(
        ("twinning_established", "twinning_suspended", "twinning_ended", "twinning_debate",
         "council_motion", "humanitarian_aid", "procurement_policy", "symbolic_action",
         "partnership_cooperation", "other_solidarity"))),
    click.option("--date", help="When it was decided or happened: YYYY-MM-DD, YYYY-MM or YYYY."),
    click.option("--amount-eur", help="An amount in euro."),
    click.option("--summary", help="One line saying what happened."),
]


def record_options(fn: Any) -> Any:
    for option in reversed(RECORD_OPTIONS):
        fn = option(fn)
    return fn


@cli.command()
@click.argument("change_id", type=int)
@click.option("--new", "new", is_flag=True, help="Add another record for this change.")
@click.option("--record", "record_id", type=int, help="Edit this record of the change.")
@click.option("--link", "link_to", type=int, metavar="RECORD_ID",
              help="Let this change support an existing record instead of a new one.")
@click.option("--json", "as_json", is_flag=True, help="Print the record(s) as JSON.")
@record_options
@pass_ctx
def record(c: Context, /, change_id: int, new: bool, record_id: int | None, link_to: int | None,
           as_json: bool, **fields: Any) -> None:
    """Create, correct or link the registry record of CHANGE_ID.

    The first call creates a record pre-filled from the analyzers' findings; later
    calls with --field options correct it. An empty value ('') clears a field.
    """
    from monitor.records import registry as rec
    from monitor.records.queries import RecordFilter, records

    values = {k: v for k, v in fields.items() if v is not None}
    with c.db() as db:
        if link_to is not None:
            shown = [rec.link(db, link_to, change_id)]
            if values:
                shown = [rec.update(db, link_to, values)]
        else:
            existing = records(db, RecordFilter(change_id=change_id))
            if record_id is not None:
                if record_id not in {r.id for r in existing}:
                    raise click.UsageError(f"record {record_id} is not a record of change {change_id}")
                shown = [rec.update(db, record_id, values)]
            elif new or not existing:
                shown = [rec.create(db, change_id, values)]
            elif len(existing) == 1:
                shown = [rec.update(db, existing[0].id, values)]
            elif values:
                raise click.UsageError(f"change {change_id} has {len(existing)} records; "
                                       "say which with --record ID")
            else:
                shown = existing
    _print_records(shown, as_json)


@cli.command("records")
@click.option("--municipality", help="Only records of this municipality (or partner).")
@click.option("--json", "as_json", is_flag=True, help="As JSON.")
@pass_ctx
def records_cmd(c: Context, municipality: str | None, as_json: bool) -> None:
    """List registry records with their evidence."""
    from monitor.records.queries import RecordFilter, records

    with c.db() as db:
        _print_records(records(db, RecordFilter(municipality=municipality)), as_json)


def _print_records(rows: Any, as_json: bool) -> None:
    from dataclasses import asdict

    from monitor.text import one_line

    if as_json:
        click.echo(json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=2))
        return
    for r in rows:
        partner = f" with {r.partner} ({r.partner_country or '?'})" if r.partner else ""
        amount = f", {r.amount_eur:,.2f} EUR" if r.amount_eur is not None else ""
        click.echo(f"record {r.id} v{r.version}: {r.municipality or '?'} ({r.country or '?'}) "
                   f"{r.action or '?'}{partner}, {r.date or 'undated'}{amount}")
        if r.summary:
            click.echo(f"  {one_line(r.summary, 100)}")
        for e in r.evidence:
            click.echo(f"  evidence: change {e.change_id} {one_line(e.url, 80)} "
                       f"fetched {e.fetched_at or '?'}")
            click.echo(f"    “{one_line(e.quote, 100)}”")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="As JSON.")
@pass_ctx
def links(c: Context, as_json: bool) -> None:
    """List twinning links as timelines built from the records."""
    from dataclasses import asdict

    from monitor.records.queries import twinning_links

    with c.db() as db:
        found = twinning_links(db)
    if as_json:
        click.echo(json.dumps([{**asdict(lk), "state": lk.state, "start": lk.start, "end": lk.end}
                               for lk in found], ensure_ascii=False, indent=2))
        return
    for lk in found:
        steps = " → ".join(f"{e.state} {e.date or '(undated)'}" for e in lk.events)
        click.echo(f"{lk.municipality} ({lk.country or '?'}) – {lk.partner} "
                   f"({lk.partner_country or '?'}): {lk.state}; {steps}")


@cli.command()
@click.option("--country", "countries", multiple=True, default=(), metavar="CC",
              help="A built-in municipality list (BE); default BE unless --reference is given.")
@click.option("--reference", "files", multiple=True, type=click.Path(exists=True, dir_okay=False,
              path_type=Path), help="A CSV list of municipalities (code,name[,name_xx][,country]).")
@click.option("--problems", is_flag=True, help="Only municipalities without a working source.")
@click.option("--json", "as_json", is_flag=True, help="As JSON.")
@pass_ctx
def coverage(c: Context, countries: tuple[str, ...], files: tuple[Path, ...], problems: bool,
             as_json: bool) -> None:
    """Which municipalities have no source, which have failing or silent sources, and
    when each last produced a relevant change."""
    from monitor.sources.coverage import coverage as compute
    from monitor.sources.coverage import references

    refs = references(countries or (() if files else ("BE",)), files)
    with c.db() as db:
        rows = compute(db, refs)
    if problems:
        rows = [r for r in rows if r.problems]
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=2))
        return
    covered = sum(1 for r in rows if r.sources)
    for r in rows:
        m = r.municipality
        state = ", ".join(r.problems) or "ok"
        click.echo(f"{m.code:<6} {m.label[:40]:<40} {len(r.sources):>2} sources  {state:<16} "
                   f"last relevant: {(r.last_relevant or '—')[:10]}")
    click.echo(f"{covered} of {len(refs)} municipalities have a source", err=True)


# --------------------------------------------------------------------------- export


@cli.command()
@click.option("--format", "fmt", default="csv", show_default=True,
              help="csv, json, jsonl, xlsx, datapackage, quickstatements, or one added by a "
                   "plugin (see 'twinwatch plugins').")
@click.option("--table", type=click.Choice(["records", "links", "changes", "coverage"]),
              help="What to export: registry records (default), twinning links with their "
                   "timelines (default for quickstatements), reviewed changes, or the coverage "
                   "of municipalities (Belgian ones unless --country/--reference say otherwise).")
@click.option("--status", "statuses", type=click.Choice(REVIEWED), multiple=True,
              help="Only changes with this status, or records resting on one (repeatable).")
@click.option("--municipality", help="Only this municipality (records: also as partner).")
@click.option("--from", "date_from", metavar="DATE", help="Only records dated on or after DATE.")
@click.option("--since-last", is_flag=True,
              help="Only what is new or changed since the last export of this format and table.")
@click.option("--qids", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV (name,country,qid) giving Wikidata items for towns that have none.")
@click.option("--country", "countries", multiple=True, metavar="CC",
              help="coverage: a built-in municipality list (BE; repeatable).")
@click.option("--reference", "reference_files", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="coverage: a CSV list of municipalities (code,name[,name_xx][,country]; repeatable).")
@click.option("--batch", "batch_id", type=int,
              help="Write an earlier export batch again, byte for byte.")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Write to this file (a folder for datapackage); default: stdout.")
@click.option("--force", is_flag=True, help="Replace the output if it exists.")
@pass_ctx
def export(c: Context, fmt: str, table: str | None, statuses: tuple[str, ...],
           municipality: str | None, date_from: str | None, since_last: bool, qids: Path | None,
           countries: tuple[str, ...], reference_files: tuple[Path, ...],
           batch_id: int | None, output: Path | None, force: bool) -> None:
    """Export records, twinning links or reviewed changes, and record the batch."""
    from monitor.export.service import ExportRequest, replay
    from monitor.export.service import export as do_export

    with c.db() as db:
        if batch_id is not None:
            result = replay(db, c.pm, batch_id, output, force=force)
        else:
            reference = None
            if countries or reference_files:
                from monitor.sources.coverage import references

                reference = tuple(references(countries, reference_files))
            req = ExportRequest(fmt, table, statuses, municipality, date_from, since_last, qids,
                                reference=reference)
            result = do_export(db, c.pm, req, output, force=force)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"export batch {result.batch_id}: {result.count} {result.table} -> {result.path}",
               err=True)


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
        from monitor.cli.render import changes_text
        from monitor.store.queries import changes as query

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
    from monitor.analyze.learn import load
    from monitor.analyze.service import analyze_text, read_inputs
    from monitor.models import AnalysisContext

    context = AnalysisContext(model=load(c.db_path))
    for item in read_inputs(file, whole=whole):
        result = analyze_text(c.pm, item, context)
        if as_json:
            click.echo(json.dumps(result, ensure_ascii=False))
        else:
            from monitor.cli.render import analysis_line

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
    from monitor.analyze.learn import train

    with c.db() as db:
        report = train(db, c.db_path)
    for line in report.lines():
        click.echo(line)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, type=int, help="Port to listen on.")
@click.option("--no-open", is_flag=True, help="Do not open a browser.")
@pass_ctx
def browse(c: Context, host: str, port: int, no_open: bool) -> None:
    """Browse the database read-only in datasette, with canned queries for the
    registry team (needs the 'browse' extra: pip install 'twinwatch[browse]')."""
    from monitor.export.browse import browse as run_browse

    c.db().close()
    click.echo(f"serving {c.db_path} read-only on http://{host}:{port}/ (Ctrl-C stops)", err=True)
    sys.exit(run_browse(c.db_path, host=host, port=port, open_browser=not no_open))


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
        sys.exit(errors.INTERNAL)
