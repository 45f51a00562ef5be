"""A crawl spread over several Scrapy processes (``TWINWATCH_CRAWL_PROCESSES``): the
same outcomes as one process, one site per process, and a crashed crawler process
costs only its own sources, recorded as failing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from monitor.children import child
from monitor.models import FetchResult, Source
from monitor.store.db import open_db
from monitor.store.queries import changes, snapshot_count
from monitor.text import fingerprint
from spiders.hooks import SITES_PER_PROCESS, default_processes
from spiders.pipelines import SHARED, message
from spiders.shards import shard
from tests.conftest import ROOT, run_twinwatch
from tests.helpers import PARTNERS, article, feed_with_links, page

pytestmark = pytest.mark.slow

SHARDED = {"TWINWATCH_CRAWL_PROCESSES": "2"}

HANG = 15.0
"""Seconds each page of the crash test hangs at most (below the crawl's 20 s timeout): the
pages are released once a crawler process has been killed, so the killed one cannot have
finished its site first, and the surviving site's pages then answer at once."""


def sources_json(twinwatch) -> dict[str, dict]:
    return {s["url"]: s for s in json.loads(twinwatch("sources", "list", "--json").stdout)}


def test_shard_keeps_each_site_in_one_group_and_balances():
    """Every source of a host lands in the same shard; shards are about equal in size."""
    srcs = [Source(i, f"http://site{i % 5}.example:80/p{i}.html", "page") for i in range(50)]
    srcs += [Source(100 + i, f"http://big.example/p{i}.html", "page") for i in range(20)]
    groups = shard(srcs, 2)
    hosts = [{s.url.split("/")[2].split(":")[0] for s in g} for g in groups]
    assert len(groups) == 2 and not hosts[0] & hosts[1]
    assert sorted(len(g) for g in groups) == [30, 40]
    assert sorted(s.id for g in groups for s in g) == sorted(s.id for s in srcs)
    assert len(shard(srcs[:3], 8)) == 3  # never an empty process


def test_processes_follow_the_number_of_sites_not_of_sources(monkeypatch):
    """A crawl of many sources on few sites runs in one process; more sites than one
    process keeps busy are shared out, one process per core at most."""
    monkeypatch.setattr(os, "cpu_count", lambda: 4)

    def crawl(sites: int, per_site: int) -> list[Source]:
        return [Source(i * per_site + k, f"http://127.1.0.{i + 1}/p{k}.html")
                for i in range(sites) for k in range(per_site)]

    assert default_processes(crawl(10, 51)) == 1
    assert default_processes(crawl(SITES_PER_PROCESS, 10)) == 1
    assert default_processes(crawl(SITES_PER_PROCESS + 1, 10)) == 2
    assert default_processes(crawl(200, 5)) == 4
    assert default_processes(crawl(90, 1)) == 1  # a small crawl
    monkeypatch.setattr(os, "cpu_count", lambda: 2)  # the extraction workers fill both cores
    assert default_processes(crawl(200, 5)) == 1


def test_identical_bytes_and_304_are_sent_without_the_body():
    """A crawler process does not send a body the parent would only fingerprint and drop."""
    body = page(PARTNERS)
    SHARED["last_raw_fp"] = {1: fingerprint(body)}
    try:
        same = message(FetchResult(1, "u", 200, body=body))
        changed = message(FetchResult(1, "u", 200, body=body + b" "))
        not_modified = message(FetchResult(1, "u", 304))
        first = message(FetchResult(2, "u", 200, body=body))
    finally:
        SHARED.pop("last_raw_fp")
    assert same[1].body == b"" and same[2:] == ("unchanged", len(body), True)
    assert changed[1].body == body + b" " and changed[2] is None and changed[4]
    assert not_modified[2] == "not-modified"
    assert first[1].body == body and first[2] is None


def test_the_message_says_whether_the_crawler_recognised_the_answer():
    """A page, a bot wall or a soft 404 is recognised in the crawler process once (the
    parent does not read the body for it again); a result with articles is the parent's."""
    walls = Path(__file__).parent.parent / "data" / "walls"
    html = {"content-type": "text/html; charset=utf-8"}
    plain = message(FetchResult(1, "u", 200, html, page(PARTNERS)))
    wall = message(FetchResult(2, "u", 200, html, (walls / "cloudflare-challenge.html").read_bytes()))
    gone = message(FetchResult(3, "u", 200, html, b"<html><title>Page not found</title><p>Sorry.</p></html>"))
    index = message(FetchResult(4, "u", 200, html, page(PARTNERS),
                                attachments=(FetchResult(4, "a", 200, html, page(PARTNERS)),)))
    assert plain[2] is None and plain[4] is True
    assert wall[2] == "blocked" and wall[1].error_kind == "blocked" and wall[4] is True
    assert gone[2] == "gone" and gone[4] is True
    assert index[2] is None and index[4] is False


def test_sharded_crawl_stores_what_one_process_would(http_server, twinwatch, db_path):
    """Two sites (127.0.0.1 and localhost) in two crawler processes: baseline, then a
    content edit, a 304, identical bytes, a failure and a feed's new entry with its article."""
    s = http_server
    other = f"http://localhost:{s.port}"
    edited = s.set("/edited.html", page(PARTNERS))
    etagged = s.set("/etag.html", page(PARTNERS), etag='"v1"')
    same = s.set("/same.html", page(PARTNERS[:3]))
    broken = f"{other}/broken.html"
    s.set("/broken.html", b"oops", status=500)
    s.set("/news/a.html", article("Petition", "1,300 signatures for the partner town."))
    feed_url = f"{other}/news.xml"
    s.set("/news.xml", feed_with_links(other, [("a", "Petition", "signatures")]),
          headers={"Content-Type": "application/rss+xml"})
    for url in (edited, etagged, same, broken):
        twinwatch("sources", "add", url)
    twinwatch("sources", "add", feed_url, "--kind", "feed")
    first = twinwatch("crawl", "--all", env=SHARDED)
    assert "4 fetched" in first.stdout and "1 failed" in first.stdout, first.stdout

    s.set("/edited.html", page([p for p in PARTNERS if "Megiddo" not in p]))
    s.set("/news/b.html", article("Ixelles suspends twinning", "The council suspended the twinning."))
    s.set("/news.xml", feed_with_links(other, [("b", "Ixelles suspends twinning", "council"),
                                               ("a", "Petition", "signatures")]),
          headers={"Content-Type": "application/rss+xml"})
    second = twinwatch("crawl", "--all", env=SHARDED)
    assert "2 changed" in second.stdout and "1 new item" in second.stdout, second.stdout
    state = sources_json(twinwatch)
    assert [state[u]["last_status"] for u in (edited, etagged, same, broken, feed_url)] == [
        "changed", "not-modified", "unchanged", "http-error", "changed"]
    assert state[broken]["consecutive_failures"] == 2
    with open_db(db_path) as db:
        rows = {c.kind: c for c in changes(db)}
        assert snapshot_count(db) == 6  # 3 pages + feed on day 1; the edited page and the feed on day 2
        sizes = dict(db.execute("SELECT source_id, bytes FROM fetch_outcomes WHERE run_id = 2 "
                                "AND outcome = 'unchanged'").fetchall())
    assert rows["page-changed"].removed == (PARTNERS[4],)
    assert "suspended the twinning" in "\n".join(rows["new-entry"].added)
    assert list(sizes.values()) == [len(page(PARTNERS[:3]))]  # the size is kept, not the bytes


def _crawlers(pid: int) -> list[int]:
    """The spawned crawler processes among ``pid``'s children."""
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as fp:
            for child in fp.read().split():
                with open(f"/proc/{child}/cmdline", "rb") as cmd:
                    if b"spawn_main" in cmd.read():
                        found.append(int(child))
    return found


def test_a_crashed_crawler_process_fails_its_own_sources(http_server, db_path, tmp_path: Path):
    """Kill one of two crawler processes mid-crawl: its sources are recorded as
    internal errors naming the crash, the other site's sources finish, the crawl exits 0."""
    s = http_server
    other = f"http://localhost:{s.port}"
    env = {**os.environ, **SHARDED, "TWINWATCH_CONFIG": str(tmp_path / "c.toml"),
           "TWINWATCH_LOG_DIR": str(tmp_path / "log")}
    env.pop("TWINWATCH_DB", None)
    urls = []
    for i in range(3):
        s.set(f"/slow{i}.html", page(PARTNERS), hang=HANG)
        urls += [s.url(f"/slow{i}.html"), f"{other}/slow{i}.html"]
    for url in urls:
        run_twinwatch(db_path, tmp_path, "sources", "add", url)
    crawl = [sys.executable, "-m", "monitor", "--db", str(db_path), "crawl", "--all", "--timeout", "20"]
    with child(crawl, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        deadline = time.monotonic() + 60
        while len(crawlers := _crawlers(proc.pid)) < 2 or not s.requests:
            assert time.monotonic() < deadline and proc.poll() is None, "no crawler processes"
            time.sleep(0.1)
        os.kill(crawlers[0], signal.SIGKILL)
        s.release()
        out, err = proc.communicate(timeout=90)
    assert proc.returncode == 0, err
    assert "6 failed" not in out and "failed" in out
    with open_db(db_path) as db:
        rows = db.execute("SELECT s.url, st.last_status, st.last_error FROM sources s "
                          "JOIN source_state st ON st.source_id = s.id").fetchall()
    assert len(rows) == 6
    crashed = {url.split("/")[2].split(":")[0] for url, status, _ in rows if status == "internal-error"}
    assert len(crashed) == 1  # every source of exactly one site
    for url, status, error in rows:
        if status == "internal-error":
            assert "crawler process" in error and "exit code -9" in error
        else:
            assert status == "new", (url, status, error)


def test_crawler_processes_do_not_rerun_the_main_script():
    """Under the ``twinwatch`` console script, spawn would run the script (the whole
    CLI) again in every crawler process; started inside ``_no_main`` it does not."""
    import multiprocessing.spawn

    from spiders.shards import _no_main

    with _no_main():
        data = multiprocessing.spawn.get_preparation_data("twinwatch-crawler")
    assert "init_main_from_path" not in data and "init_main_from_name" not in data
    assert sys.modules["__main__"] is not None


def test_pipe_sender_waits_for_a_full_pipe_without_blocking_the_loop():
    """Messages larger than the pipe, written while the reader is slow, arrive whole
    and in order; while the sender waits, the event loop goes on (other downloads)."""
    import asyncio
    import multiprocessing
    import threading

    from spiders.pipelines import PipeSender

    recv, send = multiprocessing.Pipe(duplex=False)
    messages = [b"a" * 10, os.urandom(3 * 2**20), b"b" * 100, os.urandom(200_000), b"end"]
    got: list[bytes] = []

    def reader() -> None:
        time.sleep(0.3)  # the parent busy: the pipe fills and the sender must wait
        while not got or got[-1] != b"end":
            got.append(recv.recv_bytes())

    thread = threading.Thread(target=reader)
    thread.start()

    async def main() -> int:
        sender = PipeSender(send)
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.01)

        tick = asyncio.create_task(ticker())
        await asyncio.gather(*(sender.send(m) for m in messages))
        tick.cancel()
        sender.finish()
        return ticks

    ticks = asyncio.run(main())
    thread.join(10)
    send.send_bytes(b"blocking again")  # finish() restored a blocking pipe
    assert recv.recv_bytes() == b"blocking again"
    assert got == messages
    assert ticks >= 10  # the loop ran while the pipe was full
