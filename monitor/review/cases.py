"""One case per decision: changes that report the same event, grouped.

A council decision shows up as a page edit, minutes and several news items. Two
changes belong to the same case when they were detected within ``WINDOW_DAYS`` of
each other and either

- their changed text is near-duplicate (MinHash estimate of the Jaccard similarity of
  word 3-gram shingles at least ``THRESHOLD``, found with datasketch's LSH index), or
- the analyzers found the same acting municipality *and* the same partner town for
  both (this also joins reports in different languages).

Grouping is incremental: each change is examined once, its MinHash signature is kept,
and it joins the case of a matching change or starts its own; a change that matches
two cases merges them into the older one. Every examined change is in exactly one
case (most cases have one member). This module is the only writer of ``cases`` and
``case_members``; reviews of a case go through :mod:`monitor.review.decisions` for each member.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH
from sqlite_utils import Database

from monitor import clock
from monitor.errors import SourceError
from monitor.models import Review
from monitor.review.decisions import review_many
from monitor.store.db import write_tx
from monitor.store.queries import change as get_change

NUM_PERM = 64
THRESHOLD = 0.5
WINDOW_DAYS = 30
MAX_TEXT = 20_000
"""Characters of a change's text that are shingled (enough to recognise a duplicate)."""

_WORD = re.compile(r"\w+", re.U)


@dataclass(frozen=True)
class Case:
    id: int
    change_ids: tuple[int, ...]
    municipalities: tuple[str, ...]
    urls: tuple[str, ...]
    first_detected: str
    last_detected: str
    title: str


@dataclass(frozen=True)
class GroupSummary:
    examined: int
    joined: int
    new_cases: int
    merged: int

    def line(self) -> str:
        return (f"cases: {self.examined} changes examined, {self.joined} joined an existing case, "
                f"{self.new_cases} new cases, {self.merged} cases merged")


def shingles(text: str) -> list[bytes]:
    """Word 3-grams of text without case or accents (one word for very short texts)."""
    flat = unicodedata.normalize("NFKD", text[:MAX_TEXT].casefold())
    words = _WORD.findall("".join(c for c in flat if not unicodedata.combining(c)))
    if len(words) < 3:
        return [" ".join(words).encode()] if words else []
    return list({" ".join(words[i:i + 3]).encode() for i in range(len(words) - 2)})


def _place(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("name") or value.get("municipality") or value.get("partner")
    return unicodedata.normalize("NFKD", str(value)).casefold() if value else None


def _when(stamp: str) -> datetime:
    return clock.parse(stamp[:19]) or datetime.min.replace(tzinfo=UTC)


@dataclass
class _Change:
    id: int
    detected: datetime
    pair: tuple[str, str] | None
    signature: LeanMinHash | None
    case: int | None


CHUNK = 2_000
"""Changes shingled at a time: only their signatures are kept, so memory does not grow
with the text of every change in the database."""


def _load(db: Database, ids: Sequence[int] | None) -> list[_Change]:
    where = "" if ids is None else f"WHERE c.id IN ({','.join('?' * len(ids))})"
    places: dict[int, dict[str, str | None]] = {}
    for cid, name, value in db.execute(
        "SELECT change_id, name, value FROM findings WHERE name IN ('municipality', 'partner')"
        + ("" if ids is None else f" AND change_id IN ({','.join('?' * len(ids))})"), list(ids or [])
    ):
        places.setdefault(cid, {})[name] = _place(json.loads(value) if value else None)
    # The text columns are read only for changes without a stored signature, and a
    # chunk at a time.
    cursor = db.execute(
        "SELECT c.id, c.detected_at, s.municipality, m.case_id, m.signature, "
        "CASE WHEN m.signature IS NULL THEN coalesce(c.title, '') || char(10) || coalesce(c.added_text, '') "
        "|| char(10) || coalesce(c.removed_text, '') END "
        "FROM changes c JOIN sources s ON s.id = c.source_id "
        f"LEFT JOIN case_members m ON m.change_id = c.id {where} ORDER BY c.id", list(ids or []))
    out: list[_Change] = []
    while chunk := cursor.fetchmany(CHUNK):
        texts = [(r[0], shingles(r[5] or "")) for r in chunk if r[4] is None]
        fresh = dict(zip((i for i, _ in texts),
                         MinHash.bulk([sh or [b""] for _, sh in texts], num_perm=NUM_PERM), strict=True)
                     ) if texts else {}
        for cid, detected, source_muni, case_id, blob, _text in chunk:
            found = places.get(cid, {})
            muni = found.get("municipality") or _place(source_muni)
            partner = found.get("partner")
            sig = _decode(blob) if blob is not None else LeanMinHash(fresh[cid])
            out.append(_Change(cid, _when(detected), (muni, partner) if muni and partner else None,
                               sig, case_id))
    return out


def _encode(sig: LeanMinHash) -> bytes:
    """A signature as stored: its permutation scheme, a NUL, its hash values."""
    values: bytes = sig.hashvalues.tobytes()
    return f"{sig.scheme}:{sig.hashvalues.dtype.str}".encode() + b"\0" + values


def _decode(blob: bytes) -> LeanMinHash:
    head, _, values = blob.partition(b"\0")
    scheme, dtype = head.decode().split(":")
    return LeanMinHash(seed=1, hashvalues=np.frombuffer(values, dtype=np.dtype(dtype)), scheme=scheme)


def group(db: Database) -> GroupSummary:
    """Put every change not yet examined into a case (see the module docstring)."""
    changes = _load(db, None)
    new = [c for c in changes if c.case is None]
    if not new:
        return GroupSummary(0, 0, 0, 0)
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    by_id = {c.id: c for c in changes}
    for c in changes:
        assert c.signature is not None
        lsh.insert(c.id, c.signature, check_duplication=False)
    by_pair: dict[tuple[str, str], list[_Change]] = {}
    for c in changes:
        if c.pair:
            by_pair.setdefault(c.pair, []).append(c)
    window = timedelta(days=WINDOW_DAYS)
    # union-find over change ids; existing cases are the roots they already have
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for c in changes:  # members of one case stay together
        if c.case is not None:
            union(c.id, -c.case)
    for c in new:
        assert c.signature is not None
        near = set(lsh.query(c.signature))
        if c.pair:
            near.update(o.id for o in by_pair.get(c.pair, ()))
        for other in near:
            o = by_id[other]
            if other != c.id and abs(o.detected - c.detected) <= window:
                union(c.id, other)
    return _store(db, changes, new, find)


def _store(db: Database, changes: list[_Change], new: list[_Change], find: Any) -> GroupSummary:
    now = clock.utcnow()
    groups: dict[int, list[_Change]] = {}
    for c in changes:
        groups.setdefault(find(c.id), []).append(c)
    joined = new_cases = merged = 0
    with write_tx(db):
        for members in groups.values():
            cases = sorted({m.case for m in members if m.case is not None})
            if not any(m.case is None for m in members) and len(cases) <= 1:
                continue
            if cases:
                target = cases[0]
                merged += len(cases) - 1
                joined += sum(1 for m in members if m.case is None)
                db.execute("UPDATE cases SET updated_at = ? WHERE id = ?", [now, target])
            else:
                target = int(db.execute("INSERT INTO cases (created_at, updated_at) VALUES (?, ?)",
                                        [now, now]).lastrowid or 0)
                new_cases += 1
            for m in members:
                if m.case is None:
                    assert m.signature is not None
                    db.execute(
                        "INSERT INTO case_members (change_id, case_id, signature, added_at) "
                        "VALUES (?, ?, ?, ?)",
                        [m.id, target, _encode(m.signature), now])
                elif m.case != target:
                    db.execute("UPDATE case_members SET case_id = ? WHERE change_id = ?", [target, m.id])
            for old in cases[1:]:
                db.execute("DELETE FROM cases WHERE id = ?", [old])
    return GroupSummary(len(new), joined, new_cases, merged)


def cases(db: Database, *, min_members: int = 2, ids: Iterable[int] = ()) -> list[Case]:
    """Cases with at least ``min_members`` changes (or the given ones), newest first."""
    wanted = list(ids)
    where = f"WHERE m.case_id IN ({','.join('?' * len(wanted))})" if wanted else ""
    rows = db.execute(
        "SELECT m.case_id, c.id, c.url, c.title, c.detected_at, s.municipality FROM case_members m "
        f"JOIN changes c ON c.id = m.change_id JOIN sources s ON s.id = c.source_id {where} "
        "ORDER BY m.case_id, c.detected_at, c.id", wanted)
    grouped: dict[int, list[tuple[Any, ...]]] = {}
    for r in rows:
        grouped.setdefault(r[0], []).append(r)
    out = []
    for case_id, members in grouped.items():
        if len(members) < min_members and not wanted:
            continue
        out.append(Case(
            id=case_id, change_ids=tuple(m[1] for m in members),
            municipalities=tuple(dict.fromkeys(m[5] for m in members if m[5])),
            urls=tuple(dict.fromkeys(m[2] for m in members)),
            first_detected=members[0][4], last_detected=members[-1][4],
            title=next((m[3] for m in members if m[3]), ""),
        ))
    out.sort(key=lambda c: (c.last_detected, c.id), reverse=True)
    return out


def case_sources(db: Database, change_ids: Sequence[int]) -> dict[int, tuple[int, tuple[str, ...]]]:
    """For each change in a case of two or more: the case id and every member's URL."""
    if not change_ids:
        return {}
    rows = db.execute(
        "SELECT m.change_id, m.case_id FROM case_members m WHERE m.change_id IN "
        f"({','.join('?' * len(change_ids))})", list(change_ids)).fetchall()
    found = {c.id: c for c in cases(db, ids=sorted({r[1] for r in rows}))}
    return {cid: (case_id, found[case_id].urls) for cid, case_id in rows
            if case_id in found and len(found[case_id].change_ids) > 1}


def case_of(db: Database, change_id: int) -> Case | None:
    row = db.execute("SELECT case_id FROM case_members WHERE change_id = ?", [change_id]).fetchone()
    found = cases(db, ids=[row[0]]) if row else []
    return found[0] if found else None


def review_case(db: Database, case_id: int, **decision: Any) -> list[Review]:
    """Apply one decision (status, tags, note) to every change of a case, in one transaction."""
    found = cases(db, ids=[case_id])
    if not found:
        raise SourceError(f"no case with id {case_id}")
    case = found[0]
    with write_tx(db):
        # One action for the whole case, so a single undo takes the decision back.
        review_many(db, case.change_ids, label=_case_label(case, decision), **decision)
        return [_review_of(db, cid) for cid in case.change_ids]


def _case_label(case: Case, decision: dict[str, Any]) -> str:
    parts = [str(decision["status"])] if decision.get("status") else []
    parts += [f"+{t}" for t in decision.get("add_tags") or ()]
    parts += [f"-{t}" for t in decision.get("remove_tags") or ()]
    if decision.get("note") is not None:
        parts.append("note")
    return f"{' '.join(parts) or 'review'} on case {case.id} ({len(case.change_ids)} changes)"


def _review_of(db: Database, change_id: int) -> Review:
    row = get_change(db, change_id)
    assert row is not None
    return row.review
