"""A ``twinwatch crawl`` stopped mid-crawl (SIGTERM, Ctrl-C's SIGINT, SIGKILL) leaves no
crawler process, extraction worker or forkserver running, in one Scrapy process and
sharded over two; a crawl that ends normally has waited for all of them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from monitor.store.db import open_db
from tests import processes
from tests.conftest import ROOT
from tests.helpers import page

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc")]

TAG = "TWINWATCH_TEST_CRAWL"
"""Set to a token per crawl: finds its processes even once they are orphans."""

HANG = 12.0
"""Seconds the slow pages wait before answering: the crawl is mid-flight meanwhile."""

STOP_WITHIN = 8.0
"""Seconds a signalled crawl may take to end: less than :data:`HANG`, so it must not
wait for the requests under way (as Scrapy's graceful stop does)."""

MODES = {"one-process": {"TWINWATCH_CRAWL_PROCESSES": "1"},
         "sharded": {"TWINWATCH_CRAWL_PROCESSES": "2"}}


def _env(tmp_path: Path, mode: str, token: str) -> dict[str, str]:
    env = {**os.environ, **MODES[mode], "TWINWATCH_EXTRACT_WORKERS": "1", TAG: token,
           "TWINWATCH_CONFIG": str(tmp_path / "c.toml"), "TWINWATCH_LOG_DIR": str(tmp_path / "log")}
    env.pop("TWINWATCH_DB", None)
    return env


def _of(token: str) -> list[processes.Proc]:
    """The crawl's processes: the crawl itself and every helper it started (not the
    resource tracker, which ends when the crawl has exited)."""
    return [p for p in processes.processes().values() if p.env.get(TAG) == token and processes.watched(p)]


def _workers(procs: list[processes.Proc]) -> list[processes.Proc]:
    """The extraction workers: processes forked by a forkserver."""
    servers = {p.pid for p in procs if "multiprocessing.forkserver" in " ".join(p.argv)}
    return [p for p in procs if p.ppid in servers]


def _sources(twinwatch, http_server, hang: float = HANG) -> None:
    """Sources on two sites, most of them slow (``hang`` seconds)."""
    s = http_server
    other = f"http://localhost:{s.port}"
    s.set("/fast.html", page(["Partner town"]))
    twinwatch("sources", "add", s.url("/fast.html"))
    for i in range(2):
        s.set(f"/slow{i}.html", page([f"Slow partner {i}"]), hang=hang)
        twinwatch("sources", "add", s.url(f"/slow{i}.html"))
        twinwatch("sources", "add", f"{other}/slow{i}.html")


def _crawl(db_path: Path) -> list[str]:
    return [sys.executable, "-m", "monitor", "--db", str(db_path), "crawl", "--all", "--timeout", "20"]


def _mid_flight(proc: subprocess.Popen[str], http_server, token: str, mode: str) -> list[processes.Proc]:
    """Wait until the crawl has its helpers running and a slow page requested."""
    deadline = time.monotonic() + 60
    while True:
        procs = _of(token)
        crawlers = [p for p in procs if "spawn_main" in " ".join(p.argv)]
        slow = any(path.startswith("/slow") for path, _ in http_server.requests)
        if _workers(procs) and slow and (mode != "sharded" or len(crawlers) == 2):
            return procs
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, f"the crawl never got under way: {[p.line() for p in procs]}"
        time.sleep(0.05)


def _gone(token: str, within: float) -> list[processes.Proc]:
    deadline = time.monotonic() + within
    while (left := _of(token)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL],
                         ids=["SIGTERM", "SIGINT", "SIGKILL"])
@pytest.mark.parametrize("mode", list(MODES))
def test_a_stopped_crawl_leaves_nothing_running(twinwatch, http_server, db_path, tmp_path, mode, sig):
    """Signalled mid-crawl, the crawl ends at once and so do its crawler processes, its
    extraction workers and their forkserver (after SIGKILL too: they die with it)."""
    token = uuid.uuid4().hex
    _sources(twinwatch, http_server)
    proc = subprocess.Popen(_crawl(db_path), env=_env(tmp_path, mode, token), cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL, process_group=0,
                            preexec_fn=processes.ctrl_c_delivered)
    try:
        helpers = [p for p in _mid_flight(proc, http_server, token, mode) if p.pid != proc.pid]
        assert helpers
        os.kill(proc.pid, sig)  # the crawl only, as kill(1) or a supervisor would
        proc.communicate(timeout=STOP_WITHIN)
        left = _gone(token, 5)
        assert left == [], [p.line() for p in left]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
        processes.kill(_of(token))
    # As the README says: Ctrl-C is click's "Aborted!" (1), SIGTERM 128 + 15.
    assert proc.returncode == {signal.SIGTERM: 143, signal.SIGINT: 1, signal.SIGKILL: -9}[sig]
    if sig != signal.SIGKILL:  # the run was closed, not left "running"
        with open_db(db_path) as db:
            assert db.execute("SELECT status FROM crawl_runs WHERE finished_at IS NOT NULL").fetchall() \
                == [("failed",)]


REAPER = """
import ctypes, json, os, signal, subprocess, sys
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
with open(sys.argv[1], "wb") as err:
    code = subprocess.call(sys.argv[2:], stdout=err, stderr=err, stdin=subprocess.DEVNULL)
left = []
for task in os.listdir("/proc/self/task"):
    with open(f"/proc/self/task/{task}/children") as f:
        for pid in map(int, f.read().split()):
            with open(f"/proc/{pid}/cmdline", "rb") as c:
                left.append(c.read().replace(b"\\0", b" ").decode(errors="replace") or f"zombie {pid}")
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
print(json.dumps({"code": code, "left": left}))
"""
"""Runs a command as a child subreaper: a process the command started and did not wait
for comes back to it when the command exits (alive or not yet reaped), and is named."""


@pytest.mark.parametrize("mode", list(MODES))
def test_a_finished_crawl_has_waited_for_its_helpers(twinwatch, http_server, db_path, tmp_path, mode):
    """When ``twinwatch crawl`` exits on its own, it has ended and waited for every
    process it started (crawler processes, forkserver, workers, resource tracker), so
    their CPU counts as the crawl's: none comes back to a subreaper above it."""
    _sources(twinwatch, http_server, hang=0.5)
    log = tmp_path / "crawl.err"
    out = processes.run([sys.executable, "-c", REAPER, str(log), *_crawl(db_path)],
                        env=_env(tmp_path, mode, uuid.uuid4().hex), cwd=ROOT, timeout=90)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["code"] == 0, log.read_text()[-3000:]
    assert result["left"] == []
