"""What a crawl process loads before its first request: nothing it switched off
(spiders/settings.py), not numpy (monitor/store/db.py), no feed reader
(monitor/ingest/kinds.py, monitor/ingest/extract/feeds.py). Each import is time before
a portal sync's first request (bench/portals)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CRAWL = """
import json, sys
import scrapy
from scrapy.crawler import AsyncCrawlerProcess
from monitor.store.db import open_db
from spiders import hooks, portal, settings

class Nothing(scrapy.Spider):
    name = "nothing"
    async def start(self):
        return
        yield

db = open_db(sys.argv[1])
db.close()
process = AsyncCrawlerProcess(settings.as_dict({"ITEM_PIPELINES": {}}))
crawler = process.create_crawler(Nothing)
process.crawl(crawler)
process.start(install_signal_handlers=False)
downloader = [type(m).__name__ for m in crawler.engine.downloader.middleware.middlewares]
spider = [type(m).__name__ for m in crawler.engine.scraper.spidermw.middlewares]
loaded = [m for m in ("numpy", "feedparser", "tldextract", "requests", "twisted.conch", "aiohttp.web",
                      "scrapy.downloadermiddlewares.cookies", "scrapy.extensions.telnet",
                      "scrapy.extensions.feedexport") if m in sys.modules]
print(json.dumps([loaded, downloader, spider]))
"""


def test_a_crawl_imports_nothing_it_switched_off(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-c", CRAWL, str(tmp_path / "t.db")], cwd=ROOT, capture_output=True,
                         text=True, timeout=120, check=True)
    loaded, downloader, spider = json.loads(out.stdout.strip().splitlines()[-1])
    assert loaded == []
    # the crawl's own middlewares are all there, Scrapy's switched-off ones are not
    assert {"NetPolicyMiddleware", "RobotsPolicyMiddleware", "RetryAfterMiddleware", "MetaRefresh",
            "HostSlotMiddleware", "HostBreakerMiddleware", "RetryMiddleware",
            "HttpCompressionMiddleware", "RedirectMiddleware"} <= set(downloader)
    assert not {"CookiesMiddleware", "DownloaderStats", "HttpCacheMiddleware", "OffsiteMiddleware",
                "HttpProxyMiddleware", "RobotsTxtMiddleware"} & set(downloader)
    assert "HttpErrorMiddleware" in spider
    assert not {"MetaCopyDetectionMiddleware", "RefererMiddleware", "DepthMiddleware"} & set(spider)


def test_numpy_loads_where_it_is_used() -> None:
    """Hidden from sqlite-utils only while it is imported: the analyzers still have it."""
    code = ("import sys, monitor.store.db; a = 'numpy' in sys.modules; import numpy; "
            "print(a, numpy.zeros(2).tolist())")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                         check=True)
    assert out.stdout.strip() == "False [0.0, 0.0]"


def _one_page_source(tmp_path: Path) -> tuple[dict[str, str], str]:
    """The environment of a ``twinwatch`` run in ``tmp_path`` (no config, loopback allowed)
    and its database, holding one page source on a port nobody listens on."""
    env = {"TWINWATCH_CONFIG": str(tmp_path / "none.toml"), "TWINWATCH_LOG_DIR": str(tmp_path / "log"),
           "TWINWATCH_ALLOW_PRIVATE": "127.0.0.0/8", "PATH": "/usr/bin:/bin"}
    db = str(tmp_path / "t.db")
    subprocess.run([sys.executable, "-m", "monitor", "--db", db, "sources", "add", "http://127.0.0.1:9/p"],
                   cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True)
    return env, db


def test_the_crawl_command_reads_no_feed_module_before_a_feed(tmp_path: Path) -> None:
    """``twinwatch crawl`` of a page source, as cron runs it (every plugin it loads, the
    portal kinds included): feedparser is imported only when a feed is read."""
    env, db = _one_page_source(tmp_path)
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "monitor", "--db", db, "crawl", "--all",
                          "--quiet", "--timeout", "2"], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    imported = {line.rsplit("|", 1)[-1].strip() for line in out.stderr.splitlines()
                if line.startswith("import time")}
    assert "scrapy" in imported  # the crawl did start
    assert not {m for m in imported if m == "feedparser" or m.startswith("feedparser.")}


WARM_FIRST = """
import sys
from monitor.ingest import workers
from monitor.cli import main

seen = []
warm = workers.ExtractPool.warm
def noting(self):
    seen.append("scrapy" in sys.modules)
    warm(self)
workers.ExtractPool.warm = noting
sys.argv = ["twinwatch", "--db", sys.argv[1], "crawl", "--all", "--quiet", "--timeout", "2"]
try:
    main()
except SystemExit:
    pass
print("warmed with scrapy loaded:", seen, "scrapy in the end:", "scrapy" in sys.modules)
"""


def test_a_crawl_starts_its_extraction_forkserver_before_it_imports_scrapy(tmp_path: Path) -> None:
    """The forkserver loads the extraction code on the other core while this process
    imports Scrapy and aiohttp (half a second), not after (spiders/hooks.py)."""
    env, db = _one_page_source(tmp_path)
    out = subprocess.run([sys.executable, "-c", WARM_FIRST, db], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert "warmed with scrapy loaded: [False] scrapy in the end: True" in out.stdout, out.stdout + out.stderr
