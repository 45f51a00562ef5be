"""Scale-out for real: the spiders deployed as an egg to a scrapyd on 127.0.0.1, their
feed export ingested, and the result compared with a local crawl of the same sites."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from monitor.children import child
from monitor.store.db import open_db
from tests.conftest import ROOT, run_twinwatch
from tests.spiders.kinds_web import serve_day_one, serve_day_two

pytestmark = pytest.mark.slow

PROJECT_FILES = ("monitor", "spiders", "plugins", "tui", "pyproject.toml", "setup.py", "scrapy.cfg",
                 "README.md")
"""What the egg is built from (a copy, so the build leaves nothing in the checkout)."""

JOB_TIMEOUT = 120.0
"""Seconds a scheduled crawl may take before the test fails (it takes a few)."""


@dataclass
class Scrapyd:
    url: str
    home: Path

    def api(self, method: str, endpoint: str, **kw: Any) -> dict[str, Any]:
        response = requests.request(method, f"{self.url}/{endpoint}", timeout=60, **kw)
        body = response.json()
        assert body.get("status") == "ok", body
        return body

    def run(self, **args: str) -> Path:
        """Schedule the twinwatch spider, wait for the job to finish, return its feed export."""
        job = self.api("POST", "schedule.json", data={"project": "twinwatch", "spider": "twinwatch",
                                                      **args})["jobid"]
        deadline = time.monotonic() + JOB_TIMEOUT
        while time.monotonic() < deadline:
            jobs = self.api("GET", "listjobs.json", params={"project": "twinwatch"})
            if any(j["id"] == job for j in jobs["finished"]):
                break
            time.sleep(0.2)
        else:
            pytest.fail(f"job {job} did not finish in {JOB_TIMEOUT} s:\n{self.log(job)}")
        items = self.home / "items" / "twinwatch" / "twinwatch" / f"{job}.jl"
        assert items.exists(), self.log(job)
        return items

    def log(self, job: str) -> str:
        path = self.home / "logs" / "twinwatch" / "twinwatch" / f"{job}.log"
        return path.read_text() if path.exists() else "(no log)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def scrapyd(tmp_path: Path) -> Iterator[Scrapyd]:
    """scrapyd on 127.0.0.1 with its own config file and folders; the daemon and its
    jobs (one process group) are always killed."""
    home = tmp_path / "scrapyd"
    home.mkdir()
    port = free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\nbind_address = 127.0.0.1\n"
        f"http_port = {port}\neggs_dir = {home}/eggs\nlogs_dir = {home}/logs\n"
        f"items_dir = {home}/items\ndbs_dir = {home}/dbs\njobs_to_keep = 100\n"
        "poll_interval = 0.2\nmax_proc = 1\n"
    )
    # HOME: scrapyd also reads ~/.scrapyd.conf, which must not be the user's.
    env = {**os.environ, "HOME": str(home)}
    out = (home / "scrapyd.out").open("wb")
    # In its own process group (with the crawls it starts), ended with the test.
    with out, child([sys.executable, "-m", "scrapyd"], cwd=home, env=env, stdout=out,
                    stderr=subprocess.STDOUT) as proc:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{url}/daemonstatus.json", timeout=2).raise_for_status()
                break
            except requests.RequestException:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"scrapyd did not start:\n{(home / 'scrapyd.out').read_text()}")
                time.sleep(0.2)
        yield Scrapyd(url, home)


def build_egg(tmp_path: Path) -> Path:
    """``scrapyd-deploy --build-egg`` on a copy of the project (the documented command)."""
    project = tmp_path / "project"
    project.mkdir()
    for name in PROJECT_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, project / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(src, project / name)
    egg = tmp_path / "twinwatch.egg"
    deploy = Path(sys.executable).parent / "scrapyd-deploy"
    subprocess.run([str(deploy), "--build-egg", str(egg)], cwd=project, check=True,
                   capture_output=True, timeout=120)
    return egg


def tw(db: Path, *args: str, tmp_path: Path) -> Any:
    """``twinwatch --db DB ARGS`` as the ``twinwatch`` fixture runs it: the crawls in a
    child process, the other commands (adding sources, exporting, ingesting) in this one."""
    return run_twinwatch(db, tmp_path, *args, timeout=120)


def stored(db_path: Path) -> dict[str, Any]:
    """What a crawl stored, in the columns that mean something (no ids, no times)."""
    with open_db(db_path) as db:
        changes = []
        for cid, *row in db.execute(
            "SELECT c.id, s.url, c.kind, c.url, c.title, c.added, c.removed, c.ops, "
            "COALESCE(r.status, 'new') FROM changes c JOIN sources s ON s.id = c.source_id "
            "LEFT JOIN reviews r ON r.change_id = c.id ORDER BY s.url, c.kind, c.url, c.title"
        ):
            findings = db.execute(
                "SELECT plugin, name, value, score, reasons FROM findings WHERE change_id = ? "
                "ORDER BY plugin, name, value", [cid]).fetchall()
            changes.append((*row, findings))
        outcomes = db.execute(
            "SELECT s.url, o.outcome, o.http_status, o.bytes, o.changes, o.message FROM fetch_outcomes o "
            "JOIN sources s ON s.id = o.source_id ORDER BY s.url, o.id").fetchall()
        state = db.execute(
            "SELECT s.url, st.etag, st.last_raw_fp, st.last_status, st.consecutive_failures "
            "FROM source_state st JOIN sources s ON s.id = st.source_id ORDER BY s.url").fetchall()
        items = db.execute("SELECT s.url, i.key, i.url, i.title, i.text_fp, i.entry_fp FROM items i "
                           "JOIN sources s ON s.id = i.source_id ORDER BY s.url, i.key").fetchall()
        snaps = db.execute("SELECT s.url, n.raw_fp, n.text_fp, n.http_status FROM snapshots n "
                           "JOIN sources s ON s.id = n.source_id ORDER BY s.url, n.id").fetchall()
    return {"changes": changes, "outcomes": outcomes, "state": state, "items": items, "snapshots": snaps}


@pytest.mark.timeout(480)
def test_scrapyd_crawl_ingested_equals_local_crawl(http_server, scrapyd, tmp_path):
    """An egg deployed to scrapyd crawls four kinds of source twice (sites edited in
    between); its JSON Lines feed export, ingested, stores exactly what a local crawl
    stores; ingesting the exports again adds nothing."""
    s = http_server
    page_url, feed_url, list_url, pdf_url = serve_day_one(s)
    broken = s.set("/broken.html", b"oops", status=500)
    local, remote = tmp_path / "local.db", tmp_path / "remote.db"
    for db in (local, remote):
        tw(db, "sources", "add", page_url, "--select", "main article", "--ignore", r"Visitors: \d+",
           tmp_path=tmp_path)
        tw(db, "sources", "add", feed_url, "--kind", "feed", "--max-items", "1", tmp_path=tmp_path)
        tw(db, "sources", "add", list_url, "--kind", "listing", "--link-pattern", r"/news/\d{4}/",
           tmp_path=tmp_path)
        tw(db, "sources", "add", pdf_url, "--kind", "document", tmp_path=tmp_path)
        tw(db, "sources", "add", broken, tmp_path=tmp_path)

    added = scrapyd.api("POST", "addversion.json", data={"project": "twinwatch", "version": "r1"},
                        files={"egg": ("twinwatch.egg", build_egg(tmp_path).read_bytes())})
    assert added["spiders"] == 1
    spiders = scrapyd.api("GET", "listspiders.json", params={"project": "twinwatch"})["spiders"]
    assert spiders == ["twinwatch"]

    # Day 1: the baselines. The remote crawl reads its sources from a file.
    sources_file = tmp_path / "sources.json"
    exported = tw(remote, "sources", "export-scrapyd", "-o", str(sources_file), tmp_path=tmp_path)
    assert "5 source(s)" in exported.stderr
    with ThreadPoolExecutor(1) as pool:  # the local crawl meanwhile, into its own database
        local_crawl = pool.submit(tw, local, "crawl", tmp_path=tmp_path)
        day1 = scrapyd.run(sources=str(sources_file))
        local_crawl.result()
    assert "spiders/scrapyd/spider.py" in scrapyd.log(day1.stem) and ".egg" in scrapyd.log(day1.stem)
    lines = [json.loads(line) for line in day1.read_text().splitlines()]
    assert sorted(o["source_url"] for o in lines) == sorted([page_url, feed_url, list_url, pdf_url, broken])
    assert "5 ingested (1 http-error, 4 new)" in tw(remote, "ingest", str(day1), tmp_path=tmp_path).stdout
    assert stored(remote)["changes"] == [] and stored(remote) == stored(local)

    # Day 2: every kind changes. The remote crawl reads its sources over HTTP.
    serve_day_two(s)
    exported = tw(remote, "sources", "export-scrapyd", "--all", tmp_path=tmp_path).stdout
    s.set("/sources.json", exported, headers={"Content-Type": "application/json"})
    with ThreadPoolExecutor(1) as pool:
        local_crawl = pool.submit(tw, local, "crawl", "--all", tmp_path=tmp_path)
        day2 = scrapyd.run(sources=s.url("/sources.json"))
        local_crawl.result()
    folder = str(day2.parent)
    second = tw(remote, "ingest", folder, tmp_path=tmp_path).stdout
    assert "10 lines, 5 ingested (4 changed, 1 http-error), 5 already loaded" in second, second
    got, want = stored(remote), stored(local)
    kinds = sorted((c[0], c[1]) for c in got["changes"])
    assert kinds == sorted([(feed_url, "new-entry"), (feed_url, "new-entry"), (list_url, "new-entry"),
                            (pdf_url, "page-changed"), (page_url, "page-changed")]), kinds
    assert any("The agenda includes the solidarity fund." in c[4] for c in got["changes"])  # article
    assert all(c[-1] for c in got["changes"])  # analyzers ran: findings to compare
    assert got == want

    # The same exports again (a cron job that ingests the whole folder): nothing new.
    again = tw(remote, "ingest", f"{folder}/*.jl", tmp_path=tmp_path).stdout
    assert "0 ingested" in again and "10 already loaded" in again, again
    assert stored(remote) == want
