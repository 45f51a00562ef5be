"""Built-in exporters: CSV (safe to open in a spreadsheet) and JSON.

CSV is UTF-8 with a byte-order mark (so spreadsheet programs detect the encoding),
RFC 4180 quoting, CRLF line ends, and a fixed column order (``CSV_COLUMNS``). A cell
that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``,
tab or carriage return) is prefixed with an apostrophe, after OWASP's advice on
CSV injection.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any, BinaryIO

from monitor.hookspecs import hookimpl
from monitor.models import ChangeRow

CSV_COLUMNS = (
    "change_id", "detected_at", "status", "tags", "note", "reviewed_at", "municipality",
    "country", "lang", "kind", "title", "url", "source_url", "added", "removed",
)
"""The documented column order; new columns are only ever appended."""

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """A cell a spreadsheet will show as text, never evaluate."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def _csv_row(c: ChangeRow) -> list[str]:
    values: dict[str, Any] = {
        "change_id": c.id, "detected_at": c.detected_at, "status": c.review.status,
        "tags": "; ".join(c.review.tags), "note": c.review.note or "",
        "reviewed_at": c.review.reviewed_at or "", "municipality": c.municipality or "",
        "country": c.country or "", "lang": c.lang or "", "kind": c.kind, "title": c.title,
        "url": c.url, "source_url": c.source_url, "added": "\n".join(c.added),
        "removed": "\n".join(c.removed),
    }
    return [neutralise(str(values[col])) for col in CSV_COLUMNS]


class CsvExporter:
    name = "csv"
    extension = ".csv"

    def write(self, rows: Sequence[ChangeRow], fp: BinaryIO) -> None:
        text = io.StringIO(newline="")
        writer = csv.writer(text, dialect="excel", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for c in rows:
            writer.writerow(_csv_row(c))
        fp.write(text.getvalue().encode("utf-8-sig"))


class JsonExporter:
    name = "json"
    extension = ".json"

    def write(self, rows: Sequence[ChangeRow], fp: BinaryIO) -> None:
        doc = [c.as_dict() for c in rows]
        fp.write(json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8") + b"\n")


@hookimpl
def register_exporters() -> list[Any]:
    return [CsvExporter(), JsonExporter()]
