"""A crawl spread over several Scrapy processes, the parent staying the one writer.

Scrapy costs about a millisecond of CPU per request in its own machinery, so one
crawler process cannot fetch more than about a thousand pages a second however
idle the second core is. :func:`crawl_sharded` splits the sources by site into
``n`` shards (a site lives in exactly one shard, so per-site politeness holds),
runs each shard's spiders in a process of its own (:func:`_worker`), and receives
every :class:`FetchResult` in the parent, which stores it through a
``monitor.ingest.workers.Ingestor`` (quick outcomes batched, extraction in its process
pool). A crawler process dies with its parent, however the parent ends, and the parent
ends its crawler processes when it stops early (``monitor.children``); the sources of
one that crashed are recorded failing, never lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import pickle
import signal
import sys
import types
from collections.abc import Iterator, Sequence
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from monitor.children import die_with_parent, end_process
from monitor.collector import before_exit
from monitor.hookspecs import SourceKind
from monitor.models import Source

if TYPE_CHECKING:  # the parent's side only: a crawler process never loads them
    from monitor.ingest.workers import ExtractPool, Ingestor

STOP_GRACE = 2.0
"""Seconds a crawler process has to end after SIGTERM (it has no handler for it, so it
ends at once unless stuck) when the crawl stops early, before it is killed."""


def shard(sources: Sequence[Source], n: int) -> list[list[Source]]:
    """``sources`` in ``n`` groups of about equal size, every source of a host in the
    same group (largest hosts first, each to the smallest group so far)."""
    by_host: dict[str, list[Source]] = {}
    for s in sources:
        by_host.setdefault((urlsplit(s.url).hostname or "").lower(), []).append(s)
    groups: list[list[Source]] = [[] for _ in range(max(1, n))]
    for host_sources in sorted(by_host.values(), key=len, reverse=True):
        min(groups, key=len).extend(host_sources)
    return [g for g in groups if g]


def _worker(conn: Connection, sources: list[Source], kinds: dict[str, SourceKind], run_id: int,
            overrides: dict[str, Any], parent: int) -> None:
    """A crawler process: fetch ``sources``, send each result to the parent.

    It imports what fetching needs and no more (not the database, the plugin
    manager nor the extraction code): 0.4 s of CPU less per process."""
    die_with_parent(parent=parent)  # an orphaned crawler would go on fetching for nobody
    # The parent decides when a crawl stops (it sends SIGTERM, which ends this process at
    # once); Ctrl-C, which a terminal sends to the whole process group, is the parent's.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from spiders.pipelines import SHARED, PipeSender
    from spiders.process import run_spiders

    sender = SHARED["conn"] = PipeSender(conn)
    SHARED["last_raw_fp"] = {s.id: s.last_raw_fp for s in sources if s.last_raw_fp}
    run_spiders(sources, kinds, run_id, {**overrides, "TWINWATCH_CONN": "conn",
                                  "ITEM_PIPELINES": {"spiders.pipelines.ShardPipeline": 300}})
    sender.finish()
    conn.send_bytes(pickle.dumps(("done",)))
    conn.close()
    before_exit()  # the parent waits for this process to end


async def _readable(conn: Connection) -> None:
    """Wait until ``conn`` has data (or its end closed). The reader is watched only
    while waiting: left registered while ``_receive`` waits on the ingestor, it
    would fire on every turn of the loop and spin."""
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()
    loop.add_reader(conn.fileno(), lambda: ready.done() or ready.set_result(None))
    try:
        await ready
    finally:
        loop.remove_reader(conn.fileno())


async def _receive(conn: Connection, ingestor: Ingestor) -> bool:
    """Store what one crawler process sends until it says it is done (True) or its
    end of the pipe closes without that (False: it died)."""
    while True:
        if not conn.poll():
            await _readable(conn)
        try:
            msg = pickle.loads(conn.recv_bytes())
        except (EOFError, OSError):
            return False
        if msg[0] == "done":
            return True
        _, result, quick, size, checked = msg
        await ingestor.add(result, quick=quick, size=size, recognised=checked)


async def _collect(db_path: str, shards: list[list[Source]], procs: list[Any], conns: list[Connection],
                   pool: ExtractPool, run_id: int) -> None:
    from monitor.ingest.workers import Ingestor
    from monitor.plugin_manager import make_plugin_manager
    from monitor.store.db import open_db

    db = open_db(db_path)
    try:
        ingestor = Ingestor(db, make_plugin_manager(), pool)
        finished = await asyncio.gather(*(_receive(c, ingestor) for c in conns))
        await ingestor.close()
        for ok, proc, group in zip(finished, procs, shards, strict=True):
            await asyncio.get_running_loop().run_in_executor(None, proc.join, 30)
            if not ok or proc.exitcode:
                ingestor.fail([s.id for s in group], "internal-error",
                              f"the crawler process for this site stopped (exit code {proc.exitcode}) "
                              "before it reported this source", run_id)
    finally:
        db.close()


@contextlib.contextmanager
def _no_main() -> Iterator[None]:
    """Start a spawned process without re-running this program's ``__main__`` in it.

    ``spawn`` runs the parent's main script again in the child (for pickled
    references to it); under the ``twinwatch`` console script that is the whole
    command-line interface, 0.3 s of CPU and 30 MB in every crawler process for
    nothing (its target, :func:`_worker`, lives here)."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def crawl_sharded(db_path: str, sources: list[Source], kinds: dict[str, SourceKind], run_id: int,
                  overrides: dict[str, Any], processes: int, pool: ExtractPool) -> None:
    """Crawl ``sources`` in ``processes`` crawler processes, storing in this one."""
    shards = shard(sources, processes)
    # spawn: a fresh interpreter, not a copy of this one with its database
    # connection, progress thread and extraction pool.
    ctx = multiprocessing.get_context("spawn")
    from monitor.ingest.workers import widen_pipe
    from spiders import settings as crawl_settings

    per_process = dict(overrides)
    # The global limit is shared out: n processes together keep as many requests open as one did.
    total = int(overrides.get("CONCURRENT_REQUESTS", crawl_settings.CONCURRENT_REQUESTS))
    per_process["CONCURRENT_REQUESTS"] = max(16, total // len(shards))
    procs, conns = [], []
    try:
        for group in shards:
            recv, send = ctx.Pipe(duplex=False)
            widen_pipe(recv.fileno())
            proc = ctx.Process(target=_worker, args=(send, group, kinds, run_id, per_process, os.getpid()),
                               name="twinwatch-crawler", daemon=True)
            with _no_main():
                proc.start()
            send.close()  # the child holds the only sending end: its death is our EOF
            procs.append(proc)
            conns.append(recv)
        asyncio.run(_collect(db_path, shards, procs, conns, pool, run_id))
    finally:
        for proc in procs:  # still running only when this crawl stops early: no grace to spare
            end_process(proc, STOP_GRACE)
        for conn in conns:
            conn.close()
