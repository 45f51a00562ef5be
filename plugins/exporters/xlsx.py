"""XLSX export with openpyxl: typed cells, never a formula, nothing dropped silently.

Text cells are stored as strings even when they start with ``=`` (openpyxl would
otherwise write a formula); characters XML cannot hold (most C0 controls) are
removed; a cell longer than Excel's 32,767 characters is cut and the cut is marked
in the cell. The file's dates and zip entry times come from the batch, not the
clock, so replaying a batch gives the same bytes.

openpyxl (and numpy, which it imports when installed) is imported when a file is
written: every command loads the exporters' plugins, and the import cost a crawl
0.13 s of start-up before its first request.
"""

from __future__ import annotations

import zipfile
from datetime import datetime
from typing import Any, BinaryIO

from monitor import clock
from monitor.export.tables import Table
from monitor.hookspecs import hookimpl

MAX_CELL = 32_767
"""Excel's limit on the characters in one cell."""


def _fit(text: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if len(text) <= MAX_CELL:
        return text
    marker = " [… truncated: {} more characters; the JSON export has the full text]"
    keep = MAX_CELL - len(marker.format(len(text)))
    return text[:keep] + marker.format(len(text) - keep)


def _stamp(created_at: str) -> datetime:
    when = clock.parse(created_at[:19])
    return when.replace(tzinfo=None) if when else datetime(2000, 1, 1)


class _FixedTimeZip(zipfile.ZipFile):
    """A zip whose entries all carry one timestamp, for byte-identical replays."""

    def __init__(self, fp: BinaryIO, when: datetime) -> None:
        super().__init__(fp, "w", zipfile.ZIP_DEFLATED)
        self._when = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)

    def writestr(self, zinfo_or_arcname: Any, data: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(zinfo_or_arcname, str):
            zinfo_or_arcname = zipfile.ZipInfo(zinfo_or_arcname, date_time=self._when)
            zinfo_or_arcname.compress_type = zipfile.ZIP_DEFLATED
        super().writestr(zinfo_or_arcname, data, *args, **kwargs)

    def write(self, filename: Any, arcname: Any = None, *args: Any, **kwargs: Any) -> None:
        # openpyxl writes each worksheet from a temporary file; stamp it like the rest.
        with open(filename, "rb") as f:
            self.writestr(str(arcname or filename), f.read())


class XlsxExporter:
    name = "xlsx"
    extension = ".xlsx"
    directory = False
    tables = None
    default_table = "records"

    def write(self, table: Table, fp: BinaryIO) -> list[str]:
        from openpyxl import Workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter
        from openpyxl.writer.excel import ExcelWriter

        wb = Workbook()
        ws = wb.active
        ws.title = table.name
        when = _stamp(table.created_at)
        wb.properties.creator = "twinwatch"
        wb.properties.created = when
        wb.properties.modified = when
        warnings: list[str] = []
        ws.append([c.name for c in table.columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for r, row in enumerate(table.rows, start=2):
            for col_idx, column in enumerate(table.columns, start=1):
                value = row.get(column.name)
                cell = ws.cell(row=r, column=col_idx)
                if value is None:
                    continue
                if column.type in ("integer", "number") and isinstance(value, int | float):
                    cell.value = value
                    continue
                text = column.sep.join(map(str, value)) if column.type == "array" else str(value)
                fitted = _fit(text)
                if len(fitted) < len(ILLEGAL_CHARACTERS_RE.sub("", text)):
                    warnings.append(f"row {r - 1}, {column.name}: cut to {MAX_CELL} characters (marked)")
                cell.value = fitted
                cell.data_type = "s"  # a string, even when it starts with "="
        ws.freeze_panes = "A2"
        for idx, column in enumerate(table.columns, start=1):
            ws.column_dimensions[get_column_letter(idx)].width = 12 if column.type != "string" else 30
        archive = _FixedTimeZip(fp, when)
        ExcelWriter(wb, archive).save()
        return warnings


@hookimpl
def register_exporters() -> list[Any]:
    return [XlsxExporter()]
