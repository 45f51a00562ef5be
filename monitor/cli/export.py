"""``twinwatch export`` (files for registry maintainers, batches, replay) and ``twinwatch
browse`` (a read-only datasette view).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from monitor.cli.context import Context, pass_ctx
from monitor.models import REVIEWED  # not from monitor.export: SciPy at start-up


@click.command()
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


@click.command()
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
