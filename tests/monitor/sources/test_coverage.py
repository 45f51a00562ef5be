"""Coverage of every municipality: the reference list, matching, problems first."""

from __future__ import annotations

import csv
import io
import json

from monitor.ingest.pipeline import ingest
from monitor.models import FetchResult
from monitor.review.decisions import review
from monitor.sources.coverage import belgium, coverage, key
from monitor.sources.manage import NewSource, add_sources
from monitor.store.db import open_db, write_tx
from tests.helpers import PARTNERS, page

HTML = {"content-type": "text/html; charset=utf-8"}


def test_belgian_reference_list():
    """565 municipalities with NIS codes and Dutch, French (and for some German) names."""
    ref = belgium()
    assert len(ref) == 565 and len({m.code for m in ref}) == 565
    by_code = {m.code: m for m in ref}
    assert by_code["21009"].names == {"nl": "Elsene", "fr": "Ixelles"}
    assert by_code["63023"].names["de"] == "Eupen" and by_code["62063"].names["de"] == "Lüttich"
    assert key("Sint-Jans-Molenbeek") == key("sint jans molenbeek") and key("Liège") == key("liege")


def test_coverage_counts_sources_failures_and_relevant_changes(db, pm):
    """Ixelles (as Elsene) covered with a relevant change, Gent failing, Leuven silent, the rest missing."""
    ids, _ = add_sources(db, [
        NewSource("http://127.0.0.1:1/elsene", "page", "elsene", "BE"),
        NewSource("http://127.0.0.1:1/gand", "page", "Gand", "BE"),
        NewSource("http://127.0.0.1:1/leuven", "page", "Leuven", "BE"),
        NewSource("http://127.0.0.1:1/nowhere", "page", "Atlantis", "BE"),
    ])
    elsene, gent, leuven, _ = ids
    ingest(db, pm, FetchResult(elsene, "u", 200, HTML, page(PARTNERS)))
    ingest(db, pm, FetchResult(elsene, "u", 200, HTML, page(PARTNERS[:-1])))
    review(db, db.execute("SELECT id FROM changes").fetchone()[0], status="relevant")
    ingest(db, pm, FetchResult(gent, "u", 500, error_kind="http-error", error="HTTP 500"))
    ingest(db, pm, FetchResult(leuven, "u", 200, HTML, page(PARTNERS)))
    with write_tx(db):  # Leuven was added long ago and has not changed since: silent
        db.execute("UPDATE sources SET created_at = '2000-01-01T00:00:00Z' WHERE id = ?", [leuven])
    rows = {r.municipality.code: r for r in coverage(db, belgium())}
    assert rows["21009"].sources == (elsene,) and rows["21009"].problems == ()
    assert rows["21009"].last_relevant is not None
    assert rows["44021"].failing == (gent,) and rows["44021"].problems == ("failing",)
    assert rows["24062"].silent == (leuven,) and rows["24062"].problems == ("silent",)
    assert rows["11002"].problems == ("no source",)
    order = [r.municipality.code for r in coverage(db, belgium())]
    assert order.index("11002") < order.index("44021") < order.index("24062") < order.index("21009")


def test_coverage_command_and_export(twinwatch, db_path, tmp_path):
    """coverage --json and --reference for another country; export --table coverage as CSV."""
    twinwatch("sources", "add", "http://127.0.0.1:1/x", "--municipality", "Ixelles", "--country", "BE")
    rows = json.loads(twinwatch("coverage", "--json").stdout)
    assert len(rows) == 565
    assert next(r for r in rows if r["code"] == "21009")["sources"] == [1]
    ref = tmp_path / "nl.csv"
    ref.write_text("code,name,country\nGM0363,Amsterdam,NL\nGM0599,Rotterdam,NL\n")
    nl = json.loads(twinwatch("coverage", "--reference", str(ref), "--json").stdout)
    assert [(r["code"], r["problems"]) for r in nl] == [("GM0363", ["no source"]), ("GM0599", ["no source"])]
    out = tmp_path / "coverage.csv"
    twinwatch("export", "--table", "coverage", "--format", "csv", "-o", str(out))
    table = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert len(table) == 565 and next(r for r in table if r["code"] == "21009")["sources"] == "1"
    out_nl = tmp_path / "coverage-nl.json"
    twinwatch("export", "--table", "coverage", "--format", "json", "--reference", str(ref), "-o", str(out_nl))
    assert [r["code"] for r in json.loads(out_nl.read_text())] == ["GM0363", "GM0599"]
    with open_db(db_path) as db:
        assert [r[0] for r in db.execute("SELECT table_name FROM export_batches")] == ["coverage"] * 2
