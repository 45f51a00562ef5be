"""The end-of-session check (``tests/processes.py``) finds what a test left running,
orphans included, and ignores what it should."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests import processes
from tests.conftest import _marks

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc")

# Lives 30 s at most, whatever happens to the test.
HELPER = "import multiprocessing.forkserver, time; time.sleep(30)"


def _wait_for(pid: int) -> None:
    deadline = time.monotonic() + 10
    while not any(p.pid == pid for p in processes.leftovers(_marks())):
        assert time.monotonic() < deadline, f"process {pid} not found"
        time.sleep(0.05)


def test_a_crawl_helper_left_running_is_found_and_killed():
    """A process that looks like a crawl helper, started by this test and left running,
    is reported; ``kill`` ends it."""
    proc = subprocess.Popen([sys.executable, "-c", HELPER])
    try:
        _wait_for(proc.pid)
        processes.kill([p for p in processes.leftovers(_marks()) if p.pid == proc.pid])
        assert proc.wait(5) == -9
        assert proc.pid not in [p.pid for p in processes.leftovers(_marks())]
    finally:
        proc.kill()
        proc.wait()


def test_an_orphan_is_found_by_the_session_mark():
    """A helper whose parent exited (so it no longer descends from pytest) is still
    found through the environment mark."""
    starter = (f"import subprocess, sys; p = subprocess.Popen([sys.executable, '-c', {HELPER!r}], "
               "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
               "print(p.pid)")
    out = subprocess.run([sys.executable, "-c", starter], capture_output=True, text=True, timeout=30,
                         check=True)
    pid = int(out.stdout)
    try:
        _wait_for(pid)
        orphan = next(p for p in processes.leftovers(_marks()) if p.pid == pid)
        assert orphan.ppid != os.getpid()
    finally:
        processes.kill([p for p in processes.processes().values() if p.pid == pid])


@pytest.mark.parametrize(("argv", "expected"), [
    (["/x/.venv/bin/twinwatch", "crawl"], True),
    (["/usr/bin/python3", "-u", "-m", "monitor", "--db", "x.db", "crawl"], True),
    (["/usr/bin/python3.11", "-m", "datasette", "serve", "x.db"], True),
    (["/usr/bin/python3", "-m", "scrapyd"], True),
    (["/usr/bin/python3", "-m", "scrapyd.runner", "crawl", "page"], True),
    (["/usr/bin/python3", "-c", "from multiprocessing.spawn import spawn_main; spawn_main()"], True),
    (["/usr/bin/python3", "-c", "from multiprocessing.resource_tracker import main;main(5)"], False),
    (["/x/twinwatch/.venv/bin/pytest", "-n", "3"], False),
    (["/usr/bin/python3", "-c", "import sys;exec(eval(sys.stdin.readline()))"], False),
    (["sleep", "/tmp/twinwatch.db"], False),
])
def test_watched_commands(argv, expected):
    """twinwatch, datasette, scrapyd and the crawl's helpers are watched; pytest, its
    workers and the resource tracker are not, nor a path that merely names twinwatch."""
    assert processes.watched(processes.Proc(1, 0, tuple(argv), {})) is expected
