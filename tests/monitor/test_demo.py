"""The bundled demo: its server on its own, and ``twinwatch demo`` end to end."""

from __future__ import annotations

import http.client
import json
import re
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from monitor.demo import DEMO_SOURCES, _crawl
from monitor.demo.server import ETAG_PATHS, DemoServer, load_site
from monitor.errors import TwinwatchError
from monitor.ingest.pipeline import ingest
from monitor.models import FetchResult
from monitor.sources.manage import NewSource, add_sources
from monitor.store.queries import changes

pytestmark = pytest.mark.slow

STAMP = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
GENERATED = ("Page generated", "Pagina gegenereerd")


@pytest.fixture
def server():
    with DemoServer(clock=lambda: datetime(2026, 11, 23, 19, 4, 12)) as s:
        yield s


def get(server: DemoServer, path: str, headers: dict[str, str] | None = None,
        method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


# --------------------------------------------------------------------------- the server


def test_days_switch_the_served_pages(server):
    """Day 2 serves its own files where it has them and day 1's files elsewhere."""
    _, _, day1 = get(server, "/ixelles/cooperation.html")
    _, _, history1 = get(server, "/network/history.html")
    assert b"<li>Megiddo (Israel)</li>" in day1
    assert get(server, "/news/ixelles-suspends-megiddo-twinning.html")[0] == 404
    server.day = 2
    _, _, day2 = get(server, "/ixelles/cooperation.html")
    assert b"Megiddo (Israel)</li>" not in day2 and b"<li>Zababdeh (Palestine)</li>" in day2
    assert get(server, "/network/history.html")[2] == history1
    assert get(server, "/news/ixelles-suspends-megiddo-twinning.html")[0] == 200
    with pytest.raises(ValueError):
        server.day = 3


def test_etag_page_answers_304_on_both_days(server):
    """The network page carries an ETag and a matching If-None-Match gets an empty 304, also on day 2."""
    status, headers, _ = get(server, "/network/history.html")
    etag = headers["etag"]
    assert status == 200 and etag.startswith('"')
    status, headers, body = get(server, "/network/history.html", {"If-None-Match": etag})
    assert (status, body, headers["etag"]) == (304, b"", etag)
    server.day = 2
    assert get(server, "/network/history.html", {"If-None-Match": f'W/{etag}, "x"'})[0] == 304
    assert get(server, "/network/history.html", {"If-None-Match": '"other"'})[0] == 200
    assert "etag" not in get(server, "/ixelles/cooperation.html")[1]
    assert set(ETAG_PATHS) == {"network/history.html"}


def test_unknown_paths_are_404(server):
    """Unknown files, day folders and paths that climb out of the site are 404."""
    for path in ("/nope.html", "/day1/robots.txt", "/../server.py", "/%2e%2e/__init__.py",
                 "/ixelles/"):
        status, headers, _ = get(server, path)
        assert status == 404, path
        assert headers["content-type"].startswith("text/plain")
    assert (200, 404) == (get(server, "/robots.txt")[0], get(server, "/robots.txt/x")[0])


def test_footer_timestamp_and_base_are_rendered_per_request(server):
    """Placeholders become the serving time and the server's address; headers fit the files."""
    status, headers, body = get(server, "/vvsg/overview.html")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert int(headers["content-length"]) == len(body)
    assert b"Pagina gegenereerd op 2026-11-23 19:04:12" in body and b"{{" not in body
    _, headers, feed = get(server, "/news/feed.xml")
    assert headers["content-type"].startswith("application/rss+xml")
    assert f"<link>{server.url('news/ixelles-megiddo-petition.html')}</link>".encode() in feed
    assert b"{{" not in feed
    _, headers, robots = get(server, "/robots.txt")
    assert headers["content-type"].startswith("text/plain") and b"Allow: /" in robots
    assert get(server, "/", method="HEAD")[1]["content-type"].startswith("text/html")
    server.clock = lambda: datetime(2026, 11, 24, 8, 0, 0)
    assert b"Page generated on 2026-11-24 08:00:00" in get(server, "/ixelles/cooperation.html")[2]
    assert (2, "GET", "/ixelles/cooperation.html", 200) not in server.log
    assert (1, "GET", "/ixelles/cooperation.html", 200) in server.log


def test_portal_answers_its_agenda_items_as_json_api(server):
    """The portal's JSON:API base answers its agenda-items list, whatever the query, with
    the day's items; day 2 adds one session's two items; the base itself answers 404."""
    path = "/lblod/api/agenda-items?include=handled-by.resolutions&sort=id&page%5Bnumber%5D=0"
    status, headers, body = get(server, path)
    assert status == 200 and headers["content-type"] == "application/vnd.api+json"
    day1 = json.loads(body)
    assert day1["meta"]["count"] == len(day1["data"]) == 6 and "next" not in day1["links"]
    server.day = 2
    day2 = json.loads(get(server, "/lblod/api/agenda-items")[2])
    new = [i["attributes"]["title"] for i in day2["data"] if i not in day1["data"]]
    assert len(new) == 2 and any("staakt-het-vuren" in t for t in new)
    assert get(server, "/lblod/api")[0] == 404


def test_every_html_page_has_a_generated_footer():
    """Each bundled HTML page, on every day, puts the serving time in its footer."""
    site = load_site()
    assert sorted(site) == [1, 2]
    for day, files in site.items():
        for path, data in files.items():
            if path.endswith(".html"):
                footer = data.split(b"<footer", 1)[1]
                assert b"{{generated}}" in footer, (day, path)
    for s in DEMO_SOURCES:
        path = f"{s.path}/agenda-items" if s.kind == "lblod" else s.path  # a JSON:API base
        assert path in site[1] and path in site[2]


def test_footer_timestamp_alone_is_not_a_change(db, pm):
    """Re-fetching every demo page with only its footer time moved yields no change."""
    demo = DemoServer()
    try:
        pages = [s for s in DEMO_SOURCES if s.kind == "page"]
        ids, _ = add_sources(db, [NewSource(demo.url(s.path), "page") for s in pages])
        for hour, expected in ((9, "new"), (10, "unchanged")):
            demo.clock = lambda hour=hour: datetime(2026, 11, 23, hour, 0, 0)
            for sid, s in zip(ids, pages, strict=True):
                body = demo.render(demo.site[1][s.path])
                result = FetchResult(sid, demo.url(s.path), 200,
                                     {"content-type": "text/html; charset=utf-8"}, body)
                assert ingest(db, pm, result) == expected, s.path
        assert changes(db) == []
    finally:
        demo.stop()


# --------------------------------------------------------------------------- twinwatch demo


def _key(block: str) -> str:
    """A printed change by the last part of its URL (``cooperation.html``, an agenda item's id)."""
    return block.split("\n", 2)[1].strip().rsplit("/", 2)[-1]


def test_failing_crawl_subprocess_raises_with_its_last_stderr_line(db, db_path: Path):
    """A crawl subprocess that fails becomes a TwinwatchError with its message and exit code."""
    with pytest.raises(TwinwatchError) as info:
        _crawl(db_path, [999], "day 1")
    assert "day 1 crawl failed (exit 2)" in info.value.message
    assert info.value.message.endswith("no source with id 999")
    assert info.value.exit_code == 2


def test_demo_crawls_two_days_and_reports_what_changed(twinwatch, db_path: Path):
    """``twinwatch demo --no-tui`` finds the removal, the edit, the new entry and the new
    municipality, and nothing for unchanged pages or footer timestamps."""
    proc = twinwatch("demo", "--no-tui")
    assert proc.returncode == 0
    out, err = proc.stdout, proc.stderr
    assert re.search(r"demo: serving a small municipal web on http://127\.0\.0\.1:\d+/", err)
    assert "demo: day 1 — crawl 1: 7 sources, 7 fetched, 0 not modified" in err
    assert ("demo: day 2 — crawl 2: 7 sources, 6 fetched, 1 not modified, 1 unchanged, "
            "5 changed, 3 new items, 0 failed") in err
    assert re.search(r"Lokaal Beslist-style portal \(JSON:API\) +changed: 2 changes: 2 new entries", err)

    blocks = {_key(b): b for b in out.strip().split("\n\n")}
    assert "page-changed" in blocks["cooperation.html"]
    assert re.search(r"^  - .*Megiddo \(Israel\)$", blocks["cooperation.html"], re.M)
    assert "new-entry" in blocks["ixelles-suspends-megiddo-twinning.html"]
    assert "+ Ixelles suspends its twinning" in blocks["ixelles-suspends-megiddo-twinning.html"]
    assert "+ Voorbeeldegem" in blocks["overview.html"]
    assert "(was: 150,000; now: 175,000)" in blocks["solidarity.html"]
    # read in context: the partner removed from Ixelles' twinning list is a twinning
    # ended, in English; the VVSG's new entry has its municipality, date and amount
    facts = {name: b.strip().splitlines()[-1] for name, b in blocks.items()}
    assert re.fullmatch(r"\s*· relevance 0\.[5-9]\d · twinning_(ended|suspended) · en · "
                        r"Ixelles \(BE\) ↔ Megiddo \(IL\)( · .*)?", facts["cooperation.html"])
    assert re.search(r"· humanitarian_aid · nl · Voorbeeldegem( \(BE\))? · 2025-11-12 · €5,000$",
                     facts["overview.html"])
    assert "history.html" not in out and "ixelles-megiddo-petition" not in out
    # the portal's new session: the motion is a decision of its municipality, dated by the
    # session, with its aid amount; the minutes approved with it are not relevant
    [motion] = [b for b in blocks.values() if "Motie over de humanitaire toestand in Gaza" in b]
    assert "new-entry" in motion and "/agendapunten/" in motion
    assert re.search(r"· relevance (?:0\.[5-9]\d|1\.00) · (council_motion|humanitarian_aid) · nl · "
                     r"Schoonbeke \(BE\) · 2025-11-24 · €10,000$", facts[_key(motion)])
    [minutes] = [b for b in blocks.values() if "Goedkeuring van de notulen" in b]
    assert re.fullmatch(r"\s*· relevance 0\.[0-4]\d · nl · Schoonbeke \(BE\) · 2025-11-24",
                        facts[_key(minutes)])

    rows = json.loads(twinwatch("changes", "--json").stdout)
    assert sorted((r["kind"], r["source_url"].split("/", 3)[3]) for r in rows) == [
        ("new-entry", "lblod/api"),
        ("new-entry", "lblod/api"),
        ("new-entry", "news/feed.xml"),
        ("page-changed", "brussels/solidarity.html"),
        ("page-changed", "ixelles/cooperation.html"),
        ("page-changed", "vvsg/overview.html"),
    ]
    [decision] = [r for r in rows if r["title"].startswith("Motie over de humanitaire toestand in Gaza")]
    found = {f["name"]: f["value"] for f in decision["findings"]}
    assert found["relevance"] >= 0.5
    assert found["category"] in ("council_motion", "humanitarian_aid")
    assert found["municipality"] == {"name": "Schoonbeke", "country": "BE"}
    assert (found["date"], found["amount"]) == ("2025-11-24", 10000)
    by_source = {r["source_url"].split("/", 3)[3]: r for r in rows}
    removed = [line.removeprefix("- ") for line in by_source["ixelles/cooperation.html"]["removed"]]
    assert removed == ["Megiddo (Israel)"]
    assert by_source["ixelles/cooperation.html"]["added"] == []
    assert by_source["ixelles/cooperation.html"]["municipality"] == "Ixelles"
    assert any("Voorbeeldegem" in line for line in by_source["vvsg/overview.html"]["added"])
    assert by_source["vvsg/overview.html"]["lang"] == "nl"
    assert by_source["news/feed.xml"]["url"].endswith("/news/ixelles-suspends-megiddo-twinning.html")
    for r in rows:
        for line in r["added"] + r["removed"]:
            assert not STAMP.search(line) and not any(g in line for g in GENERATED), line

    with sqlite3.connect(db_path) as con:
        outcomes = dict(con.execute(
            "SELECT s.url, o.outcome FROM fetch_outcomes o JOIN sources s ON s.id = o.source_id "
            "WHERE o.run_id = 2"
        ).fetchall())
        snaps = dict(con.execute(
            "SELECT s.url, COUNT(*) FROM snapshots n JOIN sources s ON s.id = n.source_id "
            "GROUP BY s.url"
        ).fetchall())
    outcomes = {u.split("/", 3)[3]: o for u, o in outcomes.items()}
    snaps = {u.split("/", 3)[3]: n for u, n in snaps.items()}
    assert outcomes["network/history.html"] == "not-modified"
    assert outcomes["news/ixelles-megiddo-petition.html"] == "unchanged"
    assert snaps["network/history.html"] == snaps["news/ixelles-megiddo-petition.html"] == 1
    assert re.search(r"Twinning Network, history +not modified", err)
