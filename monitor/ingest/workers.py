"""Extraction off the fetching thread: a small process pool for :func:`monitor.ingest.pipeline.prepare`.

Extracting text, parsing feeds and PDFs, diffing and analyzing cost CPU; done on the
crawler's thread they would stall every download. :class:`ExtractPool` runs
``prepare`` in worker processes (forked from a forkserver that loaded the plugins once) and hands the
result back as an awaitable, so the crawler keeps fetching while both cores
extract, and the single writer stores each result as it completes.

With ``workers=0`` everything runs inline (small crawls: no process start-up).

The pool's processes end with it: :meth:`ExtractPool.close` ends the workers and then
the forkserver, and waits for both, so their CPU counts as the crawl's and nothing
outlives it. A worker also ends when the forkserver does, and the forkserver when the
crawl does, however it ends (:mod:`monitor.children`).

:class:`Ingestor` is what a crawl hands its results to: fetches that need no
extraction (failures, 304s, the bytes of the last fetch: most of a recrawl) are
recorded in batches, one transaction for many; the others go through
:func:`monitor.ingest.pipeline.extract_async` with the extraction in the pool, a
bounded number at a time so a slow extraction holds the fetching back instead of
filling memory, and are written with the next batch (each in a savepoint).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import fcntl
import logging
import multiprocessing
import multiprocessing.forkserver
import os
import pickle
import signal
import threading
from collections.abc import Iterable, Iterator
from multiprocessing.connection import Connection
from typing import Any

from sqlite_utils import Database

from monitor.children import GRACE, end_process, stop_forkserver
from monitor.config import EXTRACT_NICE, WARM_ANALYZERS
from monitor.errors import ExtractError
from monitor.hookspecs import ReadAheadFn
from monitor.ingest.pipeline import (
    Context,
    Extraction,
    describe_error,
    extract_async,
    prepare,
    settled,
    write,
)
from monitor.ingest.writer import Prepared, record_quick
from monitor.models import FetchResult, PageRead, Source
from monitor.plugin_manager import PluginManager, source_kinds
from monitor.store.db import write_tx

log = logging.getLogger("twinwatch.ingest")

READ_AHEAD_DELAY = 0.005
"""Seconds between a portal page's arrival and its read ahead (:meth:`Ingestor.read_ahead`):
the walk's next request, yielded just before, leaves within a few milliseconds
(bench/portals: 3-5 ms from an answer to the next request), and must not wait for it."""

SMALL_CRAWL = 100
"""Crawls of fewer sources than this extract inline unless told otherwise."""

DEPTH = 8
"""Jobs a worker holds at most at a time, waiting in its pipe while it does one (and
:data:`DEPTH_BYTES`): it goes on to the next without waiting for the crawl's event loop,
which reads an answer and sends a job only when it gets round to it (tens of
milliseconds at times in a busy crawl). Fed one at a time, a worker sat idle half of a
5,000-page first crawl (``bench/crawl --latency 50``) though jobs were queued all along;
two at a time, 37-40 % of it; four, 14-30 %."""

DEPTH_BYTES = 512 * 1024
"""Bytes of jobs a worker holds at most (but always one job, however large): well within
its pipe (:data:`PIPE_BYTES`), so that sending one never waits for the worker to read."""

NICE = 10
"""Steps of ``nice`` the extraction processes (and their forkserver) take below the crawl.
Extraction can wait: its jobs queue, and a page waits a moment longer for its text. The
crawl's event loop cannot: it sends each site's next request after an answer, and when
it waits for a core behind two busy workers, every site waits with it. With the workers
at the crawl's own priority, a recrawl of ``bench/crawl --latency 50`` (a site's 100
requests one after another, a worker busy with each changed page) left a site idle
between an answer and its next request 19-35 ms at the 90th percentile (3 runs, p90 of
the handler's end to the next request's start); 10 steps nicer, 18-19 ms (3 runs, taken
in turn with them on a loaded shared host). A first crawl, where extraction is most of
the CPU, keeps both cores busy either way. Anything else the machine runs (the
dashboard, a web server) also comes before a crawl's extraction."""

PIPE_BYTES = 1 << 20
"""Pipe buffer asked for (Linux) between a crawl and its helper processes: jobs then wait
in it, and the sender does not wait for the reader to wake up. (Linux lets any process
grow a pipe to 1 MiB, ``/proc/sys/fs/pipe-max-size``; a socket, which a two-way
``multiprocessing`` pipe is, keeps the system's 208 KiB.)"""


def default_workers(sources: int) -> int:
    """Worker processes for a crawl of ``sources`` sources: none for small crawls,
    else one per core."""
    return 0 if sources < SMALL_CRAWL else max(1, os.cpu_count() or 1)


def widen_pipe(fd: int) -> None:
    """Grow the pipe behind ``fd`` to :data:`PIPE_BYTES` where the OS allows it."""
    with contextlib.suppress(AttributeError, OSError):
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def _serve(jobs: Connection, answers: Connection) -> None:
    """An extraction process: ``prepare`` each job received on ``jobs``, send back on
    ``answers`` ``("ok", Prepared | None)`` or ``("error", message)``, until the jobs'
    pipe closes.

    It dies with the forkserver, which dies with the crawl, and ignores Ctrl-C (a
    terminal sends it to the whole process group): the crawl decides when it ends."""
    from monitor.children import die_with_parent, forget_forkserver
    from monitor.ingest.preload import current

    die_with_parent()
    forget_forkserver()
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    pm = current()  # preloaded in the forkserver: shared with the other workers
    while True:
        try:
            source, result, ctx = pickle.loads(jobs.recv_bytes())
        except (EOFError, OSError):
            return
        try:
            reply: tuple[str, Any] = ("ok", prepare(pm, source, result, ctx))
        except Exception as exc:
            reply = ("error", describe_error(exc))
        try:
            answers.send_bytes(pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:  # the crawl stopped while this job was under way
            return


@contextlib.contextmanager
def _env(name: str, value: str) -> Iterator[None]:
    """``name`` set to ``value`` in this process's environment for a while (the
    forkserver takes the environment it is started with)."""
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old


class _Worker:
    """One extraction process and the jobs it holds (:data:`DEPTH`)."""

    def __init__(self, ctx: Any) -> None:
        # Two one-way pipes (a two-way one is a socket, whose buffer cannot be grown).
        their_jobs, self.send = ctx.Pipe(duplex=False)
        self.answers, their_answers = ctx.Pipe(duplex=False)
        for conn in (self.send, self.answers):
            widen_pipe(conn.fileno())
        self.proc = ctx.Process(target=_serve, args=(their_jobs, their_answers), name="twinwatch-extract",
                                daemon=True)
        self.proc.start()
        their_jobs.close()
        their_answers.close()
        self.jobs: collections.deque[tuple[bytes, asyncio.Future[Prepared | None]]] = collections.deque()
        """The jobs sent and not answered yet, in the order sent (and answered)."""

    @property
    def held(self) -> int:
        """The bytes of :attr:`jobs` (at most :data:`DEPTH` of them)."""
        return sum(len(data) for data, _ in self.jobs)

    def takes(self, data: bytes) -> bool:
        """Whether the worker may be sent ``data`` now (:data:`DEPTH`, :data:`DEPTH_BYTES`)."""
        return not self.jobs or (len(self.jobs) < DEPTH and self.held + len(data) <= DEPTH_BYTES)

    def close(self) -> None:
        """Close this end of both pipes (the worker sees the end of its jobs and returns)."""
        self.send.close()
        self.answers.close()


class ExtractPool:
    """Extraction processes fed from the caller's event loop, without threads.

    (A ``ProcessPoolExecutor`` hands every job and result through two threads of
    its own, which must win the GIL from a busy event loop: measured here, the
    crawl then waited on those hand-overs more than on the extraction.) A process
    has at most :data:`DEPTH` jobs at a time, which its pipe holds, so sending never
    waits for a busy one; each answer is read when its pipe becomes readable. A
    process that dies fails the job it was doing (the source is recorded as a parse
    error) and is replaced; the jobs waiting behind it go to the others.
    """

    def __init__(self, workers: int, *, eager: bool = False, analysis: bool = True) -> None:
        self.workers = workers
        self.analysis = analysis
        """Whether a job may be analyzed (False when every source of the crawl is
        fetched for the first time): the forkserver then skips the analyzers' warm-up."""
        self.eager = eager
        """Start with the crawl (a :class:`Ingestor` starts it): when some source was
        never fetched, its body will need extracting, and the processes then load
        their plugins while the first pages download."""
        self._all: list[_Worker] = []
        self._queue: collections.deque[tuple[bytes, asyncio.Future[Prepared | None]]] = collections.deque()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._launcher: threading.Thread | None = None
        self._launched: list[_Worker] = []
        """Every process the launcher started, handed to the loop or not (yet)."""
        self._broken: str | None = None
        """Why no process could start (every job then fails with it)."""

    @property
    def processes(self) -> int:
        """Extraction processes running now (0 until the first body to extract)."""
        return len(self._all)

    def start(self) -> None:
        """Start the processes (from the event loop that will await them); once.

        They are started from a thread of their own: starting a worker waits for
        the forkserver to import the extraction code and load the plugins (a second
        or more of CPU), and the event loop, which fetches and stores, must not wait
        with it (measured on ``bench/crawl --latency``: the first request of a
        one-process crawl went out that much later). Jobs queue until the workers
        are there."""
        if self._loop is not None or self.workers <= 0:
            return
        try:
            self._loop = asyncio.get_running_loop()
        except RuntimeError:  # not in the loop yet: started on the first job
            return
        self._launcher = threading.Thread(target=self._launch, args=(self._loop,),
                                          name="twinwatch-extract-start", daemon=True)
        self._launcher.start()

    def warm(self) -> None:
        """Start the forkserver now, when the pool will start with the crawl
        (:attr:`eager`): it loads the extraction code and the plugins on another core
        while this process goes on starting the crawl, and the workers are forked from it
        once the crawl's event loop runs (``bench/crawl --latency 50``: started with the
        workers, it had them ready 0.4 s after the first page to extract, 146 pages later;
        started before Scrapy is set up, 0.1 s and 38 pages; before Scrapy is imported,
        ready 0.17 s before the first page came). Starting it costs a few milliseconds
        here: its loading is its own."""
        if self.eager and self.workers > 0 and self._loop is None:
            try:
                self._forkserver()
            except Exception as exc:  # the launcher tries again and says what is wrong
                log.debug("the forkserver did not start early: %s", exc)

    def _forkserver(self) -> Any:
        """The forkserver context, its server started (once per crawl)."""
        # forkserver: workers do not inherit the crawler's threads and sockets; it
        # imports the extraction code and loads the plugins once (monitor.ingest.preload),
        # so each worker starts without loading them and shares their memory.
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload([
            "monitor.ingest.pipeline", "monitor.ingest.kinds", "monitor.ingest.preload"])
        with (_env(EXTRACT_NICE, str(NICE)),
              contextlib.nullcontext() if self.analysis else _env(WARM_ANALYZERS, "0")):
            multiprocessing.forkserver.ensure_running()
        return ctx

    def _launch(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start the worker processes (on the launcher thread), then hand them to the loop."""
        started: list[_Worker] = []
        error = None
        try:
            ctx = self._forkserver()
            for _ in range(self.workers):
                started.append(_Worker(ctx))
        except Exception as exc:
            error = f"the extraction processes did not start: {exc}"
        self._launched = started
        with contextlib.suppress(RuntimeError):  # the loop has closed: close() ends them
            loop.call_soon_threadsafe(self._arrived, started, error)

    def _arrived(self, workers: list[_Worker], error: str | None) -> None:
        if self._loop is None:  # closed meanwhile
            return
        for worker in workers:
            self._add(worker)
        if not workers:
            self._broken = error or "no extraction process started"
            while self._queue:
                _, job = self._queue.popleft()
                if not job.done():
                    job.set_exception(ExtractError(self._broken))
        self._dispatch()

    def _add(self, worker: _Worker) -> None:
        assert self._loop is not None
        self._all.append(worker)
        self._loop.add_reader(worker.answers.fileno(), self._answer, worker)

    async def prepare(self, pm: PluginManager, source: Source, result: FetchResult,
                      ctx: Context) -> Prepared | None:
        if self.workers <= 0:
            return prepare(pm, source, result, ctx)
        self.start()
        assert self._loop is not None
        if self._broken is not None:
            raise ExtractError(self._broken)
        job: asyncio.Future[Prepared | None] = self._loop.create_future()
        self._queue.append((pickle.dumps((source, result, ctx), protocol=pickle.HIGHEST_PROTOCOL), job))
        self._dispatch()
        return await job

    def _dispatch(self) -> None:
        while self._queue and self._all:
            data, job = self._queue[0]
            if job.cancelled():
                self._queue.popleft()
                continue
            worker = min(self._all, key=lambda w: w.held)
            if not worker.takes(data):
                return
            self._queue.popleft()
            worker.jobs.append((data, job))
            try:
                worker.send.send_bytes(data)
            except OSError:
                self._replace(worker)
                return  # which dispatched again

    def _answer(self, worker: _Worker) -> None:
        try:
            status, value = pickle.loads(worker.answers.recv_bytes())
        except (EOFError, OSError):
            self._replace(worker)
            return
        if not worker.jobs:  # pragma: no cover - a worker answers only what it was sent
            return
        _, job = worker.jobs.popleft()
        if not job.done():
            if status == "ok":
                job.set_result(value)
            else:
                job.set_exception(ExtractError(value))
        self._dispatch()

    def _replace(self, worker: _Worker) -> None:
        """``worker`` died: fail its job, start another in its place."""
        assert self._loop is not None
        self._loop.remove_reader(worker.answers.fileno())
        self._all.remove(worker)
        worker.proc.join(1)
        code = worker.proc.exitcode
        worker.close()
        if worker.jobs:
            _, job = worker.jobs.popleft()  # the one it was doing: the likely cause
            if not job.done():
                job.set_exception(ExtractError(f"the extraction process stopped (exit code {code})"))
            self._queue.extendleft(reversed(worker.jobs))  # the others, in their turn
            worker.jobs.clear()
        self._add(_Worker(multiprocessing.get_context("forkserver")))
        self._dispatch()

    def close(self) -> None:
        """End the workers (each finishes its job first, for up to :data:`GRACE
        <monitor.children.GRACE>` seconds) and the forkserver, and wait for them."""
        if self._launcher is not None:  # processes still starting are ended too
            self._launcher.join()
            self._launcher = None
        self._all.extend(w for w in self._launched if w not in self._all)
        self._launched = []
        for worker in self._all:
            if self._loop is not None and not self._loop.is_closed():
                with contextlib.suppress(Exception):
                    self._loop.remove_reader(worker.answers.fileno())
            worker.close()  # the worker sees EOF and returns
        for worker in self._all:
            worker.proc.join(GRACE)
            end_process(worker.proc, 1)
        self._all.clear()
        if self._loop is not None:
            stop_forkserver()
        self._loop = None


class Room:
    """Bytes of fetched bodies let into extraction at once, at most ``capacity`` (one
    body larger than that goes in alone). Waiters enter first come first served, and
    each is woken only when its own weight fits: an event shared by all woke every
    waiter at each extraction's end (a million wake-ups in a 5,000-page crawl)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.used = 0
        self._waiting: collections.deque[tuple[int, asyncio.Future[None]]] = collections.deque()

    async def enter(self, weight: int) -> None:
        if not self._waiting and self._fits(weight):
            self.used += weight
            return
        turn = asyncio.get_running_loop().create_future()
        self._waiting.append((weight, turn))
        try:
            await turn  # ``leave`` counted the weight in when it let this one in
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self.leave(weight)
            raise

    def leave(self, weight: int) -> None:
        self.used -= weight
        while self._waiting:
            want, turn = self._waiting[0]
            if turn.cancelled():
                self._waiting.popleft()
                continue
            if not self._fits(want):
                break
            self._waiting.popleft()
            self.used += want
            turn.set_result(None)

    def _fits(self, weight: int) -> bool:
        return not self.used or self.used + weight <= self.capacity


WRITE_EVERY = 0.05
"""Seconds a crawl's results wait to be written together, one commit for all (a commit per
stored page cost the event loop 0.30 ms a page, half of it waiting on the write-ahead log;
in batches of 50, 0.13-0.17 ms). A crawl killed loses at most this much of its results,
which the next run fetches again."""


class Ingestor:
    """Takes a crawl's results one by one and stores them in batches.

    ``add`` returns once the result is queued: a quick outcome joins the pending
    batch (written every ``batch`` results or ``interval`` seconds), a body to
    extract starts an ``extract_async`` task once the bodies already waiting
    for extraction weigh less than ``budget`` (the wait is the crawler's
    back-pressure), and its extraction joins the batch. ``close`` waits for
    everything and writes the last batch. Must be used from one event loop.
    """

    def __init__(self, db: Database, pm: PluginManager, pool: ExtractPool, *, batch: int = 256,
                 interval: float = WRITE_EVERY, budget: int = 16 << 20) -> None:
        self.db = db
        self.pm = pm
        self.pool = pool
        self.batch = batch
        self.interval = interval
        self.room = Room(budget)
        """Bytes of fetched bodies waiting for or in extraction before ``add`` waits."""
        self.pending: list[tuple[FetchResult, str, int | None]] = []
        self.extracted: list[tuple[FetchResult, Extraction]] = []
        """Extractions done and not yet written (written with the pending batch)."""
        self.unwritten: set[int] = set()
        """The sources of :attr:`extracted` (one of them extracted again is written first)."""
        self.failed: Exception | None = None
        """What a timed write raised (raised again by the next ``add`` and by ``close``)."""
        self.tasks: set[asyncio.Task[None]] = set()
        self._timer: asyncio.TimerHandle | None = None
        self.seen: set[int] = set()
        """Sources with a result so far (a crashed crawler's others are recorded failing)."""
        self.ahead: dict[int, set[asyncio.TimerHandle]] = {}
        """Reads ahead not yet done, by source (:meth:`read_ahead`)."""
        # Otherwise the pool starts on its first body to extract (ExtractPool.prepare):
        # a recrawl where nothing changed never starts it.
        if pool.eager:
            pool.start()

    def read_ahead(self, item: PageRead) -> None:
        """Let the source's kind read a page of a portal walk ahead (``SourceKind.read_ahead``)
        in a moment, once the walk's next request is out: the crawl then waits on the
        portal, and what the kind reads now its ``extract`` need not read after the walk.
        Not when extraction runs in worker processes (they would not see it)."""
        if self.pool.workers > 0:
            return
        kind = source_kinds(self.pm).get(item.source.kind)
        if kind is None or kind.read_ahead is None:
            return
        loop = asyncio.get_running_loop()
        handles = self.ahead.setdefault(item.source.id, set())
        # Kept until the source's result (at most a run's request budget of them):
        # cancelling one that ran is a no-op.
        handles.add(loop.call_later(READ_AHEAD_DELAY, self._read_ahead, kind.read_ahead, item))

    @staticmethod
    def _read_ahead(read: ReadAheadFn, item: PageRead) -> None:
        try:
            read(item.source, item.page)
        except Exception as exc:  # extract reads the page again and says what is wrong
            log.debug("reading ahead %s failed: %s", item.page.url, exc)

    def _forget_ahead(self, source_id: int | None = None) -> None:
        """Cancel the reads ahead not yet done (of one source, or all): its result is here."""
        for sid in [source_id] if source_id is not None else list(self.ahead):
            for handle in self.ahead.pop(sid, ()):
                handle.cancel()

    async def add(self, result: FetchResult, *, quick: str | None = None, size: int | None = None,
                  recognised: bool = False) -> None:
        """Store ``result``. ``quick`` is its outcome when the crawler already knows
        it needs no extraction (``size`` is then the body's length, the body itself
        not being sent); ``recognised`` when the crawler has asked
        :func:`monitor.ingest.outcome.settle` and found none (the body needs
        extracting: recognising it again would cost as much as in the crawler);
        otherwise the database decides."""
        if self.failed is not None:
            raise self.failed
        self.seen.add(result.source_id)
        if self.ahead:
            self._forget_ahead(result.source_id)  # what is not read yet, extract reads
        outcome = quick
        if outcome is None and not recognised:
            result, outcome = settled(self.db, result)
        if outcome is not None:
            self.pending.append((result, outcome, size))
            self._written_soon()
            return
        weight = len(result.body) + sum(len(a.body) for a in result.attachments)
        await self.room.enter(weight)
        task = asyncio.ensure_future(self._extract(result, weight))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _extract(self, result: FetchResult, weight: int) -> None:
        if result.source_id in self.unwritten:
            self.flush()  # what it reads of the source must include its last result
        try:
            extraction = await extract_async(self.db, self.pm, result, self.pool)
        finally:
            self.room.leave(weight)
        self.extracted.append((result, extraction))
        self.unwritten.add(result.source_id)
        self._written_soon()

    def _written_soon(self) -> None:
        if len(self.pending) + len(self.extracted) >= self.batch:
            self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.interval, self._timed_flush)

    def _timed_flush(self) -> None:
        """:meth:`flush` from the timer: a database error is kept for :meth:`add` and
        :meth:`close` to raise (the event loop would only log it, and the crawl go on
        without storing)."""
        try:
            self.flush()
        except Exception as exc:
            self.failed = exc

    def flush(self) -> None:
        """Write the pending quick outcomes and extractions in one transaction (each
        extraction in a savepoint of its own: a bug storing one costs only it)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        pending, self.pending = self.pending, []
        extracted, self.extracted = self.extracted, []
        self.unwritten.clear()
        if not extracted:
            record_quick(self.db, pending)
            return
        with write_tx(self.db):
            record_quick(self.db, pending)
            for result, extraction in extracted:
                write(self.db, result, extraction)

    def fail(self, source_ids: Iterable[int], kind: str, message: str, run_id: int | None) -> None:
        """Record every source of ``source_ids`` without a result yet as failing."""
        missing = [sid for sid in source_ids if sid not in self.seen]
        self.seen.update(missing)
        failures = [FetchResult(sid, "", error_kind=kind, error=message, run_id=run_id) for sid in missing]
        record_quick(self.db, [(f, kind, None) for f in failures])

    async def close(self) -> None:
        """Wait for the extractions under way, then write the last batch."""
        self._forget_ahead()
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=False)
        if self.failed is not None:
            raise self.failed
        self.flush()
