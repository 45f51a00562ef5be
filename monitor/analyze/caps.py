"""The cap on text handed to analyzers.

Analyzers are plugins, some of them regex-heavy, and a page is untrusted input: a
5 MB page of nonsense must not keep a worker busy for minutes, nor a third-party
analyzer hold five copies of it. So each change reaches the analyzers with its text,
its added and removed paragraphs and its diff cut to the first ``limit`` characters
each (``[limits] analyzer_text`` in the config file, default one million). Nothing
is lost silently: the change keeps everything in the database, and the cut is
recorded as a ``truncated`` finding saying how much was read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from monitor.config import config_path, load_config
from monitor.errors import ConfigError
from monitor.models import ChangeDraft, DiffOp, Finding

ANALYZER_TEXT = 1_000_000
"""Default characters of each text an analyzer sees."""


_LIMIT_CACHE: dict[tuple[str, float], int] = {}


def analyzer_text_limit(path: Path | None = None) -> int:
    """``[limits] analyzer_text``: characters of each text handed to analyzers (default
    one million, :data:`ANALYZER_TEXT`). Read once per version of the config file.

    Raises:
        ConfigError: the value is not a positive whole number.
    """
    p = path or config_path()
    try:
        key = (str(p), p.stat().st_mtime)
    except OSError:
        return ANALYZER_TEXT
    if key not in _LIMIT_CACHE:
        limits = load_config(p).get("limits") or {}
        value = limits.get("analyzer_text", ANALYZER_TEXT) if isinstance(limits, dict) else None
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ConfigError(f"{p}: [limits] analyzer_text must be a positive number of characters")
        _LIMIT_CACHE.clear()
        _LIMIT_CACHE[key] = value
    return _LIMIT_CACHE[key]


def _cut_paragraphs(paras: Sequence[str], limit: int) -> tuple[tuple[str, ...], bool]:
    out: list[str] = []
    used = 0
    for p in paras:
        if used + len(p) > limit:
            if limit - used > 0:
                out.append(p[: limit - used])
            return tuple(out), True
        out.append(p)
        used += len(p)
    return tuple(out), False


def _cut_ops(ops: Sequence[DiffOp], limit: int) -> tuple[tuple[DiffOp, ...], bool]:
    out: list[DiffOp] = []
    used = 0
    for op in ops:
        size = len(op.old) + len(op.new)
        if used + size > limit:
            return tuple(out), True
        out.append(op)
        used += size
    return tuple(out), False


def cap_for_analysis(change: ChangeDraft, limit: int) -> tuple[ChangeDraft, Finding | None]:
    """``change`` with each of its texts cut to ``limit`` characters, and the
    ``truncated`` finding to record when anything was cut (else ``change`` itself and
    ``None``)."""
    text_cut = len(change.text) > limit
    added, added_cut = _cut_paragraphs(change.added, limit)
    removed, removed_cut = _cut_paragraphs(change.removed, limit)
    ops, ops_cut = _cut_ops(change.ops, limit)
    if not (text_cut or added_cut or removed_cut or ops_cut):
        return change, None
    capped = dataclasses.replace(change, text=change.text[:limit], added=added, removed=removed,
                                 ops=ops, title=change.title[:limit])
    finding = Finding("truncated", {"analyzed_chars": limit, "text_chars": len(change.text),
                                    "added_chars": sum(map(len, change.added))},
                      reasons=(f"analyzers read the first {limit:,} characters of each text",),
                      plugin="twinwatch")
    return capped, finding
