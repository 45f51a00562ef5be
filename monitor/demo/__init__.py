"""``twinwatch demo``: the embedded default.

twinwatch serves itself a small municipal web made from the seed documents (see
:mod:`monitor.demo.server`), watches it, crawls it on "day 1", lets a day pass (the
server switches to the pages of day 2), crawls again and says what it found:

* Ixelles drops Megiddo from its list of twinning partners (a silent removal);
* the City of Brussels edits a figure on its international solidarity page;
* the VVSG adds one municipality's dated action to its overview (in Dutch);
* the news feed gets an item about Ixelles suspending the twinning with Megiddo;
* the twinning network's history page is the same, and its server answers 304;
* a news article is the same but for the timestamp in its footer, which must not
  count as a change;
* a small Lokaal Beslist-style council-decision portal (one ``lblod`` source for three
  invented Flemish municipalities) publishes one municipality's new session: the minutes
  approved, and a motion calling for a ceasefire in Gaza that grants emergency aid.
  It is two static JSON:API answers (``site/day*/lblod/api/agenda-items``), every item
  on one page: the demo portal ignores the date and name filters the kind asks with,
  and the kind copes, as with a portal that lists more than it was asked for. Their
  shape (``agenda-items`` with ``included`` sessions, governing bodies, administrative
  units, handlings and resolutions) is that of tests/portals/lblod_server.py, from
  github.com/lblod/app-burgernabije-besluitendatabank commit 5c892033 (MIT,
  ``config/resources/besluit-domain-en.lisp``); the municipalities, sessions and
  decisions are invented, written after the VVSG overview's motions and grants.

Each crawl runs ``python -m monitor crawl`` in a subprocess: a Scrapy reactor can run
only once per process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from monitor.children import run
from monitor.demo.server import DemoServer
from monitor.errors import TwinwatchError
from monitor.models import SOURCE_KINDS, ChangeRow
from monitor.net.policy import ENV
from monitor.sources.manage import NewSource, add_sources, set_enabled
from monitor.store.db import open_db
from monitor.store.queries import ChangeFilter, changes, sources

__all__ = ["DEMO_SOURCES", "DemoServer", "DemoSource", "run_demo"]

DEMO_TAG = "demo"
LOOPBACK = "127.0.0.0/8"
"""The network the demo serves on, allowed for the demo's own crawls."""
CRAWL_TIMEOUT = 180.0
"""Seconds one demo crawl may take before the demo gives up."""


@dataclass(frozen=True)
class DemoSource:
    """A page or feed of the demo web and what twinwatch is told about it."""

    path: str
    label: str
    kind: str = "page"
    municipality: str | None = None
    country: str | None = None
    lang: str | None = None


DEMO_SOURCES: tuple[DemoSource, ...] = (
    DemoSource("ixelles/cooperation.html", "Ixelles, development cooperation",
               municipality="Ixelles", country="BE", lang="en"),
    DemoSource("brussels/solidarity.html", "City of Brussels, international solidarity",
               municipality="Brussels", country="BE", lang="en"),
    DemoSource("network/history.html", "Britain - Palestine Twinning Network, history",
               country="GB", lang="en"),
    DemoSource("vvsg/overview.html", "VVSG, overview of local initiatives",
               country="BE", lang="nl"),
    DemoSource("news/feed.xml", "Municipal News Brussels, RSS feed", kind="feed",
               country="BE", lang="en"),
    DemoSource("news/ixelles-megiddo-petition.html", "a news article on the Ixelles petition",
               municipality="Ixelles", country="BE", lang="en"),
    DemoSource("lblod/api", "Lokaal Beslist-style portal (JSON:API)", kind="lblod",
               country="BE", lang="nl"),
)

WHAT_CHANGES = (
    "Ixelles drops a partner from its twinning list, Brussels edits a figure, the VVSG adds "
    "a municipality, the news feed gets an item, the council portal publishes a session of "
    "Schoonbeke; the network page and the news article stay the same (only their footer "
    "timestamps move)"
)


def run_demo(db_path: Path, *, fresh: bool, echo: Callable[[str], None],
             kinds: Collection[str] = SOURCE_KINDS) -> None:
    """Serve the demo web, watch it, crawl day 1 and day 2 into ``db_path``, and
    echo what happened.

    ``fresh`` deletes the database first (with its ``-wal``/``-shm`` files); without
    it the demo's sources are added to whatever the database holds. ``kinds`` are the
    source kinds the installed plugins provide: a demo source of another kind (the
    portal, without the built-in portal plugins) is left out, and the demo says so.

    Raises:
        TwinwatchError: a crawl failed or took too long.
    """
    if fresh:
        _remove_database(db_path)
    allow_loopback()
    demo = [s for s in DEMO_SOURCES if s.kind in kinds]
    for s in DEMO_SOURCES:
        if s.kind not in kinds:
            echo(f"demo: no installed plugin reads sources of kind {s.kind!r}; {s.label} is left out")
    with DemoServer() as server:
        echo(f"demo: serving a small municipal web on {server.url('/')}")
        ids = _watch(db_path, server, echo, demo, kinds)
        echo(f"demo: watching {len(ids)} sources in {db_path}")

        echo("demo: day 1 — first crawl; a first fetch is a baseline, never a change")
        echo(f"demo: day 1 — {_crawl(db_path, ids, 'day 1')}")

        server.day = 2
        echo(f"demo: a day passes: {WHAT_CHANGES}")
        echo(f"demo: day 2 — {_crawl(db_path, ids, 'day 2')}")
    _explain(db_path, ids, demo, echo)


# ---------------------------------------------------------------------------


def allow_loopback() -> None:
    """Let this process (and the crawls it starts) fetch from 127.0.0.0/8, where the
    demo web is served: the private-address policy refuses loopback otherwise
    (docs/security.md). Added to ``$TWINWATCH_ALLOW_PRIVATE``, never replacing it, and
    kept for the dashboard the demo opens, so its "crawl now" works on the demo sources."""
    current = [c.strip() for c in os.environ.get(ENV, "").split(",") if c.strip()]
    if LOOPBACK not in current:
        os.environ[ENV] = ",".join([*current, LOOPBACK])


def _remove_database(db_path: Path) -> None:
    for p in (db_path, db_path.with_name(db_path.name + "-wal"),
              db_path.with_name(db_path.name + "-shm")):
        try:
            p.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise TwinwatchError(f"demo: cannot remove {p}: {exc.strerror or exc}") from exc


def _watch(db_path: Path, server: DemoServer, echo: Callable[[str], None],
           demo: Sequence[DemoSource], kinds: Collection[str]) -> list[int]:
    """Add the ``demo`` sources (at this server's address) and return their ids, in
    order. Demo sources of an earlier run, whose server is gone, are disabled so that
    a plain ``crawl`` of a kept database does not trip on them."""
    urls = [server.url(s.path) for s in demo]
    new = [NewSource(url, s.kind, s.municipality, s.country, s.lang, (DEMO_TAG,))
           for url, s in zip(urls, demo, strict=True)]
    with open_db(db_path) as db:
        add_sources(db, new, kinds)
        by_url = {st.source.url: st.source.id for st in sources(db)}
        ids = [by_url[u] for u in urls]
        stale = [st.source.id for st in sources(db, enabled_only=True)
                 if DEMO_TAG in st.source.tags and st.source.id not in ids
                 and st.source.url.startswith("http://127.0.0.1:")]
        for sid in stale:
            set_enabled(db, sid, False)
    if stale:
        echo(f"demo: disabled {len(stale)} sources of an earlier demo (their server is gone)")
    return ids


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _crawl(db_path: Path, ids: Sequence[int], label: str) -> str:
    """Run ``twinwatch crawl`` on the demo sources in a subprocess; return its summary."""
    cmd = [sys.executable, "-m", "monitor", "--db", str(db_path), "crawl", "--timeout", "20",
           *(f"--source={i}" for i in ids)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    try:
        # In its own process group, which ends with the demo (monitor.children).
        proc = run(cmd, timeout=CRAWL_TIMEOUT, env=env)
    except subprocess.TimeoutExpired as exc:
        raise TwinwatchError(
            f"demo: the {label} crawl did not finish within {CRAWL_TIMEOUT:.0f} s"
        ) from exc
    except OSError as exc:
        raise TwinwatchError(f"demo: cannot run the {label} crawl: {exc}") from exc
    if proc.returncode != 0:
        err = TwinwatchError(
            f"demo: the {label} crawl failed (exit {proc.returncode}): "
            f"{_last_line(proc.stderr).removeprefix('Error: ') or 'no message'}"
        )
        if 0 < proc.returncode < 126:
            err.exit_code = proc.returncode
        raise err
    return _last_line(proc.stdout) or "crawl finished (no summary)"


def _describe(rows: Sequence[ChangeRow]) -> str:
    """"1 change: 1 paragraph removed" and the like."""
    if not rows:
        return "no change"
    entries = sum(1 for r in rows if r.kind == "new-entry")
    edited = sum(1 for r in rows if r.kind == "edited-entry")
    counts = {"added": 0, "removed": 0, "changed": 0}
    for r in rows:
        if r.kind == "page-changed":
            for block in r.ops:
                counts[block.op] = counts.get(block.op, 0) + 1
    parts: list[str] = []
    if entries:
        parts.append(f"{entries} new entr{'y' if entries == 1 else 'ies'}")
    if edited:
        parts.append(f"{edited} edited entr{'y' if edited == 1 else 'ies'}")
    for op, word in (("removed", "removed"), ("added", "added"), ("changed", "edited")):
        k = counts[op]
        if k:
            parts.append(f"{k} paragraph{'' if k == 1 else 's'} {word}")
    n = len(rows)
    return f"{n} change{'' if n == 1 else 's'}: {', '.join(parts)}"


_STATUS = {
    "not-modified": "not modified: the server answered 304 to the ETag twinwatch sent back",
    "unchanged": "unchanged: same main text (the new timestamp in its footer is not part of it)",
    "new": "new: fetched for the first time",
}


def _explain(db_path: Path, ids: Sequence[int], demo: Sequence[DemoSource],
             echo: Callable[[str], None]) -> None:
    """Say, from the database, what day 2 meant for each demo source."""
    total = 0
    with open_db(db_path) as db:
        status = {st.source.id: st for st in sources(db, ids=ids)}
        echo(f"demo: day 1 stored a baseline of {len(ids)} sources; day 2, source by source:")
        for sid, src in zip(ids, demo, strict=True):
            st = status[sid]
            rows = changes(db, ChangeFilter(source_id=sid))
            total += len(rows)
            if st.last_status == "changed":
                what = f"changed: {_describe(rows)}"
            elif st.last_status in _STATUS:
                what = _STATUS[st.last_status]
            else:
                what = f"{st.last_status or 'not fetched'}: {st.last_error or 'no message'}"
            echo(f"  {src.label:<48} {what}")
    echo(f"demo: {total} change{'' if total == 1 else 's'} to review; "
         f"see them again with: twinwatch --db {db_path} changes")
