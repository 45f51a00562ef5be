"""The ``twinwatch`` group: its global options, its commands (one module per command
group in this package), and the console-script entry point.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from monitor import __version__, errors
from monitor.cli import analyze, app, crawl, export, records, review, sources
from monitor.cli.context import Context, TwinwatchGroup
from monitor.collector import before_exit
from monitor.config import default_db_path


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


for command in (
    app.init, app.backup, app.tui, app.demo, app.plugins,
    sources.sources, sources.coverage,
    crawl.crawl, crawl.ingest_cmd,
    review.changes, review.review, review.cases_group,
    records.record, records.records_cmd, records.links,
    export.export, export.browse,
    analyze.analyze, analyze.model,
):
    cli.add_command(command)


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
    finally:  # the command is done: what follows is the interpreter's exit
        before_exit()
