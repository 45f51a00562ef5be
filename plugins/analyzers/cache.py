"""Files the analyzers derive once from their packages' data and keep in the user's cache
folder (``platformdirs.user_cache_dir("twinwatch")``), so that later processes start fast:
named by the package version they come from, written whole or not at all (another process
may be reading), and rebuilt when missing or unreadable. Nothing here is a user's data.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def cache_path(name: str) -> Path:
    """Where the cached file ``name`` is kept."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("twinwatch")) / name


def write_whole(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
