"""Built-in text exporters: CSV (safe to open in a spreadsheet), JSON and JSON Lines.

CSV is UTF-8 with a byte-order mark (so spreadsheet programs detect the encoding),
RFC 4180 quoting, CRLF line ends, the table's fixed column order, and array cells
joined by their column's separator. A text cell that a spreadsheet would run as a
formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) is
prefixed with an apostrophe, after OWASP's advice on CSV injection; number and date
cells are written as they are.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, BinaryIO

from monitor.export.tables import Column, Table
from monitor.hookspecs import hookimpl

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """A cell a spreadsheet will show as text, never evaluate."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def cell_text(column: Column, value: Any) -> str:
    """One value as tabular text: arrays joined, integral numbers without '.0', text neutralised."""
    if value is None:
        return ""
    if column.type == "array":
        return neutralise(column.sep.join(str(v) for v in value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if column.type in ("string",):
        return neutralise(str(value))
    return str(value)


def csv_bytes(table: Table, *, bom: bool = True) -> bytes:
    """The table as RFC 4180 CSV bytes (see the module docstring)."""
    text = io.StringIO(newline="")
    writer = csv.writer(text, dialect="excel", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([c.name for c in table.columns])
    for row in table.rows:
        writer.writerow([cell_text(c, row.get(c.name)) for c in table.columns])
    return text.getvalue().encode("utf-8-sig" if bom else "utf-8")


class CsvExporter:
    name = "csv"
    extension = ".csv"
    directory = False
    tables = None
    default_table = "records"

    def write(self, table: Table, fp: BinaryIO) -> None:
        fp.write(csv_bytes(table))


class JsonExporter:
    name = "json"
    extension = ".json"
    directory = False
    tables = None
    default_table = "records"

    def write(self, table: Table, fp: BinaryIO) -> None:
        rows = [{c.name: row.get(c.name) for c in table.columns} for row in table.rows]
        fp.write(json.dumps(rows, ensure_ascii=False, indent=2).encode("utf-8") + b"\n")


class JsonLinesExporter:
    name = "jsonl"
    extension = ".jsonl"
    directory = False
    tables = None
    default_table = "records"

    def write(self, table: Table, fp: BinaryIO) -> None:
        for row in table.rows:
            line = json.dumps({c.name: row.get(c.name) for c in table.columns}, ensure_ascii=False)
            fp.write(line.encode("utf-8") + b"\n")


@hookimpl
def register_exporters() -> list[Any]:
    return [CsvExporter(), JsonExporter(), JsonLinesExporter()]
