"""Scrapy settings for twinwatch crawls. Every value that differs from Scrapy's
default says why. Small municipal servers come first: be slow per site, fast overall.
"""

from __future__ import annotations

from typing import Any

from monitor.config import user_agent
from monitor.net.policy import load_policy

BOT_NAME = "twinwatch"

# Identify ourselves with a contact URL, so a webmaster can reach us (default: Scrapy/x.y).
# The URL comes from the config file's ``contact`` (or TWINWATCH_CONTACT).
USER_AGENT = user_agent()

# Obey robots.txt (Scrapy's project template does; the bare default is False), with
# RFC 9309's rules for a robots.txt that errors (Scrapy then allows everything), kept
# in the database for up to 24 hours: see spiders/robots.py for the policy table.
ROBOTSTXT_OBEY = True

# Many municipal servers at once, but one request at a time to any one of them
# (defaults 16 / 8). Each kind runs its own crawler, with its own download slots:
# spiders.hostslot makes a site's pages, feed and listings (and its robots.txt)
# share the one place. Slots are per host name.
CONCURRENT_REQUESTS = 256
CONCURRENT_REQUESTS_PER_DOMAIN = 1

# Hand the downloader requests for the sites with the fewest in flight (default: in
# the order spiders yield them, which queues 256 requests behind a few sites while
# the others wait). Scrapy's recommendation for broad crawls.
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.DownloaderAwarePriorityQueue"

# Slow a site down while it answers with server errors (default off). One request
# at a time already paces a site that answers: our subclass (EXTENSIONS, below)
# adds no delay then, where Scrapy's kept each site idle about a latency between
# an answer and its next request (spiders/middlewares.py).
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.0  # default 5 s: no delay until a site errs
AUTOTHROTTLE_MAX_DELAY = 30.0  # default 60 s
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Responses waiting for the extraction pool may hold this much memory before the
# engine stops fetching (default 5 MB: too little to keep two cores busy).
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 16 * 1024 * 1024

# A response yields one item (its FetchResult): with the default of 100, Scrapy starts
# 100 asyncio tasks per response to process items in parallel, which costs more CPU
# than parsing the page.
CONCURRENT_ITEMS = 1

# No request to a private, loopback or link-local address (nor to another scheme)
# unless allowed: checked first, before robots.txt is asked for (docs/security.md).
# The RFC 9309 robots policy replaces Scrapy's middleware; Retry-After is honoured
# before Scrapy's RetryMiddleware (550) would retry a 429/503 at once.
# Middlewares that do nothing for us are switched off: each costs CPU on every
# request of a crawl of thousands (no allowed_domains, no auth, no proxies).
DOWNLOADER_MIDDLEWARES = {
    "spiders.netpolicy.NetPolicyMiddleware": 50,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "spiders.robots.RobotsPolicyMiddleware": 100,
    "spiders.middlewares.RetryAfterMiddleware": 560,
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
    "scrapy.downloadermiddlewares.httpproxy.HttpProxyMiddleware": None,
    # Off by their settings below, but each would still be imported to be asked:
    # the cookies one imports tldextract and requests (a twentieth of a second of
    # every crawl's start-up, before its first request).
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware": None,
    "scrapy.downloadermiddlewares.stats.DownloaderStats": None,
    "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware": None,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "spiders.middlewares.MetaRefresh": 580,  # the same, without decoding every page
    # Next to the download: one request at a time to a site across the kinds of
    # sources, and its Crawl-delay between any two (spiders/hostslot.py); then a host
    # that stopped answering costs two timeouts, not one per source (spiders/breaker.py).
    "spiders.hostslot.HostSlotMiddleware": 940,
    "spiders.breaker.HostBreakerMiddleware": 950,
}

# No Referer (we are not a browser, and a council need not learn which page led us
# to another), no depth or URL-length bookkeeping: every request is one we chose.
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.referer.RefererMiddleware": None,
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    # A warning for spiders that copy response.meta into new requests (ours never do):
    # one more layer around every callback's output.
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
}

# Scrapy's periodic "Crawled N pages" log line and memory watchdog: our summary and
# log file say what happened (default on).
# AutoThrottle is replaced by our subclass, which delays a site only while it errs.
EXTENSIONS = {
    "scrapy.extensions.corestats.CoreStats": None,
    "scrapy.extensions.logstats.LogStats": None,
    "scrapy.extensions.memusage.MemoryUsage": None,
    # Extensions off by their settings (telnet and remote control below; no feeds,
    # no job directory, no close conditions, no memory debugging), or counting into
    # stats nobody keeps (LogCount): not even imported, so a crawl starts sooner
    # (the remote control's imports aiohttp's web server, the telnet console's
    # Twisted's conch).
    "scrapy.extensions.logcount.LogCount": None,
    "scrapy.extensions.telnet.TelnetConsole": None,
    "scrapy.extensions.memdebug.MemoryDebugger": None,
    "scrapy.extensions.closespider.CloseSpider": None,
    "scrapy.extensions.feedexport.FeedExporter": None,
    "scrapy.extensions.spiderstate.SpiderState": None,
    "scrapy.extensions.remote_control.RemoteControl": None,
    "scrapy.extensions.throttle.AutoThrottle": None,
    "spiders.middlewares.Throttle": 0,
}

# No Scrapy stats: nobody reads them (our outcomes are in the database), and the
# collector and its CoreStats extension are called several times per request
# (default MemoryStatsCollector; measured, about a tenth of a crawler process's CPU).
STATS_CLASS = "scrapy.statscollectors.DummyStatsCollector"

# Scrapy checks every callback for a generator that returns a value, parsing its
# source each time (its cache is keyed by the bound method, a new object per
# response): measured, 5 % of a crawler process's CPU. Our callbacks return nothing
# (default True).
WARN_ON_GENERATOR_RETURN_VALUE = False

# Per-request byte counts in Scrapy's stats, which rebuild each request's raw HTTP
# form to count it: nobody reads them here (default True).
DOWNLOADER_STATS = False

# Honour a robots.txt Crawl-delay up to this many seconds (our setting): a site asking
# for 100000 s would otherwise get one request a day (monitor/net/robots.py).
TWINWATCH_CRAWL_DELAY_MAX = 30.0

# Wait at most this long for a Retry-After, once per request (our settings).
TWINWATCH_RETRY_AFTER_MAX = 60.0
TWINWATCH_RETRY_AFTER_TIMES = 1

# A municipal page is never 1 GiB nor worth waiting 3 minutes for (defaults 1 GiB, 32 MiB, 180 s).
# The timeout bounds the whole download, so a slow-drip server ends too; the size
# limit also bounds the decompressed body (HttpCompressionMiddleware checks gzip,
# deflate, brotli and zstd against it while decompressing: a bomb fails as too-large).
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
DOWNLOAD_TIMEOUT = 30

# Council portals (spiders/portal.py, our settings): a run makes at most this many
# requests per portal source and keeps at most this many bytes of its pages and of the
# documents (PDFs) of its new or changed items (each also within DOWNLOAD_MAXSIZE), then
# resumes next run; a first sync goes back this many days, and each later one asks
# for what changed since the last one began, less this overlap (seconds) for clocks
# and slow writers on the portal's side. 300 requests: an OParl portal of 50 bodies
# lists 10,000 items in about 200 pages, so a first sync of that size fits one run (at
# one request at a time and 200 ms an answer, a minute of the portal's time).
TWINWATCH_PORTAL_BUDGET = 300
TWINWATCH_PORTAL_MAX_BYTES = 64 * 1024 * 1024
TWINWATCH_PORTAL_WINDOW_DAYS = 365
TWINWATCH_PORTAL_OVERLAP_S = 3600

# One retry, not two: a broken source is recorded and tried again next run (default 2).
RETRY_TIMES = 1

# Scrapy's list without its Twisted handler's TunnelError (we fetch through aiohttp,
# with no proxy): naming it imported that handler and its TLS modules, whose
# deprecation shims walk the whole call stack with its source lines (0.26 s of
# every crawl's start-up, before its first request).
RETRY_EXCEPTIONS = [
    "scrapy.exceptions.CannotResolveHostError",
    "scrapy.exceptions.DownloadConnectionRefusedError",
    "scrapy.exceptions.DownloadFailedError",
    "scrapy.exceptions.DownloadTimeoutError",
    "scrapy.exceptions.ResponseDataLossError",
    "twisted.internet.error.ConnectionDone",
    "twisted.internet.error.ConnectError",
    "twisted.internet.error.ConnectionLost",
    OSError,  # as Scrapy: HttpCompressionMiddleware raises it for an empty compressed body
]

# A truncated body (fewer bytes than Content-Length) is a failure, never half a page
# to diff (this is Scrapy's default; stated because the diff depends on it).
DOWNLOAD_FAIL_ON_DATALOSS = True

# Redirect chains longer than this are a misconfiguration or a trap (default 20).
REDIRECT_MAX_TIMES = 5

# Only http(s) is ever downloaded (defaults also read file:, data:, ftp: and s3: URLs):
# a hostile feed's links must not reach local files, whatever checks come before.
# http(s) through Scrapy's aiohttp handler, with the private-address policy in its
# resolver (spiders/netpolicy.py): less CPU per request than the Twisted one
# (bench/crawl recrawl, 100 sites: 10.4 -> 9.1 CPU s). aiohttp resolves names
# itself, so the reactor's resolver (TWISTED_DNS_RESOLVER) is never asked and is
# left at Scrapy's default.
_aiohttp = "spiders.netpolicy.PolicyAiohttpDownloadHandler"
DOWNLOAD_HANDLERS = {"http": _aiohttp, "https": _aiohttp, "file": None, "data": None, "ftp": None, "s3": None}

# No cookies: we read public pages and must not carry session state between sources.
COOKIES_ENABLED = False

# No telnet console in an unattended cron job (default on, listening on localhost).
TELNETCONSOLE_ENABLED = False

# Nor Scrapy's remote-control HTTP server, which runs Python code sent to it (default
# on since Scrapy 2.19, listening on localhost with a token written to a job file):
# any local process that can read that file could run code inside the crawl.
REMOTE_CONTROL_ENABLED = False

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
    """These settings (upper-case names of this module) plus ``overrides``; the
    User-Agent and the allowed private networks are read again, so the config file
    and the environment of this run apply."""
    values = {k: v for k, v in globals().items() if k.isupper() and k != "QUIET_LOGGERS"}
    values["USER_AGENT"] = user_agent()
    values["TWINWATCH_ALLOW_PRIVATE"] = [str(n) for n in load_policy().allowed]
    values.update(overrides or {})
    _left_out(values)
    return values


COMPONENTS = ("EXTENSIONS", "DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "ITEM_PIPELINES")
"""Scrapy's settings of components, each merged with its ``_BASE`` (Scrapy's defaults)."""


def _left_out(values: dict[str, Any]) -> None:
    """Take each component switched off (``None``) out of Scrapy's default list
    (``EXTENSIONS_BASE`` and the like) instead of overriding it: Scrapy imports every
    component a setting names, ``None`` or not, to compare it with its defaults, so an
    extension switched off was imported all the same (the cookies middleware imports
    tldextract and requests, the remote control aiohttp's web server: a tenth of a
    second before a crawl's first request, bench/portals). The crawl is the same."""
    from scrapy.settings import default_settings

    for name in COMPONENTS:
        own = values.get(name) or {}
        base = dict(values.get(f"{name}_BASE") or getattr(default_settings, f"{name}_BASE"))
        off = {k for k, v in own.items() if v is None and isinstance(k, str) and k in base}
        values[f"{name}_BASE"] = {k: v for k, v in base.items() if k not in off}
        values[name] = {k: v for k, v in own.items() if k not in off}
