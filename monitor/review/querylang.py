"""The inbox query line: ``status:new lang:nl tag:motion "stedenband"`` to a filter.

:func:`parse_query` is a pure function (no database, no clock unless given one). A
query is a list of terms separated by spaces:

- ``key:value`` filters, values separated by commas meaning "any of": ``status``
  (``new``, ``relevant``, ``irrelevant``, ``follow-up``, or ``reviewed`` for the
  last three), ``tag`` (repeat for "all of"), ``source`` (an id or a piece of its
  URL), ``municipality``, ``country``, ``lang``, ``category``, ``score``
  (``0.5`` = at least 0.5, ``0.2..0.8``, ``..0.3``, ``>=0.5``, ``<0.3``), ``date``
  (``2026-03-01``, ``2026-03``, ``2026``, ranges with ``..``, ``>=2026-03-01``,
  ``7d``/``2w`` = the last days or weeks, ``today``), ``id`` and ``sort``
  (``relevance`` or ``date``);
- ``-key:value`` excludes (``status`` and ``tag``);
- anything else is full-text search: bare words must all appear, ``"quoted
  phrases"`` appear as written, ``word*`` matches a prefix, ``-word`` must not
  appear. Values with spaces are quoted: ``municipality:"Sint-Niklaas"``.

Free text never reaches FTS5 as syntax: every word is quoted, so ``a-b`` or
``AND`` is searched for, not interpreted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from monitor.errors import QueryError
from monitor.models import REVIEW_STATUSES, SORTS
from monitor.store.queries import ChangeFilter

KEYS = ("status", "tag", "source", "municipality", "country", "lang", "category", "score", "date",
        "id", "sort")
"""Filter names the query line knows (see :data:`ALIASES` for short forms)."""

ALIASES = {
    "is": "status", "tags": "tag", "src": "source", "muni": "municipality", "town": "municipality",
    "language": "lang", "cat": "category", "detected": "date", "order": "sort",
}

_STATUS_ALIASES = {
    "not-relevant": "irrelevant", "notrelevant": "irrelevant", "no": "irrelevant",
    "followup": "follow-up", "follow": "follow-up", "unread": "new", "yes": "relevant",
}

_NEGATABLE = ("status", "tag")


@dataclass(frozen=True)
class InboxQuery:
    """A parsed query line."""

    filter: ChangeFilter = field(default_factory=ChangeFilter)
    sort: str | None = None
    """``relevance`` or ``date`` when the query asks for an order, else ``None``."""
    terms: tuple[str, ...] = ()
    """The searched words and phrases, for highlighting."""
    text: str = ""
    """The query as typed."""

    @property
    def is_empty(self) -> bool:
        return self.filter == ChangeFilter()


@dataclass(frozen=True)
class _Token:
    negated: bool
    key: str | None
    value: str
    quoted: bool
    position: int


_KEY = re.compile(r"([A-Za-z][A-Za-z_-]*):")


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        negated = text[i] == "-" and i + 1 < n and not text[i + 1].isspace()
        if negated:
            i += 1
        key = None
        m = _KEY.match(text, i)
        if m:
            key = m.group(1).lower()
            i = m.end()
        if i < n and text[i] == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise QueryError(f"unclosed quote at column {i + 1}", i)
            out.append(_Token(negated, key, text[i + 1:end], True, start))
            i = end + 1
        else:
            j = i
            while j < n and not text[j].isspace():
                j += 1
            out.append(_Token(negated, key, text[i:j], False, start))
            i = j
    return out


def _values(tok: _Token) -> list[str]:
    values = [tok.value.strip()] if tok.quoted else [v.strip() for v in tok.value.split(",")]
    values = [v for v in values if v]
    if not values:
        raise QueryError(f"{tok.key}: needs a value", tok.position)
    return values


def _status(value: str, tok: _Token) -> tuple[str, ...]:
    v = value.lower()
    v = _STATUS_ALIASES.get(v, v)
    if v == "reviewed":
        return tuple(s for s in REVIEW_STATUSES if s != "new")
    if v not in REVIEW_STATUSES:
        raise QueryError(f"status:{value} is not a status; use {', '.join(REVIEW_STATUSES)} or reviewed",
                         tok.position)
    return (v,)


def _number(value: str, tok: _Token) -> float:
    try:
        return float(value)
    except ValueError:
        raise QueryError(f"score:{tok.value}: {value!r} is not a number", tok.position) from None


def _score(tok: _Token) -> tuple[float | None, float | None]:
    v = tok.value.strip()
    for op in (">=", "<=", ">", "<"):
        if v.startswith(op):
            x = _number(v[len(op):], tok)
            return (x, None) if op.startswith(">") else (None, x)
    if ".." in v:
        lo, _, hi = v.partition("..")
        return (_number(lo, tok) if lo else None, _number(hi, tok) if hi else None)
    return _number(v, tok), None


def _day(value: str, tok: _Token, today: date) -> tuple[date, date]:
    """The first day of ``value`` and the day after its last."""
    v = value.lower()
    try:
        if v == "today":
            return today, today + timedelta(days=1)
        if v == "yesterday":
            return today - timedelta(days=1), today
        if re.fullmatch(r"\d{4}", v):
            y = int(v)
            return date(y, 1, 1), date(y + 1, 1, 1)
        if re.fullmatch(r"\d{4}-\d{2}", v):
            y, m = int(v[:4]), int(v[5:])
            first = date(y, m, 1)
            return first, date(y + (m == 12), m % 12 + 1, 1)
        d = date.fromisoformat(v)
        return d, d + timedelta(days=1)
    except ValueError:
        raise QueryError(f"date:{tok.value}: {value!r} is not a date (YYYY-MM-DD, YYYY-MM, YYYY, "
                         "today, 7d, 2w)", tok.position) from None


def _date(tok: _Token, today: date) -> tuple[str | None, str | None]:
    v = tok.value.strip().lower()
    rel = re.fullmatch(r"(\d+)([dw])", v)
    if rel:
        days = int(rel.group(1)) * (7 if rel.group(2) == "w" else 1)
        return (today - timedelta(days=days - 1)).isoformat(), None
    for op in (">=", "<=", ">", "<"):
        if v.startswith(op):
            first, after = _day(v[len(op):], tok, today)
            if op == ">=":
                return first.isoformat(), None
            if op == ">":
                return after.isoformat(), None
            if op == "<=":
                return None, after.isoformat()
            return None, first.isoformat()
    if ".." in v:
        lo, _, hi = v.partition("..")
        return (_day(lo, tok, today)[0].isoformat() if lo else None,
                _day(hi, tok, today)[1].isoformat() if hi else None)
    first, after = _day(v, tok, today)
    return first.isoformat(), after.isoformat()


def _fts_term(value: str, prefix: bool) -> str:
    return '"' + value.replace('"', '""') + '"' + ("*" if prefix else "")


def parse_query(text: str, *, today: date | None = None) -> InboxQuery:
    """Read a query line into a filter, an optional sort and the searched terms.

    Raises:
        QueryError: an unknown filter, a bad value or an unclosed quote, with the
            position of the offending term.
    """
    today = today or date.today()
    f = ChangeFilter()
    sort: str | None = None
    include: list[str] = []
    exclude: list[str] = []
    terms: list[str] = []
    lists: dict[str, list[str]] = {}

    def add(name: str, values: tuple[str, ...] | list[str]) -> None:
        lists.setdefault(name, []).extend(v for v in values if v not in lists.get(name, []))

    for tok in _tokens(text):
        if tok.key is None:
            value = tok.value.strip()
            if not value:
                continue
            prefix = not tok.quoted and value.endswith("*") and len(value) > 1
            word = value[:-1] if prefix else value
            (exclude if tok.negated else include).append(_fts_term(word, prefix))
            if not tok.negated:
                terms.append(word)
            continue
        key = ALIASES.get(tok.key, tok.key)
        if key not in KEYS:
            raise QueryError(f"unknown filter {tok.key}: — use one of {', '.join(KEYS)}", tok.position)
        if tok.negated and key not in _NEGATABLE:
            raise QueryError(f"-{tok.key}: cannot be negated (only {' and '.join(_NEGATABLE)})",
                             tok.position)
        if key == "status":
            statuses = tuple(s for v in _values(tok) for s in _status(v, tok))
            add("not_statuses" if tok.negated else "statuses", statuses)
        elif key == "tag":
            add("not_tags" if tok.negated else "tags", _values(tok))
        elif key == "source":
            for v in _values(tok):
                if v.isdigit():
                    add("source_ids", [v])
                else:
                    add("sources", [v])
        elif key == "id":
            for v in _values(tok):
                if not v.isdigit():
                    raise QueryError(f"id:{tok.value}: {v!r} is not a change id", tok.position)
                add("ids", [v])
        elif key in ("municipality", "country", "lang", "category"):
            name = {"municipality": "municipalities", "country": "countries", "lang": "langs",
                    "category": "categories"}[key]
            add(name, _values(tok))
        elif key == "score":
            lo, hi = _score(tok)
            f = replace(f, score_min=lo if lo is not None else f.score_min,
                        score_max=hi if hi is not None else f.score_max)
        elif key == "date":
            since, until = _date(tok, today)
            f = replace(f, since=since or f.since, until=until or f.until)
        elif key == "sort":
            v = tok.value.strip().lower()
            if v not in SORTS:
                raise QueryError(f"sort:{tok.value}: use {' or '.join(SORTS)}", tok.position)
            sort = v
    if exclude and not include:
        raise QueryError("a search with -word also needs a word to find", 0)
    search = " ".join(include) + "".join(f" NOT {t}" for t in exclude)
    fields: dict[str, Any] = {
        name: tuple(int(v) for v in values) if name in ("source_ids", "ids") else tuple(values)
        for name, values in lists.items()
    }
    f = replace(f, search=search or None, **fields)
    return InboxQuery(filter=f, sort=sort, terms=tuple(terms), text=text.strip())
