"""twinwatch browse: datasette on 127.0.0.1, read-only, with the canned queries."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from monitor.export.browse import CANNED
from monitor.ingest.pipeline import ingest
from monitor.models import FetchResult
from monitor.records.registry import create
from monitor.review.decisions import review
from monitor.sources.manage import NewSource, add_sources
from monitor.store.db import open_db
from tests import processes
from tests.helpers import feed

pytestmark = pytest.mark.slow

RSS = {"content-type": "application/rss+xml"}


def start_browse(db: Path, port: int) -> subprocess.Popen:
    """``twinwatch browse`` in its own process group, so the test can end all it started."""
    return subprocess.Popen(
        [sys.executable, "-m", "monitor", "--db", str(db), "browse", "--port", str(port),
         "--no-open"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, process_group=0,
        preexec_fn=processes.ctrl_c_delivered)


def processes_of(db: Path) -> list[int]:
    """Live processes whose command line names ``db`` (zombies have none)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                args = f.read().split(b"\0")
        except OSError:  # gone meanwhile
            continue
        if os.fsencode(db) in args:
            found.append(int(entry))
    return found


def end_all(proc: subprocess.Popen, db: Path) -> None:
    """End the browse process's group and anything of this run that left it."""
    for pid in [proc.pid, *processes_of(db)]:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get_json(url: str, deadline: float) -> dict:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                return json.loads(r.read())
        except urllib.error.HTTPError:
            raise
        except OSError:  # not listening yet
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture
def reviewed_db(db_path: Path, pm) -> Path:
    with open_db(db_path) as db:
        (sid,), _ = add_sources(db, [NewSource("http://127.0.0.1:1/f.xml", "feed", "Ixelles", "BE")])
        (bad,), _ = add_sources(db, [NewSource("http://127.0.0.1:1/gone.html", "page", "Gent", "BE")])
        ingest(db, pm, FetchResult(sid, "u", 200, RSS, feed([("a", "Old", "x")])))
        ingest(db, pm, FetchResult(sid, "u", 200, RSS, feed([("b", "Stedenband opgeschort", "y"),
                                                            ("a", "Old", "x")])))
        ingest(db, pm, FetchResult(bad, "u", 404, error_kind="http-error", error="HTTP 404"))
        cid = db.execute("SELECT id FROM changes").fetchone()[0]
        review(db, cid, status="relevant")
        create(db, cid, {"partner": "Megiddo", "partner_country": "IL", "action": "twinning_suspended",
                         "date": "2024-06"})
    return db_path


def test_browse_serves_canned_queries_read_only(reviewed_db):
    """The canned queries answer as JSON, and the database cannot be written through datasette."""
    port = free_port()
    proc = start_browse(reviewed_db, port)
    try:
        base = f"http://127.0.0.1:{port}/{reviewed_db.stem}"
        deadline = time.monotonic() + 60
        rel = get_json(f"{base}/relevant_by_municipality.json?_shape=array&municipality=", deadline)
        assert [(r["municipality"], r["title"], r["status"]) for r in rel] == [
            ("Ixelles", "Stedenband opgeschort", "relevant")]
        failing = get_json(f"{base}/failing_sources.json?_shape=array", deadline)
        assert [(r["municipality"], r["last_status"], r["last_error"]) for r in failing] == [
            ("Gent", "http-error", "HTTP 404")]
        (step,) = get_json(f"{base}/twinning_timelines.json?_shape=array", deadline)
        assert (step["municipality"], step["partner"], step["step"], step["date"]) == (
            "Ixelles", "Megiddo", "suspended", "2024-06")
        for name in CANNED:
            assert isinstance(get_json(f"{base}/{name}.json?_shape=array&municipality=", deadline), list)
        req = urllib.request.Request(f"{base}.json?sql=DELETE+FROM+changes")
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(req, timeout=5)
    finally:
        end_all(proc, reviewed_db)
    with open_db(reviewed_db) as db:
        assert db.execute("SELECT COUNT(*) FROM changes").fetchone()[0] == 1


def gone(db: Path, within: float) -> list[int]:
    """The processes naming ``db`` still alive after waiting up to ``within`` seconds."""
    deadline = time.monotonic() + within
    while (left := processes_of(db)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="finds datasette through /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL],
                         ids=["SIGTERM", "SIGINT", "SIGKILL"])
def test_browse_leaves_no_datasette_running(db_path, sig):
    """Ending twinwatch browse (terminated, interrupted or killed) ends the datasette it started."""
    open_db(db_path).close()
    port = free_port()
    proc = start_browse(db_path, port)
    try:
        get_json(f"http://127.0.0.1:{port}/-/versions.json", time.monotonic() + 60)
        server = [pid for pid in processes_of(db_path) if pid != proc.pid]
        assert server, "datasette not found by its database path"
        os.kill(proc.pid, sig)
        # Ctrl-C is the documented way to stop it; SIGTERM exits as 128 + the signal.
        assert proc.wait(15) == {signal.SIGTERM: 128 + signal.SIGTERM, signal.SIGINT: 0,
                                 signal.SIGKILL: -signal.SIGKILL}[sig]
        assert gone(db_path, 5) == []
    finally:
        end_all(proc, db_path)
