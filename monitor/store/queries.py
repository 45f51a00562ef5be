"""Named read queries returning monitor dataclasses.

The CLI, the TUI and exporters read through these functions and never write SQL.
Nothing here writes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from monitor import clock
from monitor.errors import SourceError
from monitor.models import (
    SORTS,
    ChangeRow,
    CrawlSummary,
    Finding,
    Review,
    RobotsEntry,
    Source,
    SourceStatus,
    ops_from_json,
)
from monitor.text import decompress

_SOURCE_COLS = (
    "s.id, s.url, s.kind, s.municipality, s.country, s.lang, s.tags, s.enabled, "
    "st.etag, st.last_modified, st.last_fetched, st.last_status, st.last_error, "
    "COALESCE(st.consecutive_failures, 0), st.last_change_at, "
    "s.every_s, s.region, s.ignore, s.added_only, s.min_change, s.link_pattern, s.max_items, "
    "st.last_raw_fp, st.last_ok, st.last_relevant_at, COALESCE(st.quiet_runs, 0), "
    "EXISTS (SELECT 1 FROM snapshots sn WHERE sn.source_id = s.id), s.created_at, "
    "s.municipalities, st.extraction_note, s.query"
)


def _source(row: Sequence[Any], known_items: frozenset[str] = frozenset()) -> Source:
    return Source(
        id=row[0], url=row[1], kind=row[2], municipality=row[3], country=row[4], lang=row[5],
        tags=tuple(json.loads(row[6] or "[]")), enabled=bool(row[7]), etag=row[8],
        last_modified=row[9], every_s=row[15], region=row[16], ignore=tuple(json.loads(row[17] or "[]")),
        added_only=bool(row[18]), min_change=row[19], link_pattern=row[20], max_items=row[21],
        last_raw_fp=row[22], fetched_before=bool(row[26]), known_items=known_items,
        municipalities=tuple(json.loads(row[28] or "[]")), query=row[30],
    )


def _status(r: Sequence[Any], known_items: frozenset[str] = frozenset()) -> SourceStatus:
    return SourceStatus(_source(r, known_items), last_fetched=r[10], last_status=r[11], last_error=r[12],
                        consecutive_failures=r[13], last_change_at=r[14], last_ok=r[23],
                        last_relevant_at=r[24], quiet_runs=r[25], created_at=r[27],
                        extraction_note=r[29])


def get_source(db: Database, source_id: int) -> Source:
    """One source by id. Raises SourceError when there is none."""
    row = db.execute(
        f"SELECT {_SOURCE_COLS} FROM sources s LEFT JOIN source_state st ON st.source_id = s.id "
        "WHERE s.id = ?",
        [source_id],
    ).fetchone()
    if row is None:
        raise SourceError(f"no source with id {source_id}")
    return _source(row)


def sources(db: Database, *, enabled_only: bool = False, ids: Sequence[int] = (),
            with_items: bool = False) -> list[SourceStatus]:
    """Sources with their fetch health, by id; ``with_items`` fills each source's
    ``known_items`` (the keys of its stored entries, for crawls)."""
    where: list[str] = []
    params: list[Any] = []
    if enabled_only:
        where.append("s.enabled = 1")
    if ids:
        where.append(f"s.id IN ({','.join('?' * len(ids))})")
        params.extend(ids)
    sql = (
        f"SELECT {_SOURCE_COLS} FROM sources s LEFT JOIN source_state st ON st.source_id = s.id "
        + (f"WHERE {' AND '.join(where)} " if where else "")
        + "ORDER BY s.id"
    )
    rows = list(db.execute(sql, params))
    keys: dict[int, set[str]] = {}
    if with_items:
        for sid, key in db.execute("SELECT source_id, key FROM items"):
            keys.setdefault(sid, set()).add(key)
    return [_status(r, frozenset(keys.get(r[0], ()))) for r in rows]


def is_due(status: SourceStatus, now: datetime) -> bool:
    """Due when never fetched, or when its interval has passed since the last fetch,
    less a little slack (a tenth of the interval, at most 15 minutes) so that a cron
    job running every 6 hours does not skip a 6-hour source it fetched a minute late."""
    if not status.last_fetched:
        return True
    every = max(60, status.source.every_s)
    slack = min(every / 10, 900)
    return (now - (clock.parse(status.last_fetched[:19]) or now)).total_seconds() >= every - slack


def due_sources(db: Database, now: datetime | None = None, *, with_items: bool = True) -> list[SourceStatus]:
    """Enabled sources whose interval has passed (see :func:`is_due`)."""
    now = now or clock.now()
    return [s for s in sources(db, enabled_only=True, with_items=with_items) if is_due(s, now)]


def last_raw_fp(db: Database, source_id: int) -> str | None:
    """The fingerprint of the bytes the source's last fetch gave, if any."""
    row = db.execute("SELECT last_raw_fp FROM source_state WHERE source_id = ?", [source_id]).fetchone()
    return row[0] if row else None


def history(db: Database, source_id: int, limit: int = 20) -> list[tuple[str, str]]:
    """The source's stored texts, oldest first: ``(fetched_at, text)`` of its last
    ``limit`` snapshots with distinct consecutive texts."""
    rows = db.execute(
        "SELECT s.fetched_at, b.data FROM snapshots s JOIN blobs b ON b.fp = s.text_fp "
        "WHERE s.source_id = ? ORDER BY s.id DESC LIMIT ?",
        [source_id, limit],
    ).fetchall()
    return [(at, decompress(data)) for at, data in reversed(rows)]


@dataclass(frozen=True)
class ChangeFilter:
    """What to show: all fields optional and combined with AND.

    Within one field, several values mean "any of them", except ``tags``, where a
    change needs every tag given. :func:`monitor.review.querylang.parse_query` builds one
    from the inbox query line.
    """

    status: str | None = None
    statuses: tuple[str, ...] = ()
    source_id: int | None = None
    search: str | None = None
    """An FTS5 query over title and changed text."""
    ids: tuple[int, ...] = ()
    run_id: int | None = None
    """Only changes found by this crawl run."""
    newest_first: bool = True
    not_statuses: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    """Tags a change must all have."""
    not_tags: tuple[str, ...] = ()
    source_ids: tuple[int, ...] = ()
    sources: tuple[str, ...] = ()
    """Pieces of a source URL (case-insensitive)."""
    municipalities: tuple[str, ...] = ()
    """The source's municipality (case-insensitive)."""
    countries: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    """The language found by an analyzer, else the source's."""
    categories: tuple[str, ...] = ()
    score_min: float | None = None
    score_max: float | None = None
    since: str | None = None
    """Detected at or after this ISO timestamp (or date)."""
    until: str | None = None
    """Detected before this ISO timestamp (or date)."""


def _any(column: str, values: Sequence[Any], clauses: list[str], params: list[Any],
         collate: str = "") -> None:
    if values:
        clauses.append(f"{column}{collate} IN ({','.join('?' * len(values))})")
        params.extend(values)


def filter_sql(f: ChangeFilter, id_column: str = "c.id") -> tuple[str, list[Any]]:
    """The WHERE clause for ``f`` over ``changes c``, ``sources s`` and
    ``change_facets k``; ``id_column`` names the change id (the inbox queries pass
    ``k.change_id`` so that filters on reviews, tags and text need no join)."""
    clauses: list[str] = []
    params: list[Any] = []
    i = id_column

    def ids_in(sql: str, values: Sequence[Any], negate: bool = False) -> None:
        clauses.append(f"{i} {'NOT ' if negate else ''}IN ({sql})")
        params.extend(values)

    def marks(values: Sequence[str]) -> str:
        return ",".join("?" * len(values))

    # A change without a review row is new: "new" matches by the rows that are
    # not there, which keeps every status test on the reviews_status index.
    statuses = tuple(f.statuses) + ((f.status,) if f.status else ())
    if statuses:
        if "new" in statuses:
            ids_in(f"SELECT change_id FROM reviews WHERE status NOT IN ({marks(statuses)})", statuses, True)
        else:
            ids_in(f"SELECT change_id FROM reviews WHERE status IN ({marks(statuses)})", statuses)
    if f.not_statuses:
        n = f.not_statuses
        if "new" in n:
            ids_in(f"SELECT change_id FROM reviews WHERE status NOT IN ({marks(n)})", n)
        else:
            ids_in(f"SELECT change_id FROM reviews WHERE status IN ({marks(n)})", n, True)
    source_ids = tuple(f.source_ids) + ((f.source_id,) if f.source_id is not None else ())
    _any("c.source_id", source_ids, clauses, params)
    if f.sources:
        clauses.append("(" + " OR ".join("instr(lower(s.url), lower(?)) > 0" for _ in f.sources) + ")")
        params.extend(f.sources)
    _any("s.municipality", f.municipalities, clauses, params, " COLLATE NOCASE")
    _any("s.country", f.countries, clauses, params, " COLLATE NOCASE")
    _any("k.lang", f.langs, clauses, params, " COLLATE NOCASE")
    _any("k.category", f.categories, clauses, params, " COLLATE NOCASE")
    if f.score_min is not None:
        clauses.append("k.score >= ?")
        params.append(f.score_min)
    if f.score_max is not None:
        clauses.append("k.score <= ?")
        params.append(f.score_max)
    if f.since:
        clauses.append("k.detected_at >= ?")
        params.append(f.since)
    if f.until:
        clauses.append("k.detected_at < ?")
        params.append(f.until)
    for tag in f.tags:
        ids_in("SELECT change_id FROM review_tags WHERE tag = ?", [tag])
    if f.not_tags:
        ids_in(f"SELECT change_id FROM review_tags WHERE tag IN ({marks(f.not_tags)})", f.not_tags, True)
    if f.search:
        ids_in("SELECT rowid FROM changes_fts WHERE changes_fts MATCH ?", [f.search])
    if f.run_id is not None:
        ids_in("SELECT id FROM changes WHERE run_id = ?", [f.run_id])
    _any(i, f.ids, clauses, params)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


_CHANGE_SQL = (
    "SELECT c.id, c.source_id, c.url, c.kind, c.title, c.detected_at, c.added, c.removed, c.ops, "
    "s.municipality, s.country, s.lang, s.url, COALESCE(r.status, 'new'), r.note, r.updated_at "
    "FROM changes c JOIN sources s ON s.id = c.source_id LEFT JOIN reviews r ON r.change_id = c.id "
    "LEFT JOIN change_facets k ON k.change_id = c.id"
)


def changes(db: Database, f: ChangeFilter | None = None, *, limit: int | None = None,
            offset: int = 0, sort: str = "date") -> list[ChangeRow]:
    """Changes matching ``f`` with their review and findings: newest first by default
    (``f.newest_first``), or with ``sort="relevance"`` by score, highest first, then
    newest (the dashboard's two orders)."""
    f = f or ChangeFilter()
    where, params = filter_sql(f)
    order = "DESC" if f.newest_first else "ASC"
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}")
    rank = "COALESCE(k.score, -1e300) DESC, " if sort == "relevance" else ""
    sql = f"{_CHANGE_SQL}{where} ORDER BY {rank}c.detected_at {order}, c.id {order}"
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += [limit, offset]
    rows = list(db.execute(sql, params))
    ids = [r[0] for r in rows]
    tags = _tags_for(db, ids)
    findings = _findings_for(db, ids)
    return [
        ChangeRow(
            id=r[0], source_id=r[1], url=r[2], kind=r[3], title=r[4], detected_at=r[5],
            added=tuple(json.loads(r[6])), removed=tuple(json.loads(r[7])),
            ops=ops_from_json(json.loads(r[8])), municipality=r[9], country=r[10], lang=r[11],
            source_url=r[12],
            review=Review(change_id=r[0], status=r[13], tags=tags.get(r[0], ()), note=r[14],
                          reviewed_at=r[15]),
            findings=findings.get(r[0], ()),
        )
        for r in rows
    ]


def count_changes(db: Database, f: ChangeFilter | None = None) -> int:
    where, params = filter_sql(f or ChangeFilter())
    sql = ("SELECT COUNT(*) FROM changes c JOIN sources s ON s.id = c.source_id "
           "LEFT JOIN reviews r ON r.change_id = c.id "
           f"LEFT JOIN change_facets k ON k.change_id = c.id{where}")
    return int(db.execute(sql, params).fetchone()[0])


def status_counts(db: Database) -> dict[str, int]:
    """How many changes have each review status (``new`` included)."""
    counts = {"new": 0, "relevant": 0, "irrelevant": 0, "follow-up": 0}
    for status, n in db.execute(
        "SELECT COALESCE(r.status, 'new'), COUNT(*) FROM changes c "
        "LEFT JOIN reviews r ON r.change_id = c.id GROUP BY 1"
    ):
        counts[status] = n
    return counts


def change(db: Database, change_id: int) -> ChangeRow | None:
    rows = changes(db, ChangeFilter(ids=(change_id,)))
    return rows[0] if rows else None


def _in(ids: Sequence[int]) -> str:
    return ",".join("?" * len(ids))


def _tags_for(db: Database, ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    out: dict[int, list[str]] = {}
    if ids:
        for cid, tag in db.execute(
            f"SELECT change_id, tag FROM review_tags WHERE change_id IN ({_in(ids)}) ORDER BY tag",
            list(ids),
        ):
            out.setdefault(cid, []).append(tag)
    return {k: tuple(v) for k, v in out.items()}


def _findings_for(db: Database, ids: Sequence[int]) -> dict[int, tuple[Finding, ...]]:
    out: dict[int, list[Finding]] = {}
    if ids:
        for cid, plugin, name, value, score, reasons in db.execute(
            "SELECT change_id, plugin, name, value, score, reasons FROM findings "
            f"WHERE change_id IN ({_in(ids)}) ORDER BY id",
            list(ids),
        ):
            out.setdefault(cid, []).append(
                Finding(name, json.loads(value) if value else None, score,
                        tuple(json.loads(reasons or "[]")), plugin)
            )
    return {k: tuple(v) for k, v in out.items()}


def all_tags(db: Database) -> list[str]:
    """Every tag in use, for completion."""
    return [r[0] for r in db.execute("SELECT DISTINCT tag FROM review_tags ORDER BY tag")]


def crawl_summary(db: Database, run_id: int) -> CrawlSummary:
    """Counts of one crawl run, from its fetch outcomes."""
    n = db.execute("SELECT sources FROM crawl_runs WHERE id = ?", [run_id]).fetchone()
    counts: dict[str, int] = {}
    for outcome, k in db.execute(
        "SELECT outcome, COUNT(*) FROM fetch_outcomes WHERE run_id = ? GROUP BY outcome", [run_id]
    ):
        counts[outcome] = k
    ok = {"new", "changed", "unchanged", "not-modified", "no-match"}
    new_items = db.execute(
        "SELECT COUNT(*) FROM changes WHERE run_id = ? AND kind = 'new-entry'", [run_id]
    ).fetchone()[0]
    return CrawlSummary(
        run_id=run_id,
        sources=n[0] if n else 0,
        fetched=sum(v for k, v in counts.items() if k in ok and k != "not-modified"),
        not_modified=counts.get("not-modified", 0),
        unchanged=counts.get("unchanged", 0),
        changed=counts.get("changed", 0),
        new_items=new_items,
        failed=sum(v for k, v in counts.items() if k not in ok),
        silent=counts.get("no-match", 0),
    )


def run_outcomes(db: Database, run_id: int,
                 *, leave_out: Sequence[str] = ()) -> list[tuple[int, str, str, str | None]]:
    """``(source id, source URL, outcome, message)`` of every fetch of a run, but those
    whose outcome is one of ``leave_out`` without a message."""
    marks = ",".join("?" * len(leave_out))
    skip = f" AND NOT (o.outcome IN ({marks}) AND o.message IS NULL)" if leave_out else ""
    return [(r[0], r[1], r[2], r[3]) for r in db.execute(
        "SELECT o.source_id, s.url, o.outcome, o.message FROM fetch_outcomes o "
        f"JOIN sources s ON s.id = o.source_id WHERE o.run_id = ?{skip} ORDER BY o.id",
        [run_id, *leave_out])]


def export_batches(db: Database) -> list[dict[str, Any]]:
    """Earlier export batches, newest first."""
    return [
        {"id": r[0], "created_at": r[1], "format": r[2], "filters": json.loads(r[3]),
         "path": r[4], "count": r[5], "table": r[6]}
        for r in db.execute(
            "SELECT id, created_at, format, filters, path, count, table_name FROM export_batches "
            "ORDER BY id DESC"
        )
    ]


def snapshot_count(db: Database, source_id: int | None = None) -> int:
    if source_id is None:
        return int(db.execute("SELECT COUNT(*) FROM snapshots").fetchone()[0])
    return int(db.execute("SELECT COUNT(*) FROM snapshots WHERE source_id = ?", [source_id]).fetchone()[0])


_ROBOTS_COLS = "origin, fetched_at, expires_at, policy, status, body, crawl_delay, error"


def _robots(row: Sequence[Any]) -> RobotsEntry:
    return RobotsEntry(origin=row[0], fetched_at=row[1], expires_at=row[2], policy=row[3],
                       status=row[4], body=bytes(row[5] or b""), crawl_delay=row[6], error=row[7])


def robots_entry(db: Database, origin: str) -> RobotsEntry | None:
    """The cached robots.txt of ``origin`` (``scheme://host[:port]``), fresh or not."""
    row = db.execute(f"SELECT {_ROBOTS_COLS} FROM robots_cache WHERE origin = ?", [origin]).fetchone()
    return _robots(row) if row else None


def robots_entries(db: Database, origins: Sequence[str] | None = None) -> dict[str, RobotsEntry]:
    """Cached robots.txt entries by origin: of ``origins``, or all of them."""
    if origins is None:
        rows = db.execute(f"SELECT {_ROBOTS_COLS} FROM robots_cache").fetchall()
    else:
        rows = []
        wanted = list(dict.fromkeys(origins))
        for i in range(0, len(wanted), 500):  # under SQLite's variable limit
            part = wanted[i : i + 500]
            rows += db.execute(f"SELECT {_ROBOTS_COLS} FROM robots_cache WHERE origin IN "
                               f"({', '.join('?' * len(part))})", part).fetchall()
    return {r[0]: _robots(r) for r in rows}
