"""The extraction pool starts only when a body needs extracting, and its workers
use the plugins their forkserver loaded once."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

from monitor.ingest import preload as extract_plugins
from monitor.ingest.pipeline import ingest
from monitor.ingest.workers import DEPTH, DEPTH_BYTES, NICE, ExtractPool, Ingestor, Room
from monitor.models import FetchResult
from monitor.sources.manage import NewSource, add_sources
from tests.helpers import PARTNERS, page

HTML = {"content-type": "text/html; charset=utf-8"}


def _fresh(code: str, env: dict[str, str] | None = None) -> list[str]:
    """What ``code`` prints, run in a fresh interpreter (no forkserver, no plugins loaded
    yet), split into words; its error output in the message when it fails."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stdout + out.stderr[-2000:]
    return out.stdout.split()


def test_unchanged_recrawl_never_starts_the_pool(db, pm):
    """A recrawl where every body is the last one's stores its outcomes without
    starting a single extraction process; a changed body then starts them."""
    ids = [add_sources(db, [NewSource(f"http://127.0.0.1:9/p{i}", "page")])[0][0] for i in range(3)]
    for sid in ids:
        ingest(db, pm, FetchResult(sid, "u", 200, HTML, page(PARTNERS)))
    pool = ExtractPool(1)

    async def run(bodies: list[bytes]) -> int:
        ingestor = Ingestor(db, pm, pool)
        for sid, body in zip(ids, bodies, strict=True):
            await ingestor.add(FetchResult(sid, "u", 200, HTML, body))
        await ingestor.close()
        return pool.processes

    try:
        assert asyncio.run(run([page(PARTNERS)] * 3)) == 0
        assert asyncio.run(run([page(PARTNERS)] * 2 + [page(PARTNERS[:-1])])) == 1
    finally:
        pool.close()
    # Quick outcomes are written in batches and extracted ones when their worker
    # answers, so the order between the two is not fixed: compare per source.
    rows = db.execute("SELECT source_id, outcome FROM fetch_outcomes ORDER BY id").fetchall()
    per_source = {sid: [o for s, o in rows if s == sid] for sid in ids}
    assert per_source == {ids[0]: ["new", "unchanged", "unchanged"],
                          ids[1]: ["new", "unchanged", "unchanged"],
                          ids[2]: ["new", "unchanged", "changed"]}


def test_preloaded_plugins_are_warm_frozen_and_reused():
    """Imported (as in the forkserver), the module loads the plugins, warms them up
    and freezes the collector; ``current`` hands out that manager."""
    code = ("import gc, monitor.ingest.preload as e; "
            "from plugins.analyzers.language import _identifier as i; "
            "print(e.current() is e._LOADED[1], gc.get_freeze_count() > 0, i.cache_info().currsize)")
    assert _fresh(code) == ["True", "True", "1"]


def test_first_crawl_forkserver_skips_the_analysis_warm_up():
    """With ``TWINWATCH_WARM_ANALYZERS=0`` (a pool for a crawl of never-fetched
    sources) the analyzers' models are not loaded, yet an analysis still works: it
    loads them on first use."""
    code = ("import monitor.ingest.preload as e; from plugins.analyzers.language import _identifier as i; "
            "from monitor.models import ChangeDraft, Source; from monitor.analyze.run import analyze; "
            "before = i.cache_info().currsize; s = Source(0, 'http://127.0.0.1/'); "
            "t = 'Le conseil communal de Liège a voté le jumelage avec Lubumbashi.'; "
            "f = analyze(e.current(), ChangeDraft(s, 'page-changed', s.url, 'x', (t,), (), text=t)); "
            "fr = any(x.name == 'language' and x.value == 'fr' for x in f); "
            "print(before, i.cache_info().currsize, fr)")
    assert _fresh(code, {**os.environ, "TWINWATCH_WARM_ANALYZERS": "0"}) == ["0", "1", "True"]


def test_a_changed_plugin_set_loads_afresh(monkeypatch):
    """The preload built a working manager, which ``current`` hands out while the
    installed plugins are those it loaded; when they changed, ``current`` loads a new
    one (fails if the preload failed: it then has no manager to hand out)."""
    loaded = extract_plugins._LOADED[1]
    assert loaded is not None, "the preload failed"
    assert extract_plugins.current() is loaded
    assert any(name == "relevance" for name, _ in loaded.list_name_plugin())
    monkeypatch.setattr(extract_plugins, "installed", lambda: (("extra", "pkg:plugin"),))
    fresh = extract_plugins.current()
    assert fresh is not loaded
    assert any(i.plugin_name == "relevance" for i in fresh.hook.analyze_change.get_hookimpls())


def test_the_pool_starts_without_holding_up_the_event_loop():
    """The workers start on a thread of their own: the crawl's event loop goes on
    while the forkserver loads the plugins (in a fresh process, with no forkserver yet)."""
    code = ("import asyncio, time; from monitor.ingest.workers import ExtractPool\n"
            "async def main(pool):\n"
            "    t = time.perf_counter(); pool.start(); took = time.perf_counter() - t; ticks = 0\n"
            "    while pool.processes == 0 and ticks < 6000:\n"
            "        ticks += 1; await asyncio.sleep(0.01)\n"
            "    return took, ticks, pool.processes\n"
            "pool = ExtractPool(1)\n"
            "try: took, ticks, n = asyncio.run(main(pool))\n"
            "finally: pool.close()\n"
            "print(took < 0.3, ticks > 5, n)")
    assert _fresh(code) == ["True", "True", "1"]


def test_a_first_crawl_starts_the_forkserver_before_its_event_loop_and_its_workers_come_from_it():
    """``warm`` starts the forkserver at once (without waiting for its loading), only for a
    pool that starts with the crawl, without the analyzers' warm-up for a first crawl; the
    workers are then forked from that server, which ``close`` ends (in a fresh process,
    with no forkserver yet)."""
    code = ("import asyncio, os, time, multiprocessing.forkserver as f\n"
            "from monitor.ingest.workers import ExtractPool\n"
            "ExtractPool(1).warm(); lazy = f._forkserver._forkserver_pid\n"
            "pool = ExtractPool(1, eager=True, analysis=False)\n"
            "t = time.perf_counter(); pool.warm(); took = time.perf_counter() - t\n"
            "server = f._forkserver._forkserver_pid\n"
            "while b'forkserver import main' not in open(f'/proc/{server}/cmdline', 'rb').read():\n"
            "    time.sleep(0.01)  # forked, not yet exec'd: its environ would still be ours\n"
            "env = open(f'/proc/{server}/environ', 'rb').read().split(b'\\0')\n"
            "async def main(pool):\n"
            "    pool.start()\n"
            "    while pool.processes == 0: await asyncio.sleep(0.01)\n"
            "try: asyncio.run(main(pool)); same = f._forkserver._forkserver_pid == server\n"
            "finally: pool.close()\n"
            "try: os.kill(server, 0); ended = False\n"
            "except ProcessLookupError: ended = True\n"
            "print(lazy is None, took < 0.3, b'TWINWATCH_WARM_ANALYZERS=0' in env, same, ended)")
    env = {k: v for k, v in os.environ.items() if k != "TWINWATCH_WARM_ANALYZERS"}
    assert _fresh(code, env) == ["True"] * 5


def test_extraction_processes_run_nicer_than_the_crawl():
    """The forkserver and the workers forked from it take :data:`NICE` steps of ``nice``
    below the crawl (the crawl's own priority is untouched), in a fresh process."""
    code = ("import asyncio, os, multiprocessing.forkserver as f\n"
            "from monitor.ingest.workers import ExtractPool\n"
            "own = os.getpriority(os.PRIO_PROCESS, 0)\n"
            "pool = ExtractPool(1, eager=True, analysis=False); pool.warm()\n"
            "async def main(pool):\n"
            "    pool.start()\n"
            "    while pool.processes == 0: await asyncio.sleep(0.01)\n"
            "    job = pool._launched[0].proc.pid\n"
            "    for _ in range(500):  # the server applies it as it loads: wait for it\n"
            "        if os.getpriority(os.PRIO_PROCESS, job) != own: break\n"
            "        await asyncio.sleep(0.01)\n"
            "    return os.getpriority(os.PRIO_PROCESS, job)\n"
            "try:\n"
            "    worker = asyncio.run(main(pool))\n"
            "    server = os.getpriority(os.PRIO_PROCESS, f._forkserver._forkserver_pid)\n"
            "finally: pool.close()\n"
            "print(worker - own, server - own, os.getpriority(os.PRIO_PROCESS, 0) - own)")
    expected = str(min(NICE, 19 - os.getpriority(os.PRIO_PROCESS, 0)))
    assert _fresh(code) == [expected, expected, "0"]


def test_closing_the_pool_ends_and_reaps_its_processes(db, pm):
    """Closed, the pool has ended and waited for its worker and their forkserver: none
    is left running (or unreaped), and their CPU time counts as this process's."""
    import multiprocessing.forkserver
    import resource

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    sid = add_sources(db, [NewSource("http://127.0.0.1:9/p", "page")])[0][0]
    pool = ExtractPool(1)

    async def run() -> list[int]:
        ingestor = Ingestor(db, pm, pool)
        await ingestor.add(FetchResult(sid, "u", 200, HTML, page(PARTNERS)))
        await ingestor.close()
        return [w.proc.pid for w in pool._all]

    before = cpu()
    try:
        workers = asyncio.run(run())
        server = multiprocessing.forkserver._forkserver._forkserver_pid
    finally:
        pool.close()
    assert workers and server
    for pid in [server, *workers]:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        raise AssertionError(f"process {pid} of the pool is still there")
    # The forkserver loads and warms up the plugins: well over a tenth of a second.
    assert cpu() - before > 0.1


class Doom:
    """Unpickled in an extraction process, it ends that process (exit code 7)."""

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (os._exit, (7,))


def test_a_dying_worker_fails_its_own_job_and_its_replacement_does_the_next(db, pm):
    """A worker that dies on a job fails that job only (the source is recorded as a
    parse error); the job queued behind it is done by the process that replaces it."""
    from monitor.errors import ExtractError
    from monitor.ingest.pipeline import Context
    from monitor.models import Source

    pool = ExtractPool(1)
    source = Source(1, "http://127.0.0.1:9/p")
    good = FetchResult(1, "http://127.0.0.1:9/p", 200, HTML, page(PARTNERS))

    async def run() -> list[object]:
        pool.start()
        jobs = [pool.prepare(pm, source, good, Doom()),  # type: ignore[arg-type]
                pool.prepare(pm, source, good, Context())]
        return await asyncio.gather(*jobs, return_exceptions=True)

    try:
        died, done = asyncio.run(run())
    finally:
        pool.close()
    assert isinstance(died, ExtractError) and "exit code 7" in str(died)
    assert done is not None and not isinstance(done, BaseException)
    assert done.blobs and done.text_fp


def test_a_worker_holds_jobs_ahead_within_its_depth_and_bytes_and_a_large_one_alone(pm):
    """A worker is sent the next jobs while it does one (so it goes on without waiting for
    the crawl's event loop), up to :data:`DEPTH` of them and :data:`DEPTH_BYTES`; a job
    larger than that waits until the worker holds none. Every job is done."""
    from monitor.ingest.pipeline import Context
    from monitor.models import Source

    pool = ExtractPool(1)
    source = Source(1, "http://127.0.0.1:9/p")
    small = FetchResult(1, source.url, 200, HTML, page(PARTNERS))
    large = FetchResult(1, source.url, 200, HTML, page([*PARTNERS, "x " * (DEPTH_BYTES // 2)]))

    async def send(results: list[FetchResult]) -> tuple[list[int], list[object]]:
        tasks = [asyncio.ensure_future(pool.prepare(pm, source, r, Context())) for r in results]
        await asyncio.sleep(0)  # every task has queued its job; no answer is read yet
        held = [len(pool._all[0].jobs), len(pool._queue)]
        return held, await asyncio.gather(*tasks)

    async def run() -> list[tuple[list[int], list[object]]]:
        pool.start()
        while pool.processes == 0:
            await asyncio.sleep(0.01)
        return [await send([small] * (DEPTH + 2)), await send([small, small, large, small])]

    try:
        (by_count, done), (by_bytes, done_too) = asyncio.run(run())
    finally:
        pool.close()
    assert by_count == [DEPTH, 2]
    assert by_bytes == [2, 2]  # the large job waits for the two before it, the last behind it
    assert all(d is not None and d.text_fp for d in [*done, *done_too])


def test_room_lets_bodies_in_first_come_first_served_within_its_capacity():
    async def run() -> tuple[list[int], int, int]:
        room = Room(100)
        order: list[int] = []
        peak = 0

        async def body(i: int, weight: int) -> None:
            nonlocal peak
            await room.enter(weight)
            order.append(i)
            peak = max(peak, room.used)
            await asyncio.sleep(0.001 * (i % 3))
            room.leave(weight)

        # 40 bodies of 30 bytes and one of 250 (larger than the room: it goes in alone)
        weights = [30] * 20 + [250] + [30] * 20
        await asyncio.gather(*(body(i, w) for i, w in enumerate(weights)))
        return order, peak, room.used

    order, peak, used = asyncio.run(run())
    assert order == list(range(41))  # nobody overtakes a waiter, not even a light one
    assert peak <= 250 and used == 0


def test_room_skips_a_cancelled_waiter_and_lets_every_other_in():
    async def run() -> int:
        room = Room(10)
        await room.enter(10)
        wakes = 0

        async def waiter() -> None:
            nonlocal wakes
            await room.enter(10)
            wakes += 1
            room.leave(10)

        tasks = [asyncio.ensure_future(waiter()) for _ in range(200)]
        await asyncio.sleep(0)
        tasks[5].cancel()  # a cancelled waiter is skipped, not woken
        room.leave(10)
        await asyncio.gather(*tasks, return_exceptions=True)
        return wakes

    assert asyncio.run(run()) == 199


def test_extracted_pages_are_written_together_and_a_storing_bug_costs_one(db, pm, monkeypatch):
    """Pages extracted between two writes are stored in one transaction, each in a
    savepoint of its own: a bug storing one page records that source as an
    ``internal-error`` and the others are stored."""
    from monitor.ingest import pipeline

    ids = [add_sources(db, [NewSource(f"http://127.0.0.1:9/b{i}", "page")])[0][0] for i in range(3)]
    real = pipeline.store

    def store(db_, source, result, prepared, raw_fp=None):
        if source.id == ids[1]:
            raise ValueError("a bug in the writer")
        return real(db_, source, result, prepared, raw_fp)

    monkeypatch.setattr(pipeline, "store", store)
    commits: list[str] = []
    db.conn.set_trace_callback(lambda sql: commits.append(sql) if sql.startswith("COMMIT") else None)

    async def run() -> None:
        ingestor = Ingestor(db, pm, ExtractPool(0))
        for sid in ids:
            await ingestor.add(FetchResult(sid, "u", 200, HTML, page(PARTNERS)))
        await ingestor.close()

    try:
        asyncio.run(run())
    finally:
        db.conn.set_trace_callback(None)
    outcomes = dict(db.execute("SELECT source_id, outcome FROM fetch_outcomes").fetchall())
    assert outcomes == {ids[0]: "new", ids[1]: "internal-error", ids[2]: "new"}
    assert db.execute("SELECT COUNT(*) FROM snapshots").fetchone()[0] == 2
    assert len(commits) == 1, commits


def test_a_database_error_in_a_timed_write_is_raised_not_logged(db, pm, monkeypatch):
    """A write the timer started that fails on the database is raised by the next
    ``add`` (and ``close``): the event loop alone would only log it, and the crawl go on
    storing nothing."""
    import sqlite3

    from monitor.ingest import workers

    def write(*args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(workers, "write", write)
    ids = [add_sources(db, [NewSource(f"http://127.0.0.1:9/d{i}", "page")])[0][0] for i in range(2)]

    async def run() -> str:
        ingestor = Ingestor(db, pm, ExtractPool(0), interval=0.01)
        await ingestor.add(FetchResult(ids[0], "u", 200, HTML, page(PARTNERS)))
        await asyncio.sleep(0.1)  # the timed write runs, and fails
        try:
            await ingestor.add(FetchResult(ids[1], "u", 200, HTML, page(PARTNERS)))
        except sqlite3.OperationalError as exc:
            return str(exc)
        return "not raised"

    assert asyncio.run(run()) == "disk I/O error"
