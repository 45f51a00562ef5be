"""twinwatch browse: datasette on 127.0.0.1, read-only, with the canned queries."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from monitor.export.browse import CANNED
from monitor.ingest.pipeline import ingest
from monitor.models import FetchResult
from monitor.records.registry import create
from monitor.review.decisions import review
from monitor.sources.manage import NewSource, add_sources
from monitor.store.db import open_db
from tests.helpers import feed

pytestmark = pytest.mark.slow

RSS = {"content-type": "application/rss+xml"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get_json(url: str, deadline: float) -> dict:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                return json.loads(r.read())
        except urllib.error.HTTPError:
            raise
        except OSError:  # not listening yet
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture
def reviewed_db(db_path: Path, pm) -> Path:
    with open_db(db_path) as db:
        (sid,), _ = add_sources(db, [NewSource("http://127.0.0.1:1/f.xml", "feed", "Ixelles", "BE")])
        (bad,), _ = add_sources(db, [NewSource("http://127.0.0.1:1/gone.html", "page", "Gent", "BE")])
        ingest(db, pm, FetchResult(sid, "u", 200, RSS, feed([("a", "Old", "x")])))
        ingest(db, pm, FetchResult(sid, "u", 200, RSS, feed([("b", "Stedenband opgeschort", "y"),
                                                            ("a", "Old", "x")])))
        ingest(db, pm, FetchResult(bad, "u", 404, error_kind="http-error", error="HTTP 404"))
        cid = db.execute("SELECT id FROM changes").fetchone()[0]
        review(db, cid, status="relevant")
        create(db, cid, {"partner": "Megiddo", "partner_country": "IL", "action": "twinning_suspended",
                         "date": "2024-06"})
    return db_path


def test_browse_serves_canned_queries_read_only(reviewed_db):
    """The canned queries answer as JSON, and the database cannot be written through datasette."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor", "--db", str(reviewed_db), "browse", "--port", str(port),
         "--no-open"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}/{reviewed_db.stem}"
        deadline = time.monotonic() + 60
        rel = get_json(f"{base}/relevant_by_municipality.json?_shape=array&municipality=", deadline)
        assert [(r["municipality"], r["title"], r["status"]) for r in rel] == [
            ("Ixelles", "Stedenband opgeschort", "relevant")]
        failing = get_json(f"{base}/failing_sources.json?_shape=array", deadline)
        assert [(r["municipality"], r["last_status"], r["last_error"]) for r in failing] == [
            ("Gent", "http-error", "HTTP 404")]
        (step,) = get_json(f"{base}/twinning_timelines.json?_shape=array", deadline)
        assert (step["municipality"], step["partner"], step["step"], step["date"]) == (
            "Ixelles", "Megiddo", "suspended", "2024-06")
        for name in CANNED:
            assert isinstance(get_json(f"{base}/{name}.json?_shape=array&municipality=", deadline), list)
        req = urllib.request.Request(f"{base}.json?sql=DELETE+FROM+changes")
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(req, timeout=5)
    finally:
        proc.terminate()
        proc.wait(10)
    with open_db(reviewed_db) as db:
        assert db.execute("SELECT COUNT(*) FROM changes").fetchone()[0] == 1
