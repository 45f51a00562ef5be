"""``twinwatch backup``: what it prints, the file it makes, and its exit codes."""

from __future__ import annotations

import csv
import re
import sqlite3
import subprocess
import sys
import time

import pytest

from monitor import errors
from monitor.children import end, group_options
from tests.faults.harness import ROOT, crawl_env
from tests.helpers import PARTNERS, page

PAGES = 40
"""Pages of the crawl a backup is taken during: answered 50 ms late on one site (one
request at a time), the crawl stores them over two seconds at least."""


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


def _stored(path) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute("SELECT COUNT(*) FROM snapshots").fetchone()[0]
    except sqlite3.OperationalError:  # the crawl has not made its tables yet
        return 0
    finally:
        conn.close()


@pytest.mark.slow
def test_backup_taken_during_a_crawl_opens_and_is_whole(http_server, twinwatch, db_path, tmp_path):
    """``twinwatch backup`` while ``twinwatch crawl`` stores pages: the copy opens, passes
    ``integrity_check`` and ``foreign_key_check`` (every stored page with its text) and
    holds the pages stored before it; the crawl goes on meanwhile and ends well."""
    listing = tmp_path / "sources.csv"
    with listing.open("w", newline="") as fh:
        rows = csv.writer(fh)
        rows.writerow(["url", "kind"])
        for i in range(PAGES):
            rows.writerow([http_server.set(f"/p{i}.html", page([*PARTNERS, f"Council news {i}."]), hang=0.05),
                           "page"])
    twinwatch("sources", "import", str(listing))
    args = [sys.executable, "-m", "monitor", "--db", str(db_path), "crawl", "--all", "--quiet"]
    crawl = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                             env=crawl_env(tmp_path), cwd=ROOT, **group_options())
    copy = tmp_path / "copy.db"
    try:
        deadline = time.monotonic() + 60
        while _stored(db_path) < 5 and crawl.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert crawl.poll() is None, "the crawl ended before the backup began"
        twinwatch("backup", str(copy))
        assert crawl.poll() is None, "the crawl ended before the backup did: they did not overlap"
        _, err = crawl.communicate(timeout=120)
    finally:
        end(crawl, 1)
    assert crawl.returncode == 0, err
    conn = sqlite3.connect(copy)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        kept = conn.execute("SELECT COUNT(*) FROM snapshots").fetchone()[0]
        texts = conn.execute("SELECT COUNT(*) FROM snapshots JOIN blobs ON fp = text_fp").fetchone()[0]
    finally:
        conn.close()
    assert 5 <= kept < PAGES and texts == kept
    assert _stored(db_path) == PAGES
