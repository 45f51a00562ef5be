"""Owner-only files whatever the umask, and export paths that never leave the chosen folder."""

from __future__ import annotations

import json
import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.config import save_theme
from monitor.crawl.log import setup_logging
from monitor.errors import ExportError
from monitor.export.paths import check_tree, inside, safe_name
from monitor.export.tables import Column, Table
from monitor.store.db import open_db, write_tx
from plugins.exporters.datapackage import DataPackageExporter


def mode(p: Path) -> int:
    return stat.S_IMODE(os.stat(p).st_mode)


@pytest.fixture(params=[0o000, 0o022], ids=["umask000", "umask022"])
def loose_umask(request: pytest.FixtureRequest) -> Iterator[int]:
    """Run the test under a permissive umask, restored afterwards."""
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def test_database_and_wal_files_are_owner_only(tmp_path, loose_umask):
    """The database, its -wal and -shm, and the folders made for it are 0600/0700."""
    path = tmp_path / "new" / "dir" / "twinwatch.db"
    db = open_db(path)
    with write_tx(db):
        db.execute("INSERT INTO crawl_runs (started_at, pid, sources) VALUES (?, ?, ?)", ["2026-01-01", 1, 0])
    files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
    assert all(p.exists() for p in files)
    assert [mode(p) for p in files] == [0o600] * 3
    assert mode(path.parent) == 0o700 and mode(path.parent.parent) == 0o700
    db.close()


def test_existing_database_keeps_its_owners_mode(tmp_path, loose_umask):
    """A database the owner made group-readable is not changed behind their back."""
    path = tmp_path / "shared.db"
    open_db(path).close()
    os.chmod(path, 0o640)
    open_db(path).close()
    assert mode(path) == 0o640


def test_config_file_is_owner_only(tmp_path, loose_umask):
    """Saving the theme creates config.toml 0600 in a 0700 folder."""
    path = tmp_path / "cfg" / "twinwatch" / "config.toml"
    save_theme("textual-light", path)
    assert mode(path) == 0o600 and mode(path.parent) == 0o700


def test_log_files_are_owner_only_after_rotation(tmp_path, monkeypatch, loose_umask):
    """The log and the file started at each rollover are 0600, the log folder 0700."""
    monkeypatch.setenv("TWINWATCH_LOG_DIR", str(tmp_path / "state" / "log"))
    path = setup_logging()
    assert path is not None
    log = logging.getLogger("twinwatch.test")
    try:
        for _ in range(1200):
            log.info("x" * 1000)
    finally:
        for h in list(logging.getLogger("twinwatch").handlers):
            logging.getLogger("twinwatch").removeHandler(h)
            h.close()
    rotated = sorted(path.parent.iterdir())
    assert len(rotated) >= 2  # a rollover happened
    assert all(mode(p) == 0o600 for p in rotated)
    assert mode(path.parent) == 0o700


def test_exports_are_owner_only(twinwatch, db_path, tmp_path):
    """A file export and every file and folder of a data package are 0600/0700 under umask 000."""
    twinwatch("init")
    old = os.umask(0)
    try:
        twinwatch("export", "--format", "csv", "-o", str(tmp_path / "records.csv"))
        twinwatch("export", "--format", "datapackage", "-o", str(tmp_path / "pkg"))
    finally:
        os.umask(old)
    assert mode(tmp_path / "records.csv") == 0o600
    entries = [tmp_path / "pkg", *(tmp_path / "pkg").rglob("*")]
    assert len(entries) >= 4
    for p in entries:
        assert mode(p) == (0o700 if p.is_dir() else 0o600), p


@pytest.mark.parametrize("name", ["../evil", "../../x.csv", "/etc/passwd", "a/../../b", "data/../../c", ""])
def test_inside_refuses_escaping_names(tmp_path, name):
    """``..``, absolute and empty names cannot be joined to the export folder."""
    with pytest.raises(ExportError):
        inside(tmp_path / "pkg", name)


def test_inside_refuses_symlinks(tmp_path):
    """A path through a symbolic link (which could point anywhere) is refused; check_tree finds links."""
    folder = tmp_path / "pkg"
    folder.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (folder / "data").symlink_to(outside)
    with pytest.raises(ExportError, match="symbolic link"):
        inside(folder, "data/records.csv")
    with pytest.raises(ExportError, match="symbolic link"):
        check_tree(folder)
    assert inside(folder, "datapackage.json") == folder / "datapackage.json"


def test_safe_name_keeps_names_plain():
    """Resource names from data become plain slugs."""
    assert safe_name("../../etc/passwd") == "etc-passwd"
    assert safe_name("/abs") == "abs" and safe_name("..") == "data" and safe_name("Records") == "records"


def test_datapackage_with_hostile_table_name_stays_in_folder(tmp_path):
    """A table named ``../../escape`` writes only inside the package folder."""
    folder = tmp_path / "a" / "pkg"
    folder.mkdir(parents=True)
    table = Table("../../escape", "t", (Column("id", "integer", "id"),), ({"id": 1},))
    DataPackageExporter().write(table, folder)
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert written == ["a/pkg/data/escape.csv", "a/pkg/datapackage.json"]
    desc = json.loads((folder / "datapackage.json").read_text())
    assert desc["resources"][0]["path"] == "data/escape.csv"


def test_crawl_lock_file_is_owner_only(db_path, pm, loose_umask):
    """The lock file a crawl holds is created 0600 like the database beside it."""
    from monitor.config import lock_path
    from monitor.crawl.service import crawl
    from monitor.hookspecs import hookimpl
    from monitor.sources.manage import NewSource, add_sources

    seen: list[int] = []

    class LockWatcher:
        @hookimpl(tryfirst=True)
        def crawl_sources(self, db_path, sources, run_id, settings, kinds):  # type: ignore[no-untyped-def]
            seen.append(mode(lock_path(Path(db_path))))
            return True

    with open_db(db_path) as db:
        add_sources(db, [NewSource("http://127.0.0.1:1/x", "page")])
    pm.register(LockWatcher())
    crawl(db_path, pm, all_sources=True)
    assert seen == [0o600]


def test_backups_are_owner_only(db_path, tmp_path, loose_umask):
    """A backup is 0600, into a folder and when --force replaces a group-readable file."""
    from monitor.store.backup import backup

    open_db(db_path).close()
    folder = tmp_path / "backups"
    folder.mkdir()
    into_folder = backup(db_path, folder).path
    replaced = tmp_path / "old-backup.db"
    replaced.write_bytes(b"old")
    replaced.chmod(0o644)
    backup(db_path, replaced, force=True)
    assert [mode(into_folder), mode(replaced)] == [0o600, 0o600]
