"""The processes a test session starts, found through ``/proc`` (Linux): what is left
running of them (and :func:`run`, to run a command whose whole process group ends
with it: :func:`monitor.children.run`).

A session marks its environment with :data:`MARK` (``tests/conftest.py``), which every
process it starts inherits unless a test hands it a fresh environment; a process is
the session's when it carries the mark or descends from the asking process. Of those,
the ones that must not outlive a test are :func:`watched`: ``twinwatch`` (the console
script or ``python -m monitor``), datasette, scrapyd and the crawl's helper processes
(crawler processes, spawned; extraction workers and their forkserver).

What does not live here: ending a child process (:mod:`monitor.children`).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Sequence
from dataclasses import dataclass

from monitor.children import run

__all__ = ["run"]  # re-exported: the tests run commands through here

MARK = "TWINWATCH_TEST_SESSION"
"""Environment variable set (to a token per session) in every process the session starts."""

COMMANDS = ("twinwatch", "datasette", "scrapyd")
"""Programs (console script or ``python -m``) that must not outlive the session."""

MODULES = ("monitor", "datasette", "scrapyd", "scrapyd.runner")
"""``python -m`` modules that must not outlive the session."""

HELPERS = ("multiprocessing.forkserver", "multiprocessing.spawn")
"""``python -c`` code of a crawl's helper processes (the resource tracker is not one:
it serves the pytest process itself and ends with it)."""


@dataclass(frozen=True)
class Proc:
    """A process seen in ``/proc``."""

    pid: int
    ppid: int
    argv: tuple[str, ...]
    env: dict[str, str]

    def line(self) -> str:
        return f"pid {self.pid} (parent {self.ppid}): {' '.join(self.argv)[:300]}"


def _read(pid: int) -> Proc | None:
    """``pid`` as seen now, or None when it is gone, a zombie or not ours to read."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = tuple(a.decode("utf-8", "replace") for a in f.read().split(b"\0") if a)
        with open(f"/proc/{pid}/environ", "rb") as f:
            pairs = [e.partition(b"=") for e in f.read().split(b"\0") if e]
    except OSError:
        return None
    state, ppid = stat[stat.rindex(b")") + 2:].split()[:2]  # the name may hold spaces and ")"
    if state in (b"Z", b"X") or not argv:
        return None
    env = {k.decode("utf-8", "replace"): v.decode("utf-8", "replace") for k, _, v in pairs}
    return Proc(pid, int(ppid), argv, env)


def processes() -> dict[int, Proc]:
    """Every live process this user can read."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (p := _read(int(entry))) is not None:
            found[p.pid] = p
    return found


def watched(p: Proc) -> bool:
    """Whether ``p`` is a twinwatch, datasette or scrapyd process or a crawl helper."""
    argv = list(p.argv)
    if argv and os.path.basename(argv[0]).startswith("python"):
        argv = argv[1:]
        while argv and argv[0].startswith("-") and argv[0] not in ("-m", "-c"):
            argv = argv[1:]  # interpreter options (-u, -X ...)
    if not argv:
        return False
    if argv[0] == "-m":
        return len(argv) > 1 and argv[1] in MODULES
    if argv[0] == "-c":
        return len(argv) > 1 and any(h in argv[1] for h in HELPERS)
    return os.path.basename(argv[0]) in COMMANDS


def ours(table: dict[int, Proc], root: int, marks: dict[str, str]) -> list[Proc]:
    """The processes of ``table`` that descend from ``root`` or carry every one of
    ``marks`` in their environment, except ``root`` and its ancestors."""
    ancestors = set()
    pid = root
    while pid in table and pid not in ancestors:
        ancestors.add(pid)
        pid = table[pid].ppid

    def descends(p: Proc) -> bool:
        seen = set()
        while p.ppid in table and p.pid not in seen:
            seen.add(p.pid)
            if p.ppid == root:
                return True
            p = table[p.ppid]
        return False

    return [p for p in table.values() if p.pid not in ancestors
            and ((marks and all(p.env.get(k) == v for k, v in marks.items())) or descends(p))]


def leftovers(marks: dict[str, str], *, wait: float = 0.0) -> list[Proc]:
    """The watched processes of this session still running (see :func:`ours`), after
    waiting up to ``wait`` seconds for those that are ending."""
    deadline = time.monotonic() + wait
    while True:
        left = [p for p in ours(processes(), os.getpid(), marks) if watched(p)]
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.1)


def kill(procs: Sequence[Proc]) -> None:
    """SIGKILL each of ``procs`` (only if it is still the same process)."""
    for p in procs:
        now = _read(p.pid)
        if now is not None and now.argv == p.argv:
            try:
                os.kill(p.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


def ctrl_c_delivered() -> None:
    """A ``preexec_fn`` for a child a test will send SIGINT, as a terminal's Ctrl-C: a
    shell starts a background job with SIGINT ignored, and Python keeps an inherited
    SIG_IGN (no KeyboardInterrupt), so a suite run as ``make test &`` would otherwise
    test a twinwatch that cannot be interrupted at all."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
