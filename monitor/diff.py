"""Paragraph diff with word-level detail inside changed paragraphs.

``diff_paragraphs(old, new)`` compares two lists of paragraphs and returns
:class:`~monitor.models.DiffOp` blocks: a paragraph that was added, removed, or
changed (an old and a new paragraph similar enough to be the same paragraph
edited, with word-level ``=``/``+``/``-`` runs).
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from monitor.models import DiffOp

SIMILAR = 0.5
"""Two paragraphs at least this similar (difflib ratio on words) are one edited paragraph."""

_TOKENS = re.compile(r"\s+|[^\s]+")


def diff_words(old: str, new: str) -> tuple[tuple[str, str], ...]:
    """Word-level runs turning ``old`` into ``new``: ``("=", text)``, ``("-", text)``,
    ``("+", text)``. Whitespace is kept so the runs concatenate back to the texts."""
    a = _TOKENS.findall(old)
    b = _TOKENS.findall(new)
    runs: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            runs.append(("=", "".join(a[i1:i2])))
        else:
            if i2 > i1:
                runs.append(("-", "".join(a[i1:i2])))
            if j2 > j1:
                runs.append(("+", "".join(b[j1:j2])))
    return tuple(runs)


def _similarity(old: str, new: str) -> float:
    return difflib.SequenceMatcher(None, old.split(), new.split(), autojunk=False).ratio()


def _pair_block(old: Sequence[str], new: Sequence[str]) -> list[DiffOp]:
    """Ops for a replaced block: pair similar paragraphs in order, the rest are
    plain removals and additions."""
    ops: list[DiffOp] = []
    j = 0
    for o in old:
        match = None
        for k in range(j, len(new)):
            if _similarity(o, new[k]) >= SIMILAR:
                match = k
                break
        if match is None:
            ops.append(DiffOp("removed", old=o))
            continue
        ops.extend(DiffOp("added", new=n) for n in new[j:match])
        ops.append(DiffOp("changed", old=o, new=new[match], words=diff_words(o, new[match])))
        j = match + 1
    ops.extend(DiffOp("added", new=n) for n in new[j:])
    return ops


def diff_paragraphs(old: Sequence[str], new: Sequence[str]) -> tuple[DiffOp, ...]:
    """The blocks that turn the ``old`` paragraphs into the ``new`` ones."""
    ops: list[DiffOp] = []
    matcher = difflib.SequenceMatcher(None, list(old), list(new), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag == "delete":
            ops.extend(DiffOp("removed", old=o) for o in old[i1:i2])
        elif tag == "insert":
            ops.extend(DiffOp("added", new=n) for n in new[j1:j2])
        else:
            ops.extend(_pair_block(old[i1:i2], new[j1:j2]))
    return tuple(ops)


def drop_moves(ops: Sequence[DiffOp]) -> tuple[DiffOp, ...]:
    """``ops`` without paragraphs that only moved: an added paragraph identical to a
    removed one cancel out (a reordered list is not a change). A ``changed`` block
    whose old or new side reappears elsewhere is split back into removed/added first."""
    flat: list[DiffOp] = []
    for op in ops:
        if op.op == "changed":
            flat.append(DiffOp("removed", old=op.old))
            flat.append(DiffOp("added", new=op.new))
        else:
            flat.append(op)
    removed = Counter(op.old for op in flat if op.op == "removed")
    added = Counter(op.new for op in flat if op.op == "added")
    moved = removed & added
    if not moved:
        return tuple(ops)
    keep_removed = removed - moved
    keep_added = added - moved
    out: list[DiffOp] = []
    for op in ops:
        if op.op == "changed":
            old_ok = keep_removed[op.old] > 0
            new_ok = keep_added[op.new] > 0
            if old_ok and new_ok:
                keep_removed[op.old] -= 1
                keep_added[op.new] -= 1
                out.append(op)
            elif old_ok:
                keep_removed[op.old] -= 1
                out.append(DiffOp("removed", old=op.old))
            elif new_ok:
                keep_added[op.new] -= 1
                out.append(DiffOp("added", new=op.new))
        elif op.op == "removed" and keep_removed[op.old] > 0:
            keep_removed[op.old] -= 1
            out.append(op)
        elif op.op == "added" and keep_added[op.new] > 0:
            keep_added[op.new] -= 1
            out.append(op)
    return tuple(out)


def changed_chars(ops: Sequence[DiffOp]) -> int:
    """How many characters ``ops`` add or remove (words only inside edited paragraphs)."""
    n = 0
    for op in ops:
        if op.op == "added":
            n += len(op.new)
        elif op.op == "removed":
            n += len(op.old)
        else:
            n += sum(len(t.strip()) for tag, t in op.words if tag in "+-")
    return n


def apply_rules(ops: Sequence[DiffOp], *, added_only: bool = False,
                min_change: int = 0) -> tuple[DiffOp, ...]:
    """The ops a source's rules let through: with ``added_only`` removed paragraphs
    are dropped (an edited paragraph stays when it gained words); with
    ``min_change`` a change touching fewer characters is dropped entirely."""
    kept = list(ops)
    if added_only:
        kept = [op for op in kept if op.op == "added"
                or (op.op == "changed" and any(tag == "+" and t.strip() for tag, t in op.words))]
    if min_change and changed_chars(kept) < min_change:
        return ()
    return tuple(kept)


def added_removed(ops: Sequence[DiffOp]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The new and old paragraphs touched by ``ops`` (a changed paragraph is in both)."""
    added = tuple(op.new for op in ops if op.op in ("added", "changed"))
    removed = tuple(op.old for op in ops if op.op in ("removed", "changed"))
    return added, removed


def ops_to_json(ops: Sequence[DiffOp]) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for op in ops:
        d: dict[str, object] = {"op": op.op}
        if op.old:
            d["old"] = op.old
        if op.new:
            d["new"] = op.new
        if op.words:
            d["words"] = [list(w) for w in op.words]
        out.append(d)
    return out


def ops_from_json(data: Sequence[dict[str, Any]]) -> tuple[DiffOp, ...]:
    return tuple(
        DiffOp(
            op=str(d["op"]),
            old=str(d.get("old", "")),
            new=str(d.get("new", "")),
            words=tuple((str(t), str(s)) for t, s in d.get("words") or []),
        )
        for d in data
    )
