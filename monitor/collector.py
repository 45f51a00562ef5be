"""When Python's cyclic garbage collector runs in a twinwatch process: paused while code
loads, and skipped at exit. The one place that decides it.

Loading the plugins and Scrapy makes some 150,000 objects (modules, classes,
functions) that live as long as the process. While they load, the collector runs
hundreds of times and walks them again and again without ever finding garbage
among them: 0.1-0.15 s of CPU in a crawl's start-up, before its first request
(``bench/crawl --latency 50``). :func:`loading` pauses it for such a block; the
first collections after it move what the block loaded out of the young generations
once. (Freezing it instead, with :func:`gc.freeze`, would save those too, but freezes
every object of the process, garbage included: a process that loads plugins many
times, a test run, would keep its garbage cycles for good.)

At exit, the interpreter collects everything several times while it tears the
modules down: 0.25-0.4 s after a crawl, spent after the crawl's last answer.
:func:`before_exit` freezes every object first, which the exit-time collections skip.
Nothing is lost: open databases are closed by their owners, the log is flushed by
:mod:`logging`'s own exit handler, and ``atexit`` handlers still run; only objects in
reference cycles are not finalized, which Python does not promise at exit anyway.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def loading() -> Iterator[None]:
    """Pause collection while the block imports and sets up what lives as long as
    the process (code, not work: garbage made in the block waits for the next
    collection after it)."""
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
