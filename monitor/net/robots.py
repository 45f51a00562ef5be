"""robots.txt caching as RFC 9309 has it: what an answer means, and for how long.

The crawl (``spiders/robots.py``) asks :func:`entry_for` what a robots.txt answer
means and stores the :class:`~monitor.models.RobotsEntry` in ``robots_cache``; a
fresh entry (:func:`is_fresh`) is used on later runs without a request.

==========================================  ==========  ========================
robots.txt answer                           policy      kept for
==========================================  ==========  ========================
2xx                                         rules       :data:`TTL_OK` (24 h)
4xx except 429 (and a 3xx not followed)     allow       :data:`TTL_OK` (24 h)
5xx, 429                                    disallow    :data:`TTL_ERROR` (1 h)
unreachable (timeout, refused, DNS)         disallow    :data:`TTL_ERROR` (1 h)
==========================================  ==========  ========================

RFC 9309 §2.4 lets a crawler cache robots.txt for up to 24 hours; an error is kept
for less, so a site that was down is asked again on the next hourly run, and a
site whose robots.txt hangs costs its timeout once an hour, not once per run.
Only the first :data:`MAX_BYTES` are kept (§2.5: at least 500 KiB must be parsed).
``Crawl-delay`` is not in the RFC; it is honoured up to :data:`CRAWL_DELAY_MAX`.

No Scrapy, no network and no database here.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from monitor import clock
from monitor.models import RobotsEntry

TTL_OK = timedelta(hours=24)
"""How long a robots.txt that answered (2xx or 4xx) is used without asking again."""
TTL_ERROR = timedelta(hours=1)
"""How long a 5xx, a 429 or an unreachable robots.txt keeps the site disallowed."""
MAX_BYTES = 500 * 1024
"""The part of a robots.txt that is kept and parsed (RFC 9309 §2.5)."""
CRAWL_DELAY_MAX = 30.0
"""The longest ``Crawl-delay`` honoured, in seconds: a site asking for more gets this
(a ``Crawl-delay: 100000`` would otherwise hold one request a day)."""


def policy_of(status: int) -> str:
    """``rules``, ``allow`` or ``disallow`` for a robots.txt answering ``status``."""
    if 200 <= status < 300:
        return "rules"
    if status >= 500 or status == 429:
        return "disallow"
    return "allow"  # 4xx, and a 3xx the crawler did not follow (RFC 9309 §2.3.1.2-3)


def cut(body: bytes) -> bytes:
    """``body`` cut to :data:`MAX_BYTES`, at the end of a line when it is longer."""
    if len(body) <= MAX_BYTES:
        return body
    head = body[:MAX_BYTES]
    end = head.rfind(b"\n")
    return head[: end + 1] if end > 0 else head


def entry_for(origin: str, *, status: int | None, body: bytes = b"", error: str | None = None,
              crawl_delay: float | None = None, now: datetime | None = None) -> RobotsEntry:
    """The cache entry for robots.txt of ``origin`` answering ``status`` (``None`` with
    ``error`` when it could not be had)."""
    at = now or clock.now()
    policy = "disallow" if status is None else policy_of(status)
    ttl = TTL_OK if policy in ("rules", "allow") else TTL_ERROR
    return RobotsEntry(origin=origin, fetched_at=clock.stamp(at), expires_at=clock.stamp(at + ttl),
                       policy=policy, status=status, body=cut(body) if policy == "rules" else b"",
                       crawl_delay=crawl_delay if policy == "rules" else None, error=error)


def is_fresh(entry: RobotsEntry, now: datetime | None = None) -> bool:
    """Whether ``entry`` may still be used without fetching robots.txt again."""
    expires = clock.parse(entry.expires_at)
    fetched = clock.parse(entry.fetched_at)
    at = now or clock.now()
    # A fetch time in the future (a clock set back) makes the entry stale too.
    return expires is not None and fetched is not None and fetched <= at < expires


def capped_delay(delay: float | None, cap: float = CRAWL_DELAY_MAX) -> float | None:
    """The ``Crawl-delay`` the crawl honours: at most ``cap`` seconds."""
    if delay is None or delay <= 0:
        return None
    return min(delay, cap)


def describe(entry: RobotsEntry, cap: float = CRAWL_DELAY_MAX) -> str:
    """One line on what ``entry`` means, for messages and ``sources test``."""
    until = clock.minute(entry.expires_at)
    if entry.policy == "disallow":
        why = f"answered HTTP {entry.status}" if entry.status is not None else f"unreachable ({entry.error})"
        return (f"robots.txt {why} at {clock.minute(entry.fetched_at)}: the site counts as "
                f"disallowed (RFC 9309) until {until}")
    if entry.policy == "allow":
        return f"robots.txt answered HTTP {entry.status}: no rules, everything allowed until {until}"
    text = f"robots.txt rules (HTTP {entry.status}, {len(entry.body)} bytes) kept until {until}"
    honoured = capped_delay(entry.crawl_delay, cap)
    if honoured is not None and entry.crawl_delay is not None:
        text += f"; Crawl-delay {entry.crawl_delay:g} s"
        if honoured < entry.crawl_delay:
            text += f", capped to {honoured:g} s"
    return text
