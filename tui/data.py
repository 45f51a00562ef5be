"""How the dashboard reaches the database: read connections for worker threads and
the one queue of curator writes.

Every read runs in a thread worker on its own ``read_only`` connection (sqlite3
connections belong to the thread that made them), so the event loop never waits
on SQLite and a crawl writing meanwhile never blocks a read (WAL). Writes go
through :class:`WriteQueue`: one writer thread at a time, in the order the curator
acted, each action in its own short IMMEDIATE transaction (``monitor.review.decisions``),
waiting out a crawl's transaction with the busy timeout instead of failing.
"""

from __future__ import annotations

import queue
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database
from textual.message_pump import MessagePump

from monitor.errors import TwinwatchError
from monitor.models import ChangeDetail, ChangeRow, InboxCounts, InboxRow
from monitor.review.inbox import (
    change_detail,
    data_stamp,
    inbox_count,
    inbox_counts,
    inbox_page,
    inbox_position,
)
from monitor.review.querylang import InboxQuery
from monitor.store.db import open_db, read_only
from monitor.store.queries import all_tags
from monitor.text import one_line
from tui.messages import ChangeReviewed, ChangesWritten, WriteFailed


@contextmanager
def reading(db_path: str) -> Iterator[Database]:
    """A read-only connection for the calling (worker) thread, closed afterwards."""
    db = read_only(db_path)
    try:
        yield db
    finally:
        db.close()


def error_text(exc: BaseException) -> str:
    """One plain line for a notification."""
    return one_line(exc.message if isinstance(exc, TwinwatchError) else f"{type(exc).__name__}: {exc}",
                    300)


@dataclass(frozen=True)
class Write:
    """One curator action waiting to be written."""

    label: str
    """What the curator did, for messages (``relevant``, ``+motion on 3 changes``)."""
    run: Callable[[Database], Any]
    """Does the write through a monitor service; its result travels back."""
    change_ids: tuple[int, ...] = ()
    reply_to: tuple[MessagePump, ...] = field(default=(), compare=False)
    """Who hears :class:`ChangesWritten` or :class:`WriteFailed` (screens)."""


class WriteQueue:
    """Curator writes, one at a time and in order, on a writer connection of their own."""

    def __init__(self, db_path: str) -> None:
        self.db_path = db_path
        self._pending: queue.Queue[Write] = queue.Queue()
        self._lock = threading.Lock()

    def put(self, write: Write) -> None:
        self._pending.put(write)

    def drain(self) -> None:
        """Write everything queued; called in a thread worker. A write that fails is
        reported and the next ones still run."""
        with self._lock:
            if self._pending.empty():
                return
            db = open_db(self.db_path, migrate=False)
            try:
                while True:
                    try:
                        w = self._pending.get_nowait()
                    except queue.Empty:
                        break
                    try:
                        result = w.run(db)
                    except Exception as exc:  # one failed decision must not stop the rest
                        error = error_text(exc)
                        for target in w.reply_to:
                            target.post_message(WriteFailed(w.label, w.change_ids, error))
                        continue
                    for target in w.reply_to:
                        if isinstance(result, ChangeRow):
                            target.post_message(ChangeReviewed(result))
                        target.post_message(ChangesWritten(w.label, w.change_ids, result))
            finally:
                db.close()


# --------------------------------------------------------------------------- inbox pages


@dataclass(frozen=True)
class LoadRequest:
    """Which page to load and where to put the cursor."""

    anchor_id: int | None = None
    """Keep the cursor on this change if it still matches."""
    position: int | None = None
    """Else put it at this position (-1: the last row)."""
    offset_hint: int | None = None
    """Keep this page offset when the cursor's row still falls inside it."""
    keep: int = 0
    """Else start the page this many rows before the cursor."""
    force: bool = True
    """Reload even when nothing changed in the database."""


@dataclass(frozen=True)
class Page:
    """One page of the inbox as read by a worker."""

    rows: list[InboxRow]
    offset: int
    total: int | None
    """``None`` for a new query's first page, shown before its matches are counted."""
    counts: InboxCounts
    stamp: tuple[int, ...]
    tags: list[str]
    select_id: int | None
    select_index: int | None
    detail: ChangeDetail | None = None
    """The change the cursor lands on, read in the same worker (one round trip less)."""


def read_page(db: Database, req: LoadRequest, q: InboxQuery, sort: str, page_size: int, *,
              since_id: int | None, unchanged_since: tuple[int, ...] | None,
              shown_detail: int | None) -> Page | None:
    """Read the page ``req`` asks for; ``None`` when nothing changed since the stamp
    ``unchanged_since`` and the request is not forced. Runs in a worker thread."""
    stamp = data_stamp(db)
    if not req.force and stamp == unchanged_since:
        return None
    counts = inbox_counts(db, since_id)
    f = q.filter
    if not q.is_empty and req.anchor_id is None and req.position == 0:
        # A new query: its first page at once; the caller counts the matches after.
        rows = inbox_page(db, f, sort=sort, offset=0, limit=page_size)
        exact = len(rows) < page_size
        detail = change_detail(db, rows[0].id) if rows else None
        return Page(rows, 0, len(rows) if exact else None, counts, stamp, all_tags(db), None, 0, detail)
    total = inbox_count(db, f)  # not counts.total: a case of several changes is one row
    pos = inbox_position(db, f, sort, req.anchor_id) if req.anchor_id is not None else None
    if pos is None:
        pos = req.position if req.position is not None else 0
        if pos < 0:
            pos = total - 1
    pos = min(max(pos, 0), max(total - 1, 0))
    hint = req.offset_hint
    if hint is not None and hint <= pos < hint + page_size and (hint < total or hint == 0):
        offset = hint
    else:
        offset = max(0, min(pos - req.keep, total - page_size))
    rows = inbox_page(db, f, sort=sort, offset=offset, limit=page_size)
    anchor = req.anchor_id if any(r.id == req.anchor_id for r in rows) else None
    index = min(max(pos - offset, 0), len(rows) - 1)
    target = anchor if anchor is not None else (rows[index].id if rows else None)
    detail = change_detail(db, target) if target is not None and target != shown_detail else None
    return Page(rows, offset, total, counts, stamp, all_tags(db), anchor, pos - offset, detail)


class DetailCache:
    """Details read ahead of the cursor, so the next change shows without a read.

    A write marks its changes (:meth:`written`): their cached details are dropped,
    and a read that began before the write (an older ``generation``) is not kept.
    Used on the event loop only.
    """

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self.generation = 0
        """Goes up with every write; a read records the generation it began in."""
        self._details: OrderedDict[int, ChangeDetail] = OrderedDict()
        self._written_at: dict[int, int] = {}

    def __contains__(self, change_id: object) -> bool:
        return change_id in self._details

    def get(self, change_id: int) -> ChangeDetail | None:
        return self._details.get(change_id)

    def put(self, detail: ChangeDetail, generation: int | None = None) -> None:
        """Keep ``detail``, unless its change was written after the read began."""
        cid = detail.change.id
        if generation is not None and self._written_at.get(cid, -1) >= generation:
            return
        self._details[cid] = detail
        self._details.move_to_end(cid)
        while len(self._details) > self.size:
            self._details.popitem(last=False)

    def written(self, change_ids: Iterable[int]) -> None:
        """``change_ids`` were (or are about to be) written: forget and distrust them."""
        self.generation += 1
        for cid in change_ids:
            self._written_at[cid] = self.generation
            self._details.pop(cid, None)

    def clear(self) -> None:
        self._details.clear()
