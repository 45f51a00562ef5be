"""Every built-in kind, the rules, health, schedule, lock, log, notifications and
``sources test`` through real ``twinwatch`` subprocesses against 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from monitor.children import child
from monitor.store.db import open_db
from monitor.store.queries import changes
from tests.conftest import ROOT
from tests.helpers import PARTNERS, article, page
from tests.spiders.kinds_web import MINUTES_ENTRY, serve_day_one, serve_day_two

pytestmark = pytest.mark.slow


def test_every_kind_end_to_end(http_server, twinwatch, db_path):
    """page (region + ignore), feed (articles, max-items), listing (pattern) and document
    (PDF): the baseline follows nothing; the second crawl reports exactly the news."""
    s = http_server
    page_url, feed_url, list_url, pdf_url = serve_day_one(s)
    twinwatch("sources", "add", page_url, "--select", "main article", "--ignore", r"Visitors: \d+")
    twinwatch("sources", "add", feed_url, "--kind", "feed", "--max-items", "1")
    twinwatch("sources", "add", list_url, "--kind", "listing", "--link-pattern", r"/news/\d{4}/")
    twinwatch("sources", "add", pdf_url, "--kind", "document")
    first = twinwatch("crawl")
    assert "4 fetched" in first.stdout and "0 failed" in first.stdout, first.stdout
    assert not [p for p, _ in s.requests if p.startswith("/news/") and p != "/news/"]

    serve_day_two(s)
    second = twinwatch("crawl", "--all")
    assert "4 changed" in second.stdout and "3 new items" in second.stdout, second.stdout
    followed = [p for p, _ in s.requests if p in ("/news/b.html", "/news/c.html", "/news/2026/d.html")]
    assert sorted(followed) == ["/news/2026/d.html", "/news/c.html"]  # feed: max-items 1
    with open_db(db_path) as db:
        got = {(c.source_url, c.kind, c.title): c for c in changes(db)}
    assert got[(page_url, "page-changed", "Ixelles — Development cooperation")].removed == (PARTNERS[-1],)
    assert "The agenda includes the solidarity fund." in got[(feed_url, "new-entry", "Council meeting")].added
    assert got[(feed_url, "new-entry", "Ixelles suspends twinning")].added == (
        "Ixelles suspends twinning", "Summary b.")
    assert "Two weeks of international solidarity." in got[(list_url, "new-entry", "Fortnight")].added
    (doc,) = [c for c in got.values() if c.source_url == pdf_url]
    assert doc.added == (MINUTES_ENTRY,) and doc.removed == ()


def test_health_schedule_log_and_lock(http_server, twinwatch, tmp_path, db_path):
    """sources health lists a failing and a silent source first; a second plain crawl
    finds nothing due; the run is logged; a crawl while one runs exits 75 with one line."""
    ok = http_server.set("/ok.html", page(PARTNERS))
    bad = http_server.set("/bad.html", b"oops", status=500)
    gone = http_server.set("/gone.html", page(PARTNERS))
    twinwatch("sources", "add", ok, "--every", "6h")
    twinwatch("sources", "add", bad)
    twinwatch("sources", "add", gone, "--select", "#partners")
    twinwatch("crawl")
    health = twinwatch("sources", "health").stdout
    lines = [line.split() for line in health.splitlines() if not line.startswith(" ")]
    assert [(w[0], w[1]) for w in lines] == [("FAILING", "2"), ("SILENT", "3"), ("OK", "1")], health
    assert "HTTP 500" in health and "'#partners' matched nothing" in health and "every 6h" in health
    assert "0 sources" in twinwatch("crawl").stdout  # nothing due yet
    log = (tmp_path / "log" / "twinwatch.log").read_text()
    assert "source 2 " in log and "http-error" in log and "crawl 1:" in log
    assert f"source 1 {ok}: new" in log
    twinwatch("crawl", "--source", "1")  # the same page again: counted, not listed
    log = (tmp_path / "log" / "twinwatch.log").read_text()
    assert "crawl 3: 1 sources, 1 fetched, 0 not modified, 1 unchanged" in log, log
    assert f"source 1 {ok}: unchanged" not in log

    http_server.set("/slow.html", page(PARTNERS), hang=20)  # until released: the first crawl runs on
    twinwatch("sources", "add", http_server.url("/slow.html"))
    env = {**os.environ, "TWINWATCH_CONFIG": str(tmp_path / "config.toml"),
           "TWINWATCH_LOG_DIR": str(tmp_path / "log")}
    env.pop("TWINWATCH_DB", None)
    cmd = [sys.executable, "-m", "monitor", "--db", str(db_path), "crawl", "--source", "4"]
    with child(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT) as first:
        try:
            deadline = time.monotonic() + 20
            while not any(p == "/slow.html" for p, _ in http_server.requests) and time.monotonic() < deadline:
                time.sleep(0.1)
            second = twinwatch("crawl", "--all", check=False)
        finally:
            http_server.release()  # the second crawl is done: the first may finish now
            out, err = first.communicate(timeout=60)
    assert second.returncode == 75
    assert second.stderr.strip().count("\n") == 0 and "another crawl is running" in second.stderr
    assert first.returncode == 0 and "1 fetched" in out


def test_notifications_post_a_summary_and_failures_are_not_fatal(http_server, twinwatch, tmp_path):
    """After a crawl with a change, apprise posts a summary to the json:// URL; an
    unreachable notify URL is logged and the crawl still exits 0."""
    http_server.set("/hook", b"{}")
    (tmp_path / "config.toml").write_text(
        f'contact = "https://example.org/twinwatch-contact"\n[notify]\n'
        f'urls = ["json://127.0.0.1:{http_server.port}/hook", "json://127.0.0.1:9/dead"]\n')
    url = http_server.set("/p.html", page(PARTNERS))
    twinwatch("sources", "add", url, "--municipality", "Ixelles")
    twinwatch("crawl")
    assert http_server.posts == []  # the baseline is not news
    http_server.set("/p.html", page(PARTNERS[:-1]))
    out = twinwatch("crawl", "--all")
    assert out.returncode == 0 and "1 changed" in out.stdout
    ((path, _headers, body),) = http_server.posts
    message = json.loads(body)
    assert path == "/hook" and "1 changed source" in message["title"]
    assert "Ixelles" in message["message"] and url in message["message"]
    assert "notif" in out.stderr.lower()  # the dead URL is reported, not fatal
    ua = [h.get("User-Agent", "") for p, h in http_server.requests if p == "/p.html"]
    assert ua and all("+https://example.org/twinwatch-contact" in u for u in ua)


def test_sources_test_prints_text_and_replays_history(http_server, twinwatch):
    """sources test URL prints what would be watched; for a source id it replays the
    stored history under other rules."""
    url = http_server.set("/p.html", page(PARTNERS))
    out = twinwatch("sources", "test", url, "--select", "article").stdout
    assert PARTNERS[4] in out and "Home" not in out
    missing = twinwatch("sources", "test", url, "--select", "#nothing").stdout
    assert "nothing to watch" in missing
    twinwatch("sources", "add", url)
    twinwatch("crawl")
    http_server.set("/p.html", page([p for p in PARTNERS if "Megiddo" not in p]))
    twinwatch("crawl", "--all")
    replay = twinwatch("sources", "test", "1", "--ignore", "^Megiddo.*$").stdout
    assert "no change (ignore rules remove the difference)" in replay
    plain = twinwatch("sources", "test", "1").stdout
    assert "change: 1 block(s)" in plain and "- Megiddo (Israel)" in plain


def test_noise_rules_json_feed_and_sitemap_end_to_end(http_server, twinwatch, db_path):
    """Real crawls: added-only, minimum change, reordered paragraphs and a flip back to
    a known version report nothing; a JSON Feed item and a sitemap URL are new entries
    with their articles."""
    s = http_server
    json_feed = {"version": "https://jsonfeed.org/version/1.1", "title": "News", "items": [
        {"id": "1", "title": "Budget", "url": s.url("/j/1.html"), "content_text": "Adopted."}]}
    urls = {
        "added": s.set("/added.html", page(PARTNERS)),
        "min": s.set("/min.html", page(PARTNERS)),
        "order": s.set("/order.html", page(PARTNERS)),
        "json": s.set("/feed.json", json.dumps(json_feed), headers={"Content-Type": "application/feed+json"}),
        "sitemap": s.set("/sitemap.xml", f"<urlset><url><loc>{s.url('/a.html')}</loc></url></urlset>",
                         headers={"Content-Type": "application/xml"}),
    }
    twinwatch("sources", "add", urls["added"], "--added-only")
    twinwatch("sources", "add", urls["min"], "--min-change", "20")
    twinwatch("sources", "add", urls["order"])
    twinwatch("sources", "add", urls["json"], "--kind", "feed")
    twinwatch("sources", "add", urls["sitemap"], "--kind", "listing")
    twinwatch("crawl")

    s.set("/added.html", page(PARTNERS[:-1]))
    s.set("/min.html", page([PARTNERS[0].replace("many", "manny"), *PARTNERS[1:]]))
    s.set("/order.html", page(list(reversed(PARTNERS))))
    json_feed["items"].insert(0, {"id": "2", "title": "Twinning renewed", "url": s.url("/j/2.html"),
                                  "content_text": "Summary."})
    s.set("/feed.json", json.dumps(json_feed), headers={"Content-Type": "application/feed+json"})
    s.set("/j/2.html", article("Twinning renewed", "Renewed with Biarritz for six years."))
    s.set("/sitemap.xml", f"<urlset><url><loc>{s.url('/a.html')}</loc></url>"
                          f"<url><loc>{s.url('/twinning.html')}</loc></url></urlset>",
          headers={"Content-Type": "application/xml"})
    s.set("/twinning.html", article("Twinning", "The council signed the charter."))
    second = twinwatch("crawl", "--all")
    assert "2 changed" in second.stdout and "2 new items" in second.stdout, second.stdout

    s.set("/added.html", page([*PARTNERS[:-1], "Gaza City became a partner."]))
    s.set("/order.html", page(PARTNERS[:-1]))  # B: a real change
    assert "2 changed" in twinwatch("crawl", "--all").stdout
    s.set("/order.html", page(PARTNERS))  # back to A: known
    assert "0 changed" in twinwatch("crawl", "--all").stdout
    with open_db(db_path) as db:
        got = sorted((c.source_url.rsplit("/", 1)[1], c.kind) for c in changes(db))
    assert got == [("added.html", "page-changed"), ("feed.json", "new-entry"),
                   ("order.html", "page-changed"), ("sitemap.xml", "new-entry")]
    with open_db(db_path) as db:
        texts = {c.title: "\n".join(c.added) for c in changes(db) if c.kind == "new-entry"}
    assert "Renewed with Biarritz for six years." in texts["Twinning renewed"]
    assert any("The council signed the charter." in t for t in texts.values())
