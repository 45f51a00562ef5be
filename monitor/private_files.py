"""Files only their owner can read: the database, the config file, the log, exports.

The database holds a curator's notes and decisions and the config file may hold
notification credentials (``mailto://user:password@…``), so twinwatch creates its
files with mode 0600 and the folders it creates with 0700, whatever the umask says
(a umask of 022 is common, and 000 is not rare in containers). Files that already
exist keep the mode their owner gave them: twinwatch does not override a choice.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: Path) -> None:
    """Create ``path`` and any missing parents with mode 0700 (existing ones are left)."""
    missing: list[Path] = []
    p = path
    while not p.exists():
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    for d in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile
            os.mkdir(d, DIR_MODE)
            os.chmod(d, DIR_MODE)  # mkdir's mode is masked by the umask


def create_private(path: Path) -> bool:
    """Create ``path`` empty with mode 0600 (its folder with 0700) unless it exists;
    return whether it was created."""
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return False
    try:
        os.fchmod(fd, FILE_MODE)  # os.open's mode is masked by the umask too
    finally:
        os.close(fd)
    return True


def open_private_fd(path: str | Path, flags: int) -> int:
    """``os.open(path, flags | O_CREAT)`` where a file created now gets mode 0600."""
    try:
        fd = os.open(path, flags | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return os.open(path, flags)
    os.fchmod(fd, FILE_MODE)
    return fd


def make_tree_private(root: Path) -> None:
    """Give every file under ``root`` (which we just wrote) 0600 and every folder 0700."""
    os.chmod(root, DIR_MODE)
    for folder, dirs, files in os.walk(root):
        for d in dirs:
            os.chmod(Path(folder) / d, DIR_MODE, follow_symlinks=False)
        for f in files:
            p = Path(folder) / f
            if not p.is_symlink():
                os.chmod(p, FILE_MODE)
