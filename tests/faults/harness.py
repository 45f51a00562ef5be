"""Run fault scenarios against real ``twinwatch crawl`` processes and judge them.

Shared by the pytest suite (``tests/faults/test_faults.py``) and the report script
(``bench/faults``), so both apply the same checks:

* the crawl exits 0 within the group's wall-time bound, its peak resident memory
  (``ru_maxrss`` of the crawl process from ``os.wait4``) within the group's bound;
* each scenario's first outcome is one it allows, with a readable message (no
  traceback, one paragraph) containing the expected text, fetched within its bound;
* a scenario that must succeed stored a version containing the expected text;
* nothing stored for a source contains a forbidden text (a local file's secret,
  mojibake);
* the second crawl of an unchanged scenario invents no change (and one that the
  site changed reports exactly the expected number);
* the healthy control sources are stored (``new``, then ``unchanged``);
* ``PRAGMA integrity_check`` is ``ok`` after every crawl.
"""

from __future__ import annotations

import csv
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from monitor.children import group_options, kill_group
from monitor.text import decompress
from tests.faults import bodies as b
from tests.faults.scenarios import GROUPS, Lab, Scenario
from tests.faults.server import FaultServer, Site, text_reply

ROOT = Path(__file__).resolve().parents[2]


def crawl_env(home: Path) -> dict[str, str]:
    """The environment of every ``twinwatch`` process started here: the config file and
    log directory under ``home``, and loopback allowed for the private-address policy."""
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "TWINWATCH_CONFIG": str(home / "config.toml"),
        "TWINWATCH_LOG_DIR": str(home / "log"),
        "TWINWATCH_ALLOW_PRIVATE": "127.0.0.0/8",
    }
    env.pop("TWINWATCH_DB", None)
    env.pop("TWINWATCH_CONTACT", None)
    return env


@dataclass
class Run:
    """One finished ``twinwatch`` process."""

    args: tuple[str, ...]
    returncode: int
    wall_s: float
    max_rss_mb: float
    stdout: str
    stderr: str


def twinwatch(db: Path, *args: str, home: Path, timeout: float = 120.0) -> Run:
    """Run ``twinwatch --db DB ARGS`` and measure its wall time and peak RSS (the
    process's own ``ru_maxrss``, read with ``os.wait4`` so other children do not count).
    A process still running after ``timeout`` is killed (returncode -9)."""
    out_path, err_path = home / f"out-{time.monotonic_ns()}", home / f"err-{time.monotonic_ns()}"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        started = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-m", "monitor", "--db", str(db), *args],
            stdout=out,
            stderr=err,
            env=crawl_env(home),
            cwd=ROOT,
            **group_options(),
        )
        deadline = started + timeout
        # Its exit is seen without reaping it, so the group id is still its own when the
        # group (anything the run left behind, or all of it after the timeout) is killed.
        while os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
            if time.monotonic() > deadline:
                break
            time.sleep(0.02)
        wall = time.monotonic() - started
        kill_group(proc.pid)
        pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait again
    return Run(
        args,
        proc.returncode,
        wall,
        usage.ru_maxrss / 1024,
        out_path.read_text(errors="replace"),
        err_path.read_text(errors="replace"),
    )


def integrity(db: Path) -> str:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return ", ".join(r[0] for r in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


@dataclass
class Fetch:
    outcome: str
    message: str
    elapsed_s: float
    changes: int


@dataclass
class Verdict:
    """What happened to one scenario (or control source) over the two crawls."""

    name: str
    first: Fetch | None = None
    second: Fetch | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class GroupResult:
    group: str
    runs: list[Run]
    integrity: list[str]
    verdicts: dict[str, Verdict]
    problems: list[str]
    """Problems of the group as a whole (exit code, wall time, memory, integrity)."""

    @property
    def max_rss_mb(self) -> float:
        return max(r.max_rss_mb for r in self.runs)


def _fetches(conn: sqlite3.Connection, source_id: int) -> list[Fetch]:
    return [
        Fetch(o, m or "", (e or 0) / 1000, c)
        for o, m, e, c in conn.execute(
            "SELECT outcome, message, elapsed_ms, changes FROM fetch_outcomes "
            "WHERE source_id = ? ORDER BY id",
            [source_id],
        )
    ]


def stored_texts(conn: sqlite3.Connection, source_id: int) -> list[str]:
    """Every text stored for a source: versions, entries, articles, change texts, messages."""
    fps = [
        r[0]
        for r in conn.execute(
            "SELECT text_fp FROM snapshots WHERE source_id = ? "
            "UNION SELECT entry_fp FROM items WHERE source_id = ? "
            "UNION SELECT text_fp FROM items WHERE source_id = ?",
            [source_id] * 3,
        )
        if r[0]
    ]
    texts = [
        decompress(row[0]) for fp in fps for row in conn.execute("SELECT data FROM blobs WHERE fp = ?", [fp])
    ]
    texts += [
        f"{t}\n{a}\n{r}"
        for t, a, r in conn.execute(
            "SELECT title, added_text, removed_text FROM changes WHERE source_id = ?", [source_id]
        )
    ]
    texts += [
        m or ""
        for (m,) in conn.execute("SELECT message FROM fetch_outcomes WHERE source_id = ?", [source_id])
    ]
    return texts


def readable(message: str) -> bool:
    """A message a curator can read: no traceback, not a wall of text, printable."""
    return "Traceback" not in message and len(message) <= 500 and all(ch.isprintable() for ch in message)


def judge(s: Scenario, fetches: list[Fetch], texts: list[str], requested: list[str] | None = None) -> Verdict:
    v = Verdict(s.name, *(fetches + [None, None])[:2])  # type: ignore[list-item]
    p = v.problems
    if len(fetches) != 2 or v.first is None or v.second is None:
        p.append(f"expected 2 recorded fetches, got {len(fetches)}")
        return v
    first, second = v.first, v.second
    if first.outcome not in s.expect:
        p.append(f"first crawl: {first.outcome} ({first.message!r}), expected {'/'.join(s.expect)}")
    if first.outcome not in ("new", "changed", "unchanged", "not-modified"):
        if not first.message or not readable(first.message):
            p.append(f"failure message missing or unreadable: {first.message!r}")
        elif s.message and s.message.lower() not in first.message.lower():
            p.append(f"message {first.message!r} lacks {s.message!r}")
    for f, which in ((first, "first"), (second, "second")):
        if f.elapsed_s > s.max_s:
            p.append(f"{which} fetch took {f.elapsed_s:.1f} s (bound {s.max_s:.0f} s)")
    if s.contains and not any(s.contains in t for t in texts):
        p.append(f"no stored text contains {s.contains!r}")
    for path in s.never:
        if path in (requested or []):
            p.append(f"{path} was requested")
    for bad in s.absent:
        if any(bad in t for t in texts):
            p.append(f"a stored text contains {bad!r}")
    expected_second = s.changes
    if second.changes != expected_second:
        p.append(f"second crawl reported {second.changes} change(s), expected {expected_second}")
    if s.between is None:
        if first.outcome in ("new", "changed") and second.outcome != "unchanged":
            p.append(f"second crawl of an unchanged source: {second.outcome}, expected unchanged")
        if first.outcome not in ("new", "changed") and second.outcome != first.outcome:
            p.append(f"second crawl: {second.outcome}, the first was {first.outcome}")
    return v


CONTROLS = ("control-page", "control-feed")


def _controls(site: Site) -> dict[str, tuple[str, str]]:
    site.set("/news/0.html", text_reply(b.article_page(0), "text/html; charset=utf-8"))
    return {
        "control-page": (
            site.set("/healthy.html", text_reply(b.healthy_page("control"), "text/html")),
            "page",
        ),
        "control-feed": (
            site.set("/feed.xml", text_reply(b.healthy_feed(site.url("")), "application/rss+xml")),
            "feed",
        ),
    }


def run_group(group: str, scenarios: Iterable[Scenario], workdir: Path) -> GroupResult:
    """Serve ``scenarios`` (and the healthy controls), add them as sources, crawl twice
    (changing the sites that change in between), and judge every scenario."""
    g = GROUPS[group]
    scenarios = list(scenarios)
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "faults.db"
    secret = workdir / "secret.txt"
    secret.write_text(f"{b.SECRET}\n")
    lab = Lab(secret)
    runs: list[Run] = []
    checks: list[str] = []
    problems: list[str] = []
    with FaultServer(lifetime=g.max_wall_s * 3 + 60, max_hold=30) as server:
        sites = {s.name: server.site() for s in scenarios}
        urls = {s.name: (s.setup(sites[s.name], lab), s.kind) for s in scenarios}
        urls.update(_controls(server.site()))
        listing = workdir / "sources.csv"
        with listing.open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["url", "kind", "municipality"])
            for name, (url, kind) in urls.items():
                w.writerow([url, kind, name])
        add = twinwatch(db, "sources", "import", str(listing), home=workdir)
        if add.returncode != 0:
            raise RuntimeError(f"sources import failed: {add.stderr}")
        for n in (1, 2):
            if n == 2:
                for s in scenarios:
                    if s.between is not None:
                        s.between(sites[s.name], lab)
            run = twinwatch(db, "crawl", "--all", *g.args, home=workdir, timeout=g.max_wall_s * 2)
            runs.append(run)
            checks.append(integrity(db))
            if run.returncode != 0:
                problems.append(f"crawl {n} exited {run.returncode}: {run.stderr.strip()[-400:]}")
            if run.wall_s > g.max_wall_s:
                problems.append(f"crawl {n} took {run.wall_s:.1f} s (bound {g.max_wall_s:.0f} s)")
            if run.max_rss_mb > g.max_rss_mb:
                problems.append(f"crawl {n} peaked at {run.max_rss_mb:.0f} MB (bound {g.max_rss_mb:.0f} MB)")
            if checks[-1] != "ok":
                problems.append(f"integrity_check after crawl {n}: {checks[-1]}")
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        ids = {url: sid for sid, url in conn.execute("SELECT id, url FROM sources")}
        verdicts: dict[str, Verdict] = {}
        for s in scenarios:
            sid = ids[urls[s.name][0]]
            verdicts[s.name] = judge(s, _fetches(conn, sid), stored_texts(conn, sid), sites[s.name].requests)
        for name in CONTROLS:
            fetches = _fetches(conn, ids[urls[name][0]])
            v = Verdict(name, *(fetches + [None, None])[:2])  # type: ignore[list-item]
            got = [f.outcome for f in fetches]
            if got != ["new", "unchanged"]:
                v.problems.append(f"healthy source recorded {got}, expected ['new', 'unchanged']")
            verdicts[name] = v
    finally:
        conn.close()
    return GroupResult(group, runs, checks, verdicts, problems)
