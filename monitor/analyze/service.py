"""The analyze service: run the analyzers on text given directly, without crawling.

``read_inputs`` turns lines into :class:`TextInput` (a line that is a JSON object
with ``text`` is JSON Lines input, any other line is plain text); ``analyze_text``
runs every analyzer through the plugin manager and flattens the findings into the
result ``twinwatch analyze --json`` prints. Monitor knows the finding names, not
the analyzers: any plugin that returns those names feeds these fields.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from monitor.analyze.run import analyze
from monitor.models import RELEVANT_AT, AnalysisContext, ChangeDraft, Finding, Source
from monitor.plugin_manager import PluginManager
from monitor.text import normalise, paragraphs

STANDARD = ("language", "relevance", "category", "municipality", "partner", "date", "amount")


@dataclass(frozen=True)
class TextInput:
    """One text to analyze, with what is known about its source."""

    text: str
    title: str = ""
    lang: str | None = None
    url: str = ""
    municipality: str | None = None
    country: str | None = None


def _str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def read_inputs(lines: Iterable[str], *, whole: bool = False) -> Iterator[TextInput]:
    """Inputs from lines: JSON objects with ``text`` (and optional ``title``, ``lang``,
    ``url``, ``municipality``, ``country``), or plain text, one text a line (all lines
    one text when ``whole``). Blank lines are skipped."""
    if whole:
        text = "".join(lines)
        if text.strip():
            yield TextInput(text)
        return
    for line in lines:
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("{"):
            try:
                obj = json.loads(stripped)
            except json.JSONDecodeError:
                obj = None
            if isinstance(obj, dict):
                yield TextInput(
                    str(obj.get("text") or ""),
                    str(obj.get("title") or ""),
                    _str(obj.get("lang")),
                    str(obj.get("url") or ""),
                    _str(obj.get("municipality")),
                    _str(obj.get("country")),
                )
                continue
        yield TextInput(stripped)


def draft_for(item: TextInput) -> ChangeDraft:
    """The change an analyzer sees for a text: a new entry whose paragraphs are all added."""
    text = normalise(item.text)
    source = Source(
        id=0, url=item.url, kind="feed", municipality=item.municipality, country=item.country, lang=item.lang
    )
    return ChangeDraft(
        source=source,
        kind="new-entry",
        url=item.url,
        title=normalise(item.title),
        added=tuple(paragraphs(text)),
        removed=(),
        ops=(),
        text=text,
    )


def _place(f: Finding | None) -> tuple[str | None, str | None]:
    if f is None or not isinstance(f.value, dict):
        return None, None
    return _str(f.value.get("name")), _str(f.value.get("country"))


def summarise(findings: list[Finding]) -> dict[str, Any]:
    """The flat result of one text, from its findings (the first of each name wins)."""
    by: dict[str, Finding] = {}
    for f in findings:
        by.setdefault(f.name, f)
    rel = by.get("relevance")
    score = float(rel.value) if rel is not None and isinstance(rel.value, int | float) else 0.0
    municipality, country = _place(by.get("municipality"))
    partner, partner_country = _place(by.get("partner"))
    amount = by.get("amount")
    lang = by.get("language")
    cat = by.get("category")
    date = by.get("date")
    return {
        "relevant": score >= RELEVANT_AT,
        "score": round(score, 4),
        "reasons": list(rel.reasons) if rel is not None else ["no relevance analyzer is installed"],
        "category": cat.value if cat is not None else None,
        "lang": lang.value if lang is not None else None,
        "municipality": municipality,
        "country": country,
        "partner": partner,
        "partner_country": partner_country,
        "date": date.value if date is not None else None,
        "amount_eur": amount.value if amount is not None and isinstance(amount.value, int | float) else None,
        "errors": [f"{f.plugin}: {f.value}" for f in findings if f.name == "error"],
        "other": {f.name: f.value for f in findings if f.name not in STANDARD and f.name != "error"},
    }


def analyze_text(
    pm: PluginManager, item: TextInput, context: AnalysisContext | None = None
) -> dict[str, Any]:
    """Run every analyzer on one text and return the flat result."""
    return summarise(analyze(pm, draft_for(item), context))
