"""bench/portals at a tiny size, so it cannot rot: both kinds, real crawls against the
loopback portals of tests/portals/, and its table and verdicts printed."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def test_bench_portals_prints_its_table_at_a_tiny_size(tmp_path: Path) -> None:
    """Three passes per kind (first sync cut by a budget of 4 requests, re-sync, edits):
    the table, one request per list on the quiet re-sync, the edits found exactly."""
    env = {**os.environ, "TWINWATCH_CONFIG": str(tmp_path / "none.toml"),
           "TWINWATCH_LOG_DIR": str(tmp_path / "log")}
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "portals"), "--kind", "oparl,lblod", "--items", "60",
         "--bodies", "2", "--edits", "2", "--budget", "4"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True)  # the bench, its crawls and what they start: one group to end
    try:
        out, err = proc.communicate(timeout=240)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 0, err[-3000:]
    for kind in ("oparl", "lblod"):
        assert f"twinwatch portal benchmark, kind {kind}: 60 items across 2 bodies" in out
    assert out.count("| items stored (total)") == 2
    assert len(re.findall(r"\| sync complete +\| yes +\| yes +\| yes +\|", out)) == 2
    # a budget of 4 cannot hold a sync of OParl's 2 bodies (system, bodies, 2 x 3 lists): it resumes
    assert re.search(r"\| runs \(request budget 4\) +\| 2 \(", out) and "NO (budget)" not in out
    quiet = "re-sync with nothing new, at most one request per list: yes (1 at most); changes 0"
    assert out.count(quiet) == 2
    assert "edits detected: new 2 of 2, edited 3 of 3: exact" in out  # OParl: 2 edits and a deletion
    assert "edits detected: new 2 of 2, edited 2 of 2: exact" in out
    assert "failed fetches" not in out
