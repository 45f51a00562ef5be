"""Plain-text rendering of changes and sources for the terminal (CLI and demo).

Everything fetched is passed through :func:`monitor.text.one_line` or
``strip_controls`` first, so no scraped text reaches the terminal as a control
sequence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from monitor import clock
from monitor.models import ChangeRow, Finding, SourceHealth, SourceStatus, coarse_note
from monitor.text import one_line, strip_controls

WIDTH = 100


def change_text(c: ChangeRow, *, max_lines: int = 12, events: int = 1) -> str:
    """A change as a few lines: header, URL, then removed (-), added (+) and edited
    (~) paragraphs, at most ``max_lines`` of them. A change holding two or more
    ``events`` says so in its header (``twinwatch record`` drafts one record each)."""
    tags = f" [{', '.join(c.review.tags)}]" if c.review.tags else ""
    where = one_line(c.municipality or "", 40)
    held = f"  ({events} events)" if events >= 2 else ""
    head = (
        f"#{c.id}  {c.detected_at[:16].replace('T', ' ')}  {c.review.status:<10} {c.kind:<13} "
        f"{where + ': ' if where else ''}{one_line(c.title, 80)}{tags}{held}"
    )
    lines = [head, f"    {one_line(c.url, WIDTH)}"]
    body: list[str] = []
    for op in c.ops:
        if op.op == "removed":
            body.append(f"  - {one_line(op.old, WIDTH)}")
        elif op.op == "added":
            body.append(f"  + {one_line(op.new, WIDTH)}")
        else:
            body.append(f"  ~ {one_line(op.new, WIDTH)}")
            gone = " ".join(t for tag, t in op.words if tag == "-").strip()
            new = " ".join(t for tag, t in op.words if tag == "+").strip()
            body.append(f"      (was: {one_line(gone, 40) or '—'}; now: {one_line(new, 40) or '—'})")
    if len(body) > max_lines:
        body = body[:max_lines] + [f"  … {len(body) - max_lines} more lines"]
    note = coarse_note(c.ops)  # a bounded diff says so (monitor/ingest/diff.py)
    if note:
        body.append(f"  (coarse diff: {note})")
    summary = findings_line(c.findings)
    if summary:
        body.append(f"  · {summary}")
    for f in c.findings:
        if f.name == "error":
            body.append(f"  ! {f.plugin} failed: {one_line(str(f.value), 90)}")
        elif f.name == "truncated" and f.reasons:  # the analyzers did not read it all: say so
            body.append(f"  ! {one_line(f.reasons[0], 90)}")
    if c.review.note:
        body.append(f"  note: {one_line(c.review.note, WIDTH)}")
    return "\n".join(lines + body)


def _place(value: object) -> str | None:
    if isinstance(value, dict) and value.get("name"):
        return f"{value['name']} ({value['country']})" if value.get("country") else str(value["name"])
    return str(value) if value else None


def findings_line(findings: Iterable[Finding]) -> str:
    """The analyzers' suggestions in one line: relevance, category, language, places,
    date, amount (what is unknown is left out)."""
    by = {f.name: f.value for f in findings if f.name != "error"}
    parts: list[str] = []
    if isinstance(by.get("relevance"), int | float):
        parts.append(f"relevance {by['relevance']:.2f}")
    for name in ("category", "language"):
        if by.get(name):
            parts.append(one_line(str(by[name]), 40))
    here, there = _place(by.get("municipality")), _place(by.get("partner"))
    if there:
        parts.append(f"{one_line(here or '?', 40)} ↔ {one_line(there, 40)}")
    elif here:
        parts.append(one_line(here, 40))
    if by.get("date"):
        parts.append(one_line(str(by["date"]), 20))
    if isinstance(by.get("amount"), int | float):
        parts.append(f"€{by['amount']:,.0f}")
    return " · ".join(parts)


def changes_text(rows: Iterable[ChangeRow], events: Mapping[int, int] | None = None) -> str:
    """The changes one after the other; ``events`` gives the event count of those
    holding two or more (``monitor.review.inbox.event_counts``)."""
    events = events or {}
    return "\n\n".join(change_text(c, events=events.get(c.id, 1)) for c in rows)


def source_line(s: SourceStatus) -> str:
    src = s.source
    health = s.last_status or "never fetched"
    if s.consecutive_failures:
        health += f" ×{s.consecutive_failures}: {one_line(s.last_error or '', 60)}"
    flag = "" if src.enabled else " (disabled)"
    return (
        f"{src.id:>4}  {src.kind:<5} {one_line(src.municipality or '-', 20):<20} "
        f"{(src.country or '--'):<2}  {strip_controls(src.url)}{flag}\n      {health}"
    )


def analysis_line(result: dict[str, Any], text: str) -> str:
    """One line for ``twinwatch analyze`` without --json: verdict, score, facts, the text."""
    mark = "RELEVANT" if result["relevant"] else "-"
    # Facts may echo the input (a JSON line's municipality): flattened like the text, so
    # no escape sequence reaches the terminal.
    facts = [one_line(str(result[k]), 80) for k in ("category", "municipality", "partner", "date")
             if result.get(k)]
    if result.get("amount_eur") is not None:
        facts.append(f"EUR {result['amount_eur']:,.2f}")
    return f"{mark:<9}{result['score']:.2f}  {' | '.join(facts) or '-'}  {one_line(text, 80)}"


def _when(ts: str | None) -> str:
    return clock.minute(ts) if ts else "never"


def health_line(h: SourceHealth) -> str:
    """A source's health verdict in two lines: verdict, id, kind, URL; then why and
    the last success, change and relevant change."""
    s = h.status
    src = s.source
    from monitor.sources.manage import format_interval

    return (
        f"{h.problem.upper():<13} {src.id:>4}  {src.kind:<8} every {format_interval(src.every_s):<4} "
        f"{strip_controls(src.url)}\n"
        f"      {one_line(h.reason, 150)}\n"
        + (f"      fix: {strip_controls(h.hint)}\n" if h.hint else "") +
        f"      last ok {_when(s.last_ok)} · last change {_when(s.last_change_at)} · "
        f"last relevant {_when(s.last_relevant_at)}"
    )
