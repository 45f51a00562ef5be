"""Read queries for the dashboard: inbox pages, counts, one change in detail, the
history of a source, suggested facts, saved views and source health; and the one
reading of a change's ``events`` finding (:func:`events_of`), whose count the inbox
rows carry for the dashboard and ``twinwatch changes`` alike.

Split from :mod:`monitor.store.queries` to keep both short; same rules: named functions
returning monitor dataclasses, nothing here writes. The inbox pages through
``change_facets`` (kept by triggers, see ``m005_curator_tables``) so a database of
100,000 changes opens and filters on an index, and a page costs its own rows only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlite_utils import Database

from monitor.models import (
    EVENT_FIELDS,
    FACT_FIELDS,
    MAX_EVENTS,
    REVIEW_STATUSES,
    ChangeDetail,
    Fact,
    Finding,
    InboxCounts,
    InboxRow,
    SavedView,
    Version,
)
from monitor.review.case_inbox import case_badges, case_member_ids, folded_sql
from monitor.store.queries import ChangeFilter, change
from monitor.store.queries import filter_sql as _filter_sql

# --------------------------------------------------------------------------- events


_EVENT_VALUE = (str, int, float)


def events_of(value: Any) -> list[dict[str, Any]]:
    """The events of an ``events`` finding's value, each a dict of the keys of
    :data:`EVENT_FIELDS` it gives, at most :data:`MAX_EVENTS` of them.

    The value comes from any analyzer (third parties' included), so its shape is
    checked here, once, for the inbox's count and the records' drafts alike: a value
    that is not a list is no events; items that are not dicts, keys that are not event
    fields, and values that are not a string or a number are left out, and so is an
    item with nothing left. Whether a value is a valid record value (a country of two
    letters, a known action) is for ``monitor.records.registry.clean_fields``.
    """
    if not isinstance(value, list):
        return []
    out: list[dict[str, Any]] = []
    for item in value:
        if not isinstance(item, dict):
            continue
        event = {key: v for key, v in item.items()
                 if key in EVENT_FIELDS and isinstance(v, _EVENT_VALUE) and not isinstance(v, bool)
                 and v != ""}
        if event:
            out.append(event)
            if len(out) == MAX_EVENTS:
                break
    return out


def change_events(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """The events of a change: those of its latest ``events`` finding (see :func:`events_of`);
    empty when it has none, and then the change is one event, its main one."""
    latest = None
    for f in findings:
        if f.name == "events":
            latest = f
    return events_of(latest.value) if latest is not None else []


def event_counts(db: Database, ids: Sequence[int]) -> dict[int, int]:
    """How many events each of the changes ``ids`` holds, for those with two or more
    (a change without an ``events`` finding, or with one event, is one event)."""
    latest: dict[int, str | None] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start:start + 500])
        for cid, value in db.execute(
            "SELECT change_id, value FROM findings WHERE name = 'events' AND change_id IN "
            f"({','.join('?' * len(chunk))}) ORDER BY id", chunk,
        ):
            latest[cid] = value
    counts: dict[int, int] = {}
    for cid, value in latest.items():
        try:
            n = len(events_of(json.loads(value))) if value else 0
        except (ValueError, RecursionError):
            n = 0  # a value that is not JSON (or nested past reading) holds no events
        if n >= 2:
            counts[cid] = n
    return counts


# --------------------------------------------------------------------------- inbox


def filter_sql(f: ChangeFilter) -> tuple[str, list[Any]]:
    return _filter_sql(f, "k.change_id")


def _matching(f: ChangeFilter, sort: str) -> tuple[str, str, list[Any]]:
    """FROM clause, WHERE clause and parameters of the inbox rows for ``f``: the
    changes it matches, each case folded into its lead (:mod:`monitor.review.case_inbox`);
    a filter naming change ids shows exactly those."""
    where, params = filter_sql(f)
    source = _from_for(where)
    if f.ids:
        return source, where, params
    folded, more = folded_sql(f"{source}{where}" if where else "", params, sort)
    return source, f"{where} AND NOT {folded}" if where else f" WHERE NOT {folded}", [*params, *more]


_ORDER = {
    "relevance": "ORDER BY k.score DESC, k.detected_at DESC, k.change_id DESC",
    "date": "ORDER BY k.detected_at DESC, k.change_id DESC",
}

_NO_SCORE = -1e300
"""Stands for "no score" when comparing positions (every real score is larger)."""


def _order(sort: str) -> str:
    try:
        return _ORDER[sort]
    except KeyError:
        raise ValueError(f"unknown sort {sort!r}") from None


def inbox_page(db: Database, f: ChangeFilter | None = None, *, sort: str = "relevance",
               offset: int = 0, limit: int = 200) -> list[InboxRow]:
    """One page of the inbox: light rows (no diff, no findings) in ``sort`` order."""
    source, where, params = _matching(f or ChangeFilter(), sort)
    # Rank first on the narrow facets table with only the joins the filter needs,
    # then read the columns of the page's rows only: computing them (tags above
    # all) for every match before sorting costs ~60 ms on 15,000 matches.
    order = _order(sort)
    sql = (
        "SELECT c.id, c.source_id, s.url, s.municipality, c.kind, c.title, k.detected_at, "
        "COALESCE(r.status, 'new'), k.score, k.category, k.lang, "
        "(SELECT group_concat(tag, char(31)) FROM (SELECT tag FROM review_tags t "
        " WHERE t.change_id = c.id ORDER BY tag)) "
        f"FROM (SELECT k.change_id AS id {source}{where} {order} LIMIT ? OFFSET ?) p "
        "JOIN change_facets k ON k.change_id = p.id JOIN changes c ON c.id = k.change_id "
        "JOIN sources s ON s.id = c.source_id LEFT JOIN reviews r ON r.change_id = k.change_id "
        f"{order}"
    )
    found = list(db.execute(sql, [*params, limit, max(offset, 0)]))
    badges = case_badges(db, [r[0] for r in found])
    events = event_counts(db, [r[0] for r in found])
    return [
        InboxRow(id=r[0], source_id=r[1], source_url=r[2], municipality=r[3], kind=r[4],
                        title=r[5], detected_at=r[6], status=r[7], score=r[8], category=r[9],
                        lang=r[10], tags=tuple(r[11].split("\x1f")) if r[11] else (),
                        case=badges.get(r[0]), events=events.get(r[0], 1))
        for r in found
    ]


def inbox_rows(db: Database, ids: Sequence[int]) -> list[InboxRow]:
    """The inbox rows of some changes (to redraw them after a review), in id order."""
    if not ids:
        return []
    return inbox_page(db, ChangeFilter(ids=tuple(ids)), sort="date", limit=len(ids))


def _from_for(where: str) -> str:
    """The FROM clause with only the joins ``where`` needs: counting 100,000 rows
    costs several times more through joins it does not use."""
    sql = "FROM change_facets k"
    if "c." in where or "s." in where:
        sql += " JOIN changes c ON c.id = k.change_id"
    if "s." in where:
        sql += " JOIN sources s ON s.id = c.source_id"
    if "r." in where:
        sql += " LEFT JOIN reviews r ON r.change_id = k.change_id"
    return sql


def inbox_count(db: Database, f: ChangeFilter | None = None) -> int:
    """How many inbox rows match ``f`` (a case counts once)."""
    return _count(db, f or ChangeFilter(), "date")


def _count(db: Database, f: ChangeFilter, sort: str, extra: str = "", extra_params: Sequence[Any] = ()
           ) -> int:
    """Inbox rows matching ``f`` (and the condition ``extra``): the matching changes less
    the folded ones, counted over ``case_folds`` only (testing every match for folding
    would cost several times the count itself)."""
    where, params = filter_sql(f)
    source = _from_for(where)
    if not where and not extra:  # everything: each case of n changes shows one of them
        return int(db.execute(
            "SELECT (SELECT COUNT(*) FROM change_facets) - (SELECT COUNT(*) - COUNT(DISTINCT case_id) "
            "FROM case_folds)").fetchone()[0])
    if extra:
        where, params = f"{where} AND {extra}" if where else f" WHERE {extra}", [*params, *extra_params]
    total = int(db.execute(f"SELECT COUNT(*) {source}{where}", params).fetchone()[0])
    if f.ids or not total:
        return total
    folded, more = folded_sql(f"{source}{where}" if where else "", params, sort)
    glue = " AND " if where else " WHERE "
    return total - int(db.execute(
        f"SELECT COUNT(*) {source}{where}{glue}k.change_id IN (SELECT change_id FROM case_folds) "
        f"AND {folded}", [*params, *more]).fetchone()[0])


def inbox_position(db: Database, f: ChangeFilter | None, sort: str, change_id: int) -> int | None:
    """Where ``change_id`` stands (0-based) in the inbox for ``f`` and ``sort``, or
    ``None`` when it does not match ``f``. Keeps the cursor on a change when a
    crawl adds rows above it."""
    f = f or ChangeFilter()
    _order(sort)
    source, where, params = _matching(f, sort)
    row = db.execute(
        f"SELECT COALESCE(k.score, ?), k.detected_at, k.change_id {source}{where}"
        + (" AND " if where else " WHERE ") + "k.change_id = ?",
        [_NO_SCORE, *params, change_id],
    ).fetchone()
    if row is None:
        return None
    if sort == "relevance":
        before = "(COALESCE(k.score, ?), k.detected_at, k.change_id) > (?, ?, ?)"
        extra: list[Any] = [_NO_SCORE, row[0], row[1], row[2]]
    elif sort == "date":
        before = "(k.detected_at, k.change_id) > (?, ?)"
        extra = [row[1], row[2]]
    else:
        _order(sort)
        raise AssertionError
    return _count(db, f, sort, before, extra)


def inbox_counts(db: Database, since_id: int | None = None) -> InboxCounts:
    """Totals for the header: all changes, each status and (with ``since_id``) how
    many arrived after that change id; cheap on a large database."""
    # change_facets has a row per change and narrow indexes: counting it is
    # several times cheaper than counting the wide changes table.
    total = db.execute("SELECT COUNT(*) FROM change_facets").fetchone()[0]
    max_id = db.execute("SELECT COALESCE(MAX(change_id), 0) FROM change_facets").fetchone()[0]
    arrived = 0
    if since_id is not None:
        arrived = db.execute("SELECT COUNT(*) FROM change_facets WHERE change_id > ?",
                             [since_id]).fetchone()[0]
    by_status = dict.fromkeys(REVIEW_STATUSES, 0)
    for status, n in db.execute("SELECT status, COUNT(*) FROM reviews GROUP BY status"):
        by_status[status] = n
    by_status["new"] = total - sum(n for s, n in by_status.items() if s != "new")
    return InboxCounts(total=total, by_status=by_status, max_change_id=max_id, arrived=arrived)


def data_stamp(db: Database) -> tuple[int, ...]:
    """Changes when anything the inbox shows may have changed (a crawl stored changes
    or findings, a curator reviewed). Cheap: the ends of four rowid trees."""
    return tuple(db.execute(
        "SELECT (SELECT COALESCE(MAX(id), 0) FROM changes), (SELECT COALESCE(MAX(id), 0) FROM findings), "
        "(SELECT COALESCE(MAX(id), 0) FROM review_events), (SELECT COALESCE(MAX(rowid), 0) FROM "
        "fact_corrections)"
    ).fetchone())


# --------------------------------------------------------------------------- one change


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for key in ("name", "value", "text", "label"):
            if isinstance(value.get(key), str):
                return str(value[key])
    return json.dumps(value, ensure_ascii=False)


def change_facts(db: Database, change_id: int) -> tuple[Fact, ...]:
    """The suggested record of a change: for each field of :data:`FACT_FIELDS`, the
    latest finding of that name and the curator's correction, if any."""
    suggested: dict[str, tuple[str | None, str]] = {}
    for name, value, plugin in db.execute(
        "SELECT name, value, plugin FROM findings WHERE change_id = ? ORDER BY id", [change_id]
    ):
        field = "category" if name == "action" else name
        if field in FACT_FIELDS:
            suggested[field] = (_text(json.loads(value)) if value else None, plugin)
    corrected = dict(db.execute(
        "SELECT field, value FROM fact_corrections WHERE change_id = ?", [change_id]
    ).fetchall())
    return tuple(
        Fact(field=f, suggested=suggested.get(f, (None, ""))[0], corrected=corrected.get(f),
             plugin=suggested.get(f, (None, ""))[1])
        for f in FACT_FIELDS
    )


def versions(db: Database, change_id: int, limit: int = 200) -> tuple[Version, ...]:
    """The changes of the same source (for a feed entry: of the same entry), newest
    first, this one included: the history the change view walks through."""
    row = db.execute("SELECT source_id, item_id FROM changes WHERE id = ?", [change_id]).fetchone()
    if row is None:
        return ()
    source_id, item_id = row
    where = "c.item_id = ?" if item_id is not None else "c.source_id = ? AND c.item_id IS NULL"
    return tuple(
        Version(change_id=r[0], detected_at=r[1], kind=r[2], title=r[3], status=r[4],
                added=len(json.loads(r[5])), removed=len(json.loads(r[6])))
        for r in db.execute(
            "SELECT c.id, c.detected_at, c.kind, c.title, COALESCE(r.status, 'new'), c.added, c.removed "
            f"FROM changes c LEFT JOIN reviews r ON r.change_id = c.id WHERE {where} "
            "ORDER BY c.detected_at DESC, c.id DESC LIMIT ?",
            [item_id if item_id is not None else source_id, limit],
        )
    )


def change_detail(db: Database, change_id: int) -> ChangeDetail | None:
    """One change with its findings, suggested facts and the source's history."""
    row = change(db, change_id)
    if row is None:
        return None
    facets = db.execute("SELECT score, category FROM change_facets WHERE change_id = ?",
                        [change_id]).fetchone()
    return ChangeDetail(change=row, facts=change_facts(db, change_id), versions=versions(db, change_id),
                        score=facets[0] if facets else None, category=facets[1] if facets else None)


# --------------------------------------------------------------------------- saved views


def saved_views(db: Database) -> list[SavedView]:
    """The curator's named queries, by name."""
    return [SavedView(id=r[0], name=r[1], query=r[2], sort=r[3]) for r in db.execute(
        "SELECT id, name, query, sort FROM saved_views ORDER BY name COLLATE NOCASE")]


def change_counts_by_source(db: Database) -> dict[int, int]:
    """How many changes each source has produced."""
    return dict(db.execute("SELECT source_id, COUNT(*) FROM changes GROUP BY source_id").fetchall())


def case_rows(db: Database, case_id: int, sort: str = "relevance") -> list[InboxRow]:
    """The inbox rows of every change of a case, in the inbox's order (its lead first
    when the query matches every member)."""
    ids = case_member_ids(db, case_id, sort)
    by_id = {r.id: r for r in inbox_rows(db, ids)}
    return [by_id[i] for i in ids if i in by_id]
