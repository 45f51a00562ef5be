"""Backups: an identical, checked, owner-only copy; never a clobbered file or a leftover;
consistent while another process writes."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from datetime import datetime
from pathlib import Path

import pytest

import monitor.store.backup as backup_module
from monitor import errors
from monitor.errors import BackupError, StorageError
from monitor.ingest.pipeline import ingest
from monitor.models import FetchResult
from monitor.review.decisions import review
from monitor.store.backup import backup
from monitor.store.db import open_db, write_tx
from tests.helpers import feed

RSS = {"content-type": "application/rss+xml"}


def fingerprint(path: Path) -> dict[str, tuple[int, str]]:
    """Each table's row count and a SHA-256 of its rows (in a stable order)."""
    conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    try:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        out = {}
        for name in names:
            rows = sorted(repr(r) for r in conn.execute(f'SELECT * FROM "{name}"'))
            out[name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
        return out
    finally:
        conn.close()


def others(folder: Path) -> list[str]:
    """The files in ``folder`` besides the live database (and its -wal and -shm)."""
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("twinwatch.db"))


def integrity(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()


@pytest.fixture
def filled(db_path, pm) -> Path:
    """A twinwatch database with sources, snapshots, entries, changes and a review."""
    with open_db(db_path) as db:
        with write_tx(db):
            for k in range(3):
                db.execute("INSERT INTO sources (url, kind, created_at) VALUES (?, 'feed', 'now')",
                           (f"https://example.org/{k}.rss",))
        for sid in (1, 2, 3):
            ingest(db, pm, FetchResult(sid, "u", 200, RSS, feed([("a", "Old news", "x")])))
            ingest(db, pm, FetchResult(sid, "u", 200, RSS, feed([
                ("b", "Ixelles suspends its twinning", "Council decision"), ("a", "Old news", "x")])))
        review(db, 1, status="relevant", add_tags=["twinning"], note="Council, 12 March")
        assert db.execute("SELECT COUNT(*) FROM changes").fetchone()[0] == 3
    return db_path


def damaged(path: Path) -> Path:
    """A database that opens and copies but fails integrity_check: an index that does
    not match its table."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (a, b)")
    conn.execute("CREATE INDEX t_a ON t (a)")
    conn.executemany("INSERT INTO t VALUES (?, ?)", [(k, -k) for k in range(100)])
    conn.execute("PRAGMA writable_schema=ON")
    conn.execute("UPDATE sqlite_master SET sql = 'CREATE INDEX t_a ON t (b)' WHERE name = 't_a'")
    conn.close()
    assert integrity(path) != ["ok"]
    return path


def test_backup_is_identical_and_checked(filled, tmp_path):
    """The copy has every table with the same rows, and passes integrity_check."""
    out = tmp_path / "copy.db"
    done = backup(filled, out)
    assert done.path == out and done.size == out.stat().st_size > 0 and done.seconds >= 0
    assert integrity(out) == ["ok"]
    before = fingerprint(filled)
    assert before["changes"][0] == 3 and before["sources"][0] == 3
    assert fingerprint(out) == before
    # One self-contained file: nothing beside it, and nothing left in the folder.
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("copy")) == ["copy.db"]
    assert not list(tmp_path.glob(".copy.db.*"))


def test_backup_into_a_folder_gets_a_timestamped_name(filled, tmp_path):
    """An existing folder gets twinwatch-YYYYmmdd-HHMMSS.db inside it."""
    folder = tmp_path / "backups"
    folder.mkdir()
    done = backup(filled, folder, now=datetime(2026, 3, 4, 3, 15, 9))
    assert done.path == folder / "twinwatch-20260304-031509.db"
    assert fingerprint(done.path) == fingerprint(filled)
    assert [p.name for p in folder.iterdir()] == ["twinwatch-20260304-031509.db"]


def test_backup_is_created_owner_only(filled, tmp_path, monkeypatch):
    """The copy is 0600 whatever the umask, and already was before any data went in."""
    seen: list[int] = []
    real_copy = backup_module._copy

    def copy_and_look(src, tmp, **kw):
        assert tmp.stat().st_size == 0
        seen.append(stat.S_IMODE(tmp.stat().st_mode))
        real_copy(src, tmp, **kw)

    monkeypatch.setattr(backup_module, "_copy", copy_and_look)
    old = os.umask(0)
    try:
        done = backup(filled, tmp_path / "copy.db")
    finally:
        os.umask(old)
    assert seen == [0o600]
    assert stat.S_IMODE(done.path.stat().st_mode) == 0o600


def test_existing_file_is_left_alone_without_force(filled, tmp_path):
    """Without --force an existing file is an error (exit 5) and stays byte for byte."""
    out = tmp_path / "copy.db"
    out.write_bytes(b"last week's backup")
    out.chmod(0o640)
    with pytest.raises(BackupError, match="exists; use --force") as caught:
        backup(filled, out)
    assert caught.value.exit_code == errors.EXPORT
    assert out.read_bytes() == b"last week's backup"
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert others(tmp_path) == ["copy.db"]


def test_force_replaces_an_existing_file(filled, tmp_path):
    """With --force the file is replaced by a full, owner-only copy."""
    out = tmp_path / "copy.db"
    out.write_bytes(b"last week's backup")
    out.chmod(0o644)
    backup(filled, out, force=True)
    assert fingerprint(out) == fingerprint(filled)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert others(tmp_path) == ["copy.db"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to any folder: permissions do not bind")
def test_unwritable_folder_fails_clearly_and_leaves_nothing(filled, tmp_path):
    """A folder we may not write to is a one-line error (exit 5); nothing is created."""
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(BackupError, match="Permission denied") as caught:
            backup(filled, folder)
        assert caught.value.exit_code == errors.EXPORT
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


def test_a_file_that_cannot_be_created_fails_clearly_and_leaves_nothing(filled, tmp_path):
    """When the file cannot be created (here: a name too long, which binds even for
    root) the error names it (exit 5) and nothing is left in the folder."""
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(BackupError, match="too long") as caught:
        backup(filled, folder / ("x" * 250 + ".db"))
    assert caught.value.exit_code == errors.EXPORT
    assert list(folder.iterdir()) == []


def test_missing_folder_fails_clearly(filled, tmp_path):
    """A folder that does not exist (a path ending in /, or a file's parent) is an error."""
    with pytest.raises(BackupError, match="does not exist"):
        backup(filled, f"{tmp_path / 'nope'}/")
    with pytest.raises(BackupError, match="does not exist"):
        backup(filled, tmp_path / "nope" / "copy.db")
    assert not (tmp_path / "nope").exists()


def test_no_database_and_onto_itself_are_errors(filled, tmp_path):
    """A missing database is a database error (exit 3) and is not created; the database
    is never its own backup, even with --force."""
    with pytest.raises(StorageError, match="no database") as caught:
        backup(tmp_path / "missing.db", tmp_path / "copy.db")
    assert caught.value.exit_code == errors.STORAGE
    assert not (tmp_path / "missing.db").exists()
    before = fingerprint(filled)
    with pytest.raises(BackupError, match="onto itself"):
        backup(filled, filled, force=True)
    assert fingerprint(filled) == before


def test_damaged_database_fails_integrity_check_and_writes_nothing(tmp_path):
    """A copy that fails integrity_check is a database error (exit 3), and it replaces
    nothing, even with --force."""
    src = damaged(tmp_path / "damaged.db")
    out = tmp_path / "copy.db"
    out.write_bytes(b"last good backup")
    with pytest.raises(StorageError, match="integrity check.*missing from index") as caught:
        backup(src, out, force=True)
    assert caught.value.exit_code == errors.STORAGE
    assert out.read_bytes() == b"last good backup"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.db", "damaged.db"]


WRITER = textwrap.dedent("""
    import os, sys
    from monitor.store.db import connect

    conn = connect(sys.argv[1])
    i = 0
    while True:
        # One transaction adds a source, its state and a 4 KiB blob: a consistent
        # copy has as many of each.
        conn.execute("BEGIN IMMEDIATE")
        cur = conn.execute("INSERT INTO sources (url, created_at) VALUES (?, 'now')",
                           (f"https://writer.example/{i}",))
        conn.execute("INSERT INTO source_state (source_id) VALUES (?)", (cur.lastrowid,))
        conn.execute("INSERT INTO blobs (fp, size, data) VALUES (?, 4096, ?)",
                     (f"writer-{i}", os.urandom(4096)))
        conn.execute("COMMIT")
        i += 1
        if i == 10:
            print("writing", flush=True)
""")


def writer_rows(path: Path) -> tuple[int, int, int]:
    conn = sqlite3.connect(path, timeout=30)
    try:
        return (
            conn.execute("SELECT COUNT(*) FROM sources WHERE url LIKE 'https://writer.example/%'")
            .fetchone()[0],
            conn.execute("SELECT COUNT(*) FROM source_state JOIN sources ON sources.id = source_id"
                         " WHERE url LIKE 'https://writer.example/%'").fetchone()[0],
            conn.execute("SELECT COUNT(*) FROM blobs WHERE fp LIKE 'writer-%'").fetchone()[0],
        )
    finally:
        conn.close()


def test_backup_while_another_process_writes_is_consistent(db_path, tmp_path):
    """A backup taken in small steps while another process commits in a loop (WAL)
    finishes, passes integrity_check and holds whole transactions only; the writer
    goes on committing meanwhile."""
    with open_db(db_path) as db, write_tx(db):
        # About 12 MB, so the copy takes a few hundred steps of 16 pages.
        db.conn.executemany("INSERT INTO blobs (fp, size, data) VALUES (?, 4096, ?)",
                            ((f"seed-{k}", os.urandom(4096)) for k in range(3000)))
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(db_path)], stdout=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "writing\n"
        before = writer_rows(db_path)[0]
        started = time.monotonic()
        done = backup(db_path, tmp_path / "copy.db", pages=16, sleep=0.002)
        took = time.monotonic() - started
        after = writer_rows(db_path)[0]
        assert proc.poll() is None, "the writer died"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    assert took > 0.3, "the copy was too quick to overlap the writer"
    assert after > before, "the writer was held up during the backup"
    assert integrity(done.path) == ["ok"]
    sources, states, blobs = writer_rows(done.path)
    assert sources == states == blobs and before <= sources <= after
    conn = sqlite3.connect(done.path)
    assert conn.execute("SELECT COUNT(*) FROM blobs WHERE fp LIKE 'seed-%'").fetchone()[0] == 3000
    conn.close()
