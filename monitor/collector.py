"""When Python's cyclic garbage collector runs in a twinwatch process: paused while a
large, long-lived structure is built, and skipped at exit. The one place that decides it.

Building hundreds of thousands of objects in one go (the gazetteer's index, the
analyzers' warm-up in the extraction forkserver) makes the collector walk the growing
heap again and again without finding garbage in it: :func:`loading` pauses it for such
a block (the gazetteer from its cached copy: 0.36-0.39 s of CPU with the collector on,
0.14-0.15 s paused; the forkserver's warm-up about 0.2 s less). Importing code gains
nothing measurable from it (the collections it saves come back as a few large ones
after the block), so imports are not wrapped.

At exit, the interpreter collects everything several times while it tears the modules
down: 0.25-0.4 s of CPU after a crawl, all of it after the crawl's last answer (with
every object frozen, 0.02 s). :func:`before_exit` freezes every object
(:func:`gc.freeze`), which the exit-time collections skip. Nothing is lost: open
databases are closed by their owners, the log is flushed by :mod:`logging`'s own exit
handler, and ``atexit`` handlers still run; only objects in reference cycles are not
finalized, which Python does not promise at exit anyway.

During a crawl, :func:`crawling` freezes what is loaded (Scrapy, the plugins, the
settings live as long as the crawl) and raises the first threshold: a portal page parsed
into tens of thousands of dicts and lists set off collection after collection over a heap
that only grows while a walk's entries are read ahead (``bench/portals``, Lokaal
Beslist's 10,000 items: 1.4 s of collecting in the crawl process, 0.25 s so).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def loading() -> Iterator[None]:
    """Pause collection while the block builds what lives as long as the process
    (garbage made in the block waits for the first collection after it). Freezing
    the result instead would freeze every object of the process, garbage included:
    a process that builds it many times, a test run, would keep its cycles for good."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def before_exit() -> None:
    """Spare the interpreter's exit the collection of every object: call it when
    the process has nothing left to do but exit (a command's end, a helper process's)."""
    gc.freeze()


CRAWL_THRESHOLDS = (20_000, 20, 10)
"""The crawl's collection thresholds (Python's: 700, 10, 10): a generation-0 collection
every 20,000 new objects instead of 700."""


def crawling() -> None:
    """Set the collector for a crawl process about to start its crawl."""
    gc.freeze()
    gc.set_threshold(*CRAWL_THRESHOLDS)
