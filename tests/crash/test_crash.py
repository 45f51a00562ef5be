"""Crash safety: a crawl SIGKILLed while it writes leaves a sound database with every
review and export batch intact, and the next crawl completes; a crawl and a second
process making the dashboard's review writes run together without one "database is
locked"."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from monitor.review.decisions import review_many
from monitor.store.db import open_db
from tests.conftest import run_twinwatch
from tests.crash.harness import ROOT, health, kill_during_writes, municipal_web, run, snapshot
from tests.faults.harness import crawl_env
from tests.faults.server import FaultServer

pytestmark = pytest.mark.slow

KILL_DELAYS = (0.0, 0.03, 0.06, 0.1, 0.15, 0.22, 0.32, 0.5)
"""Seconds after the run's first stored result at which each crawl is killed (8 kills).
All within one crawl of this web: since the sharded crawl, a crawl had already ended
0.8 s after its first result in a CI run (15 results written)."""


def _add_sources(db: Path, home: Path, urls: list[tuple[str, str]]) -> None:
    listing = home / "sources.csv"
    with listing.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["url", "kind"])
        w.writerows(urls)
    out = run_twinwatch(db, home, "sources", "import", str(listing), check=False)
    assert out.returncode == 0, out.stderr


def _crawl(db: Path, home: Path) -> subprocess.CompletedProcess[str]:
    out = run(db, home, "crawl", "--all")
    assert out.returncode == 0, out.stderr
    return out


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    """A municipal web whose pages and feeds change on every request, its sources in a
    database crawled twice (so there are changes to review); shared by both tests."""
    home = Path(tmp_path_factory.mktemp("crash"))
    db = home / "crash.db"
    with FaultServer(lifetime=400) as server:
        _add_sources(db, home, municipal_web(server, sites=3, pages=6))
        _crawl(db, home)
        _crawl(db, home)
        yield db, home


@pytest.mark.timeout(240)
def test_sigkill_during_writes_loses_nothing(web):
    """Eight crawls killed at different moments of their writes: integrity_check and
    foreign_key_check stay clean, reviews, tags, undo history and export batches are
    untouched (the batch replays byte for byte), and the next crawl exits 0."""
    db, home = web
    conn = open_db(db)
    try:
        ids = [r[0] for r in conn.execute("SELECT id FROM changes ORDER BY id")]
        assert len(ids) >= 12
        review_many(conn, ids[:8], status="relevant", add_tags=["keep"], note="checked")
        review_many(conn, ids[8:12], status="irrelevant")
    finally:
        conn.close()
    exported = home / "reviewed.csv"
    out = run_twinwatch(  # in this process: the crash is the crawl's, not the export's
        db,
        home,
        "export",
        "--format",
        "csv",
        "--table",
        "changes",
        "--status",
        "relevant",
        "-o",
        str(exported),
    )
    assert out.returncode == 0, out.stderr
    before = snapshot(db)
    assert before["export_batches"] and len(before["reviews"]) == 12

    kills = [kill_during_writes(db, home, delay) for delay in KILL_DELAYS]
    for k in kills:
        assert k.integrity == "ok" and k.fk_problems == 0, k
        assert k.curator_intact, k
    assert sum(not k.exited_before for k in kills) >= 6, kills  # killed while running
    assert all(k.written > 0 for k in kills), kills  # ... after it began to write

    out = _crawl(db, home)
    assert "crawl" in out.stdout and " 0 failed" in out.stdout, out.stdout
    check, fk = health(db)
    assert check == "ok" and not fk
    assert snapshot(db) == before
    (batch_id,) = (row[0] for row in before["export_batches"])
    again = home / "again.csv"
    out = run_twinwatch(db, home, "export", "--batch", str(batch_id), "-o", str(again), check=False)
    assert out.returncode == 0, out.stderr
    assert again.read_bytes() == exported.read_bytes()


@pytest.mark.timeout(240)
def test_crawl_and_curator_write_together_without_locks(web):
    """While two crawls write, a second process reviews changes as the dashboard does
    (short IMMEDIATE transactions): zero "database is locked", both sides finish."""
    db, home = web
    stop = home / "stop"
    curator = subprocess.Popen(
        [sys.executable, "-m", "tests.crash.harness", str(db), "120", str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=crawl_env(home),
        cwd=ROOT,
    )
    try:
        time.sleep(1.0)  # the curator is writing before the crawls start
        crawls = [run(db, home, "crawl", "--all") for _ in range(2)]
    finally:
        stop.touch()
        out, err = curator.communicate(timeout=60)
    assert curator.returncode == 0, err
    result = json.loads(out)
    for c in crawls:
        assert c.returncode == 0, c.stderr
        assert "locked" not in c.stderr.lower(), c.stderr
        assert " 0 failed" in c.stdout, c.stdout
        assert " 0 changed" not in c.stdout, c.stdout  # the crawls did write changes
    assert result["errors"] == [], result
    assert result["writes"] >= 20, result
    check, fk = health(db)
    assert check == "ok" and not fk
