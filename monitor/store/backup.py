"""A consistent copy of the database while a crawl may be writing to it: ``twinwatch backup``.

The copy is made with SQLite's online backup API, not by copying the file: a file copy
taken during a write (or without the ``-wal`` file) can be torn or miss committed
data. The source connection holds one read transaction for the whole backup, so every
page comes from the same snapshot. In WAL mode (every twinwatch database) a reader
never blocks a writer, so a running crawl goes on committing into the WAL while the
pages are copied in steps, with a short sleep between steps to leave it disk time.
(Without that held snapshot, SQLite restarts a paged backup each time another process
commits, and a busy crawl could keep it from ever finishing.)

The copy is written beside its destination under a temporary name created with mode
0600, checked with ``PRAGMA integrity_check``, fsynced and only then renamed into place,
so a failed or damaged backup never replaces a good one and leaves nothing behind. It
is a self-contained file in rollback-journal mode (no ``-wal`` to carry along); the
database switches it back to WAL when it is opened by twinwatch after a restore.

What does not live here: the schema and how the live database is opened
(:mod:`monitor.store.db`), the command and its output (:mod:`monitor.cli.app`).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from monitor.errors import BackupError, StorageError
from monitor.private_files import FILE_MODE
from monitor.store.db import read_only

STEP_PAGES = 1024
"""Pages copied per step (4 MiB at SQLite's default page size)."""

STEP_SLEEP_S = 0.005
"""Pause between steps, so the copy does not hog the disk a crawl is writing to."""

NAME_FORMAT = "twinwatch-%Y%m%d-%H%M%S.db"
"""The name of a backup made into a folder (local time)."""


@dataclass(frozen=True)
class Backup:
    """A finished backup."""

    path: Path
    """Where the copy is."""
    size: int
    """Its size in bytes."""
    seconds: float
    """How long copying and checking took."""


def target_path(dest: str | Path, *, now: datetime | None = None) -> Path:
    """The file a backup to ``dest`` writes: ``dest`` itself, or a timestamped name
    inside it when it is an existing folder.

    Raises:
        BackupError: ``dest`` names a folder (ends with ``/``) that does not exist.
    """
    text = os.fspath(dest)
    path = Path(text).expanduser()
    if path.is_dir():
        return path / (now or datetime.now()).strftime(NAME_FORMAT)
    if text.endswith(("/", os.sep)):
        raise BackupError(f"cannot write backup: folder {path} does not exist")
    return path


def backup(db_path: str | Path, dest: str | Path, *, force: bool = False,
           pages: int = STEP_PAGES, sleep: float = STEP_SLEEP_S,
           now: datetime | None = None) -> Backup:
    """Copy the database at ``db_path`` to ``dest`` (a file, or an existing folder for a
    timestamped name inside it) and check the copy.

    Args:
        db_path: the live database; it is only read, and may be written meanwhile.
        dest: the backup file, or a folder to put ``twinwatch-YYYYmmdd-HHMMSS.db`` in.
        force: replace an existing file (atomically); without it an existing file is
            an error and stays as it was.
        pages: pages copied per step.
        sleep: seconds to pause between steps.
        now: the time for a timestamped name (default: the local time now).

    Raises:
        StorageError: there is no database at ``db_path``, it cannot be read, or the
            copy fails ``PRAGMA integrity_check`` (the database itself is then likely
            damaged); nothing is written.
        BackupError: the backup cannot be written (the file exists without ``force``,
            the folder is missing or not writable, the disk is full); nothing is left.
    """
    started = time.monotonic()
    src = Path(db_path).expanduser()
    target = target_path(dest, now=now)
    if not src.is_file():
        raise StorageError(f"no database at {src}")
    if target.exists() and _same_file(target, src):
        raise BackupError(f"cannot back up {src} onto itself")
    if target.is_dir():
        raise BackupError(f"cannot write backup {target}: it is a folder")
    if target.exists() and not force:
        raise BackupError(f"{target} exists; use --force to replace it")
    parent = target.parent
    if not parent.is_dir():
        raise BackupError(f"cannot write backup {target}: folder {parent} does not exist")
    try:
        # mkstemp creates the file with O_EXCL and mode 0600 before any data is in it.
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise BackupError(f"cannot write backup in {parent}: {exc.strerror or exc}") from exc
    tmp = Path(name)
    try:
        os.fchmod(fd, FILE_MODE)  # a umask can take bits away from mkstemp's 0600 too
        os.close(fd)
        _copy(src, tmp, pages=pages, sleep=sleep)
        problems = _integrity(tmp)
        if problems:
            raise StorageError(f"the copy of {src} fails the integrity check, so the database "
                               f"is probably damaged; no backup written: {_first(problems)}")
        _fsync(tmp)
        _place(tmp, target, force=force)
        _fsync(parent)
        return Backup(target, target.stat().st_size, time.monotonic() - started)
    except sqlite3.DatabaseError as exc:
        raise StorageError(f"cannot back up {src}: {exc}") from exc
    except OSError as exc:
        raise BackupError(f"cannot write backup {target}: {exc.strerror or exc}") from exc
    finally:
        for leftover in (tmp, *(Path(f"{tmp}{s}") for s in ("-journal", "-wal", "-shm"))):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


def _copy(src: Path, tmp: Path, *, pages: int, sleep: float) -> None:
    """Copy every page of one snapshot of ``src`` into the empty file ``tmp``."""
    source = read_only(src).conn  # the readers' connection: busy timeout, query-only
    try:
        # One read transaction for the whole copy: a stable snapshot, and no restart
        # when a crawl commits between two steps.
        source.execute("BEGIN")
        source.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        target = sqlite3.connect(tmp, isolation_level=None)
        try:
            # backup()'s own ``sleep`` only applies when a step finds the database
            # busy; the pause between steps is the progress callback's.
            source.backup(target, pages=pages, progress=lambda *_: time.sleep(sleep))
            # The copy carries the source's WAL flag; make it one self-contained file.
            target.execute("PRAGMA journal_mode=DELETE").fetchone()
        finally:
            target.close()
        source.execute("COMMIT")
    finally:
        source.close()


def _integrity(path: Path) -> list[str]:
    """What ``PRAGMA integrity_check`` finds wrong with ``path`` (empty when it is sound)."""
    conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check(10)")]
    finally:
        conn.close()
    return [] if rows == ["ok"] else rows


def _first(problems: list[str], n: int = 3) -> str:
    return "; ".join(problems[:n]) + ("; …" if len(problems) > n else "")


def _place(tmp: Path, target: Path, *, force: bool) -> None:
    """Rename ``tmp`` to ``target``: replacing it with ``force``, otherwise never."""
    if force:
        os.replace(tmp, target)
        return
    try:
        os.link(tmp, target)  # fails if target appeared meanwhile: never clobbers
    except FileExistsError as exc:
        raise BackupError(f"{target} exists; use --force to replace it") from exc
    except OSError:  # a file system without hard links
        if target.exists():
            raise BackupError(f"{target} exists; use --force to replace it") from None
        os.replace(tmp, target)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False
