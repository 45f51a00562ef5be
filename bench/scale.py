"""Scale: loading JSON Lines fetch results and grouping changes into cases.

Run: .venv/bin/python bench/scale.py [RESULTS] [CHANGES]

1. Writes RESULTS (default 100,000) fetch results as JSON Lines, the way spiders
   under scrapyd export them: 5,000 sources (pages of 8-30 KB and feeds) fetched
   20 times; between rounds 3% of pages get a real edit, 10% a new footer
   timestamp only, 5% of feeds a new entry; the rest are byte-identical. Then times
   ``monitor.ingest.jsonl.load`` on one core (the real ingest, trafilatura included).
2. Builds CHANGES (default 100,000) changes directly (realistic text, 5% near-
   duplicate reports of the same event from other sources) and times
   ``monitor.review.cases.group``, with peak RSS.

Prints results/s (wall clock, which other processes on the machine slow down) and
results per CPU-second (what the 2,000/s target is measured in), changes/s, cases
found, peak RSS and database bytes. The lines carry ``body_sha256`` as the spiders
write it, so byte-identical fetches are recognised without decoding their bodies.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.ingest.jsonl import load, to_json  # noqa: E402
from monitor.models import FetchResult  # noqa: E402
from monitor.plugin_manager import make_plugin_manager  # noqa: E402
from monitor.review.cases import cases, group  # noqa: E402
from monitor.sources.manage import NewSource, add_sources  # noqa: E402
from monitor.store.db import open_db, write_tx  # noqa: E402
from tests.helpers import feed  # noqa: E402

WORDS = ("gemeente raad stedenband jumelage conseil communal partner solidariteit humanitaire hulp "
         "motie vlag wake aanbesteding clausule budget euro project school water vrede twinning town "
         "council decision mayor aid grant municipality cooperation Kinshasa Gaza Megiddo Zababdeh "
         "Ixelles Elsene Gent Leuven Brugge Antwerpen Namur Liège Mons Tournai Eupen").split()

HTML = {"content-type": "text/html; charset=utf-8"}
RSS = {"content-type": "application/rss+xml"}


def rss_kb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def paragraph(rng: random.Random, n: int = 40) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def html(paras: list[str], stamp: str) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paras)
    nav = "".join(f"<a href='/p{i}'>Menu {i}</a>" for i in range(40))
    return (f"<html><head><title>Gemeente</title></head><body><nav>{nav}</nav><main><article>"
            f"<h1>Nieuws</h1>{body}</article></main><footer>Generated {stamp}</footer>"
            f"</body></html>").encode()


def write_results(path: Path, n_results: int, rng: random.Random) -> list[str]:
    n_sources = 5000
    rounds = max(1, n_results // n_sources)
    urls = [f"https://gemeente{i}.example/{'nieuws.rss' if i % 5 == 0 else 'internationaal'}"
            for i in range(n_sources)]
    pages = {u: [paragraph(rng) for _ in range(rng.randint(8, 30))] for u in urls if not u.endswith("rss")}
    feeds = {u: [(f"e{k}", paragraph(rng, 8), paragraph(rng)) for k in range(10)] for u in urls
             if u.endswith("rss")}
    stamps = {u: "2026-11-01" for u in urls}
    with path.open("w") as fp:
        for r in range(rounds):
            for u in urls:
                if r:
                    x = rng.random()
                    if u in pages and x < 0.03:
                        pages[u][rng.randrange(len(pages[u]))] = paragraph(rng)
                    elif u in pages and x < 0.13:
                        stamps[u] = f"2026-11-{r + 1:02d}"
                    elif u in feeds and x < 0.05:
                        feeds[u].insert(0, (f"r{r}", paragraph(rng, 8), paragraph(rng)))
                        feeds[u] = feeds[u][:10]
                body = html(pages[u], stamps[u]) if u in pages else feed(feeds[u])
                res = FetchResult(0, u, 200, HTML if u in pages else RSS, body)
                fetched = f"2026-11-{r + 1:02d}T06:00:00Z"
                fp.write(json.dumps(to_json(res, u, fetched)) + "\n")
    return urls


def bench_ingest(n_results: int) -> None:
    rng = random.Random(1)
    pm = make_plugin_manager(distribution="twinwatch")
    with tempfile.TemporaryDirectory() as tmp:
        jl = Path(tmp) / "results.jl"
        urls = write_results(jl, n_results, rng)
        db = open_db(Path(tmp) / "scale.db")
        add_sources(db, [NewSource(u, "feed" if u.endswith("rss") else "page") for u in urls])
        cpu0, t0 = time.process_time(), time.perf_counter()
        summary = load(db, pm, [str(jl)])
        dt, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        db.close()
        size = os.path.getsize(Path(tmp) / "scale.db")
        print(f"ingest: {summary.lines:,} JSON Lines results ({jl.stat().st_size / 1e6:.0f} MB) "
              f"in {dt:.1f} s = {summary.lines / dt:,.0f} results/s, {cpu:.1f} CPU s (one core) = "
              f"{summary.lines / cpu:,.0f} results per CPU-second (target 2,000); {summary.outcomes}")
        print(f"        database {size / 1e6:.1f} MB; peak RSS so far {rss_kb():.0f} MB")


def bench_cases(n_changes: int) -> None:
    rng = random.Random(2)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "cases.db")
        n_sources = 2000
        add_sources(db, [NewSource(f"https://s{i}.example/", "page", f"Gemeente {i % 565}")
                         for i in range(n_sources)])
        t0 = time.perf_counter()
        events: list[str] = []
        rows = []
        for i in range(n_changes):
            if events and rng.random() < 0.05:  # another outlet reports a recent event
                text = rng.choice(events[-50:]) + " " + paragraph(rng, 6)
            else:
                text = paragraph(rng, 60)
                events.append(text)
            day = 1 + i * 300 // n_changes
            stamp = f"2026-{1 + day // 31 % 12:02d}-{1 + day % 28:02d}T10:00:00.000000Z"
            rows.append((1 + i % n_sources, "page-changed", f"https://s{i}.example/n", "Nieuws", stamp,
                         json.dumps([text]), text))
        with write_tx(db):
            db.conn.executemany(
                "INSERT INTO changes (source_id, kind, url, title, detected_at, added, added_text) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        del rows, events  # the texts now live in the database only
        build = time.perf_counter() - t0
        cpu0, t0 = time.process_time(), time.perf_counter()
        summary = group(db)
        dt, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        multi = cases(db)
        print(f"cases:  {n_changes:,} changes (built in {build:.1f} s) grouped in {dt:.1f} s "
              f"({n_changes / dt:,.0f} changes/s, {cpu:.1f} CPU s); {summary.new_cases:,} cases, "
              f"{len(multi):,} with 2+ members; peak RSS {rss_kb():.0f} MB")
        t0 = time.perf_counter()
        again = group(db)
        print(f"        a second run examines {again.examined} changes in {time.perf_counter() - t0:.2f} s")
        db.close()


if __name__ == "__main__":
    results = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    changes = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    # Each part runs in a fresh process of its own, so the peak RSS printed is that
    # part's alone (not the other part's, nor the parent's).
    spawn = multiprocessing.get_context("spawn")
    for part, arg in ((bench_ingest, results), (bench_cases, changes)):
        child = spawn.Process(target=part, args=(arg,))
        child.start()
        child.join()
        if child.exitcode:
            sys.exit(child.exitcode)
