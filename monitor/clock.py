"""The one clock: what "now" is, and how timestamps are written, read and shown.

Every timestamp twinwatch stores is ISO-8601 UTC text with microseconds and a ``Z``
(``2026-11-23T10:00:00.123456Z``), made by :func:`utcnow`. Reading one back
(:func:`parse`) accepts what the database and users hold: with or without the
fraction, ``Z`` or an offset, or none (then UTC). Code that needs "now" calls
``clock.utcnow()`` or ``clock.now()`` through this module, so a test fixes time for
the whole program by replacing these two functions here.

Nothing here touches the database or the network.
"""

from __future__ import annotations

from datetime import UTC, datetime

from monitor.text import one_line

STORED = "%Y-%m-%dT%H:%M:%S.%fZ"
"""The format of every stored timestamp."""


def now() -> datetime:
    """Now, timezone-aware, in UTC."""
    return datetime.now(UTC)


def utcnow() -> str:
    """Now, as the text every timestamp in the database uses."""
    return stamp(now())


def stamp(when: datetime) -> str:
    """``when`` as stored text (a naive ``when`` is taken as UTC)."""
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    return when.strftime(STORED)


def parse(text: str | None) -> datetime | None:
    """A stored or typed ISO timestamp as an aware UTC datetime; ``None`` when empty
    or unreadable."""
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def age_days(text: str | None, at: datetime) -> float | None:
    """Days from the timestamp ``text`` to ``at``; ``None`` when there is no readable
    timestamp."""
    then = parse(text)
    return None if then is None else (at - then).total_seconds() / 86400


def minute(text: str) -> str:
    """``2026-11-23T10:00:00.123Z`` as ``2026-11-23 10:00`` (for lists)."""
    return text[:16].replace("T", " ")


def ago(text: str | None, at: datetime) -> str:
    """``3 d ago``-style age of a timestamp, ``never`` without one; an unreadable one
    is shown on one line, cut to 16 characters."""
    if not text:
        return "never"
    then = parse(text)
    if then is None:
        return one_line(text, 16)
    seconds = max((at - then).total_seconds(), 0)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{int(seconds // size)} {unit} ago"
    return "just now"
