"""The ``council`` kind: a portal's JSON list of decisions; each decision is an entry.

``extract`` parses (pure, may run in a worker process); the spider only fetches.
"""

from __future__ import annotations

import json

from monitor.hookspecs import ExtractError, SourceKind, hookimpl
from monitor.models import Entry, Extracted


def extract(pm, source, result):
    try:
        decisions = json.loads(result.body)["decisions"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ExtractError(f"not a council portal answer: {exc}") from exc
    entries = tuple(
        Entry(str(d["id"]), d["title"], d.get("url", ""), f"{d['date']}: {d['summary']}")
        for d in decisions
    )
    if not entries:
        return Extracted("", warning="the portal lists no decisions", entries=())
    return Extracted("\n".join(e.entry_text for e in entries), entries=entries)


@hookimpl
def register_source_kinds():
    return [SourceKind("council", "a council-decision portal (JSON)",
                       "twinwatch_council.spider:CouncilSpider", extract)]
