"""``twinwatch sources …`` (add, set, import, list, export-scrapyd, health, test, enable,
disable) and ``twinwatch coverage``: the sources watched and how well they cover the
municipalities.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from monitor.cli.context import Context, pass_ctx
from monitor.errors import TwinwatchError
from monitor.sources.health import SILENT_FETCHES


@click.group()
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
                     help="listing: regular expression an article link must match; moderngov: "
                          "the committees to watch, matched against their titles."),
        click.option("--max-items", type=click.IntRange(0, 1000),
                     help="feed/listing: new articles fetched per run at most (default 10)."),
        click.option("--query",
                     help="A portal with full-text search (--kind ori or lblod): ask it only for items "
                          "matching this query (Elasticsearch simple_query_string: a | b, \"a phrase\", "
                          "word*); 'auto' builds it from the relevance vocabulary of the source's "
                          "--lang; \"\" removes it."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _rules(every: int | None, region: str | None, ignore: tuple[str, ...], added_only: bool | None,
           min_change: int | None, link_pattern: str | None, max_items: int | None,
           query: str | None = None, *, c: Context | None = None, lang: str | None = None) -> Any:
    from monitor.sources.manage import Rules
    from monitor.sources.search import AUTO, auto_query

    cleared = ignore == ("",)  # --ignore "" clears the list
    if query is not None and query.strip() == AUTO and c is not None:
        query = auto_query(c.pm, lang)  # written into the source: the query a crawl sends is visible
    return Rules(every_s=every, region=region, ignore=() if cleared else (tuple(ignore) or None),
                 added_only=added_only,
                 min_change=min_change, link_pattern=link_pattern, max_items=max_items, query=query)


@sources.command("add")
@click.argument("url")
@click.option("--kind", default="page", show_default=True,
              help="page: a web page; feed: RSS/Atom/JSON Feed; listing: a news index or "
                   "sitemap.xml; document: a PDF; or a kind added by a plugin.")
@click.option("--municipality", "municipalities", multiple=True,
              help="The municipality this source speaks for. For a council portal (e.g. --kind "
                   "oparl): watch only this body or municipality (repeatable; default all).")
@click.option("--country", help="Two-letter country code, e.g. BE.")
@click.option("--lang", help="Language code of the source, e.g. nl.")
@click.option("--tag", "tags", multiple=True, help="A tag for the source (repeatable).")
@rule_options
@pass_ctx
def sources_add(c: Context, url: str, kind: str, municipalities: tuple[str, ...], country: str | None,
                lang: str | None, tags: tuple[str, ...], every: int | None, region: str | None,
                ignore: tuple[str, ...], added_only: bool | None, min_change: int | None,
                link_pattern: str | None, max_items: int | None, query: str | None) -> None:
    """Watch URL. Prints the new source's id."""
    from monitor.sources.manage import NewSource, add_sources

    rules = _rules(every, region, ignore, added_only, min_change, link_pattern, max_items, query,
                   c=c, lang=lang)
    with c.db() as db:
        added, skipped = add_sources(
            db, [NewSource(url, kind, None, country, lang, tags, rules, municipalities)], c.kinds())
    if skipped:
        click.echo(f"already watched: {url}", err=True)
    for sid in added:
        click.echo(sid)


@sources.command("set")
@click.argument("source_id", type=int)
@click.option("--url", "new_url", help="Watch this URL from now on (a moved page's new address); "
                                       "the next change is diffed against the last text stored.")
@rule_options
@pass_ctx
def sources_set(c: Context, source_id: int, new_url: str | None, every: int | None, region: str | None,
                ignore: tuple[str, ...], added_only: bool | None, min_change: int | None,
                link_pattern: str | None, max_items: int | None, query: str | None) -> None:
    """Change the URL, schedule and rules of SOURCE_ID; options not given stay as they
    are (--ignore replaces the list; --ignore "" clears it)."""
    from monitor.sources.manage import set_rules, set_url
    from monitor.store.queries import get_source

    with c.db() as db:
        lang = get_source(db, source_id).lang if query is not None else None
        rules = _rules(every, region, ignore, added_only, min_change, link_pattern, max_items, query,
                       c=c, lang=lang)
        if new_url is not None:
            set_url(db, source_id, new_url)
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
    """Source health, problems first: blocked (a bot wall), moved (a permanent or
    home-page redirect, with the command that follows it), gone (410, a not-found or
    maintenance page), failing (consecutive failures), silent (region
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
                 link_pattern: str | None, max_items: int | None, query: str | None, timeout: float,
                 history_n: int) -> None:
    """Fetch TARGET (a URL, or the id of a watched source) once and print the text
    twinwatch would watch, storing nothing. For a source id, options override its
    rules, and its stored history is replayed to show what these rules would have
    reported."""
    from monitor.crawl.tryout import try_source
    from monitor.store.queries import get_source

    with c.db() as db:
        lang = get_source(db, int(target)).lang if query is not None and target.isdigit() else None
        rules = _rules(every, region, ignore, added_only, min_change, link_pattern, max_items, query,
                       c=c, lang=lang)
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


@click.command()
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
        portals = f"  portal {', '.join(f'#{p}' for p in r.portals)}" if r.portals else ""
        click.echo(f"{m.code:<6} {m.label[:40]:<40} {len(r.sources):>2} sources  {state:<16} "
                   f"last relevant: {(r.last_relevant or '—')[:10]}{portals}")
    click.echo(f"{covered} of {len(refs)} municipalities have a source", err=True)


# --------------------------------------------------------------------------- export
