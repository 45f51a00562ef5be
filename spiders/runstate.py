"""What the crawlers of one crawl run share in their process: each site's request
slot (``spiders.hostslot``), each host's health (``spiders.breaker``) and each
site's robots.txt (``spiders.robots``).

A crawl runs one crawler per source kind in one Scrapy process (``spiders.process``),
and each crawler builds its own middlewares (and its own download slots); a site
takes one request at a time from all of them together, a host that hangs for the
pages hangs for the feed too, and a site's robots.txt is the same for both. ``run_spiders``
names the run in the ``TWINWATCH_RUN_STATE`` setting, and the middlewares of every
crawler find the same :class:`CrawlRun` here. The state lives as long as the run
(the process of a ``twinwatch crawl``), never longer: the next run starts afresh.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from monitor.models import RobotsEntry

SETTING = "TWINWATCH_RUN_STATE"
"""Scrapy setting: the key of the run's :class:`CrawlRun` in :data:`RUNS`."""


@dataclass
class HostHealth:
    """One host's circuit (``spiders.breaker``): closed while it answers."""

    failure: str | None = None
    """The first error's message since the host last answered (``None``: healthy)."""
    probe: asyncio.Future[bool] | None = None
    """Set while one request finds out whether the host answers again (its result)."""
    down: bool = False
    """The probe failed too: the host's other requests fail at once."""


@dataclass
class HostSlot:
    """One site's request places (``spiders.hostslot``), for every kind of source."""

    places: asyncio.Semaphore
    """As many as ``CONCURRENT_REQUESTS_PER_DOMAIN`` (one): requests in flight to the site."""
    delay: float = 0.0
    """Least seconds between two requests to the site: its ``Crawl-delay``, capped."""
    last: float = 0.0
    """When (``time.monotonic``) the site's last request was let through."""


@dataclass
class CrawlRun:
    slots: dict[str, HostSlot] = field(default_factory=dict)
    """By host name, as Scrapy's download slots are."""
    hosts: dict[str, HostHealth] = field(default_factory=dict)
    """By ``host:port`` (a hanging server is one listening socket)."""
    robots: dict[str, asyncio.Future[RobotsEntry | None]] = field(default_factory=dict)
    """Each origin's robots.txt, being had or had, for every crawler of the run."""
    cache: dict[str, RobotsEntry] | None = None
    """The database's robots cache, read once per run (``None``: not read yet)."""
    extra: dict[str, Any] = field(default_factory=dict)


RUNS: dict[str, CrawlRun] = {}


def run_of(settings: Any, fallback: str) -> CrawlRun:
    """The run these crawler ``settings`` belong to (a crawler of its own, named
    ``fallback``, when started without ``run_spiders``)."""
    key = settings.get(SETTING) or fallback
    return RUNS.setdefault(key, CrawlRun())
