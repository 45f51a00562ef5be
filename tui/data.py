"""How the dashboard reaches the database: read connections for worker threads and
the one queue of curator writes.

Every read runs in a thread worker on its own ``read_only`` connection (sqlite3
connections belong to the thread that made them), so the event loop never waits
on SQLite and a crawl writing meanwhile never blocks a read (WAL). Writes go
through :class:`WriteQueue`: one writer thread at a time, in the order the curator
acted, each action in its own short IMMEDIATE transaction (``monitor.review``),
waiting out a crawl's transaction with the busy timeout instead of failing.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database
from textual.message_pump import MessagePump

from monitor.db import open_db, read_only
from monitor.errors import TwinwatchError
from monitor.models import ChangeRow
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
