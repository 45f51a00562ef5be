"""Loading JSON Lines fetch results (as scrapyd feed exports): same ingest, idempotent."""

from __future__ import annotations

import json

from monitor.ingest.jsonl import to_json
from monitor.models import FetchResult
from monitor.store.db import open_db
from monitor.store.queries import changes
from tests.helpers import PARTNERS, feed, page

HTML = {"content-type": "text/html; charset=utf-8"}
RSS = {"content-type": "application/rss+xml"}


def write_jsonl(path, results) -> None:
    path.write_text("".join(json.dumps(to_json(r, url)) + "\n" for r, url in results))


def test_ingest_files_twice_adds_nothing(twinwatch, db_path, tmp_path):
    """Two days of results in a folder become the same changes as a local crawl; a reload adds nothing."""
    pg, fd = "http://127.0.0.1:1/ixelles.html", "http://127.0.0.1:1/feed.xml"
    twinwatch("sources", "add", pg)
    twinwatch("sources", "add", fd, "--kind", "feed")
    day1, day2 = tmp_path / "exports" / "day1.jl", tmp_path / "exports" / "day2.jl"
    day1.parent.mkdir()
    write_jsonl(day1, [(FetchResult(0, pg, 200, HTML, page(PARTNERS)), pg),
                       (FetchResult(0, fd, 200, RSS, feed([("a", "Old", "x")])), fd)])
    write_jsonl(day2, [(FetchResult(0, pg, 200, HTML, page(PARTNERS[:4] + PARTNERS[5:])), pg),
                       (FetchResult(0, fd, 200, RSS,
                                    feed([("b", "New twinning", "y"), ("a", "Old", "x")])), fd),
                       (FetchResult(0, "http://127.0.0.1:1/other", 500, error_kind="http-error",
                                    error="HTTP 500"), "http://127.0.0.1:1/unknown")])
    first = twinwatch("ingest", str(day1))
    assert "2 ingested (2 new)" in first.stdout
    second = twinwatch("ingest", str(tmp_path / "exports"))
    assert "5 lines, 2 ingested (2 changed)" in second.stdout
    assert "2 already loaded" in second.stdout and "1 for unknown sources" in second.stdout
    assert "no source watches 'http://127.0.0.1:1/unknown'" in second.stderr
    again = twinwatch("ingest", str(tmp_path / "exports" / "*.jl"))
    assert "0 ingested" in again.stdout and "4 already loaded" in again.stdout
    with open_db(db_path) as db:
        got = sorted((c.kind, c.added, c.removed) for c in changes(db))
    assert got == [("new-entry", ("New twinning", "y"), ()), ("page-changed", (), (PARTNERS[4],))]


def test_invalid_lines_are_reported_not_fatal(twinwatch, tmp_path):
    """Garbage lines are counted and named; the good ones still load."""
    url = "http://127.0.0.1:1/p.html"
    twinwatch("sources", "add", url)
    f = tmp_path / "mixed.jsonl"
    good = json.dumps(to_json(FetchResult(0, url, 200, HTML, page(PARTNERS)), url))
    f.write_text("not json\n" + json.dumps({"twinwatch_result": 1, "source_url": url, "body_b64": "!!"})
                 + "\n" + good + "\n")
    out = twinwatch("ingest", str(f))
    assert "1 ingested" in out.stdout and "2 invalid" in out.stdout
    assert "mixed.jsonl:1" in out.stderr and "mixed.jsonl:2" in out.stderr
    missing = twinwatch("ingest", str(tmp_path / "nope.jl"), check=False)
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_attachments_and_sources_round_trip():
    """A feed result keeps its followed articles through JSON; sources keep their fetch state."""
    from monitor.ingest.jsonl import from_json, sources_from_json, sources_to_json
    from monitor.models import Source

    article = FetchResult(0, "http://127.0.0.1:1/a.html", 200, HTML, b"<p>article</p>", key="a")
    failed = FetchResult(0, "http://127.0.0.1:1/b.html", None, error_kind="timeout", error="t", key="b")
    index = FetchResult(0, "http://127.0.0.1:1/feed.xml", 200, RSS, feed([("a", "A", "x")]),
                        attachments=(article, failed))
    line = json.loads(json.dumps(to_json(index, index.url)))
    back = from_json(line, 7, 3)
    assert back.attachments == (
        FetchResult(7, article.url, 200, HTML, b"<p>article</p>", run_id=3, key="a"),
        FetchResult(7, failed.url, None, error_kind="timeout", error="t", run_id=3, key="b"))
    assert back.body == index.body and back.key is None
    src = Source(3, "http://127.0.0.1:1/feed.xml", "feed", tags=("t",), ignore=("x+",), etag='"e"',
                 last_raw_fp="ab", fetched_before=True, known_items=frozenset({"a", "b"}), max_items=2)
    assert sources_from_json(json.loads(json.dumps(sources_to_json([src])))) == [src]


def _state(db) -> list[tuple]:
    return [
        db.execute("SELECT source_id, outcome, http_status, bytes, changes FROM fetch_outcomes "
                   "ORDER BY id").fetchall(),
        db.execute("SELECT source_id, etag, last_raw_fp, last_status, quiet_runs, consecutive_failures "
                   "FROM source_state ORDER BY source_id").fetchall(),
        db.execute("SELECT kind, added, removed FROM changes ORDER BY id").fetchall(),
    ]


def test_bulk_unchanged_path_stores_what_ingest_stores(tmp_path, pm):
    """Lines recorded in bulk by their body fingerprint store exactly what lines without
    it (decoded and checked by ingest one by one) store; a false fingerprint is invalid."""
    from monitor.ingest.jsonl import load
    from monitor.sources.manage import NewSource, add_sources

    pg = "http://127.0.0.1:1/p.html"
    etag = {**HTML, "etag": '"v1"'}
    days = [page(PARTNERS), page(PARTNERS), page(PARTNERS[:3]), page(PARTNERS[:3]), page(PARTNERS[:3])]
    lines = [to_json(FetchResult(0, pg, 200, etag, body), pg, f"2026-11-0{n + 1}")
             for n, body in enumerate(days)]
    got = []
    for name, strip in (("with", False), ("without", True)):
        f = tmp_path / f"{name}.jl"
        f.write_text("".join(json.dumps({k: v for k, v in o.items() if not (strip and k == "body_sha256")})
                             + "\n" for o in lines))
        with open_db(tmp_path / f"{name}.db") as db:
            add_sources(db, [NewSource(pg)])
            summary = load(db, pm, [str(f)])
            assert summary.outcomes == {"new": 1, "unchanged": 3, "changed": 1}, summary.line()
            got.append(_state(db))
    assert got[0] == got[1]
    assert got[0][1][0][4] == 2  # two quiet runs after the change
    bad = tmp_path / "bad.jl"
    bad.write_text(json.dumps({**lines[0], "body_sha256": "0" * 64}) + "\n")
    with open_db(tmp_path / "with.db") as db:
        assert load(db, pm, [str(bad)]).invalid == 1


def test_a_line_still_being_written_is_left_for_later(tmp_path, pm):
    """The last line of a running job's export (no newline, not JSON yet) is not invalid:
    the next load ingests it once it is complete."""
    from monitor.ingest.jsonl import load
    from monitor.sources.manage import NewSource, add_sources

    pg, fd = "http://127.0.0.1:1/p.html", "http://127.0.0.1:1/f.xml"
    one = json.dumps(to_json(FetchResult(0, pg, 200, HTML, page(PARTNERS)), pg))
    two = json.dumps(to_json(FetchResult(0, fd, 200, RSS, feed([("a", "A", "x")])), fd))
    f = tmp_path / "job.jl"
    f.write_text(one + "\n" + two[:100])
    with open_db(tmp_path / "t.db") as db:
        add_sources(db, [NewSource(pg), NewSource(fd, "feed")])
        first = load(db, pm, [str(f)])
        assert (first.ingested, first.invalid, first.incomplete) == (1, 0, 1)
        assert "1 still being written" in first.line()
        f.write_text(one + "\n" + two + "\n")
        second = load(db, pm, [str(f)])
        assert (second.ingested, second.duplicates, second.incomplete) == (1, 1, 0)


def test_a_bug_storing_one_line_costs_that_source_only(db, pm, tmp_path, monkeypatch):
    """twinwatch ingest isolates a bad line as a crawl isolates a bad source: a bug while
    storing one result is that source's internal-error, and the other lines still load."""
    from monitor.ingest import pipeline
    from monitor.ingest.jsonl import load
    from monitor.sources.manage import NewSource, add_sources

    good, bad = "http://127.0.0.1:1/good.html", "http://127.0.0.1:1/bad.html"
    (good_id, bad_id), _ = add_sources(db, [NewSource(good, "page"), NewSource(bad, "page")])
    store = pipeline.store

    def broken(db, source, result, prepared, *args):
        if source.id == bad_id:
            raise RuntimeError("a bug in storing")
        return store(db, source, result, prepared, *args)

    monkeypatch.setattr(pipeline, "store", broken)
    f = tmp_path / "day.jl"
    write_jsonl(f, [(FetchResult(0, bad, 200, HTML, page(PARTNERS)), bad),
                    (FetchResult(0, good, 200, HTML, page(PARTNERS)), good)])
    summary = load(db, pm, [str(f)])
    assert summary.ingested == 2 and summary.outcomes == {"internal-error": 1, "new": 1}
    state = dict(db.execute("SELECT source_id, last_status FROM source_state").fetchall())
    assert state == {bad_id: "internal-error", good_id: "new"}
