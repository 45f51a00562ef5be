"""Scrapy settings for twinwatch crawls. Every value that differs from Scrapy's
default says why. Small municipal servers come first: be slow per site, fast overall.
"""

from __future__ import annotations

from typing import Any

from monitor.config import user_agent

BOT_NAME = "twinwatch"

# Identify ourselves with a contact URL, so a webmaster can reach us (default: Scrapy/x.y).
USER_AGENT = user_agent()

# Obey robots.txt (Scrapy's project template does; the bare default is False).
ROBOTSTXT_OBEY = True

# Many domains at once, but one request at a time per municipal server (default 16 / 8).
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 1

# Adapt the per-site pace to how fast each server answers (default off).
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5  # default 5 s: we fetch one page per source, not a whole site
AUTOTHROTTLE_MAX_DELAY = 30.0  # default 60 s
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# A municipal page is never 1 GiB nor worth waiting 3 minutes for (defaults 1 GiB, 32 MiB, 180 s).
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
DOWNLOAD_TIMEOUT = 30

# One retry, not two: a broken source is recorded and tried again next run (default 2).
RETRY_TIMES = 1

# Redirect chains longer than this are a misconfiguration or a trap (default 20).
REDIRECT_MAX_TIMES = 5

# No cookies: we read public pages and must not carry session state between sources.
COOKIES_ENABLED = False

# No telnet console in an unattended cron job (default on, listening on localhost).
TELNETCONSOLE_ENABLED = False

# Quiet logs: cron reads our summary line, not Scrapy's stats dump (default DEBUG).
# Every failed source is recorded in the database with its message, so Scrapy's own
# report of a failed download or retry is noise here (default ERROR for both).
LOG_LEVEL = "ERROR"
RETRY_GIVE_UP_LOG_LEVEL = "INFO"

QUIET_LOGGERS = ("scrapy.downloadermiddlewares.robotstxt",)
"""Loggers silenced below CRITICAL: an unreachable robots.txt is logged there with a
traceback, and the page request that follows fails and is recorded anyway."""

# Results go to monitor's ingest, the single writer of crawl data.
ITEM_PIPELINES = {"spiders.pipelines.IngestPipeline": 300}

# Requests are not fingerprinted away: each source is fetched even if two share a URL.
DUPEFILTER_CLASS = "scrapy.dupefilters.BaseDupeFilter"


def as_dict(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """These settings (upper-case names of this module) plus ``overrides``."""
    values = {k: v for k, v in globals().items() if k.isupper() and k != "QUIET_LOGGERS"}
    values.update(overrides or {})
    return values
