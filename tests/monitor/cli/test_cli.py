"""The CLI contract scripts and cron rely on: commands, JSON shapes, exit codes, messages."""

from __future__ import annotations

import json

from monitor.ingest.pipeline import ingest
from monitor.models import FetchResult
from monitor.store.db import open_db
from tests.helpers import feed

RSS = {"content-type": "application/rss+xml"}


def make_change(db_path, pm, title: str = "Ixelles suspends twinning", text: str = "Council decision") -> int:
    """A real feed change through ingest: baseline, then one new entry."""
    with open_db(db_path) as db:
        sid = db.execute("SELECT id FROM sources WHERE kind = 'feed'").fetchone()[0]
        n = db.execute("SELECT COUNT(*) FROM items").fetchone()[0]
        items = [(f"i{k}", f"old {k}", "x") for k in range(n or 1)]
        if not n:
            ingest(db, pm, FetchResult(sid, "u", 200, RSS, feed(items)))
        ingest(db, pm, FetchResult(sid, "u", 200, RSS, feed([(f"new{n}", title, text), *items])))
        return db.execute("SELECT MAX(id) FROM changes").fetchone()[0]


def test_sources_add_list_json(twinwatch):
    """sources add prints the id; list --json has the documented fields."""
    out = twinwatch("sources", "add", "https://www.elsene.be/partners", "--municipality", "Ixelles",
                    "--country", "be", "--lang", "fr", "--tag", "twinning")
    assert out.stdout.strip() == "1"
    (s,) = json.loads(twinwatch("sources", "list", "--json").stdout)
    for key in ("id", "url", "kind", "municipality", "country", "lang", "last_fetched",
                "last_status", "last_error", "consecutive_failures"):
        assert key in s
    assert (s["country"], s["lang"], s["tags"], s["last_fetched"]) == ("BE", "fr", ["twinning"], None)


def test_sources_import_csv_and_opml(twinwatch, tmp_path):
    """CSV (with BOM) and OPML imports add sources; duplicates are skipped."""
    csv_file = tmp_path / "s.csv"
    csv_file.write_text("\ufeffurl,kind,municipality,country,lang\n"
                        "https://www.ixelles.be/site/1,page,Ixelles,BE,fr\n"
                        "https://www.gent.be/nieuws.rss,feed,Gent,BE,nl\n", encoding="utf-8")
    opml = tmp_path / "s.opml"
    opml.write_text('<?xml version="1.0"?><opml version="2.0"><body>'
                    '<outline text="Gent" xmlUrl="https://www.gent.be/nieuws.rss"/>'
                    '<outline text="Leuven" xmlUrl="https://leuven.be/rss"/></body></opml>')
    assert "2 added" in twinwatch("sources", "import", str(csv_file)).stderr
    assert "1 added, 1 already watched" in twinwatch("sources", "import", str(opml)).stderr
    got = {s["url"]: s["kind"] for s in json.loads(twinwatch("sources", "list", "--json").stdout)}
    assert got == {"https://www.ixelles.be/site/1": "page", "https://www.gent.be/nieuws.rss": "feed",
                   "https://leuven.be/rss": "feed"}


def test_bad_input_is_one_line_with_exit_code(twinwatch, tmp_path):
    """Bad URLs, files and ids give a one-line error, no traceback, documented codes."""
    bad = twinwatch("sources", "add", "ftp://example.org/x", check=False)
    assert bad.returncode == 2 and "not an http(s) URL" in bad.stderr and "Traceback" not in bad.stderr
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text("url,kind\nhttps://a.be/,page\nhttps://b.be/,weird\n")
    bad = twinwatch("sources", "import", str(csv_file), check=False)
    assert bad.returncode == 2 and "line 3" in bad.stderr
    assert json.loads(twinwatch("sources", "list", "--json").stdout) == []  # all or nothing
    missing = twinwatch("crawl", "--source", "42", check=False)
    assert missing.returncode == 2 and "no source with id 42" in missing.stderr
    nochange = twinwatch("review", "7", "--status", "relevant", check=False)
    assert nochange.returncode == 2 and "no change with id 7" in nochange.stderr
    notdb = tmp_path / "not.db"
    notdb.write_bytes(b"this is not sqlite" * 100)
    proc = twinwatch("sources", "list", check=False)  # fixture db is fine
    assert proc.returncode == 0


def test_database_error_exit_code(tmp_path):
    """A file that is not a database exits 3 with one line."""
    import subprocess
    import sys

    notdb = tmp_path / "not.db"
    notdb.write_bytes(b"this is not sqlite" * 100)
    proc = subprocess.run([sys.executable, "-m", "monitor", "--db", str(notdb), "sources", "list"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 3
    assert proc.stderr.strip().count("\n") == 0 and "cannot open database" in proc.stderr


def test_changes_review_export_round_trip(twinwatch, db_path, pm, tmp_path):
    """changes --json, review and export agree on status, tags and note."""
    twinwatch("sources", "add", "http://127.0.0.1:1/feed.xml", "--kind", "feed")
    cid = make_change(db_path, pm, title="=HYPERLINK(\"http://evil\")", text="+cmd|' /C calc'!A0")
    (c,) = json.loads(twinwatch("changes", "--json").stdout)
    for key in ("id", "source_id", "url", "kind", "detected_at", "status", "tags", "added",
                "removed", "findings"):
        assert key in c
    assert (c["id"], c["status"], c["kind"]) == (cid, "new", "new-entry")
    out = twinwatch("review", str(cid), "--status", "relevant", "--tag", "twinning", "--note", "check")
    assert out.stdout.strip() == f"#{cid} relevant [twinning]"
    assert json.loads(twinwatch("changes", "--status", "new", "--json").stdout) == []
    csv_path = tmp_path / "out.csv"
    twinwatch("export", "--format", "csv", "--table", "changes", "-o", str(csv_path))
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text
    js = json.loads(twinwatch("export", "--format", "json", "--table", "changes").stdout)
    got = [(r["change_id"], r["status"], r["tags"], r["note"]) for r in js]
    assert got == [(cid, "relevant", ["twinning"], "check")]
    with open_db(db_path) as db:
        batches = list(db.execute("SELECT format, count FROM export_batches ORDER BY id"))
    assert batches == [("csv", 1), ("json", 1)]


def test_plugins_lists_builtins(twinwatch):
    """twinwatch plugins shows the built-in plugins and formats and no errors."""
    info = json.loads(twinwatch("plugins", "--json").stdout)
    names = {p["name"] for p in info["plugins"]}
    assert {"html_text", "exporters", "crawler", "dashboard"} <= names
    assert {"csv", "json"} <= set(info["exporters"])
    assert info["errors"] == []


def test_crawl_with_no_sources_and_lock(twinwatch, db_path):
    """An empty crawl succeeds; a held lock makes crawl exit 75 at once."""
    import filelock

    from monitor.config import lock_path

    assert "0 sources" in twinwatch("crawl").stdout
    with filelock.FileLock(str(lock_path(db_path))):
        busy = twinwatch("crawl", check=False)
    assert busy.returncode == 75 and "another crawl is running" in busy.stderr


def test_changes_takes_the_dashboards_query_line(twinwatch, db, db_path):
    """changes --query reads the dashboard's query language: filters on status, language,
    score and words, sort:relevance, and a bad query is one line with exit code 2."""
    from monitor.review.decisions import review
    from monitor.sources.manage import NewSource, add_sources
    from tests.helpers import add_change

    (gent, ixl), _ = add_sources(db, [NewSource("http://127.0.0.1:1/gent", "page", "Gent", "BE", "nl"),
                                      NewSource("http://127.0.0.1:1/ixl", "page", "Ixelles", "BE", "fr")])
    low = add_change(db, gent, "Stedenband laag", "stedenband met Mopti", "2026-03-01T00:00:00Z",
                     score=0.2, language="nl")
    high = add_change(db, gent, "Stedenband hoog", "stedenband met Nablus", "2026-02-01T00:00:00Z",
                      score=0.9, language="nl")
    done = add_change(db, gent, "Stedenband oud", "stedenband met Bethlehem", "2026-01-01T00:00:00Z",
                      score=0.8, language="nl")
    add_change(db, ixl, "Jumelage", "jumelage avec Kinshasa", "2026-03-02T00:00:00Z", score=0.95,
               language="fr")
    review(db, done, status="relevant")

    def ids(*args: str) -> list[int]:
        return [c["id"] for c in json.loads(twinwatch("changes", "--json", *args).stdout)]

    assert ids("--query", "status:new lang:nl") == [low, high]
    assert ids("--query", "lang:nl score:0.5..") == [high, done]
    assert ids("--query", "lang:nl sort:relevance") == [high, done, low]
    assert ids("--query", "stedenband -mopti status:new") == [high]
    assert ids("--query", "lang:nl", "--status", "relevant") == [done]
    bad = twinwatch("changes", "--query", "colour:red", check=False)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr
