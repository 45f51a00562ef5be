"""The export service: choose what to export, hand it to an exporter plugin, record
the batch so that "new since the last export" is exact and a batch can be replayed.

Exporters are plugins (hook ``register_exporters``; built-ins in ``plugins/``). An
exporter has ``name``, ``extension``, ``directory`` (writes a folder, not a file),
``tables`` (the table names it can write, or ``None`` for all), ``default_table``,
and ``write(table, target)`` where ``target`` is a binary file, or a folder path
when ``directory`` is true; it may return a list of warnings (for example records
it had to skip). This module is the only writer of ``export_batches``,
``export_items`` and ``export_rows``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sys
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from sqlite_utils import Database

from monitor import clock
from monitor.errors import ConfigError, ExportError, PluginError
from monitor.export.paths import check_tree
from monitor.export.tables import (
    TABLES,
    Item,
    Table,
    change_items,
    coverage_items,
    link_items,
    record_items,
)
from monitor.models import REVIEWED
from monitor.plugin_manager import PluginManager, exporters
from monitor.private_files import make_tree_private
from monitor.records.queries import RecordFilter, TwinningLink, records, twinning_links
from monitor.review.cases import case_sources
from monitor.store.db import write_tx
from monitor.store.queries import ChangeFilter, changes


class Exporter(Protocol):
    """What ``register_exporters`` returns a list of."""

    name: str
    extension: str
    directory: bool
    tables: tuple[str, ...] | None
    default_table: str

    def write(self, table: Table, target: Any) -> list[str] | None: ...


@dataclass(frozen=True)
class ExportRequest:
    """What to export; every filter optional."""

    fmt: str
    table: str | None = None
    """records, links or changes; the exporter's default when None."""
    statuses: tuple[str, ...] = ()
    """Changes with these review statuses (records: supported by such a change)."""
    municipality: str | None = None
    date_from: str | None = None
    since_last: bool = False
    """Only items that are new or changed since the last batch of this format and table."""
    qids: Path | None = None
    """A CSV (name, country, qid) giving Wikidata items for towns without one."""
    where: ChangeFilter | None = None
    reference: tuple[Any, ...] | None = None
    """coverage: the municipalities (``monitor.sources.coverage.Municipality``) to cover; all
    565 Belgian ones when None."""
    """The changes table only: a filter (the dashboard's query line) narrowing it further;
    statuses it names replace ``statuses``."""
    query: str | None = None
    """The query line ``where`` came from, recorded with the batch."""


@dataclass(frozen=True)
class ExportResult:
    batch_id: int
    count: int
    path: str
    table: str
    warnings: tuple[str, ...] = ()


def _exporter(pm: PluginManager, fmt: str) -> Any:
    available = exporters(pm)
    exporter = available.get(fmt)
    if exporter is None:
        raise PluginError(f"no exporter for format {fmt!r}; available: {', '.join(sorted(available))}")
    return exporter


def read_qids(path: Path) -> dict[tuple[str, str], str]:
    """A mapping file: CSV with a header ``name,country,qid`` (country may be empty)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
    out: dict[tuple[str, str], str] = {}
    for row in csv.DictReader(io.StringIO(text)):
        name, qid = (row.get("name") or "").strip(), (row.get("qid") or "").strip().upper()
        if name and qid.startswith("Q") and qid[1:].isdigit():
            out[(name.casefold(), (row.get("country") or "").strip().upper())] = qid
    return out


def _with_qids(links: list[TwinningLink], qids: dict[tuple[str, str], str]) -> list[TwinningLink]:
    def look(name: str, country: str | None) -> str | None:
        return qids.get((name.casefold(), (country or "").upper())) or qids.get((name.casefold(), ""))

    return [replace(lk, municipality_qid=lk.municipality_qid or look(lk.municipality, lk.country),
                    partner_qid=lk.partner_qid or look(lk.partner, lk.partner_country))
            for lk in links]


def _exporter_and_table(pm: PluginManager, req: ExportRequest) -> tuple[Exporter, str]:
    """The exporter of ``req.fmt`` and the table it writes (its default when not given).

    Raises:
        PluginError: no exporter for the format.
        ConfigError: an unknown table, or one the exporter cannot write.
    """
    exporter = _exporter(pm, req.fmt)
    table_name = req.table or exporter.default_table
    if table_name not in TABLES:
        raise ConfigError(f"unknown table {table_name!r}; use one of {', '.join(TABLES)}")
    if exporter.tables is not None and table_name not in exporter.tables:
        raise ConfigError(f"format {req.fmt} can only export {', '.join(exporter.tables)}")
    return exporter, table_name


def _items(db: Database, table: str, req: ExportRequest) -> list[Item]:
    if table == "changes":
        chosen = req.where or ChangeFilter()
        if not (chosen.statuses or chosen.status):
            chosen = replace(chosen, statuses=tuple(req.statuses or REVIEWED))
        rows = changes(db, replace(chosen, newest_first=False))
        if req.municipality:
            rows = [c for c in rows if (c.municipality or "").casefold() == req.municipality.casefold()]
        if req.date_from:
            rows = [c for c in rows if c.detected_at[:10] >= req.date_from]
        return change_items(rows, case_sources(db, [c.id for c in rows]))
    if table == "coverage":
        from monitor.sources.coverage import belgium, coverage

        return coverage_items(coverage(db, belgium() if req.reference is None else list(req.reference)))
    f = RecordFilter(municipality=req.municipality, date_from=req.date_from, statuses=req.statuses)
    if table == "records":
        found = records(db, f)
        evidence = sorted({e.change_id for r in found for e in r.evidence})
        return record_items(found, case_sources(db, evidence))
    links = twinning_links(db, f)
    if req.qids:
        links = _with_qids(links, read_qids(req.qids))
    return link_items(links)


def _already_exported(db: Database, fmt: str, table: str) -> set[tuple[int, str]]:
    return {(r[0], r[1]) for r in db.execute(
        "SELECT x.item_id, x.version FROM export_rows x JOIN export_batches b ON b.id = x.batch_id "
        "WHERE b.format = ? AND b.table_name = ?", [fmt, table])}


def pending(db: Database, pm: PluginManager, req: ExportRequest) -> tuple[int, int]:
    """How many items ``req`` holds, and how many of them a ``since_last`` export would
    write (new or changed since the last batch of this format and table): what the
    dashboard shows before the curator writes the file.

    Raises:
        PluginError: no exporter for the format.
        ConfigError: the exporter cannot write that table.
    """
    exporter, table_name = _exporter_and_table(pm, req)
    items = _items(db, table_name, req)
    done = _already_exported(db, req.fmt, table_name)
    return len(items), sum(1 for i in items if (i.id, i.version) not in done)


def export(db: Database, pm: PluginManager, req: ExportRequest, output: Path | None, *,
           force: bool = False) -> ExportResult:
    """Write the chosen items in ``req.fmt`` to ``output`` (stdout when ``None``) and
    record the batch.

    Raises:
        PluginError: no exporter for the format.
        ConfigError: the exporter cannot write that table, or a bad filter.
        ExportError: the output cannot be written (nothing partial is left behind).
    """
    exporter, table_name = _exporter_and_table(pm, req)
    _check_target(exporter, output, force)
    items = _items(db, table_name, req)
    if req.since_last:
        done = _already_exported(db, req.fmt, table_name)
        items = [i for i in items if (i.id, i.version) not in done]
    title, columns = TABLES[table_name]
    now = clock.utcnow()
    filters = {k: v for k, v in {
        "statuses": list(req.statuses), "municipality": req.municipality,
        "from": req.date_from, "since_last": req.since_last, "query": req.query,
    }.items() if v}
    # The batch row is made first (the output may carry its id), the file is written
    # outside any transaction (a crawl must not wait for it), then the contents are
    # recorded; a failed write removes the batch again.
    with write_tx(db):
        batch = db.execute(
            "INSERT INTO export_batches (created_at, format, filters, path, count, table_name) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [now, req.fmt, json.dumps(filters), str(output) if output else "-", len(items), table_name],
        ).lastrowid
    assert batch is not None
    table = Table(table_name, title, columns, tuple(i.row for i in items), now, batch)
    try:
        warnings = _write(exporter, table, output)
    except BaseException:
        with write_tx(db):
            db.execute("DELETE FROM export_batches WHERE id = ?", [batch])
        raise
    with write_tx(db):
        db.execute("UPDATE export_batches SET payload = ? WHERE id = ?",
                   [zlib.compress(json.dumps(table.to_json(), ensure_ascii=False).encode()), batch])
        for i in items:
            db.execute("INSERT INTO export_rows (batch_id, item_id, version) VALUES (?, ?, ?)",
                       [batch, i.id, i.version])
            if table_name == "changes":
                db.execute("INSERT INTO export_items (batch_id, change_id) VALUES (?, ?)", [batch, i.id])
    return ExportResult(batch, len(items), str(output) if output else "-", table_name,
                        tuple(warnings or ()))


def replay(db: Database, pm: PluginManager, batch_id: int, output: Path | None, *,
           force: bool = False) -> ExportResult:
    """Write an earlier batch again, byte for byte as it was first written."""
    row = db.execute("SELECT format, payload, table_name FROM export_batches WHERE id = ?",
                     [batch_id]).fetchone()
    if row is None:
        raise ConfigError(f"no export batch with id {batch_id}")
    if row[1] is None:
        raise ExportError(f"batch {batch_id} was made by an older twinwatch and cannot be replayed")
    exporter = _exporter(pm, row[0])
    _check_target(exporter, output, force)
    table = Table.from_json(json.loads(zlib.decompress(row[1])))
    warnings = _write(exporter, table, output)
    return ExportResult(batch_id, len(table.rows), str(output) if output else "-", row[2],
                        tuple(warnings or ()))


def _check_target(exporter: Any, output: Path | None, force: bool) -> None:
    if output is None:
        if exporter.directory:
            raise ConfigError(f"format {exporter.name} writes a folder: give one with -o")
        return
    parent = output.expanduser().resolve().parent
    if not parent.is_dir():
        raise ExportError(f"cannot write {output}: folder {parent} does not exist")
    if output.exists() and not force:
        raise ExportError(f"{output} exists; use --force to replace it")
    if output.exists() and exporter.directory != output.is_dir():
        raise ExportError(f"{output} exists and is not a {'folder' if exporter.directory else 'file'}")


def _write(exporter: Any, table: Table, output: Path | None) -> list[str] | None:
    if output is None:
        result = exporter.write(table, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return list(result or [])
    return _atomically(output.expanduser(), exporter.directory,
                       lambda target: exporter.write(table, target))


def _atomically(path: Path, directory: bool, write: Callable[[Any], Any]) -> list[str]:
    """Write beside ``path`` under a temporary name, then rename into place: a failed
    export never leaves half a file (or folder) where a complete one was."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent)) if directory else None
    try:
        if directory:
            assert tmp is not None
            result = write(tmp)
            check_tree(tmp)
            make_tree_private(tmp)  # exporters write with the umask's modes
            if path.exists():
                shutil.rmtree(path)
            os.replace(tmp, path)
        else:
            fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
            tmp = Path(name)
            with os.fdopen(fd, "wb") as fp:
                result = write(fp)
            os.replace(tmp, path)
        return list(result or [])
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        if tmp is not None and tmp.exists():
            shutil.rmtree(tmp) if tmp.is_dir() else tmp.unlink()
