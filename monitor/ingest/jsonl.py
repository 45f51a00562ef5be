"""Fetch results as JSON Lines: how spiders running elsewhere (scrapyd, a Scrapy cloud)
hand their results to this machine's single writer.

One JSON object per line::

    {"twinwatch_result": 1, "source_url": "https://…", "url": "https://…",
     "status": 200, "headers": {"content-type": "text/html"}, "body_b64": "…",
     "error_kind": null, "error": null, "elapsed_ms": 120, "fetched_at": "…"}

A feed or listing result carries the articles fetched for its new entries in
``attachments`` (objects of the same shape, each with the entry's ``key``). A
redirected fetch carries ``redirects``: ``[[url, status], …]``, the hops before
``url`` (status 0 for a meta refresh).

``load(db, pm, paths)`` ingests every line through :func:`monitor.ingest.pipeline.ingest`,
exactly as a local crawl does, inside one crawl run. A line already loaded (same
bytes) is skipped, so loading a file twice adds nothing.

The other direction: :func:`sources_to_json` writes the sources a remote spider is
to fetch, with the fetch state a local crawl would use (validators, the fingerprint
of the last bytes, the keys of known entries), and :func:`sources_from_json` reads
them back on the remote side, so a remote crawl follows the same links and sends
the same conditional requests as a local one.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import glob
import hashlib
import json
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from monitor import clock
from monitor.errors import ConfigError
from monitor.ingest.pipeline import ingest
from monitor.ingest.writer import finish_run, mark_ingested, record_quick, start_run
from monitor.models import FetchResult, Source
from monitor.plugin_manager import PluginManager
from monitor.store.db import write_tx
from monitor.store.queries import last_raw_fp
from monitor.text import fingerprint

FORMAT_VERSION = 1


def to_json(result: FetchResult, source_url: str, fetched_at: str | None = None) -> dict[str, Any]:
    """One result as a JSON Lines object (the inverse of :func:`from_json`). ``fetched_at``
    (default: now) makes two fetches of identical bytes two distinct lines."""
    obj: dict[str, Any] = {
        "twinwatch_result": FORMAT_VERSION, "source_url": source_url, "url": result.url,
        "status": result.status, "headers": result.headers,
        "body_b64": base64.b64encode(result.body).decode("ascii"), "body_sha256": fingerprint(result.body),
        "error_kind": result.error_kind, "error": result.error, "elapsed_ms": result.elapsed_ms,
        "fetched_at": fetched_at or clock.utcnow(),
    }
    if result.key is not None:
        obj["key"] = result.key
    if result.attachments:
        obj["attachments"] = [_part(a) for a in result.attachments]
    if result.redirects:
        obj["redirects"] = [list(hop) for hop in result.redirects]
    return obj


def _part(result: FetchResult) -> dict[str, Any]:
    """An attachment (a followed article): the result's own fields, no envelope."""
    return {"url": result.url, "status": result.status, "headers": result.headers,
            "body_b64": base64.b64encode(result.body).decode("ascii"), "error_kind": result.error_kind,
            "error": result.error, "elapsed_ms": result.elapsed_ms, "key": result.key}


def from_json(obj: dict[str, Any], source_id: int, run_id: int | None, *, body: bool = True) -> FetchResult:
    """The result a line holds; ``body=False`` leaves the body out (not decoded).

    Raises:
        ValueError: (or KeyError, TypeError) the object is not a valid result.
    """
    headers = obj.get("headers") or {}
    if not isinstance(headers, dict):
        raise ValueError("headers must be an object")
    parts = obj.get("attachments") or []
    if not isinstance(parts, list) or not all(isinstance(a, dict) for a in parts):
        raise ValueError("attachments must be a list of objects")
    key = obj.get("key")
    return FetchResult(
        source_id=source_id, url=str(obj.get("url") or obj["source_url"]),
        status=int(obj["status"]) if obj.get("status") is not None else None,
        headers={str(k).lower(): str(v) for k, v in headers.items()},
        body=binascii.a2b_base64(obj.get("body_b64") or "", strict_mode=True) if body else b"",
        error_kind=obj.get("error_kind"), error=obj.get("error"),
        elapsed_ms=obj.get("elapsed_ms"), run_id=run_id, key=str(key) if key is not None else None,
        attachments=tuple(from_json(a, source_id, run_id) for a in parts),
        redirects=tuple((str(url), int(status)) for url, status in obj.get("redirects") or ()),
    )


SOURCES_VERSION = 1


def sources_to_json(chosen: Iterable[Source]) -> dict[str, Any]:
    """The sources a remote spider is to fetch, with their fetch state (see the
    module docstring); :func:`sources_from_json` reads it back."""
    out = []
    for s in chosen:
        d = dataclasses.asdict(s)
        d["tags"], d["ignore"] = list(s.tags), list(s.ignore)
        d["known_items"] = sorted(s.known_items)
        out.append(d)
    return {"twinwatch_sources": SOURCES_VERSION, "sources": out}


def sources_from_json(data: Any) -> list[Source]:
    """Sources written by :func:`sources_to_json` (or a bare list of such objects).

    Raises:
        ValueError: the data is not a list of sources.
    """
    if isinstance(data, dict):
        if data.get("twinwatch_sources") != SOURCES_VERSION:
            raise ValueError("not a twinwatch sources file (version 1)")
        data = data.get("sources")
    if not isinstance(data, list):
        raise ValueError("expected a list of sources")
    names = {f.name for f in dataclasses.fields(Source)}
    out = []
    for d in data:
        if not isinstance(d, dict) or "id" not in d or "url" not in d:
            raise ValueError("each source needs at least an id and a url")
        d = {k: v for k, v in d.items() if k in names}
        d["tags"] = tuple(d.get("tags") or ())
        d["ignore"] = tuple(d.get("ignore") or ())
        d["known_items"] = frozenset(d.get("known_items") or ())
        d["municipalities"] = tuple(d.get("municipalities") or ())
        out.append(Source(**d))
    return out


def expand(paths: Iterable[str]) -> list[Path]:
    """Files named by ``paths``: files, folders (their ``*.jl``/``*.jsonl``/``*.json``
    files) and glob patterns, in a stable order."""
    found: list[Path] = []
    for p in paths:
        matches = sorted(glob.glob(os.path.expanduser(p))) if any(c in p for c in "*?[") else [p]
        if not matches:
            raise ConfigError(f"nothing matches {p}")
        for m in matches:
            path = Path(m)
            if path.is_dir():
                found += sorted(f for f in path.iterdir() if f.suffix in (".jl", ".jsonl", ".json"))
            elif path.is_file():
                found.append(path)
            else:
                raise ConfigError(f"no such file or folder: {p}")
    return found


@dataclass
class LoadSummary:
    run_id: int
    lines: int = 0
    ingested: int = 0
    duplicates: int = 0
    unknown_source: int = 0
    invalid: int = 0
    outcomes: dict[str, int] | None = None
    incomplete: int = 0
    """Last lines of a file still being written (no newline yet, not JSON yet): left
    for the next load, which finds them complete."""

    def line(self) -> str:
        outs = ", ".join(f"{n} {k}" for k, n in sorted((self.outcomes or {}).items()))
        return (f"ingest {self.run_id}: {self.lines} lines, {self.ingested} ingested"
                f"{' (' + outs + ')' if outs else ''}, {self.duplicates} already loaded, "
                f"{self.unknown_source} for unknown sources, {self.invalid} invalid"
                f"{f', {self.incomplete} still being written' if self.incomplete else ''}")


def _lines(files: list[Path]) -> Iterator[tuple[Path, int, bytes, bool]]:
    """``(file, line number, line, ends with a newline)`` for every non-blank line."""
    for path in files:
        with path.open("rb") as fp:
            for n, raw in enumerate(fp, start=1):
                if not raw.isspace():  # (strip() would copy every line just to test it)
                    yield path, n, raw.rstrip(b"\r\n"), raw.endswith(b"\n")


BATCH = 5000
"""At most this many results are stored per transaction ..."""
BATCH_SECONDS = 0.2
"""... and a transaction is committed once it has been open this long: few commits
(each costs a WAL write), and a writer waiting on us never waits long (the TUI's
review writes get in between batches)."""


@dataclass
class _Loader:
    """The state of one :func:`load`: what is known about sources, and the writes
    that wait for the end of the batch (see :meth:`line`)."""

    db: Database
    pm: PluginManager
    summary: LoadSummary
    warn: Any
    sources: dict[str, int]
    """Source URL -> id."""
    last_raw: dict[int, str | None]
    """Source id -> fingerprint of its last fetched bytes (``source_state.last_raw_fp``)."""
    loaded: set[str]
    """Line fingerprints already loaded."""
    seen_sources: set[int] = dataclasses.field(default_factory=set)
    unchanged: list[tuple[FetchResult, str, int | None]] = dataclasses.field(default_factory=list)
    done: list[tuple[str, int, int]] = dataclasses.field(default_factory=list)

    def line(self, path: Path, n: int, raw: bytes, complete: bool = True) -> None:
        """Ingest one line. Most lines of a bulk load repeat the bytes the source
        had last time: those are recognised by the body's fingerprint (given in the
        line by the spider, so the body is not even decoded) and recorded together
        by :func:`monitor.ingest.writer.record_quick`; the rest go through
        :func:`monitor.ingest.pipeline.ingest` one by one, after the waiting records, in order."""
        s = self.summary
        s.lines += 1
        fp = hashlib.sha256(raw).hexdigest()
        if fp in self.loaded:
            s.duplicates += 1
            return
        try:
            try:
                obj = json.loads(raw)
            except ValueError:
                if not complete:  # a feed export being written (a running scrapyd job)
                    s.lines -= 1
                    s.incomplete += 1
                    return
                raise
            if not isinstance(obj, dict) or obj.get("twinwatch_result") != FORMAT_VERSION:
                raise ValueError("not a twinwatch result (version 1)")
            source_id = self.sources.get(str(obj.get("source_url")))
            if source_id is None:
                s.unknown_source += 1
                self.warn(f"{path}:{n}: no source watches {obj.get('source_url')!r}")
                return
            body_fp = obj.get("body_sha256")
            same = (body_fp is not None and body_fp == self.last_raw.get(source_id)
                    and not obj.get("error_kind") and obj.get("status") != 304
                    and not obj.get("redirects"))
            if same:
                result = from_json(obj, source_id, s.run_id, body=False)
            else:
                result = from_json(obj, source_id, s.run_id)
                if body_fp is not None and body_fp != fingerprint(result.body):
                    raise ValueError("body_sha256 is not the fingerprint of the body")
        except (ValueError, KeyError, TypeError) as exc:
            s.invalid += 1
            self.warn(f"{path}:{n}: {exc}")
            return
        if same:
            self.unchanged.append((result, "unchanged", _b64_size(obj.get("body_b64") or "")))
            outcome = "unchanged"
        else:
            self.flush()  # the source's earlier results first
            outcome = ingest(self.db, self.pm, result)
            self.last_raw[source_id] = last_raw_fp(self.db, source_id)
        self.done.append((fp, source_id, s.run_id))
        self.loaded.add(fp)
        s.ingested += 1
        assert s.outcomes is not None
        s.outcomes[outcome] = s.outcomes.get(outcome, 0) + 1
        self.seen_sources.add(source_id)

    def flush(self) -> None:
        """Write what waits: the unchanged fetches, then the loaded lines' fingerprints."""
        record_quick(self.db, self.unchanged)
        self.unchanged.clear()
        mark_ingested(self.db, self.done)
        self.done.clear()


def _b64_size(text: str) -> int:
    """The size of the bytes ``text`` (canonical base64, as :func:`to_json` writes) encodes."""
    return len(text) * 3 // 4 - (2 if text.endswith("==") else 1 if text.endswith("=") else 0)


def load(db: Database, pm: PluginManager, paths: Iterable[str],
         warn: Any = lambda message: None) -> LoadSummary:
    """Ingest the results in ``paths`` (see the module docstring)."""
    files = expand(paths)
    run_id = start_run(db, 0, os.getpid())
    loader = _Loader(
        db, pm, LoadSummary(run_id, outcomes={}), warn,
        sources={url: sid for sid, url in db.execute("SELECT id, url FROM sources")},
        last_raw=dict(db.execute("SELECT source_id, last_raw_fp FROM source_state").fetchall()),
        loaded={r[0] for r in db.execute("SELECT fp FROM ingested_results")},
    )
    lines = _lines(files)
    more = True
    while more:
        more = False
        with write_tx(db):
            until = time.monotonic() + BATCH_SECONDS
            for count, (path, n, raw, complete) in enumerate(lines, start=1):
                loader.line(path, n, raw, complete)
                if count >= BATCH or time.monotonic() >= until:
                    more = True
                    break
            loader.flush()
    seen = sorted(loader.seen_sources)
    finish_run(db, run_id, seen, count=True)
    return loader.summary
