"""Paragraph diff with word-level detail inside changed paragraphs.

``diff_paragraphs(old, new)`` compares two lists of paragraphs and returns
:class:`~monitor.models.DiffOp` blocks: a paragraph that was added, removed, or
changed (an old and a new paragraph similar enough to be the same paragraph
edited, with word-level ``=``/``+``/``-`` runs).

difflib is quadratic, and a page is untrusted input: two 5 MB texts must not stall
a crawl. So the work is bounded, and beyond the bounds the diff becomes *coarse*,
never incomplete: common leading and trailing paragraphs (and words) are set aside
first, in linear time; a remaining middle longer than :data:`MAX_PARAGRAPHS` is
compared as multisets (each paragraph that left is ``removed``, each that arrived is
``added``, none paired as edited); a replaced block is paired only within
:data:`MAX_PAIRINGS` comparisons; a paragraph longer than :data:`MAX_WORDS` words
gets one removed and one added run for its changed middle instead of a word-by-word
diff. Every paragraph that changed is still in the result; :class:`Ops` carries a
``coarse`` note saying which bound applied, and the note survives
:func:`ops_to_json` / :func:`ops_from_json` (so it is stored with the change).
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from monitor.models import DiffOp, Ops, coarse_note

SIMILAR = 0.5
"""Two paragraphs at least this similar (difflib ratio on words) are one edited paragraph."""

MAX_PARAGRAPHS = 2000
"""Paragraphs per side (after the common start and end) aligned with difflib; more are
compared as multisets."""

MAX_PAIRINGS = 20_000
"""Similarity tests per replaced block when pairing edited paragraphs; beyond, the
block is plain removals and additions."""

MAX_WORDS = 3000
"""Tokens (words and spaces) per paragraph diffed word by word; beyond, the changed
middle is one removed and one added run."""

MAX_WORK = 10_000_000
"""Word comparisons one diff may spend on word-level detail (a difflib comparison of
n and m words counts n*m, its worst case); once spent, paragraphs are paired by
their shared words only and edited paragraphs get whole-middle runs."""

_TOKENS = re.compile(r"\s+|[^\s]+")


class _Budget:
    """What is left of :data:`MAX_WORK` for one diff, and the notes of what was coarse."""

    def __init__(self) -> None:
        self.left = MAX_WORK
        self.notes: list[str] = []

    def take(self, n: int, why: str) -> bool:
        """Spend ``n`` if there is that much left; else note ``why`` and refuse."""
        if n <= self.left:
            self.left -= n
            return True
        self.note(why)
        return False

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def coarse(self) -> str | None:
        return "; ".join(self.notes) or None


_SPENT = "the diff's word-comparison budget ran out: later edits are compared as a whole"


def _common_ends(a: Sequence[Any], b: Sequence[Any]) -> tuple[int, int]:
    """Lengths of the common prefix and (non-overlapping) common suffix of ``a`` and ``b``."""
    n = min(len(a), len(b))
    pre = 0
    while pre < n and a[pre] == b[pre]:
        pre += 1
    suf = 0
    while suf < n - pre and a[len(a) - 1 - suf] == b[len(b) - 1 - suf]:
        suf += 1
    return pre, suf


def diff_words(old: str, new: str, budget: _Budget | None = None) -> tuple[tuple[str, str], ...]:
    """Word-level runs turning ``old`` into ``new``: ``("=", text)``, ``("-", text)``,
    ``("+", text)``. Whitespace is kept so the runs concatenate back to the texts.
    Beyond :data:`MAX_WORDS` (or the diff's budget) the changed middle is one ``-`` and
    one ``+`` run."""
    a = _TOKENS.findall(old)
    b = _TOKENS.findall(new)
    pre, suf = _common_ends(a, b)
    runs: list[tuple[str, str]] = []
    if pre:
        runs.append(("=", "".join(a[:pre])))
    mid_a, mid_b = a[pre:len(a) - suf], b[pre:len(b) - suf]
    budget = budget or _Budget()
    whole = len(mid_a) > MAX_WORDS or len(mid_b) > MAX_WORDS
    if whole:
        budget.note(f"a paragraph of more than {MAX_WORDS} words is compared as a whole")
    if whole or not budget.take(len(mid_a) * len(mid_b), _SPENT):
        if mid_a:
            runs.append(("-", "".join(mid_a)))
        if mid_b:
            runs.append(("+", "".join(mid_b)))
    else:
        matcher = difflib.SequenceMatcher(None, mid_a, mid_b, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                runs.append(("=", "".join(mid_a[i1:i2])))
            else:
                if i2 > i1:
                    runs.append(("-", "".join(mid_a[i1:i2])))
                if j2 > j1:
                    runs.append(("+", "".join(mid_b[j1:j2])))
    if suf:
        runs.append(("=", "".join(a[len(a) - suf:])))
    return tuple(runs)


def _similarity(old: str, new: str, budget: _Budget) -> float:
    """difflib's ratio on words, with the common first and last words counted as
    matches before difflib sees the rest; for a rest past :data:`MAX_WORDS` or once
    the budget is spent, its linear upper bound (shared words as a multiset)."""
    a, b = old.split(), new.split()
    total = len(a) + len(b)
    if not total:
        return 1.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
        return 0.0
    pre, suf = _common_ends(a, b)
    mid_a, mid_b = a[pre:len(a) - suf], b[pre:len(b) - suf]
    if len(mid_a) > MAX_WORDS or len(mid_b) > MAX_WORDS or not budget.take(len(mid_a) * len(mid_b), _SPENT):
        return matcher.quick_ratio()
    rest = difflib.SequenceMatcher(None, mid_a, mid_b, autojunk=False)
    same = sum(m.size for m in rest.get_matching_blocks())
    return 2.0 * (pre + suf + same) / total


def _pair_block(old: Sequence[str], new: Sequence[str], budget: _Budget) -> list[DiffOp]:
    """Ops for a replaced block: pair similar paragraphs in order, the rest are
    plain removals and additions. At most :data:`MAX_PAIRINGS` similarity tests."""
    if len(old) * len(new) > MAX_PAIRINGS:
        budget.note(f"a block of {len(old)} old and {len(new)} new paragraphs is not paired into edits")
        return [*(DiffOp("removed", old=o) for o in old), *(DiffOp("added", new=n) for n in new)]
    ops: list[DiffOp] = []
    j = 0
    for o in old:
        match = None
        for k in range(j, len(new)):
            if _similarity(o, new[k], budget) >= SIMILAR:
                match = k
                break
        if match is None:
            ops.append(DiffOp("removed", old=o))
            continue
        ops.extend(DiffOp("added", new=n) for n in new[j:match])
        ops.append(DiffOp("changed", old=o, new=new[match], words=diff_words(o, new[match], budget)))
        j = match + 1
    ops.extend(DiffOp("added", new=n) for n in new[j:])
    return ops


def _multiset_ops(old: Sequence[str], new: Sequence[str]) -> list[DiffOp]:
    """Linear diff: paragraphs of ``old`` not (or fewer times) in ``new`` are removed,
    those of ``new`` not in ``old`` added, each in its own text's order."""
    extra_old = Counter(old) - Counter(new)
    extra_new = Counter(new) - Counter(old)
    ops: list[DiffOp] = []
    for o in old:
        if extra_old[o] > 0:
            extra_old[o] -= 1
            ops.append(DiffOp("removed", old=o))
    for n in new:
        if extra_new[n] > 0:
            extra_new[n] -= 1
            ops.append(DiffOp("added", new=n))
    return ops


def diff_paragraphs(old: Sequence[str], new: Sequence[str]) -> Ops:
    """The blocks that turn the ``old`` paragraphs into the ``new`` ones, in bounded
    time (see the module docstring); ``.coarse`` says when a bound applied."""
    budget = _Budget()
    pre, suf = _common_ends(old, new)
    mid_old, mid_new = list(old[pre:len(old) - suf]), list(new[pre:len(new) - suf])
    if len(mid_old) > MAX_PARAGRAPHS or len(mid_new) > MAX_PARAGRAPHS:
        budget.note(f"more than {MAX_PARAGRAPHS} paragraphs changed: compared as sets, not aligned")
        return Ops(_multiset_ops(mid_old, mid_new), budget.coarse())
    ops: list[DiffOp] = []
    matcher = difflib.SequenceMatcher(None, mid_old, mid_new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag == "delete":
            ops.extend(DiffOp("removed", old=o) for o in mid_old[i1:i2])
        elif tag == "insert":
            ops.extend(DiffOp("added", new=n) for n in mid_new[j1:j2])
        else:
            ops.extend(_pair_block(mid_old[i1:i2], mid_new[j1:j2], budget))
    return Ops(ops, budget.coarse())


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
        return Ops(ops, coarse_note(ops))
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
    return Ops(out, coarse_note(ops))


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
        return Ops()
    return Ops(kept, coarse_note(ops))


def added_removed(ops: Sequence[DiffOp]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The new and old paragraphs touched by ``ops`` (a changed paragraph is in both)."""
    added = tuple(op.new for op in ops if op.op in ("added", "changed"))
    removed = tuple(op.old for op in ops if op.op in ("removed", "changed"))
    return added, removed
