"""The layering rules of STYLE.md, checked."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from monitor.children import end, group_options

ROOT = Path(__file__).resolve().parent.parent
MONITOR_MODULES = sorted(
    ".".join(p.relative_to(ROOT).with_suffix("").parts)
    for p in (ROOT / "monitor").rglob("*.py")
    if p.name != "__main__.py"
)


PRELOADS_PLUGINS = {"monitor.ingest.preload"}
"""Modules whose import loads the installed plugins through their entry points, by
design (the extraction forkserver's preload); they still must not load Scrapy,
Twisted or Textual, which no plugin's hook module imports at module level."""


@pytest.fixture(scope="module")
def imports() -> Iterator[Callable[[str], dict[str, Any]]]:
    """What importing a monitor module loads, in a fresh process: a fork of one clean
    interpreter kept for the test module (``tests/import_probe.py``), in a process
    group of its own that ends with the module's tests."""
    probe = subprocess.Popen([sys.executable, "-m", "tests.import_probe"], cwd=ROOT, text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, **group_options())
    asking, answers = probe.stdin, probe.stdout
    assert asking is not None and answers is not None

    def ask(module: str) -> dict[str, Any]:
        asking.write(module + "\n")
        asking.flush()
        line = answers.readline()
        assert line, f"the import probe ended (exit code {probe.wait(10)})"
        result: dict[str, Any] = json.loads(line)
        return result

    try:
        yield ask
    finally:
        asking.close()
        answers.close()
        end(probe)  # the probe and any fork of it still importing


@pytest.mark.parametrize("module", MONITOR_MODULES)
def test_monitor_module_imports_no_scrapy_or_textual(module, imports):
    """Importing any monitor module loads neither Scrapy, Twisted nor Textual, nor
    (except a plugin preload) another twinwatch package."""
    banned = {"scrapy", "textual", "twisted"}
    if module not in PRELOADS_PLUGINS:
        banned |= {"spiders", "plugins", "tui"}
    result = imports(module)
    assert result["error"] is None, result["error"]
    assert sorted(banned & set(result["loaded"])) == []


def test_import_contracts_hold():
    """lint-imports (import-linter) keeps its contracts."""
    exe = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    out = subprocess.run([exe], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr


DDL = re.compile(r"\b(CREATE\s+(TABLE|INDEX|VIRTUAL|TRIGGER|VIEW)|ALTER\s+TABLE|DROP\s+TABLE)\b", re.I)
SQL = re.compile(r"\b(SELECT\s+.+\s+FROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b", re.I)


def _sources(*packages: str):
    for pkg in packages:
        yield from (ROOT / pkg).rglob("*.py")


def test_ddl_only_in_db_module():
    """Only monitor/store/db.py creates or alters tables, indexes, triggers."""
    offenders = [str(p.relative_to(ROOT)) for p in _sources("monitor", "spiders", "plugins", "tui")
                 if p != ROOT / "monitor" / "store" / "db.py" and DDL.search(p.read_text())]
    assert offenders == []


def test_sql_only_in_monitor():
    """spiders, plugins and tui hold no SQL: they call monitor's functions."""
    offenders = [str(p.relative_to(ROOT)) for p in _sources("spiders", "plugins", "tui")
                 if SQL.search(p.read_text())]
    assert offenders == []
