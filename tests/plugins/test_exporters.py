"""Built-in exporters: CSV that a spreadsheet cannot execute, JSON that round-trips."""

from __future__ import annotations

import csv
import io
import json

import pytest

from monitor.models import ChangeRow, Review
from plugins.exporters import CSV_COLUMNS, CsvExporter, JsonExporter, neutralise


def row(title: str, added: tuple[str, ...] = ("x",)) -> ChangeRow:
    return ChangeRow(
        id=1, source_id=1, url="http://127.0.0.1/a", kind="new-entry", title=title,
        detected_at="2026-11-23T10:00:00.000000Z", added=added, removed=(), ops=(),
        municipality="Elsene", country="BE", lang="nl", source_url="http://127.0.0.1/feed",
        review=Review(1, "relevant", ("twinning", "motion"), "note; with, comma"),
    )


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_starts_are_neutralised(cell):
    """Every cell start a spreadsheet evaluates gets an apostrophe."""
    assert neutralise(cell) == "'" + cell


def test_plain_cells_unchanged():
    """Ordinary text, including inner = signs, is left alone."""
    assert neutralise("Stedenband Elsene–Megiddo = opgeschort") == "Stedenband Elsene–Megiddo = opgeschort"


def test_csv_bom_columns_quoting():
    """UTF-8 BOM, fixed header, RFC 4180 quoting of commas, quotes and newlines."""
    buf = io.BytesIO()
    CsvExporter().write([row('=HYPERLINK("http://evil","x")', ("a, \"b\"", "-2+3"))], buf)
    raw = buf.getvalue()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    cells = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert tuple(cells[0]) == CSV_COLUMNS
    record = dict(zip(CSV_COLUMNS, cells[1], strict=True))
    assert record["title"] == "'=HYPERLINK(\"http://evil\",\"x\")"
    assert record["added"] == 'a, "b"\n-2+3'
    assert record["tags"] == "twinning; motion" and record["note"] == "note; with, comma"
    assert all(not c.startswith(("=", "+", "-", "@")) for c in cells[1])


def test_json_export_is_valid_utf8():
    """JSON keeps non-ASCII text as is and has the change's review."""
    buf = io.BytesIO()
    JsonExporter().write([row("Jumelage Ixelles–Megiddo suspendu")], buf)
    (doc,) = json.loads(buf.getvalue().decode("utf-8"))
    assert doc["title"] == "Jumelage Ixelles–Megiddo suspendu" and doc["tags"] == ["twinning", "motion"]
