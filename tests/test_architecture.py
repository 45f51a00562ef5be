"""The layering rules of STYLE.md, checked."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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
def imports() -> dict[str, dict[str, object]]:
    """What importing each monitor module loads, each in a fresh process (forks of one
    clean interpreter: ``tests/import_probe.py``)."""
    out = subprocess.run([sys.executable, "-m", "tests.import_probe", *MONITOR_MODULES],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr
    modules: dict[str, dict[str, object]] = json.loads(out.stdout)["modules"]
    return modules


@pytest.mark.parametrize("module", MONITOR_MODULES)
def test_monitor_module_imports_no_scrapy_or_textual(module, imports):
    """Importing any monitor module loads neither Scrapy, Twisted nor Textual, nor
    (except a plugin preload) another twinwatch package."""
    banned = {"scrapy", "textual", "twisted"}
    if module not in PRELOADS_PLUGINS:
        banned |= {"spiders", "plugins", "tui"}
    result = imports[module]
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
