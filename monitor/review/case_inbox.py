"""Cases in the inbox: one row per case, its members folded under it.

A case (see :mod:`monitor.review.cases`) is one event reported by several changes; a
curator decides on it once. In the inbox a case of two or more changes shows as
its *lead*: of the members that match the query, the first in the inbox's order
(relevance or date). The others are folded: left out of pages, counts and
positions, and read on demand (:func:`monitor.review.inbox.case_rows`) when the curator expands the
case. Because the lead is chosen among the *matching* members, a query that only
one member matches still finds it.

Nothing here writes; reviews of a whole case go through :func:`monitor.review.cases.review_case`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlite_utils import Database

from monitor.models import CaseBadge

_RANK = {
    "relevance": "k2.score DESC, k2.detected_at DESC, k2.change_id DESC",
    "date": "k2.detected_at DESC, k2.change_id DESC",
}

_BEFORE = {
    "relevance": "(COALESCE(ko.score, -1e300), ko.detected_at, ko.change_id) > "
                 "(COALESCE(k.score, -1e300), k.detected_at, k.change_id)",
    "date": "(ko.detected_at, ko.change_id) > (k.detected_at, k.change_id)",
}


def folded_sql(matches: str, params: Sequence[Any], sort: str) -> tuple[str, list[Any]]:
    """A condition true of ``k.change_id`` when it is folded under another member of
    its case: one the query also matches that comes first in ``sort`` order.

    Args:
        matches: ``FROM … WHERE …`` selecting the changes the query matches with
            aliases ``k`` (change_facets), ``c``, ``s``, ``r``; empty for no query.
        params: its parameters.
        sort: ``relevance`` or ``date``.
    """
    try:
        before = _BEFORE[sort]
    except KeyError:
        raise ValueError(f"unknown sort {sort!r}") from None
    # Correlated on purpose: a change outside case_folds (nearly all) costs one probe
    # of its primary key, and the search for an earlier member stops at the first.
    also = f" AND EXISTS (SELECT 1 {matches} AND k.change_id = o.change_id)" if matches else ""
    sql = (
        "EXISTS (SELECT 1 FROM case_folds f JOIN case_folds o ON o.case_id = f.case_id "
        "AND o.change_id <> f.change_id JOIN change_facets ko ON ko.change_id = o.change_id "
        f"WHERE f.change_id = k.change_id AND {before}{also})"
    )
    return sql, list(params) if matches else []


def case_badges(db: Database, change_ids: Sequence[int]) -> dict[int, CaseBadge]:
    """For each of ``change_ids`` that is in a case of two or more: that case's badge."""
    if not change_ids:
        return {}
    marks = ",".join("?" * len(change_ids))
    rows = db.execute(
        "SELECT m.change_id, m.case_id, COUNT(*), "
        "(SELECT group_concat(lang, ' ') FROM (SELECT DISTINCT lower(k.lang) AS lang FROM case_members o2 "
        " JOIN change_facets k ON k.change_id = o2.change_id WHERE o2.case_id = m.case_id "
        " AND k.lang IS NOT NULL ORDER BY 1)), "
        "(SELECT group_concat(kind, ' ') FROM (SELECT DISTINCT c.kind AS kind FROM case_members o3 "
        " JOIN changes c ON c.id = o3.change_id WHERE o3.case_id = m.case_id ORDER BY 1)) "
        "FROM case_members m JOIN case_members o ON o.case_id = m.case_id "
        f"WHERE m.change_id IN ({marks}) GROUP BY m.change_id HAVING COUNT(*) > 1",
        list(change_ids),
    )
    return {
        cid: CaseBadge(case_id=case_id, size=size, langs=tuple((langs or "").split()),
                       kinds=tuple((kinds or "").split()))
        for cid, case_id, size, langs, kinds in rows
    }


def case_member_ids(db: Database, case_id: int, sort: str = "relevance") -> list[int]:
    """Every change of a case, in the inbox's order for ``sort``."""
    try:
        rank = _RANK[sort]
    except KeyError:
        raise ValueError(f"unknown sort {sort!r}") from None
    return [r[0] for r in db.execute(
        "SELECT m.change_id FROM case_members m JOIN change_facets k2 ON k2.change_id = m.change_id "
        f"WHERE m.case_id = ? ORDER BY {rank}", [case_id])]


def case_id_of(db: Database, change_id: int) -> int | None:
    """The case a change belongs to (every grouped change has one), if grouped."""
    row = db.execute("SELECT case_id FROM case_members WHERE change_id = ?", [change_id]).fetchone()
    return int(row[0]) if row else None
