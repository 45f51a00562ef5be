"""``twinwatch backup``: what it prints, the file it makes, and its exit codes."""

from __future__ import annotations

import re
import sqlite3

from monitor import errors


def count_sources(path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT COUNT(*) FROM sources").fetchone()[0]
    finally:
        conn.close()


def test_backup_into_folder_prints_path_size_and_time(twinwatch, tmp_path):
    """Into a folder: a timestamped copy holding the data; one line with path, size, time."""
    twinwatch("sources", "add", "https://www.elsene.be/partners", "--municipality", "Ixelles")
    folder = tmp_path / "backups"
    folder.mkdir()
    out = twinwatch("backup", str(folder) + "/")
    m = re.fullmatch(r"(\S+)  (\d+(?:\.\d)?) (bytes|KiB|MiB|GiB)  (\d+\.\d) s\n", out.stdout)
    assert m, out.stdout
    (made,) = folder.iterdir()
    assert m.group(1) == str(made)
    assert re.fullmatch(r"twinwatch-\d{8}-\d{6}\.db", made.name)
    assert count_sources(made) == 1


def test_backup_exit_codes(twinwatch, db_path, tmp_path):
    """Existing file: exit 5 and untouched, replaced with --force; no database: exit 3,
    and not created; a damaged database: exit 3 and nothing written. One line each."""
    twinwatch("init")
    out = tmp_path / "copy.db"
    out.write_bytes(b"keep me")
    kept = twinwatch("backup", str(out), check=False)
    assert kept.returncode == errors.EXPORT and "use --force" in kept.stderr
    assert "Traceback" not in kept.stderr and out.read_bytes() == b"keep me"
    twinwatch("backup", str(out), "--force")
    assert count_sources(out) == 0

    db_path.unlink()
    for suffix in ("-wal", "-shm"):
        db_path.with_name(db_path.name + suffix).unlink(missing_ok=True)
    missing = twinwatch("backup", str(tmp_path / "other.db"), check=False)
    assert missing.returncode == errors.STORAGE and "no database" in missing.stderr
    assert not db_path.exists() and not (tmp_path / "other.db").exists()

    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("CREATE TABLE t (a, b)")
    conn.execute("CREATE INDEX t_a ON t (a)")
    conn.executemany("INSERT INTO t VALUES (?, ?)", [(k, -k) for k in range(50)])
    conn.execute("PRAGMA writable_schema=ON")
    conn.execute("UPDATE sqlite_master SET sql = 'CREATE INDEX t_a ON t (b)' WHERE name = 't_a'")
    conn.close()
    bad = twinwatch("backup", str(tmp_path / "other.db"), check=False)
    assert bad.returncode == errors.STORAGE and "integrity check" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr
    assert not (tmp_path / "other.db").exists()
