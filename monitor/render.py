"""Plain-text rendering of changes and sources for the terminal (CLI and demo).

Everything fetched is passed through :func:`monitor.text.one_line` or
``strip_controls`` first, so no scraped text reaches the terminal as a control
sequence.
"""

from __future__ import annotations

from collections.abc import Iterable

from monitor.models import ChangeRow, SourceHealth, SourceStatus
from monitor.text import one_line, strip_controls

WIDTH = 100


def change_text(c: ChangeRow, *, max_lines: int = 12) -> str:
    """A change as a few lines: header, URL, then removed (-), added (+) and edited
    (~) paragraphs, at most ``max_lines`` of them."""
    tags = f" [{', '.join(c.review.tags)}]" if c.review.tags else ""
    where = one_line(c.municipality or "", 40)
    head = (
        f"#{c.id}  {c.detected_at[:16].replace('T', ' ')}  {c.review.status:<10} {c.kind:<13} "
        f"{where + ': ' if where else ''}{one_line(c.title, 80)}{tags}"
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
    for f in c.findings:
        body.append(f"  · {f.plugin}/{f.name}: {one_line(str(f.value), 80)}")
    if c.review.note:
        body.append(f"  note: {one_line(c.review.note, WIDTH)}")
    return "\n".join(lines + body)


def changes_text(rows: Iterable[ChangeRow]) -> str:
    return "\n\n".join(change_text(c) for c in rows)


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


def _when(ts: str | None) -> str:
    return ts[:16].replace("T", " ") if ts else "never"


def health_line(h: SourceHealth) -> str:
    """A source's health verdict in two lines: verdict, id, kind, URL; then why and
    the last success, change and relevant change."""
    s = h.status
    src = s.source
    from monitor.sources import format_interval

    return (
        f"{h.problem.upper():<13} {src.id:>4}  {src.kind:<8} every {format_interval(src.every_s):<4} "
        f"{strip_controls(src.url)}\n"
        f"      {one_line(h.reason, 90)}\n"
        f"      last ok {_when(s.last_ok)} · last change {_when(s.last_change_at)} · "
        f"last relevant {_when(s.last_relevant_at)}"
    )
