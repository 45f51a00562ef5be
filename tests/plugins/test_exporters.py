"""Built-in exporters on a hand-made table: every format valid, nothing executable, nothing lost."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import openpyxl
import pytest

from monitor.export.tables import LINK_COLUMNS, RECORD_COLUMNS, Table
from plugins.exporters.datapackage import DataPackageExporter
from plugins.exporters.quickstatements import QuickStatementsExporter, quoted_url, wikidata_time
from plugins.exporters.text import CsvExporter, JsonExporter, JsonLinesExporter, neutralise
from plugins.exporters.xlsx import MAX_CELL, XlsxExporter

HOSTILE = {
    "record_id": 7, "municipality": "=HYPERLINK(\"http://evil\",\"x\")", "country": "BE",
    "partner": "אום אל-פחם", "partner_country": "IL", "action": "twinning_suspended",
    "date": "2024-06-12", "amount_eur": 2500.0, "summary": "+cmd|' /C calc'!A0",
    "evidence_quote": "Le conseil a \"suspendu\"\tle jumelage,\nvoir\x01 @SUM(A1) " + "x" * 100_000,
    "evidence_url": "https://www.ixelles.be/a?b=1", "snapshot_fingerprint": "ab" * 32,
    "fetched_at": "2026-11-23T08:00:00.000000Z", "other_evidence_urls": ["-1", "https://x"],
    "municipality_qid": None, "partner_qid": None, "updated_at": "2026-11-23T09:00:00.000000Z",
}


def table(rows=(HOSTILE,), columns=RECORD_COLUMNS, name="records") -> Table:
    return Table(name, "Registry records", columns, tuple(rows), "2026-11-23T10:00:00.000000Z", 3)


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_starts_are_neutralised(cell):
    """Every cell start a spreadsheet evaluates gets an apostrophe."""
    assert neutralise(cell) == "'" + cell


def test_csv_is_valid_and_safe():
    """CSV: BOM, header in the documented order, quoting round-trips, no formula start."""
    buf = io.BytesIO()
    CsvExporter().write(table(), buf)
    raw = buf.getvalue()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == [c.name for c in RECORD_COLUMNS]
    rec = dict(zip(rows[0], rows[1], strict=True))
    assert rec["municipality"] == "'=HYPERLINK(\"http://evil\",\"x\")"
    assert rec["summary"].startswith("'+cmd") and rec["amount_eur"] == "2500"
    assert rec["evidence_quote"].endswith("x" * 100_000) and "\t" in rec["evidence_quote"]
    assert rec["partner"] == "אום אל-פחם" and rec["other_evidence_urls"] == "'-1\nhttps://x"
    assert all(not v.startswith(("=", "+", "-", "@")) for v in rows[1])


def test_json_and_jsonl_keep_text_exact():
    """JSON and JSON Lines parse back to the very same values."""
    for exporter in (JsonExporter(), JsonLinesExporter()):
        buf = io.BytesIO()
        exporter.write(table([HOSTILE, {**HOSTILE, "record_id": 8}]), buf)
        text = buf.getvalue().decode("utf-8")
        docs = json.loads(text) if exporter.name == "json" else [json.loads(ln) for ln in text.splitlines()]
        assert [d["record_id"] for d in docs] == [7, 8]
        assert docs[0]["evidence_quote"] == HOSTILE["evidence_quote"]
        assert list(docs[0]) == [c.name for c in RECORD_COLUMNS]


def test_xlsx_typed_no_formula_marked_truncation():
    """XLSX: strings stay strings, numbers numbers, control chars gone, long cells cut with a mark."""
    buf = io.BytesIO()
    warnings = XlsxExporter().write(table(), buf)
    ws = openpyxl.load_workbook(io.BytesIO(buf.getvalue())).active
    header = [c.value for c in ws[1]]
    rec = dict(zip(header, [c for c in ws[2]], strict=True))
    assert rec["municipality"].value == "=HYPERLINK(\"http://evil\",\"x\")"
    assert rec["municipality"].data_type == "s"
    assert rec["amount_eur"].value == 2500 and rec["amount_eur"].data_type == "n"
    quote = rec["evidence_quote"].value
    assert len(quote) <= MAX_CELL and "truncated" in quote and "\x01" not in quote
    assert warnings and "evidence_quote" in warnings[0]
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        assert not any(n.startswith("xl/calcChain") for n in z.namelist())
        sheet = z.read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet


def test_xlsx_bytes_depend_on_the_batch_not_the_clock():
    """The same table written twice gives identical bytes."""
    a, b = io.BytesIO(), io.BytesIO()
    XlsxExporter().write(table(), a)
    XlsxExporter().write(table(), b)
    assert a.getvalue() == b.getvalue()


def test_datapackage_is_valid_frictionless(tmp_path):
    """The data package validates under frictionless and its CSV reads back."""
    from frictionless import Package, validate

    DataPackageExporter().write(table([HOSTILE, {**HOSTILE, "record_id": 8, "amount_eur": None}]), tmp_path)
    report = validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows = Package(str(tmp_path / "datapackage.json")).get_resource("records").read_rows()
    assert [r["record_id"] for r in rows] == [7, 8] and rows[0]["amount_eur"] == 2500


LINK = {"municipality": "Ixelles", "country": "BE", "partner": "Megiddo", "partner_country": "IL",
        "state": "suspended", "start": "2012", "end": None,
        "timeline": ["2012 established", "2024-06-12 suspended"],
        "source_urls": ["", 'https://news.example/a b"c\tQ1|P31\nQ2'], "record_ids": ["1", "2"],
        "retrieved_at": "2026-11-23T08:00:00.000000Z",
        "municipality_qid": "Q1000001", "partner_qid": "Q1000002"}


def test_quickstatements_lines_parse_into_statements():
    """Each link gives two P190 lines with qualifiers and a reference; hostile URLs stay inside quotes."""
    buf = io.BytesIO()
    skipped = QuickStatementsExporter().write(
        table([LINK, {**LINK, "partner": "Nowhere", "partner_qid": None}], LINK_COLUMNS, "links"), buf)
    lines = buf.getvalue().decode("utf-8").splitlines()
    assert len(lines) == 2 and skipped == ["skipped Ixelles – Nowhere: no Wikidata item for Nowhere"]
    fields = [ln.split("\t") for ln in lines]
    assert [f[:3] for f in fields] == [["Q1000001", "P190", "Q1000002"], ["Q1000002", "P190", "Q1000001"]]
    f = fields[0]
    assert f[3:5] == ["P580", "+2012-00-00T00:00:00Z/9"]
    assert f[5] == "S854" and f[6].startswith('"') and f[6].endswith('"') and f[6].count('"') == 2
    assert "|" not in f[6] and " " not in f[6] and f[7:] == ["S813", "+2026-11-23T00:00:00Z/11"]
    assert len(f) == 9


def test_wikidata_time_and_url_quoting():
    """Dates keep their precision; quotes, tabs, pipes and newlines are percent-encoded."""
    assert wikidata_time("2024-06-12") == "+2024-06-12T00:00:00Z/11"
    assert wikidata_time("2024-06") == "+2024-06-00T00:00:00Z/10"
    assert wikidata_time("n/a") is None
    assert quoted_url('http://a/"x"\t|\n y') == '"http://a/%22x%22%09%7C%0A%20y"'
