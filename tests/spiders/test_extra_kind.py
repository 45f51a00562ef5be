"""A source kind from another installed package: the test package in
tests/data/extra_kind is built and installed into a temporary directory once per
session, and put on PYTHONPATH for the twinwatch subprocesses."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATA

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def extra_kind_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/data/extra_kind installed (pip, offline, no dependencies) into a temp dir."""
    target = tmp_path_factory.mktemp("extra_kind_site")
    build = tmp_path_factory.mktemp("extra_kind_src")
    src = build / "extra_kind"
    shutil.copytree(DATA / "extra_kind", src)  # pip builds in place; keep the checkout clean
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-index", "--target", str(target), str(src)],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return target


def test_extra_kind_is_installed_and_crawled(http_server, twinwatch, extra_kind_path, db_path):
    """`--kind council` exists only with the package installed; its spider fetches and
    its extract turns a new decision into a new-entry change."""
    def decisions(items: list[tuple[int, str]]) -> str:
        return json.dumps({"decisions": [
            {"id": i, "title": t, "date": "2026-03-12", "summary": f"{t}, adopted."} for i, t in items]})

    url = http_server.set("/api/decisions", decisions([(1, "Budget 2026")]),
                          headers={"Content-Type": "application/json"})
    refused = twinwatch("sources", "add", url, "--kind", "council", check=False)
    assert refused.returncode == 2 and "unknown kind 'council'" in refused.stderr
    env = {"PYTHONPATH": os.pathsep.join([str(extra_kind_path), os.environ.get("PYTHONPATH", "")])}
    assert "council" in twinwatch("plugins", env=env).stdout
    twinwatch("sources", "add", url, "--kind", "council", env=env)
    assert "1 fetched" in twinwatch("crawl", env=env).stdout
    http_server.set("/api/decisions", decisions([(2, "Twinning with Zababdeh renewed"), (1, "Budget 2026")]),
                    headers={"Content-Type": "application/json"})
    out = twinwatch("crawl", "--all", env=env)
    assert "1 new item" in out.stdout, out.stdout + out.stderr
    (c,) = json.loads(twinwatch("changes", "--json").stdout)
    assert (c["kind"], c["title"]) == ("new-entry", "Twinning with Zababdeh renewed")
    accept = [h.get("Accept") for p, h in http_server.requests if p == "/api/decisions"]
    assert accept and all(a == "application/json" for a in accept)
