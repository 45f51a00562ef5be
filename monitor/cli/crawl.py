"""``twinwatch crawl`` (fetch the due sources) and ``twinwatch ingest`` (load fetch results
written as JSON Lines elsewhere): the two ways crawl data comes in.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from monitor.cli.context import Context, pass_ctx


@click.command()
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


@click.command("ingest")
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
