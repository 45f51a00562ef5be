"""The cap on text handed to analyzers: the one place that decides how much of a
change any analyzer, built-in or third-party, reads.

Analyzers are plugins, some of them regex-heavy, and a page is untrusted input: a
5 MB page of nonsense must not keep a worker busy for minutes, nor a third-party
analyzer hold five copies of it. So each change reaches the analyzers with its text,
its added and removed paragraphs and its diff cut to the first ``limit`` characters
each (``[limits] analyzer_text`` in the config file, default :data:`ANALYZER_TEXT`).
Nothing is lost silently: the change keeps everything in the database, and the cut is
recorded as a ``truncated`` finding saying how much was read. The built-in analyzers
read all of what they are handed and cut nothing further, so that finding is true
for them too.

Why 40,000 characters (some 20 pages of a PDF). The built-in analyzers used to stop
at 40,000 characters on their own, without a finding, while this cap stood at one
million. What reading more costs, in CPU seconds of all built-in analyzers for one
change on one core (``bench/relevance/long.py --cap N [--dense] SIZE...``; a shared
machine, so about 30 % noise; ``replaced`` is a change with SIZE added and SIZE
removed):

========================  ========  =========  =========  ==========
characters of each text     40,000    100,000    200,000   1,000,000
========================  ========  =========  =========  ==========
prose, new                     0.1        0.4        0.5         4-7
prose, replaced                0.2        0.5        1.3          18
town names, new                0.6-1      3-6         40   (minutes)
town names, replaced           2-3      12-23        143   (minutes)
========================  ========  =========  =========  ==========

The places analyzer compares place mentions pairwise, so a page crowded with town
names (hostile, or a long list of partners) costs the square of its length; at one
million characters it would hold a worker for many minutes. 40,000 keeps the
built-ins' results as they were on every text they used to read whole, bounds the
worst change at a few seconds, and puts the cut in the open. Raise it (or the config
value) only once that quadratic step is gone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from monitor.config import config_path, load_config
from monitor.errors import ConfigError
from monitor.models import ChangeDraft, DiffOp, Finding

ANALYZER_TEXT = 40_000
"""Default characters of each text an analyzer sees (the module docstring says why)."""


_LIMIT_CACHE: dict[tuple[str, float], int] = {}


def analyzer_text_limit(path: Path | None = None) -> int:
    """``[limits] analyzer_text``: characters of each text handed to analyzers (default
    :data:`ANALYZER_TEXT`). Read once per version of the config file.

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
