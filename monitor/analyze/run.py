"""Running the analyzers on one change: the cap on what they read, one plugin at a time,
a raising analyzer turned into an ``error`` finding.

Every caller that analyzes goes through :func:`analyze`: ingest (in the crawl's
extraction processes), ``twinwatch analyze`` and the extraction preload's warm-up.
"""

from __future__ import annotations

import traceback

from monitor.analyze.caps import ANALYZER_TEXT, analyzer_text_limit, cap_for_analysis
from monitor.errors import ConfigError
from monitor.models import AnalysisContext, ChangeDraft, Finding
from monitor.plugin_manager import PluginManager, call_each


def analyze(pm: PluginManager, change: ChangeDraft, context: AnalysisContext | None = None) -> list[Finding]:
    """Run every analyzer on ``change``; a raising analyzer yields an ``error`` finding."""

    def error(plugin: str, exc: Exception) -> list[Finding]:
        frame = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
        where = f" at {frame[0].filename}:{frame[0].lineno}" if frame else ""
        return [Finding("error", f"{type(exc).__name__}: {exc}{where}", plugin=plugin)]

    findings: list[Finding] = []
    ctx = context or AnalysisContext()
    try:
        limit = analyzer_text_limit()
    except ConfigError as exc:  # a bad [limits] value must not stop a crawl: default, and say so
        limit = ANALYZER_TEXT
        findings.append(Finding("error", exc.message, plugin="twinwatch"))
    change, cut = cap_for_analysis(change, limit)  # bounded work (docs/security.md)
    if cut is not None:
        findings.append(cut)
    for plugin, result in call_each(pm, "analyze_change", error, change=change, context=ctx):
        for f in result or []:
            if isinstance(f, Finding):
                findings.append(f if f.plugin else Finding(f.name, f.value, f.score, f.reasons, plugin))
            else:
                findings.append(Finding("error", f"returned {type(f).__name__}, not Finding", plugin=plugin))
    return findings
