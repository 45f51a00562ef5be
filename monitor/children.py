"""Child processes that end with their parent: the one place that decides how.

:func:`child` starts a command in its own process group and ends that whole group (the
child and anything it started) when the block is left: on a normal return, on Ctrl-C
(``KeyboardInterrupt``), and on SIGTERM or SIGHUP, which it turns into ``SystemExit`` for
as long as the block runs so that the ``finally`` clauses run. On Linux the child also
asks the kernel for SIGTERM when its parent dies (``prctl(PR_SET_PDEATHSIG)``), which
covers a parent killed with SIGKILL; elsewhere that case is not covered.

Helper processes started through :mod:`multiprocessing` (a sharded crawl's crawler
processes, the extraction workers and their forkserver) use the other half:
:func:`die_with_parent`, called first thing in the helper (with
:func:`forget_forkserver` in a forked worker); :func:`end_process`, which ends one from
its parent (SIGTERM, a grace period, then SIGKILL); :func:`stop_forkserver`, which
ends and waits for the forkserver (so that it, and the workers it forked and reaped,
count in the parent's CPU figures and nothing outlives the parent);
:func:`stop_multiprocessing`, which also ends the resource tracker; and
:func:`signals_exit`, under which SIGTERM and SIGHUP unwind the parent through its
``finally`` clauses like Ctrl-C does. :func:`run` is :func:`subprocess.run` on top of
:func:`child`; :func:`group_options` and :func:`kill_group` serve a child started some
other way (``asyncio``).

What does not live here: which command to run and what its exit code means (the callers,
e.g. :mod:`monitor.export.browse`).
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing.process
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from types import FrameType
from typing import Any

GRACE = 5.0
"""Seconds a child's group has to exit after SIGTERM before it gets SIGKILL."""

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _prctl() -> Any:
    """libc's ``prctl`` (Linux), or None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


def _die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` that has the child sent SIGTERM when this process dies (Linux only).

    libc is looked up here, before the fork: loading a library between fork and exec can
    deadlock on a lock another thread held at the fork. The signal follows the death of the
    forking *thread*, so start children from a thread that lives as long as they should.
    """
    prctl = _prctl()
    if prctl is None:
        return None
    parent = os.getpid()

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return preexec


def die_with_parent(sig: int = signal.SIGKILL, parent: int | None = None) -> None:
    """End this process with ``sig`` when its parent dies (killed, crashed): for a helper
    whose work is only for its parent. Call it first thing in the helper.

    On Linux the kernel sends the signal (``PR_SET_PDEATHSIG``, which follows the death of
    the thread that started this process: start helpers from a long-lived thread);
    elsewhere a daemon thread checks the parent twice a second. ``parent`` is the pid the
    parent had (default: the current parent); if it is already gone, this exits at once.
    """
    parent = os.getppid() if parent is None else parent
    prctl = _prctl()
    if prctl is not None and prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0:
        if os.getppid() != parent:  # it died before prctl took effect
            os._exit(70)
        return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(70)

    threading.Thread(target=watch, name="twinwatch-parent-watch", daemon=True).start()


def end_process(proc: multiprocessing.process.BaseProcess, grace: float = GRACE) -> int | None:
    """End a :mod:`multiprocessing` process from its parent: SIGTERM, then SIGKILL if it
    is still running after ``grace`` seconds. Returns its exit code."""
    if proc.exitcode is None and proc.is_alive():
        proc.terminate()
        proc.join(grace)
        if proc.is_alive():
            proc.kill()
            proc.join(grace)
    return proc.exitcode


def stop_forkserver() -> None:
    """End the :mod:`multiprocessing` forkserver this process started, if any, and wait
    for it; the next ``forkserver`` process starts a fresh one.

    The forkserver serves its parent for the parent's whole life otherwise, and reaps the
    processes it forked: ending and waiting for it is what brings their CPU time into
    this process's ``RUSAGE_CHILDREN``. It exits once every holder of its "alive" pipe
    has closed it; its workers should close theirs (:func:`forget_forkserver`), or stop
    first. (``ForkServer._stop`` is what CPython's own tests call to do this; there is
    no public way.)
    """
    import multiprocessing.forkserver

    server = getattr(multiprocessing.forkserver, "_forkserver", None)
    stop = getattr(server, "_stop", None)
    if stop is not None and getattr(server, "_forkserver_pid", None) is not None:
        with contextlib.suppress(OSError, ChildProcessError):
            stop()


def stop_multiprocessing() -> None:
    """End and wait for every helper :mod:`multiprocessing` started for this process: the
    forkserver (:func:`stop_forkserver`) and the resource tracker, which would otherwise
    outlive this process by a moment. Call it once no process started through
    :mod:`multiprocessing` is running; the next one starts them afresh."""
    import multiprocessing.resource_tracker

    stop_forkserver()
    tracker = getattr(multiprocessing.resource_tracker, "_resource_tracker", None)
    stop = getattr(tracker, "_stop", None)
    if stop is not None and getattr(tracker, "_pid", None) is not None:
        with contextlib.suppress(OSError, ChildProcessError):
            stop()


def forget_forkserver() -> None:
    """In a process forked by a forkserver: close this process's end of the forkserver's
    "alive" pipe, which every forked process inherits and which keeps the forkserver
    running after its parent died. Call it in a helper that starts no processes itself:
    the forkserver then exits with its parent, and the helper with it
    (:func:`die_with_parent`)."""
    import multiprocessing.forkserver

    server = getattr(multiprocessing.forkserver, "_forkserver", None)
    fd = getattr(server, "_forkserver_alive_fd", None)
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)
        server._forkserver_alive_fd = None  # type: ignore[union-attr]


def _raise_exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def signals_exit() -> Iterator[None]:
    """SIGTERM and SIGHUP raise ``SystemExit`` (not a silent death) while the block runs.

    Signal handlers can only be set from the main thread; elsewhere this does nothing.
    """
    wanted = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, _raise_exit) for sig in wanted}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _exited(proc: subprocess.Popen[Any]) -> bool:
    """Whether ``proc`` has exited, without reaping it: while it is an unreaped zombie its
    pid, and so its process group id, cannot be given to another process."""
    if proc.returncode is not None:
        return True
    try:
        return os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def _killpg(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def end(proc: subprocess.Popen[Any], grace: float = GRACE) -> int:
    """End ``proc``'s process group: SIGTERM, then SIGKILL to what is left after ``grace``
    seconds. Returns ``proc``'s exit code.

    ``proc`` must lead its own group (started by :func:`child`). If it was already reaped,
    whatever it left in its group gets SIGTERM only, as its group id may be free again.
    """
    if os.name != "posix":
        if proc.poll() is None:
            proc.terminate()
        return proc.wait()
    if proc.returncode is not None:
        _killpg(proc.pid, signal.SIGTERM)
        return proc.returncode
    _killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    try:
        while not _exited(proc) and time.monotonic() < deadline:
            time.sleep(0.05)
    except BaseException:  # a second Ctrl-C or SIGTERM while waiting: no more grace
        _killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise
    # The leader is a zombie or still running, so the group id is still ours: stragglers
    # (its own children that ignored SIGTERM, or a leader that did) get SIGKILL.
    _killpg(proc.pid, signal.SIGKILL)
    return proc.wait()


def group_options() -> dict[str, Any]:
    """The :class:`subprocess.Popen` (or ``asyncio.create_subprocess_exec``) arguments that
    start a child in its own process group, dying with this process on Linux; end it
    with :func:`end` or :func:`kill_group`."""
    if os.name != "posix":
        return {}
    return {"process_group": 0, "preexec_fn": _die_with_parent()}


def kill_group(pid: int, sig: int = signal.SIGKILL) -> None:
    """Send ``sig`` to the process group led by ``pid`` (a child started with
    :func:`group_options` and not yet reaped): for a caller that cannot block in
    :func:`end`, which it reproduces (SIGTERM, a grace period, SIGKILL)."""
    if os.name == "posix":
        _killpg(pid, sig)


@contextlib.contextmanager
def child(cmd: Sequence[str], **popen: Any) -> Iterator[subprocess.Popen[Any]]:
    """Run ``cmd`` for the length of the block, in its own process group; end the group on
    leaving it, however it is left (see the module docstring).

    Args:
        cmd: the command line.
        **popen: further :class:`subprocess.Popen` arguments (not ``process_group``,
            ``start_new_session`` or ``preexec_fn``).

    Yields:
        The started process.
    """
    popen.update(group_options())
    with signals_exit():
        proc = subprocess.Popen(cmd, **popen)
        try:
            yield proc
        finally:
            end(proc)


def run(cmd: Sequence[str], *, timeout: float, input: str | None = None,
        **popen: Any) -> subprocess.CompletedProcess[str]:
    """:func:`subprocess.run` with ``capture_output`` and ``text``, the command in its own
    process group, which is ended (the command and all it started) when it returns, times
    out (:class:`subprocess.TimeoutExpired`) or this process is stopped (:func:`child`)."""
    popen.setdefault("stdout", subprocess.PIPE)
    popen.setdefault("stderr", subprocess.PIPE)
    stdin = subprocess.PIPE if input is not None else popen.pop("stdin", subprocess.DEVNULL)
    with child(list(cmd), stdin=stdin, text=True, **popen) as proc:
        try:
            out, err = proc.communicate(input, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise subprocess.TimeoutExpired(exc.cmd, timeout) from None
    return subprocess.CompletedProcess(list(cmd), proc.returncode, out, err)
