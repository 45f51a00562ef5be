"""Adding and importing sources: the only writer of the ``sources`` table.

Import reads CSV (header row with at least ``url``; also ``kind``, ``municipality``,
``country``, ``lang``, ``tags``) and OPML (each ``outline`` with an ``xmlUrl`` is a
feed, with ``htmlUrl`` only a page).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree
from sqlite_utils import Database

from monitor.db import write_tx
from monitor.errors import ConfigError, SourceError
from monitor.ingest import utcnow
from monitor.models import SOURCE_KINDS


@dataclass(frozen=True)
class NewSource:
    """A source as a user describes it, before it has an id."""

    url: str
    kind: str = "page"
    municipality: str | None = None
    country: str | None = None
    lang: str | None = None
    tags: tuple[str, ...] = ()


def validate(src: NewSource) -> NewSource:
    """Check URL, kind, country and language; return the source with tidy values.

    Raises:
        ConfigError: with a message naming the bad value.
    """
    url = src.url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"not an http(s) URL: {url!r}")
    kind = (src.kind or "page").strip().lower()
    if kind not in SOURCE_KINDS:
        raise ConfigError(f"unknown kind {kind!r} for {url}; use one of {', '.join(SOURCE_KINDS)}")
    country = (src.country or "").strip().upper() or None
    if country and (len(country) != 2 or not country.isalpha()):
        raise ConfigError(f"country must be a two-letter ISO code, not {src.country!r}")
    lang = (src.lang or "").strip().lower() or None
    if lang and not (2 <= len(lang) <= 3 and lang.isalpha()):
        raise ConfigError(f"lang must be a two- or three-letter language code, not {src.lang!r}")
    return NewSource(url, kind, (src.municipality or "").strip() or None, country, lang,
                     tuple(t.strip() for t in src.tags if t.strip()))


def add_sources(db: Database, new: Iterable[NewSource]) -> tuple[list[int], int]:
    """Add sources (validated first, all or none); a URL already watched is skipped.

    Returns the ids of added sources and how many were skipped as duplicates.
    """
    checked = [validate(s) for s in new]
    added: list[int] = []
    skipped = 0
    now = utcnow()
    with write_tx(db):
        for s in checked:
            cur = db.execute(
                "INSERT OR IGNORE INTO sources (url, kind, municipality, country, lang, tags, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [s.url, s.kind, s.municipality, s.country, s.lang, json.dumps(list(s.tags)), now],
            )
            if cur.rowcount:
                added.append(int(cur.lastrowid or 0))
            else:
                skipped += 1
    return added, skipped


def set_enabled(db: Database, source_id: int, enabled: bool) -> None:
    with write_tx(db):
        cur = db.execute("UPDATE sources SET enabled = ? WHERE id = ?", [int(enabled), source_id])
        if not cur.rowcount:
            raise SourceError(f"no source with id {source_id}")


def read_source_file(path: Path) -> list[NewSource]:
    """Sources from a CSV or OPML file (chosen by content, not by name)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
    head = data.lstrip()[:200].lower()
    if head.startswith(b"<?xml") or head.startswith(b"<opml"):
        return _read_opml(data, path)
    return _read_csv(data, path)


def _read_csv(data: bytes, path: Path) -> list[NewSource]:
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
        src = NewSource(row["url"], row.get("kind") or "page", row.get("municipality"),
                        row.get("country"), row.get("lang"), tags)
        try:
            out.append(validate(src))
        except ConfigError as exc:
            raise ConfigError(f"{path}, line {n}: {exc.message}") from exc
    return out


def _read_opml(data: bytes, path: Path) -> list[NewSource]:
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
            out.append(validate(src))
        except ConfigError as exc:
            raise ConfigError(f"{path}: {exc.message}") from exc
    return out
