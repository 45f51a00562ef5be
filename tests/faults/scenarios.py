"""The fault scenarios, one table shared by ``tests/faults`` and ``bench/faults``.

Each scenario is one source on its own loopback site (see ``server.py``) with what
the first crawl must record for it (outcome, message), what the second crawl of the
unchanged scenario must record (no change invented), and a bound on its fetch
time. Scenarios that succeed (a mislabelled charset) name a text the stored version
must contain. Scenarios are grouped by the crawl options they need; each group runs
in one ``twinwatch crawl`` process together with healthy control sources.

Redirects to private addresses and file modes belong to the security-policy suite,
not here.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.faults import bodies as b
from tests.faults.server import Reply, Site, text_reply

HTML = "text/html; charset=utf-8"
RSS = "application/rss+xml"
ENORMOUS_ENTRIES = int(os.environ.get("TWINWATCH_FAULT_FEED_ENTRIES", "30000"))
"""Entries of the enormous feed: 30,000 (2.4 MB) in CI to keep the suite short;
``bench/faults`` serves 100,000 (8 MB) unless told otherwise."""
FAILURES = (
    "http-error",
    "network-error",
    "timeout",
    "too-large",
    "redirect-loop",
    "robots",
    "parse-error",
    "blocked",
)


@dataclass(frozen=True)
class Lab:
    """What a scenario's setup may use besides its site."""

    secret_file: Path
    """A local file holding :data:`bodies.SECRET` that hostile links point at."""


@dataclass(frozen=True)
class Group:
    name: str
    args: tuple[str, ...]
    """Options of the ``twinwatch crawl`` runs of this group."""
    max_wall_s: float
    """Bound on one crawl of the whole group (process start included)."""
    max_rss_mb: float
    """Bound on the crawl process's peak resident memory."""


GROUPS = {
    "net": Group("net", ("--timeout", "2", "--max-size", "2000000"), 45, 400),
    "content": Group("content", ("--timeout", "10"), 45, 400),
    "huge": Group("huge", ("--timeout", "30"), 120, 600),
}


@dataclass(frozen=True)
class Scenario:
    name: str
    group: str
    setup: Callable[[Site, Lab], str]
    """Put the scenario's routes on its site; return the source URL."""
    expect: tuple[str, ...]
    """Outcomes the first crawl may record."""
    message: str = ""
    """Text the recorded message must contain (case-insensitive), for failures."""
    kind: str = "page"
    contains: str = ""
    """Text the stored version must contain (for scenarios that must succeed)."""
    never: tuple[str, ...] = ()
    """Paths the crawler must never request (a page behind a robots.txt that errors)."""
    absent: tuple[str, ...] = ()
    """Texts nothing stored for the source may contain (mojibake, a local file's secret)."""
    between: Callable[[Site, Lab], None] | None = None
    """Change the site between the two crawls (the scenario then expects ``changes``)."""
    changes: int = 0
    """Changes the second crawl must report (0: nothing may be invented)."""
    max_s: float = 15.0
    """Bound on the source's fetch time (request to result, retries included)."""

    @property
    def fails(self) -> bool:
        return all(o in FAILURES for o in self.expect)


def route(path: str, reply: Reply) -> Callable[[Site, Lab], str]:
    return lambda site, lab: site.set(path, reply)


def _page(path: str, body: bytes, ctype: str = HTML, **kw: object) -> Callable[[Site, Lab], str]:
    return route(path, text_reply(body, ctype, **kw))


def _redirect_loop(site: Site, lab: Lab) -> str:
    site.set("/a", Reply(status=302, headers=[("Location", "/b")]))
    site.set("/b", Reply(status=302, headers=[("Location", "/a")]))
    return site.url("/a")


def _redirect_chain(site: Site, lab: Lab) -> str:
    for i in range(12):
        site.set(f"/hop{i}", Reply(status=301, headers=[("Location", f"/hop{i + 1}")]))
    site.set("/hop12", text_reply(b.healthy_page("end of chain"), HTML))
    return site.url("/hop0")


def _redirect_to(location: str) -> Callable[[Site, Lab], str]:
    def setup(site: Site, lab: Lab) -> str:
        return site.set(
            "/moved",
            Reply(status=302, headers=[("Location", location.replace("{secret}", str(lab.secret_file)))]),
        )

    return setup


def _robots(reply: Reply) -> Callable[[Site, Lab], str]:
    def setup(site: Site, lab: Lab) -> str:
        site.set("/robots.txt", reply)
        return site.set("/page.html", text_reply(b.healthy_page("behind robots"), HTML))

    return setup


def _hostile_links(site: Site, lab: Lab) -> str:
    for i in range(2):
        site.set(f"/news/ok{i}.html", text_reply(b.article_page(i), HTML))
    return site.set(
        "/feed.xml", text_reply(b.hostile_links_feed(site.url(""), str(lab.secret_file), new=False), RSS)
    )


def _hostile_links_new(site: Site, lab: Lab) -> None:
    site.set("/feed.xml", text_reply(b.hostile_links_feed(site.url(""), str(lab.secret_file), new=True), RSS))


def _retry_after(seconds: int, then: Reply | None) -> Reply:
    return Reply(
        b"busy",
        status=429,
        headers=[("Content-Type", "text/plain"), ("Retry-After", str(seconds))],
        then=then,
    )


NET = [
    Scenario("connect-then-hang", "net", route("/hang", Reply(silent=60)), ("timeout",), "timed out"),
    Scenario(
        "headers-then-hang",
        "net",
        route("/hang", Reply(b.healthy_page("h"), hang_after_headers=60, headers=[("Content-Type", HTML)])),
        ("timeout",),
        "timed out",
    ),
    Scenario(
        "slow-drip",
        "net",
        route(
            "/drip", Reply(b.healthy_page("drip"), drip=0.05, drip_chunk=10, headers=[("Content-Type", HTML)])
        ),
        ("timeout",),
        "timed out",
    ),
    Scenario("http-500", "net", route("/err", text_reply("oops", status=500)), ("http-error",), "HTTP 500"),
    Scenario("http-503", "net", route("/err", text_reply("down", status=503)), ("http-error",), "HTTP 503"),
    Scenario(
        "429-retry-after-1s",
        "net",
        route("/busy", _retry_after(1, text_reply(b.healthy_page("after waiting"), HTML))),
        ("new",),
        contains="after waiting",
    ),
    Scenario(
        "429-retry-after-1h",
        "net",
        route("/busy", _retry_after(3600, None)),
        ("http-error",),
        "Retry-After 3600",
    ),
    Scenario("redirect-loop", "net", _redirect_loop, ("redirect-loop",), "too many redirects"),
    Scenario("redirect-chain-12", "net", _redirect_chain, ("redirect-loop",), "too many redirects"),
    Scenario(
        "redirect-to-ftp", "net", _redirect_to("ftp://127.0.0.1/pub/x.html"), ("refused",),
        "only http and https", absent=(b.SECRET,)
    ),
    Scenario("redirect-to-file", "net", _redirect_to("file://{secret}"), ("refused",),
             "only http and https", absent=(b.SECRET,)),
    Scenario(
        "connection-reset",
        "net",
        route("/reset", Reply(reset=True)),
        ("network-error",),
        "closed the connection",
    ),
    Scenario(
        "truncated-body",
        "net",
        route("/cut", Reply(b.healthy_page("cut"), length=200_000, headers=[("Content-Type", HTML)])),
        ("network-error",),
        "whole body",
    ),
    Scenario(
        "oversize-declared", "net", _page("/big", b"<p>" + b"x" * 3_000_000 + b"</p>"), ("too-large",), "size"
    ),
    Scenario(
        "oversize-streamed",
        "net",
        route(
            "/big",
            Reply(b"<p>" + b"x" * 3_000_000 + b"</p>", no_length=True, headers=[("Content-Type", HTML)]),
        ),
        ("too-large",),
        "size",
    ),
    Scenario(
        "gzip-bomb",
        "net",
        route("/bomb", Reply(b.gzip_bomb(), headers=[("Content-Type", HTML), ("Content-Encoding", "gzip")])),
        ("too-large",),
        "size limit",
    ),
    Scenario(
        "brotli-bomb",
        "net",
        route("/bomb", Reply(b.brotli_bomb(), headers=[("Content-Type", HTML), ("Content-Encoding", "br")])),
        ("too-large",),
        "size limit",
    ),
    Scenario(
        "robots-500",
        "net",
        _robots(text_reply("oops", status=500)),
        ("robots",),
        "HTTP 500",
        never=("/page.html",),
    ),
    Scenario(
        "robots-hang",
        "net",
        _robots(Reply(silent=60)),
        ("timeout",),
        "robots.txt unreachable",
        never=("/page.html",),
    ),
    Scenario(
        "robots-headers-then-hang",
        "net",
        _robots(Reply(b"User-agent: *\n", hang_after_headers=60, headers=[("Content-Type", "text/plain")])),
        ("timeout",),
        "robots.txt unreachable",
        never=("/page.html",),
    ),
    Scenario(
        "robots-reset",
        "net",
        _robots(Reply(reset=True)),
        ("network-error",),
        "robots.txt unreachable",
        never=("/page.html",),
    ),
]

CONTENT = [
    Scenario("empty-body", "content", _page("/empty", b""), ("parse-error",), "no text"),
    Scenario("whitespace-body", "content", _page("/blank", b" \r\n\t " * 2000), ("parse-error",), "no text"),
    Scenario("binary-as-html", "content", _page("/blob.html", b.binary_blob()), ("parse-error",), "binary"),
    Scenario(
        "cp1252-declared-utf8",
        "content",
        _page("/cp.html", b.accented_page("utf-8").encode("cp1252"), "text/html; charset=utf-8"),
        ("new",),
        contains="Mönchengladbach",
        absent=("\ufffd",),
    ),
    Scenario(
        "latin1-no-charset",
        "content",
        _page("/l1.html", b.accented_page().encode("latin-1"), "text/html"),
        ("new",),
        contains="Mönchengladbach",
        absent=("\ufffd",),
    ),
    Scenario(
        "utf8-no-charset",
        "content",
        _page("/u8.html", b.accented_page().encode("utf-8"), "text/html"),
        ("new",),
        contains="Mönchengladbach",
        absent=("Ã",),
    ),
    Scenario(
        "header-latin1-meta-utf8",
        "content",
        _page("/conflict.html", b.accented_page("utf-8").encode("utf-8"), "text/html; charset=iso-8859-1"),
        ("new",),
        contains="Mönchengladbach",
        absent=("Ã",),
    ),
    Scenario(
        "header-utf8-meta-latin1",
        "content",
        _page("/conflict2.html", b.accented_page("iso-8859-1").encode("latin-1"), "text/html; charset=utf-8"),
        ("new",),
        contains="Mönchengladbach",
        absent=("\ufffd",),
    ),
    Scenario(
        "unknown-charset",
        "content",
        _page(
            "/x.html", b.accented_page("x-no-such-charset").encode("utf-8"), "text/html; charset=x-klingon"
        ),
        ("new",),
        contains="Mönchengladbach",
        absent=("Ã",),
    ),
    Scenario(
        "pdf-corrupt",
        "content",
        _page("/minutes.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog" + b"\x00" * 500, "application/pdf"),
        ("parse-error",),
        "pdf",
        kind="document",
    ),
]

FEEDS = [
    Scenario(
        "feed-ill-formed",
        "content",
        _page(
            "/broken.xml",
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>B & B</title>'
            b"<item><guid>1</guid><title>Twinning <b>renewed</title><link>/n/1</link></item>"
            b"<item><guid>2</guid><title>Second",
            RSS,
        ),
        ("new", "parse-error"),
        kind="feed",
    ),
    Scenario(
        "feed-not-a-feed",
        "content",
        _page("/notfeed.xml", b.healthy_page("not a feed"), "text/html"),
        ("parse-error",),
        "not",
        kind="feed",
    ),
    Scenario(
        "feed-garbage-bytes",
        "content",
        _page("/garbage.xml", b.binary_blob(4096), RSS),
        ("parse-error",),
        "",
        kind="feed",
    ),
    Scenario(
        "json-feed-broken",
        "content",
        _page(
            "/feed.json",
            b'{"version": "https://jsonfeed.org/version/1.1", "items": [',
            "application/feed+json",
        ),
        ("parse-error",),
        "JSON",
        kind="feed",
    ),
    Scenario(
        "feed-quadratic-entities",
        "content",
        _page("/q.xml", b.quadratic_feed(), RSS),
        ("new", "parse-error"),
        kind="feed",
        max_s=20,
    ),
    Scenario(
        "feed-billion-laughs",
        "content",
        _page("/lol.xml", b.billion_laughs_feed(), RSS),
        ("new", "parse-error"),
        kind="feed",
        max_s=20,
    ),
    Scenario(
        "feed-enormous",
        "huge",
        lambda site, lab: site.set("/huge.xml", text_reply(b.enormous_feed(ENORMOUS_ENTRIES), RSS)),
        ("new",),
        kind="feed",
        max_s=90,
    ),
    Scenario(
        "feed-hostile-links",
        "content",
        _hostile_links,
        ("new",),
        kind="feed",
        between=_hostile_links_new,
        changes=5,
        absent=(b.SECRET,),
    ),
]

SCENARIOS = NET + CONTENT + FEEDS


def by_group(names: set[str] | None = None) -> dict[str, list[Scenario]]:
    """The scenarios (all, or the named ones) by group, in table order."""
    out: dict[str, list[Scenario]] = {}
    for s in SCENARIOS:
        if names is None or s.name in names:
            out.setdefault(s.group, []).append(s)
    return out
