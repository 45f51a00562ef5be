"""Adding, configuring and importing sources: the only writer of the ``sources`` table.

Import reads CSV (header row with at least ``url``; also ``kind``, ``municipality``,
``country``, ``lang``, ``tags``, ``every``) and OPML (each ``outline`` with an
``xmlUrl`` is a feed, with ``htmlUrl`` only a page).

A source's rules (interval, region, ignore patterns, added-only, minimum change,
link pattern, follow limit) are checked here when they are set, so a crawl never
meets a selector or pattern that does not compile.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree
from sqlite_utils import Database

from monitor import clock
from monitor.errors import ConfigError, SourceError
from monitor.ingest.extract.html import RegionError, check_selector
from monitor.models import DEFAULT_EVERY_S, SOURCE_KINDS
from monitor.net.policy import Refused, load_policy
from monitor.sources.search import AUTO, check_query
from monitor.store.db import write_tx


@dataclass(frozen=True)
class Rules:
    """What a curator may set on a source after adding it (``None``: leave as is)."""

    every_s: int | None = None
    region: str | None = None
    """A CSS selector or XPath; ``""`` removes the region."""
    ignore: tuple[str, ...] | None = None
    added_only: bool | None = None
    min_change: int | None = None
    link_pattern: str | None = None
    """``""`` removes the pattern."""
    max_items: int | None = None
    query: str | None = None
    """Portal kinds: the server-side full-text query (``monitor.sources.search``); ``""``
    removes it. ``auto`` is turned into the vocabulary's query by the caller, which
    has the plugins (:func:`monitor.sources.search.auto_query`)."""


@dataclass(frozen=True)
class NewSource:
    """A source as a user describes it, before it has an id."""

    url: str
    kind: str = "page"
    municipality: str | None = None
    country: str | None = None
    lang: str | None = None
    tags: tuple[str, ...] = ()
    rules: Rules = field(default_factory=Rules)
    municipalities: tuple[str, ...] = ()
    """Portal kinds: the bodies or municipalities the source is limited to. Given with
    one name and no ``municipality``, that name is also the source's municipality."""


_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$", re.I)
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_interval(text: str) -> int:
    """Seconds in ``30m``, ``6h``, ``1d``, ``2w`` (or plain seconds); at least a minute.

    Raises:
        ConfigError: not an interval.
    """
    m = _INTERVAL.match(text or "")
    if not m:
        raise ConfigError(f"not an interval: {text!r} (use e.g. 30m, 6h, 1d, 1w)")
    seconds = int(float(m.group(1)) * _UNITS[m.group(2).lower()])
    if seconds < 60:
        raise ConfigError(f"interval {text!r} is shorter than a minute")
    return seconds


def format_interval(seconds: int) -> str:
    """``21600`` -> ``6h``: the largest unit that divides the interval."""
    for unit, n in (("w", 7 * 86400), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % n == 0:
            return f"{seconds // n}{unit}"
    return f"{seconds}s"


def check_rules(rules: Rules) -> Rules:
    """Compile selectors and patterns, check numbers; return the rules tidied.

    Raises:
        ConfigError: naming the bad rule.
    """
    if rules.region:
        try:
            check_selector(rules.region)
        except RegionError as exc:
            raise ConfigError(str(exc)) from exc
    for pattern in (rules.ignore or ()) + ((rules.link_pattern,) if rules.link_pattern else ()):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ConfigError(f"bad regular expression {pattern!r}: {exc}") from exc
    if rules.min_change is not None and rules.min_change < 0:
        raise ConfigError("--min-change must be 0 or more characters")
    if rules.max_items is not None and not 0 <= rules.max_items <= 1000:
        raise ConfigError("--max-items must be between 0 and 1000")
    if rules.every_s is not None and rules.every_s < 60:
        raise ConfigError("the interval must be at least a minute")
    if rules.query is not None:
        if rules.query.strip() == AUTO:
            raise ConfigError("--query auto must be built from the plugins' search terms first")
        rules = dataclasses.replace(rules, query=check_query(rules.query))
    return rules


def validate(src: NewSource, kinds: Collection[str] = SOURCE_KINDS, *, resolve: bool = True) -> NewSource:
    """Check URL, kind, country, language and rules; return the source with tidy values.

    ``kinds`` are the kind names the installed plugins provide. An address the
    private-address policy refuses is refused here; a host name is resolved for that
    only with ``resolve`` (a bulk import skips it: thousands of lookups would make it
    slow, and every crawl checks each address again anyway).

    Raises:
        ConfigError: with a message naming the bad value.
    """
    url = src.url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"not an http(s) URL: {url!r}")
    try:  # a private address is refused now, not first at the next crawl (docs/security.md)
        load_policy().check_url(url, resolve=resolve)
    except Refused as exc:
        raise ConfigError(f"{url}: {exc}") from exc
    kind = (src.kind or "page").strip().lower()
    if kind not in kinds:
        raise ConfigError(f"unknown kind {kind!r} for {url}; use one of {', '.join(kinds)}")
    country = (src.country or "").strip().upper() or None
    if country and (len(country) != 2 or not country.isalpha()):
        raise ConfigError(f"country must be a two-letter ISO code, not {src.country!r}")
    lang = (src.lang or "").strip().lower() or None
    if lang and not (2 <= len(lang) <= 3 and lang.isalpha()):
        raise ConfigError(f"lang must be a two- or three-letter language code, not {src.lang!r}")
    limited = tuple(dict.fromkeys(m.strip() for m in src.municipalities if m.strip()))
    municipality = (src.municipality or "").strip() or (limited[0] if len(limited) == 1 else None)
    return NewSource(url, kind, municipality, country, lang,
                     tuple(t.strip() for t in src.tags if t.strip()), check_rules(src.rules), limited)


def add_sources(db: Database, new: Iterable[NewSource],
                kinds: Collection[str] = SOURCE_KINDS) -> tuple[list[int], int]:
    """Add sources (validated first, all or none); a URL already watched is skipped.

    Returns the ids of added sources and how many were skipped as duplicates.
    """
    batch = list(new)
    checked = [validate(s, kinds, resolve=len(batch) == 1) for s in batch]
    added: list[int] = []
    skipped = 0
    now = clock.utcnow()
    with write_tx(db):
        for s in checked:
            r = s.rules
            cur = db.execute(
                "INSERT OR IGNORE INTO sources (url, kind, municipality, country, lang, tags, "
                "created_at, every_s, region, ignore, added_only, min_change, link_pattern, max_items, "
                "municipalities, query) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [s.url, s.kind, s.municipality, s.country, s.lang, json.dumps(list(s.tags)), now,
                 r.every_s or DEFAULT_EVERY_S, r.region or None, json.dumps(list(r.ignore or ())),
                 int(bool(r.added_only)), r.min_change or 0, r.link_pattern or None,
                 10 if r.max_items is None else r.max_items,
                 json.dumps(list(s.municipalities), ensure_ascii=False), r.query or None],
            )
            if cur.rowcount:
                added.append(int(cur.lastrowid or 0))
            else:
                skipped += 1
    return added, skipped


def set_rules(db: Database, source_id: int, rules: Rules) -> None:
    """Change a source's schedule and rules; fields left ``None`` stay as they are.

    Raises:
        SourceError: no such source.
        ConfigError: a bad rule.
    """
    rules = check_rules(rules)
    values: dict[str, object] = {}
    if rules.every_s is not None:
        values["every_s"] = rules.every_s
    if rules.region is not None:
        values["region"] = rules.region or None
    if rules.ignore is not None:
        values["ignore"] = json.dumps(list(rules.ignore))
    if rules.added_only is not None:
        values["added_only"] = int(rules.added_only)
    if rules.min_change is not None:
        values["min_change"] = rules.min_change
    if rules.link_pattern is not None:
        values["link_pattern"] = rules.link_pattern or None
    if rules.max_items is not None:
        values["max_items"] = rules.max_items
    if rules.query is not None:
        values["query"] = rules.query or None
    with write_tx(db):
        if db.execute("SELECT 1 FROM sources WHERE id = ?", [source_id]).fetchone() is None:
            raise SourceError(f"no source with id {source_id}")
        if values:
            assignments = ", ".join(f"{k} = ?" for k in values)
            db.execute(f"UPDATE sources SET {assignments} WHERE id = ?", [*values.values(), source_id])



def set_url(db: Database, source_id: int, url: str) -> None:
    """Point a source at a new URL (a moved page's new address), checked as ``sources
    add`` checks one. Its history stays: the next fetch is compared with the last
    text stored.

    Raises:
        SourceError: no such source.
        ConfigError: a bad URL, or one another source watches.
    """
    row = db.execute("SELECT kind FROM sources WHERE id = ?", [source_id]).fetchone()
    if row is None:
        raise SourceError(f"no source with id {source_id}")
    url = validate(NewSource(url, row[0]), kinds=(row[0],)).url
    with write_tx(db):
        other = db.execute("SELECT id FROM sources WHERE url = ? AND id != ?", [url, source_id]).fetchone()
        if other is not None:
            raise ConfigError(f"source {other[0]} already watches {url}")
        db.execute("UPDATE sources SET url = ? WHERE id = ?", [url, source_id])


def set_enabled(db: Database, source_id: int, enabled: bool) -> None:
    with write_tx(db):
        cur = db.execute("UPDATE sources SET enabled = ? WHERE id = ?", [int(enabled), source_id])
        if not cur.rowcount:
            raise SourceError(f"no source with id {source_id}")


def read_source_file(path: Path, kinds: Collection[str] = SOURCE_KINDS) -> list[NewSource]:
    """Sources from a CSV or OPML file (chosen by content, not by name)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
    head = data.lstrip()[:200].lower()
    if head.startswith(b"<?xml") or head.startswith(b"<opml"):
        return _read_opml(data, path, kinds)
    return _read_csv(data, path, kinds)


def _read_csv(data: bytes, path: Path, kinds: Collection[str]) -> list[NewSource]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    reader = csv.DictReader(io.StringIO(text))
    fields = {(f or "").strip().lower() for f in reader.fieldnames or []}
    if "url" not in fields:
        raise ConfigError(f"{path}: the CSV needs a header row with a 'url' column")
    out = []
    for n, row in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k}
        if not row.get("url"):
            continue
        tags = tuple(t for t in row.get("tags", "").replace(";", ",").split(",") if t.strip())
        try:
            every = parse_interval(row["every"]) if row.get("every") else None
            src = NewSource(row["url"], row.get("kind") or "page", row.get("municipality"),
                            row.get("country"), row.get("lang"), tags, Rules(every_s=every))
            out.append(validate(src, kinds, resolve=False))
        except ConfigError as exc:
            raise ConfigError(f"{path}, line {n}: {exc.message}") from exc
    return out


def _read_opml(data: bytes, path: Path, kinds: Collection[str]) -> list[NewSource]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ConfigError(f"{path}: not valid OPML: {exc}") from exc
    out = []
    for el in root.iter("outline"):
        feed, page = el.get("xmlUrl"), el.get("htmlUrl")
        if not (feed or page):
            continue
        src = NewSource(feed or page or "", "feed" if feed else "page",
                        el.get("municipality"), el.get("country"), el.get("lang") or el.get("language"))
        try:
            out.append(validate(src, kinds, resolve=False))
        except ConfigError as exc:
            raise ConfigError(f"{path}: {exc.message}") from exc
    return out

