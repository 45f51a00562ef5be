"""Crash-safety runs shared by ``tests/crash`` and ``bench/kill``.

* :func:`municipal_web` serves sites on loopback whose pages and feeds change on
  every request, so every crawl writes snapshots, changes and findings.
* :func:`kill_during_writes` starts ``twinwatch crawl --all``, waits until it has
  stored its first source's result, lets it write for a given delay, SIGKILLs it,
  and checks the database: ``integrity_check`` and ``foreign_key_check`` clean,
  and the curator's tables (reviews, tags, events, actions, export batches and
  their items) exactly as they were.
* :func:`curator_writes` is the second process of the concurrency test: it does
  what the dashboard's write queue does (``monitor.review.decisions`` calls on a connection
  of its own, opened per burst) in a loop and counts "database is locked" errors.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from monitor.children import end, group_options
from monitor.children import run as run_child
from tests.faults.harness import ROOT, crawl_env
from tests.faults.server import FaultServer, Reply, text_reply
from tests.helpers import PARTNERS, feed_with_links, page

CURATOR_TABLES = (
    "reviews",
    "review_tags",
    "review_events",
    "review_actions",
    "export_batches",
    "export_items",
    "export_rows",
    "fact_corrections",
)
"""Tables a crawl never writes: a killed crawl must leave them exactly as they were."""


def _changing_page(host: int, n: int) -> Callable[[int], bytes]:
    def make(count: int) -> bytes:
        extra = [
            f"Council decision {count} of site {host}, page {n}: the twinning with Biarritz is "
            f"renewed and the municipality grants EUR {count * 1000} to Zababdeh for water."
        ]
        return page([*PARTNERS, *extra], title=f"Site {host} page {n}")

    return make


def _changing_feed(base: str, host: int) -> Callable[[int], bytes]:
    def make(count: int) -> bytes:
        items = [
            (f"s{host}-{i}", f"Solidarity news {i} of site {host}", f"Motion {i}: stedenband met Gaza")
            for i in range(count * 3)
        ]
        return feed_with_links(base, items[-20:])

    return make


def municipal_web(server: FaultServer, sites: int = 6, pages: int = 8) -> list[tuple[str, str]]:
    """Sites whose pages and feed change on every request; returns (url, kind) pairs."""
    out: list[tuple[str, str]] = []
    for h in range(sites):
        site = server.site()
        for n in range(pages):
            out.append((site.set(f"/p{n}.html", Reply(make=_changing_page(h, n))), "page"))
        for i in range(200):
            site.set(
                f"/news/s{h}-{i}.html",
                text_reply(page([f"Article {i}: {PARTNERS[i % 6]}"]), "text/html; charset=utf-8"),
            )
        out.append(
            (
                site.set(
                    "/feed.xml",
                    Reply(
                        make=_changing_feed(site.url(""), h),
                        headers=[("Content-Type", "application/rss+xml")],
                    ),
                ),
                "feed",
            )
        )
    return out


def run(db: Path, home: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``twinwatch --db DB ARGS`` to completion."""
    return run_child(
        [sys.executable, "-m", "monitor", "--db", str(db), *args],
        timeout=timeout,
        env=crawl_env(home),
        cwd=ROOT,
    )


def snapshot(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the curator's tables, in order."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in CURATOR_TABLES}
    finally:
        conn.close()


def health(db: Path) -> tuple[str, list[tuple[object, ...]]]:
    """(``integrity_check`` result, ``foreign_key_check`` rows)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        check = ", ".join(r[0] for r in conn.execute("PRAGMA integrity_check"))
        return check, conn.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        conn.close()


def _runs(db: Path) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return int(conn.execute("SELECT COALESCE(MAX(id), 0) FROM crawl_runs").fetchone()[0])
    finally:
        conn.close()


def _written(db: Path, run_id: int) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return int(
            conn.execute("SELECT COUNT(*) FROM fetch_outcomes WHERE run_id = ?", [run_id]).fetchone()[0]
        )
    finally:
        conn.close()


@dataclass
class Kill:
    delay: float
    """Seconds between the run's first stored result and the SIGKILL."""
    written: int
    """Sources the killed run had stored a result for."""
    exited_before: bool
    """The crawl had finished before the kill (the delay was too long)."""
    integrity: str
    fk_problems: int
    curator_intact: bool


def kill_during_writes(db: Path, home: Path, delay: float, *, timeout: float = 60) -> Kill:
    """Start a crawl, SIGKILL it ``delay`` seconds after it stored its first result, check
    the file."""
    before = snapshot(db)
    last = _runs(db)
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor", "--db", str(db), "crawl", "--all", "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=crawl_env(home),
        cwd=ROOT,
        **group_options(),
    )
    deadline = time.monotonic() + timeout
    try:
        while (
            proc.poll() is None
            and time.monotonic() < deadline
            and (_runs(db) == last or not _written(db, last + 1))
        ):
            time.sleep(0.01)
        time.sleep(delay)
        exited = proc.poll() is not None
        if not exited:
            os.kill(proc.pid, signal.SIGKILL)  # the crawl only: a crash
    finally:
        end(proc, 1)  # and whatever of its group is left
    written = _written(db, last + 1)
    check, fk = health(db)
    return Kill(delay, written, exited, check, len(fk), snapshot(db) == before)


def curator_writes(db_path: str, seconds: float, stop_file: str) -> dict[str, object]:
    """Review changes as the dashboard does until ``stop_file`` exists (or ``seconds``
    pass): bursts of decisions on a writer connection opened per burst, an undo now
    and then. Returns counts, the slowest write and every error message."""
    import random

    from monitor.review.decisions import review_many, undo
    from monitor.store.db import open_db

    rng = random.Random(7)
    done = 0
    errors: list[str] = []
    slowest = 0.0
    end = time.monotonic() + seconds
    statuses = ["relevant", "irrelevant", "follow-up", "new"]
    while time.monotonic() < end and not os.path.exists(stop_file):
        db = open_db(db_path, migrate=False)
        try:
            ids = [r[0] for r in db.execute("SELECT id FROM changes ORDER BY id DESC LIMIT 500")]
            for _ in range(5):
                if not ids:
                    break
                started = time.monotonic()
                try:
                    if rng.random() < 0.15:
                        undo(db)
                    else:
                        review_many(
                            db,
                            rng.sample(ids, min(len(ids), rng.randint(1, 4))),
                            status=rng.choice(statuses),
                            add_tags=[f"t{rng.randint(0, 5)}"],
                        )
                    done += 1
                except sqlite3.Error as exc:
                    errors.append(f"{type(exc).__name__}: {exc}")
                slowest = max(slowest, time.monotonic() - started)
        finally:
            db.close()
        time.sleep(rng.uniform(0.0, 0.05))
    return {"writes": done, "errors": errors, "slowest_s": round(slowest, 3)}


if __name__ == "__main__":  # the second process of the concurrency test
    import json

    print(json.dumps(curator_writes(sys.argv[1], float(sys.argv[2]), sys.argv[3])))
