"""Browse the database in a web page with datasette, read-only.

``twinwatch browse`` runs datasette (an optional extra: ``pip install
'twinwatch[browse]'``) on the database with canned queries for the registry team and
facets on the tables they filter most. datasette opens database files read-only
(``mode=ro``), so a crawl may keep writing while someone browses.

The canned queries' SQL lives here (SQL stays in monitor).
"""

from __future__ import annotations

import importlib.util
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from monitor.children import child
from monitor.errors import PluginError

CANNED: dict[str, dict[str, Any]] = {
    "relevant_by_municipality": {
        "title": "Relevant changes by municipality",
        "description": "Changes a curator marked relevant or follow-up, newest first, "
                       "with the municipality of their source.",
        "sql": (
            "SELECT s.municipality, s.country, c.detected_at, r.status, c.title, c.url, "
            "c.id AS change_id FROM changes c JOIN sources s ON s.id = c.source_id "
            "JOIN reviews r ON r.change_id = c.id WHERE r.status IN ('relevant', 'follow-up') "
            "AND (:municipality = '' OR s.municipality = :municipality COLLATE NOCASE) "
            "ORDER BY s.municipality, c.detected_at DESC"
        ),
    },
    "relevant_per_municipality": {
        "title": "How many relevant changes each municipality produced",
        "sql": (
            "SELECT COALESCE(s.municipality, '(none)') AS municipality, s.country, "
            "COUNT(*) AS relevant_changes, MAX(c.detected_at) AS latest FROM changes c "
            "JOIN sources s ON s.id = c.source_id JOIN reviews r ON r.change_id = c.id "
            "WHERE r.status = 'relevant' GROUP BY 1, 2 ORDER BY relevant_changes DESC"
        ),
    },
    "twinning_timelines": {
        "title": "Twinning link timelines",
        "description": "Every twinning record in date order, pair by pair.",
        "sql": (
            "SELECT r.municipality, r.country, r.partner, r.partner_country, r.date, "
            "REPLACE(r.action, 'twinning_', '') AS step, r.summary, "
            "(SELECT e.url FROM record_evidence e WHERE e.record_id = r.id "
            "ORDER BY e.added_at LIMIT 1) AS source_url, r.id AS record_id FROM records r "
            "WHERE r.action LIKE 'twinning%' ORDER BY LOWER(r.municipality), LOWER(r.partner), "
            "r.date IS NULL, r.date, r.id"
        ),
    },
    "failing_sources": {
        "title": "Failing sources",
        "description": "Sources whose last fetch failed, the longest-failing first.",
        "sql": (
            "SELECT s.id, s.url, s.kind, s.municipality, st.last_status, st.last_error, "
            "st.consecutive_failures, st.last_ok, st.last_fetched FROM sources s "
            "JOIN source_state st ON st.source_id = s.id WHERE st.consecutive_failures > 0 "
            "ORDER BY st.consecutive_failures DESC, s.id"
        ),
    },
}
"""Canned queries offered on the database page."""

FACETS = {
    "sources": ["kind", "country", "municipality", "enabled"],
    "changes": ["kind", "source_id"],
    "reviews": ["status"],
    "review_tags": ["tag"],
    "records": ["action", "country", "municipality"],
    "fetch_outcomes": ["outcome", "run_id"],
}

HIDDEN = ("blobs", "_sqlite_migrations", "export_items", "export_rows")
"""Tables with nothing to read in a browser (compressed text, bookkeeping)."""


def metadata(db_path: Path) -> dict[str, Any]:
    """datasette metadata for the database at ``db_path``."""
    tables: dict[str, Any] = {name: {"facets": facets} for name, facets in FACETS.items()}
    for name in HIDDEN:
        tables[name] = {"hidden": True}
    tables["changes"]["sort_desc"] = "detected_at"
    tables["export_batches"] = {"hidden": False, "label_column": "format"}
    return {
        "title": "twinwatch",
        "description": "Town-twinning and municipal solidarity changes, reviews and records.",
        "databases": {db_path.stem: {"queries": CANNED, "tables": tables}},
    }


def command(db_path: Path, metadata_path: Path, host: str, port: int, open_browser: bool) -> list[str]:
    """The datasette command line for ``twinwatch browse``."""
    cmd = [sys.executable, "-m", "datasette", "serve", str(db_path), "--metadata", str(metadata_path),
           "--host", host, "--port", str(port), "--setting", "sql_time_limit_ms", "3000"]
    if open_browser:
        cmd.append("--open")
    return cmd


def browse(db_path: Path, *, host: str = "127.0.0.1", port: int = 8001, open_browser: bool = True) -> int:
    """Serve the database until interrupted; returns datasette's exit code (0 after Ctrl-C).

    datasette and anything it starts end with this process: when it returns, on Ctrl-C, on
    SIGTERM or SIGHUP (``SystemExit`` 128 + the signal), and on Linux even when it is killed
    (see :mod:`monitor.children`).

    Raises:
        PluginError: datasette is not installed.
    """
    if importlib.util.find_spec("datasette") is None:
        raise PluginError("twinwatch browse needs datasette: pip install 'twinwatch[browse]'")
    with tempfile.TemporaryDirectory(prefix="twinwatch-browse-") as tmp:
        meta = Path(tmp) / "metadata.json"
        meta.write_text(json.dumps(metadata(db_path), indent=2), encoding="utf-8")
        try:
            with child(command(db_path, meta, host, port, open_browser)) as proc:
                return proc.wait()
        except KeyboardInterrupt:  # the way to stop it; the child's group has ended
            return 0
