"""The export service: choose reviewed changes, hand them to an exporter plugin,
record the batch.

Exporters are plugins (hook ``register_exporters``); the built-in CSV and JSON
ones live in ``plugins/exporters.py``. An exporter has ``name``, ``extension`` and
``write(rows, fp)``. This module is the only writer of ``export_batches``.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from sqlite_utils import Database

from monitor.db import write_tx
from monitor.errors import ExportError, PluginError
from monitor.ingest import utcnow
from monitor.models import REVIEW_STATUSES, ChangeRow
from monitor.plugin_manager import PluginManager, exporters
from monitor.queries import ChangeFilter, changes

REVIEWED = tuple(s for s in REVIEW_STATUSES if s != "new")


class Exporter(Protocol):
    """What ``register_exporters`` returns a list of."""

    name: str
    extension: str

    def write(self, rows: Sequence[ChangeRow], fp: BinaryIO) -> None: ...


@dataclass(frozen=True)
class ExportResult:
    batch_id: int
    count: int
    path: str


def export(
    db: Database,
    pm: PluginManager,
    fmt: str,
    output: Path | None,
    *,
    statuses: Sequence[str] = REVIEWED,
    where: ChangeFilter | None = None,
    query: str | None = None,
) -> ExportResult:
    """Write the changes with one of ``statuses`` (oldest first) as ``fmt`` to
    ``output`` (stdout when ``None``) and record the batch.

    ``where`` narrows the export further (the dashboard passes the filter of its
    query line, and the line itself as ``query`` so the batch says what it held);
    when it names statuses itself, those replace ``statuses``.

    Raises:
        PluginError: no exporter for ``fmt``.
        ExportError: the output cannot be written.
    """
    available = exporters(pm)
    exporter: Any = available.get(fmt)
    if exporter is None:
        raise PluginError(f"no exporter for format {fmt!r}; available: {', '.join(sorted(available))}")
    chosen = where or ChangeFilter()
    if not (chosen.statuses or chosen.status):
        chosen = replace(chosen, statuses=tuple(statuses))
    chosen = replace(chosen, newest_first=False)
    rows = changes(db, chosen)
    recorded: dict[str, Any] = {
        "statuses": list(chosen.statuses) + ([chosen.status] if chosen.status else [])}
    if query:
        recorded["query"] = query
    if output is None:
        exporter.write(rows, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        target = "-"
    else:
        _write_atomically(output, lambda fp: exporter.write(rows, fp))
        target = str(output)
    with write_tx(db):
        batch = db.execute(
            "INSERT INTO export_batches (created_at, format, filters, path, count) VALUES (?, ?, ?, ?, ?)",
            [utcnow(), fmt, json.dumps(recorded, ensure_ascii=False), target, len(rows)],
        ).lastrowid
        for r in rows:
            db.execute("INSERT INTO export_items (batch_id, change_id) VALUES (?, ?)", [batch, r.id])
    return ExportResult(int(batch or 0), len(rows), target)


def _write_atomically(path: Path, write: Any) -> None:
    """Write to a temporary file beside ``path`` and rename it into place, so a
    failed export never leaves half a file where a complete one was."""
    path = path.expanduser()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "wb") as fp:
            write(fp)
        os.replace(tmp, path)
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
