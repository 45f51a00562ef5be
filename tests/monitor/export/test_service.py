"""Exports of the demo's reviewed records in every format, read back by their consumers."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import openpyxl
import pytest

from monitor.errors import ConfigError, ExportError
from monitor.export.service import ExportRequest, export, replay
from monitor.hookspecs import hookimpl
from monitor.plugin_manager import make_plugin_manager
from monitor.records import registry as records
from monitor.review.decisions import review
from tests.demo_data import build, fixed_clock

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "docs" / "examples"
QIDS = ROOT / "docs" / "examples" / "qids.csv"


@pytest.fixture
def demo(db_path, pm, monkeypatch):
    fixed_clock(monkeypatch)
    return build(db_path, pm)


def read_back(fmt: str, path: Path) -> list[dict]:
    """Load an export with the consumer a registry maintainer would use."""
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
    if fmt == "json":
        return json.loads(path.read_text(encoding="utf-8"))
    if fmt == "jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    if fmt == "xlsx":
        ws = openpyxl.load_workbook(path).active
        rows = list(ws.iter_rows(values_only=True))
        return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    if fmt == "datapackage":
        from frictionless import Package, validate

        report = validate(str(path / "datapackage.json"))
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
        return [dict(r) for r in Package(str(path / "datapackage.json")).resources[0].read_rows()]
    raise AssertionError(fmt)


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl", "xlsx", "datapackage"])
def test_records_in_every_format(demo, db, pm, tmp_path, fmt):
    """Each format holds the three records, in order, readable by its consumer; replay is byte-identical."""
    out = tmp_path / f"records.{fmt}"
    result = export(db, pm, ExportRequest(fmt), out)
    rows = read_back(fmt, out)
    assert result.count == 3 and [int(r["record_id"]) for r in rows] == sorted(demo["records"].values())
    aid = next(r for r in rows if int(r["record_id"]) == demo["records"]["aid"])
    assert float(aid["amount_eur"]) == 5000 and aid["date"] == "2025-11-12"
    assert "5.000 euro" in aid["evidence_quote"] and aid["evidence_url"].endswith("vvsg/overview.html")
    again = tmp_path / f"again.{fmt}"
    replay(db, pm, result.batch_id, again)
    assert _bytes(again) == _bytes(out)


def _bytes(path: Path) -> dict[str, bytes]:
    if path.is_dir():
        return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}
    return {"": path.read_bytes()}


def test_quickstatements_for_links(demo, db, pm, tmp_path):
    """Links with Wikidata items become P190 lines both ways; without items they are skipped."""
    out = tmp_path / "links.txt"
    bare = export(db, pm, ExportRequest("quickstatements"), out)
    assert bare.table == "links" and out.read_text() == ""
    assert bare.warnings == ("skipped Ixelles – Megiddo: no Wikidata item for Ixelles, Megiddo",)
    result = export(db, pm, ExportRequest("quickstatements", qids=QIDS), out, force=True)
    lines = [ln.split("\t") for ln in out.read_text().splitlines()]
    assert result.warnings == () and len(lines) == 2
    assert {tuple(f[:3]) for f in lines} == {("Q1000001", "P190", "Q1000002"),
                                              ("Q1000002", "P190", "Q1000001")}
    assert lines[0][3:5] == ["P580", "+2012-00-00T00:00:00Z/9"] and lines[0][5] == "S854"
    with pytest.raises(ConfigError, match="can only export links"):
        export(db, pm, ExportRequest("quickstatements", table="records"), tmp_path / "x.txt")


def test_since_last_exports_exactly_what_is_new(demo, db, pm, tmp_path):
    """After a first export, --since-last holds only the new record, then nothing."""
    export(db, pm, ExportRequest("jsonl"), tmp_path / "1.jsonl")
    new = records.create(db, demo["changes"]["brussels/solidarity.html"],
                         {"action": "partnership_cooperation", "amount_eur": "175000"})
    second = export(db, pm, ExportRequest("jsonl", since_last=True), tmp_path / "2.jsonl")
    assert [r["record_id"] for r in read_back("jsonl", tmp_path / "2.jsonl")] == [new.id]
    records.update(db, demo["records"]["aid"], {"summary": "Corrected summary"})
    third = export(db, pm, ExportRequest("jsonl", since_last=True), tmp_path / "3.jsonl")
    assert [r["record_id"] for r in read_back("jsonl", tmp_path / "3.jsonl")] == [demo["records"]["aid"]]
    assert export(db, pm, ExportRequest("jsonl", since_last=True), tmp_path / "4.jsonl").count == 0
    assert (second.count, third.count) == (1, 1)
    # Other formats keep their own history: a first CSV export has everything.
    assert export(db, pm, ExportRequest("csv", since_last=True), tmp_path / "1.csv").count == 4


def test_since_last_for_changes_after_one_review(demo, db, pm, tmp_path):
    """The changes table: one new review after an export is exactly what --since-last exports."""
    export(db, pm, ExportRequest("json", table="changes"), tmp_path / "a.json")
    feed = demo["changes"]["news/feed.xml"]
    review(db, feed, status="follow-up")
    export(db, pm, ExportRequest("json", table="changes", since_last=True), tmp_path / "b.json")
    assert [(r["change_id"], r["status"]) for r in read_back("json", tmp_path / "b.json")] == [
        (feed, "follow-up")]


def test_filters(demo, db, pm, tmp_path):
    """--municipality, --from and --status narrow the records."""
    def ids(**kw):
        export(db, pm, ExportRequest("json", **kw), tmp_path / "f.json", force=True)
        return sorted(r["record_id"] for r in read_back("json", tmp_path / "f.json"))

    r = demo["records"]
    assert ids(municipality="voorbeeldegem") == [r["aid"]]
    assert ids(municipality="Megiddo") == sorted([r["suspended"], r["established"]])
    assert ids(date_from="2024-01-01") == sorted([r["suspended"], r["aid"]])
    assert ids(statuses=("irrelevant",)) == []


class Broken:
    name, extension, directory, tables, default_table = "broken", ".txt", False, None, "records"

    def write(self, table, fp):
        fp.write(b"half a file")
        raise OSError(28, "No space left on device")


class BrokenPlugin:
    @hookimpl
    def register_exporters(self):
        return [Broken()]


def test_bad_targets_leave_nothing_behind(demo, db, pm, tmp_path):
    """Missing folder, existing file, failing writer: a clear error, no partial file, no batch."""
    with pytest.raises(ExportError, match="does not exist"):
        export(db, pm, ExportRequest("csv"), tmp_path / "nope" / "x.csv")
    existing = tmp_path / "x.csv"
    existing.write_text("keep me")
    with pytest.raises(ExportError, match="exists; use --force"):
        export(db, pm, ExportRequest("csv"), existing)
    assert existing.read_text() == "keep me"
    broken_pm = make_plugin_manager(distribution="twinwatch", extra=[BrokenPlugin()])
    with pytest.raises(ExportError, match="No space left"):
        export(db, broken_pm, ExportRequest("broken"), existing, force=True)
    assert existing.read_text() == "keep me"
    assert sorted(os.listdir(tmp_path)) == ["twinwatch.db", "twinwatch.db-shm", "twinwatch.db-wal", "x.csv"]
    assert db.execute("SELECT COUNT(*) FROM export_batches").fetchone()[0] == 0


def test_docs_examples_are_current(demo, db, pm, tmp_path):
    """docs/examples/ is what the exporters write for the demo data (TWINWATCH_REGEN_DOCS=1 rewrites it)."""
    made = tmp_path / "examples"
    made.mkdir()
    for fmt, name in (("csv", "records.csv"), ("json", "records.json"), ("jsonl", "records.jsonl"),
                      ("xlsx", "records.xlsx"), ("datapackage", "records-datapackage")):
        export(db, pm, ExportRequest(fmt), made / name)
    export(db, pm, ExportRequest("csv", table="links"), made / "links.csv")
    export(db, pm, ExportRequest("quickstatements", qids=QIDS), made / "links-quickstatements.txt")
    export(db, pm, ExportRequest("csv", table="changes"), made / "changes.csv")
    if os.environ.get("TWINWATCH_REGEN_DOCS"):
        import shutil

        for p in made.iterdir():
            target = EXAMPLES / p.name
            if target.is_dir():
                shutil.rmtree(target)
            shutil.copytree(p, target) if p.is_dir() else shutil.copy(p, target)
    for p in made.iterdir():
        assert _bytes(p) == _bytes(EXAMPLES / p.name), f"{p.name} drifted: run TWINWATCH_REGEN_DOCS=1 pytest"
