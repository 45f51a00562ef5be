"""Paths inside an export folder: no name taken from data may leave it.

A folder export (``datapackage``) writes files whose names come from the table (a
resource name) and, in plugins, possibly from the data itself. A name such as
``../../.bashrc``, ``/etc/cron.d/x`` or one that passes through a symbolic link
would write outside the folder the curator chose. So exporters build paths with
:func:`inside` from names made safe by :func:`safe_name`, and the export service
checks the finished folder with :func:`check_tree` before moving it into place.
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath

from monitor.errors import ExportError

_UNSAFE = re.compile(r"[^a-z0-9._-]+")


def safe_name(name: str, fallback: str = "data") -> str:
    """``name`` as a file or resource name: lower-case letters, digits, ``.``, ``_`` and
    ``-`` (the Data Package rule for resource names), no leading dot, at most 100
    characters; ``fallback`` when nothing is left."""
    slug = _UNSAFE.sub("-", name.lower()).strip("-.")[:100].strip("-.")
    return slug or fallback


def inside(folder: Path, relative: str) -> Path:
    """``folder / relative``, refusing a path that is absolute, climbs out with ``..``,
    or goes through a symbolic link (existing parts are checked on disk).

    Raises:
        ExportError: naming the path that would escape.
    """
    rel = PurePosixPath(relative.replace("\\", "/"))
    if rel.is_absolute() or not rel.parts or any(part in ("..", "") for part in rel.parts):
        raise ExportError(f"export path {relative!r} would leave the export folder")
    target = folder.joinpath(*rel.parts)
    p = folder
    for part in rel.parts:
        p = p / part
        if p.is_symlink():
            raise ExportError(f"export path {relative!r} goes through a symbolic link")
    root = os.path.realpath(folder)
    if os.path.commonpath([root, os.path.realpath(target)]) != root:
        raise ExportError(f"export path {relative!r} would leave the export folder")
    return target


def check_tree(root: Path) -> None:
    """Every entry under ``root`` is a plain file or folder inside it (no symbolic link).

    Raises:
        ExportError: an exporter left a link, which a later reader could follow out.
    """
    for folder, dirs, files in os.walk(root):
        for name in (*dirs, *files):
            p = Path(folder) / name
            if p.is_symlink():
                raise ExportError(f"the exporter left a symbolic link in the export: {p.relative_to(root)}")
