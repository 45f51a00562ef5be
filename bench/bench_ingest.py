"""Ingest throughput and storage cost, without the network.

Run: .venv/bin/python bench/bench_ingest.py [N]

Feeds N municipal-style pages through monitor.ingest.pipeline three times (baseline, one
edited paragraph each, identical bytes) and N feeds twice (baseline, one new entry
each), with the real trafilatura extractor and a real SQLite file, and prints
pages/s per pass, peak memory and bytes on disk.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["TWINWATCH_ALLOW_PRIVATE"] = "127.0.0.0/8"  # its sources are on 127.0.0.1 (docs/security.md)

from monitor.ingest.pipeline import ingest  # noqa: E402
from monitor.models import FetchResult  # noqa: E402
from monitor.plugin_manager import make_plugin_manager  # noqa: E402
from monitor.sources.manage import NewSource, add_sources  # noqa: E402
from monitor.store.db import open_db  # noqa: E402
from tests.helpers import PARTNERS, feed, page  # noqa: E402

HTML = {"content-type": "text/html; charset=utf-8"}
RSS = {"content-type": "application/rss+xml"}


def timed(label: str, n: int, fn) -> None:
    start = time.perf_counter()
    outcomes: dict[str, int] = {}
    for i in range(n):
        o = fn(i)
        outcomes[o] = outcomes.get(o, 0) + 1
    dt = time.perf_counter() - start
    print(f"{label:<34} {n / dt:8.1f} /s  ({dt * 1000 / n:6.2f} ms each)  {outcomes}")


def main(n: int) -> None:
    pm = make_plugin_manager(distribution="twinwatch")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        db = open_db(path)
        pages, _ = add_sources(db, [NewSource(f"http://127.0.0.1/p{i}", "page") for i in range(n)])
        feeds, _ = add_sources(db, [NewSource(f"http://127.0.0.1/f{i}", "feed") for i in range(n)])
        body = [page(PARTNERS * 3, title=f"Page {i}") for i in range(n)]
        edited = [page(PARTNERS[:-1] * 3 + [f"New partner {i} joined."], title=f"Page {i}",
                       footer="Page generated on 2026-11-24") for i in range(n)]
        items = [(f"e{k}", f"Entry {k}", "Council news " * 20) for k in range(20)]
        tracemalloc.start()
        timed("pages, first fetch (baseline)", n,
              lambda i: ingest(db, pm, FetchResult(pages[i], "u", 200, HTML, body[i])))
        timed("pages, one paragraph edited", n,
              lambda i: ingest(db, pm, FetchResult(pages[i], "u", 200, HTML, edited[i])))
        timed("pages, identical bytes", n,
              lambda i: ingest(db, pm, FetchResult(pages[i], "u", 200, HTML, edited[i])))
        timed("feeds (20 entries), first fetch", n,
              lambda i: ingest(db, pm, FetchResult(feeds[i], "u", 200, RSS, feed(items))))
        timed("feeds, one new entry", n,
              lambda i: ingest(db, pm, FetchResult(
                  feeds[i], "u", 200, RSS, feed([(f"n{i}", "Twinning", "News")] + items))))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        snaps = db.execute("SELECT COUNT(*) FROM snapshots").fetchone()[0]
        blobs = db.execute("SELECT COUNT(*), SUM(size), SUM(length(data)) FROM blobs").fetchone()
        db.close()
        size = os.path.getsize(path)
        print(f"peak traced memory: {peak / 1e6:.1f} MB")
        print(f"database: {size / 1e6:.2f} MB on disk for {2 * n} sources, {snaps} snapshots; "
              f"{blobs[0]} text blobs, {blobs[1] / 1e6:.2f} MB text stored as {blobs[2] / 1e6:.2f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
