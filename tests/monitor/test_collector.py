"""When the garbage collector runs (monitor.collector): paused while code loads, back on
after it whatever happened, and every object frozen once a command is done, so the
interpreter's exit does not collect them all again."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.collector import loading

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def collecting():
    """The collector on for the test, as it was after it."""
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_loading_pauses_collection_and_turns_it_back_on(collecting):
    with loading():
        assert not gc.isenabled()
        with loading():  # nested: the outer block still decides
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_block_that_raises_turns_it_back_on(collecting):
    with pytest.raises(RuntimeError), loading():
        raise RuntimeError("a plugin failed to load")
    assert gc.isenabled()


def test_loading_leaves_a_paused_collector_paused(collecting):
    gc.disable()
    with loading():
        pass
    assert not gc.isenabled()


def test_loading_freezes_nothing(collecting):
    """Freezing would keep the garbage of a process that loads plugins many times (a
    test run) for good."""
    before = gc.get_freeze_count()
    with loading():
        [[] for _ in range(1000)]
    assert gc.get_freeze_count() == before


@pytest.mark.parametrize("failing", [False, True])
def test_a_command_leaves_every_object_frozen_for_the_exit(tmp_path, failing):
    """The console script, done (with exit code 0 or not), freezes what is left: an
    exit handler registered before it runs after it and sees the frozen objects."""
    (tmp_path / "a-file").write_text("")
    args = ["--db", str(tmp_path / "a-file" / "x.db"), "sources", "list"] if failing else ["--version"]
    code = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count()))\n"
        "from monitor.cli.main import main\n"
        f"sys.argv = ['twinwatch', *{args!r}]\n"
        "main()\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert (proc.returncode != 0) == failing, proc.stderr
    frozen = [line for line in proc.stdout.splitlines() if line.startswith("frozen ")]
    assert frozen, proc.stderr
    assert int(frozen[-1].split()[1]) > 10_000
