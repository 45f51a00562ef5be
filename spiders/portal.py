"""The ``portal`` spider: one council-decision portal per source (OParl and the like),
walked list page by list page within a request budget, incrementally.

A portal is an API of lists: an entry point, lists of bodies, and per body lists of
papers, meetings, agenda items, each in pages linked by ``next``. Which links a page
has, and how a list is asked for what changed since a time (OParl's
``modified_since``), is the source kind's ``links(source, page)`` function, given the
source with ``last_modified`` set to that time, and each page as a
:class:`~monitor.models.FetchResult` whose ``key`` is the key of the link that led
there (``None`` for the entry point). A kind whose API base answers nothing itself
(a JSON:API base: ``lblod``) names its first pages with ``start(source)`` instead of
the entry point. The spider only walks: depth first (a list is
read to its end before the next), one request at a time per source, each URL at
most once a run (a ``next`` link back to a page already read fails the source).

Per run it makes at most ``TWINWATCH_PORTAL_BUDGET`` requests and keeps at most
``TWINWATCH_PORTAL_MAX_BYTES`` of pages, then yields ONE FetchResult for the source:
a JSON document (``{"portal", "url", "since", "baseline", "complete", "requests",
"pages": [{"key", "url", "text"}]}``) that the kind's ``extract`` reads into entries.
A page's ``text`` is the answer as fetched, decoded by its declared charset: JSON for
most portals, XML for ModernGov's web service. Requests ask for either (``Accept``);
which one a page must be is the kind's to check, in ``links``.

Each page kept is also handed on as it is read, right after the walk's next request, as
a :class:`~monitor.models.PageRead` (its text in UTF-8) when the kind can read pages
ahead (``SourceKind.read_ahead``): ingest lets the kind read the page's entries while
the portal answers, so that the result, once the walk ends, is not read whole after
the last answer. The result alone is stored, and holds every page all the same.

The sync state travels in that result's headers and is stored by ingest as the
source's validators (``source_state``; never sent as HTTP headers by this spider):

* ``last-modified``: the watermark, the portal's own time (its ``Date`` header) when
  the last complete sync began. The next sync asks for what changed since the
  watermark less ``TWINWATCH_PORTAL_OVERLAP_S`` (clocks and slow writers); the first
  goes back ``TWINWATCH_PORTAL_WINDOW_DAYS``.
* ``etag``: the resume cursor when the budget ran out: the links still to read, the
  time asked for and when the sync began. The next run goes on from there.

Conditional requests: a page answered with an ``ETag`` or ``Last-Modified`` has its
validators kept in the same state (the ``etag`` object's ``portal-validators``, by URL,
at most :data:`MAX_VALIDATORS`), and is asked for again with ``If-None-Match`` /
``If-Modified-Since``. A 304 means the page did not change: it is not kept in the
document (nothing of it is read again), and the links it leads to are the kind's
``links`` of the page as it was, whose text is kept with its validators when it led
somewhere and is at most :data:`MAX_KEPT_TEXT` (a page too large to keep is asked for
unconditionally). A page that led nowhere (a meeting's agenda, the last page of a
list) keeps its validators only: the same URL and the same answer lead nowhere again.

A failed fetch or a page the kind cannot read fails the source with a readable
message: nothing of the run is stored and the state stays as it was, so the next
run tries the same pages again; what earlier runs stored is kept.

Attachments (a kind's ``attachments(source, page)``: the PDFs of new or changed items
whose text the portal does not give) are fetched right after the page that names
them, within the same request budget and ``TWINWATCH_PORTAL_MAX_BYTES`` (each at most
``DOWNLOAD_MAXSIZE``), each URL once a run, and none in a first sync (a baseline). They
travel as raw bytes in the result's ``attachments``, not in the JSON document: the
kind's ``extract`` reads a PDF with the ``document`` kind's extractor, in ingest,
where text extraction belongs (spiders only fetch), and ingest already carries
attachments whole (worker processes, JSON Lines). A document that fails (HTTP 404,
over the size limit, refused) is an attachment with its error, never a failure of
the source. When a page's documents do not fit in what is left of the budget, the
page is left for the next run, read first (unless it is the run's first page: then
the documents past the budget are recorded as not fetched).
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import re
import time
from codecs import BOM_UTF8
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import scrapy
from scrapy.http import JsonResponse, Response, TextResponse
from scrapy.responsetypes import responsetypes
from twisted.python.failure import Failure

from monitor.models import FetchResult, Link, PageRead, Source
from spiders.base import (
    SourceSpider,
    _followable,
    _headers,
    conditional_headers,
    describe_failure,
    interleave,
    redirects,
)

# JSON:API's media type (Lokaal Beslist's pages) is JSON to Scrapy too: not knowing it,
# Scrapy sniffed the first 5,000 bytes of each page, one by one in Python, for a binary
# byte before it made the response (half a millisecond a page, before its next request).
responsetypes.classes.setdefault("application/vnd.api+json", JsonResponse)

ACCEPT = "application/json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
"""Portals answer JSON (OParl, JSON:API) or XML (an ASP.NET web service such as
ModernGov's); one header for all, so that no kind's pages are refused by content type."""

CURSOR = "portal-cursor"
"""Marks a stored ``etag`` that is a portal's resume cursor (a JSON object)."""
VALIDATORS = "portal-validators"
"""The stored ``etag`` object's validators of the pages that gave them, by URL."""
MAX_VALIDATORS = 2000
"""Pages whose validators are kept (the most recently read): a ModernGov council's
committees, their meeting lists and a year and a half of meetings."""
MAX_KEPT_TEXT = 32 * 1024
"""The largest page kept whole for a 304 (a list that led somewhere); its links are
worked out again from it. A meeting list of a committee's date window is a few KB."""
MAX_KEPT_TOTAL = 512 * 1024
"""All kept pages of a source together: the oldest lose their text past it."""
ENCODE_DELAY = 0.005
"""Seconds from a page's answer to its encoding for the result: the walk's next
request, yielded before, leaves within a few milliseconds (bench/portals: 3-5 ms from
an answer to the next request), and must not wait for it."""


def iso(moment: datetime) -> str:
    """``2025-03-01T08:00:00+00:00``: the date-time form OParl's filters take."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _state(etag: str | None) -> dict[str, Any]:
    if not etag or not etag.startswith("{"):
        return {}
    try:
        state = json.loads(etag)
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}


def read_cursor(etag: str | None) -> dict[str, Any] | None:
    """The resume cursor stored as a source's ``etag``, or ``None``."""
    cursor = _state(etag)
    return cursor if cursor.get(CURSOR) == 1 else None


def read_validators(etag: str | None) -> dict[str, dict[str, Any]]:
    """The pages' validators stored in a source's ``etag`` object, by URL."""
    found = _state(etag).get(VALIDATORS)
    return {u: v for u, v in found.items() if isinstance(v, dict)} if isinstance(found, dict) else {}


def kept(validators: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The validators to store: the :data:`MAX_VALIDATORS` most recent, the oldest kept
    pages losing their text past :data:`MAX_KEPT_TOTAL`."""
    recent = list(validators.items())[-MAX_VALIDATORS:]
    out: dict[str, dict[str, Any]] = {}
    total = 0
    for url, v in reversed(recent):
        text = v.get("text")
        if isinstance(text, str):
            total += len(text)
            if total > MAX_KEPT_TOTAL:
                v = {k: x for k, x in v.items() if k != "text"}
        out[url] = v
    return dict(reversed(out.items()))


@dataclass
class Walk:
    """One source's walk through its portal in this run."""

    source: Source
    asking: Source
    """The source as the kind's ``links`` sees it: ``last_modified`` is the time asked for."""
    since: str
    baseline: bool
    frontier: list[Link]
    started: str | None = None
    """The portal's time when this sync began (its first ``Date`` header)."""
    began: float = field(default_factory=time.monotonic)
    requests: int = 0
    size: int = 0
    pages: list[dict[str, Any]] = field(default_factory=list)
    """The pages kept and not yet :meth:`encode`-d."""
    encoded: list[bytes] = field(default_factory=list)
    """The pages kept, each as its JSON in the result's document (UTF-8)."""
    seen: set[str] = field(default_factory=set)
    pending: list[Link] = field(default_factory=list)
    """The last page's attachments still to fetch (before the next page)."""
    attachments: list[FetchResult] = field(default_factory=list)
    asked: set[str] = field(default_factory=set)
    """Attachment URLs fetched (or tried) this run: each once."""
    validators: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The pages' validators (see the module docstring), the most recently read last."""
    not_modified: int = 0
    """Pages answered 304 this run."""

    def encode(self) -> None:
        """Encode the pages kept so far for the result's document, letting their text go."""
        for page in self.pages:
            self.encoded.append(json.dumps(page, ensure_ascii=False).encode("utf-8"))
        self.pages.clear()


class PortalSpider(SourceSpider):
    """Walks each portal source's lists within the request budget; one FetchResult per source."""

    name = "portal"
    # A walk has one request in flight per source, and the per-host limit of one holds
    # across sources: AutoThrottle's randomised delay only adds idle time between a
    # page and the next (20 ms a page at 50 ms a page: bench/portals). Crawl-delay and
    # Retry-After still apply (spiders/robots.py, spiders/middlewares.py).
    custom_settings = {"AUTOTHROTTLE_ENABLED": False}

    async def start(self) -> AsyncIterator[Any]:
        settings = self.settings
        self.budget = max(1, settings.getint("TWINWATCH_PORTAL_BUDGET", 300))
        self.max_bytes = settings.getint("TWINWATCH_PORTAL_MAX_BYTES", 64 * 1024 * 1024)
        self.max_size = settings.getint("DOWNLOAD_MAXSIZE", 10 * 1024 * 1024)
        window = timedelta(days=settings.getfloat("TWINWATCH_PORTAL_WINDOW_DAYS", 365))
        overlap = timedelta(seconds=settings.getfloat("TWINWATCH_PORTAL_OVERLAP_S", 3600))
        for source in interleave(self.sources):
            walk = self._walk(source, window, overlap)
            yield self._request(walk)

    def _walk(self, source: Source, window: timedelta, overlap: timedelta) -> Walk:
        cursor = read_cursor(source.etag)
        if cursor is not None:  # a sync the budget cut short: go on where it stopped
            since = str(cursor["since"])
            frontier = [Link(k, u) for k, u in cursor.get("frontier") or []]
            asking = dataclasses.replace(source, last_modified=since)
            walk = Walk(source, asking, since, bool(cursor.get("baseline")),
                        frontier or self._first(asking), started=cursor.get("started"),
                        validators=read_validators(source.etag))
            return walk
        mark = _parse_time(source.last_modified)
        since = iso((mark - overlap) if mark else datetime.now(UTC) - window)
        asking = dataclasses.replace(source, last_modified=since)
        # No watermark yet: a first sync, stored as a baseline however many runs it takes.
        return Walk(source, asking, since, mark is None, self._first(asking),
                    validators=read_validators(source.etag))

    def _first(self, asking: Source) -> list[Link]:
        """The first pages: the kind's ``start`` links (an API base that answers nothing
        itself), else the source's URL as the entry point."""
        start = self.kind.start if self.kind is not None else None
        return (start(asking) if start else None) or [Link("", asking.url)]

    def _request(self, walk: Walk) -> scrapy.Request:
        link = walk.frontier.pop(0)
        walk.seen.add(link.url)
        walk.requests += 1
        headers = {"Accept": ACCEPT}
        known = walk.validators.get(link.url)
        if known and ("text" in known or known.get("leaf")):
            headers.update(conditional_headers(known.get("etag"), known.get("last-modified")))
        return scrapy.Request(
            link.url, callback=self.parse_page, errback=self.page_failed, dont_filter=True,
            headers=headers,
            meta={"source": walk.source, "walk": walk, "link": link, "started": walk.began,
                  "handle_httpstatus_list": [304]},
        )

    def parse_page(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        walk: Walk = response.meta["walk"]
        link: Link = response.meta["link"]
        if walk.started is None:
            walk.started = iso(_server_time(response))
        known = walk.validators.pop(link.url, None)
        unchanged = response.status == 304 and known is not None
        if unchanged:
            assert known is not None
            walk.not_modified += 1
            walk.validators[link.url] = known  # read now: the most recent
            if "text" not in known:
                yield from self._go_on(walk)  # a page that led nowhere leads nowhere again
                return
            body = str(known["text"]).encode("utf-8")
            page = FetchResult(walk.source.id, link.url, 200, _headers(response), body,
                               run_id=self.run_id, key=link.key or None)
        else:
            page = FetchResult(walk.source.id, response.url, response.status, _headers(response),
                               response.body, run_id=self.run_id, key=link.key or None)
        assert self.kind is not None and self.kind.links is not None
        try:
            found = self.kind.links(walk.asking, page)
        except Exception as exc:  # the kind says why the page cannot be read
            yield self._failed(walk, "parse-error", f"{_short(response.url)}: {exc}", response.status)
            return
        fresh: list[Link] = []
        for new in found:
            if new.url in walk.seen or any(new.url == f.url for f in fresh):
                yield self._failed(walk, "parse-error",
                                   f"a next link that loops, stopped: {response.url} links back "
                                   f"to {new.url}, a page already read this run", response.status)
                return
            if not _followable(new.url):
                yield self._failed(walk, "parse-error",
                                   f"{response.url} links to {new.url!r}, not an http(s) URL",
                                   response.status)
                return
            fresh.append(new)
        try:
            wanted = self._wanted(walk, page)
        except Exception as exc:
            yield self._failed(walk, "parse-error", f"{_short(response.url)}: {exc}", response.status)
            return
        if unchanged:  # nothing of it to read again: only where it leads
            walk.frontier[:0] = fresh
            yield from self._go_on(walk)
            return
        self._validate(walk, link.url, response, bool(found))
        room = self.budget - walk.requests
        if len(wanted) > room and (walk.pages or walk.encoded):
            # its documents do not fit: the page is read first next run, with them
            walk.frontier.insert(0, link)
            yield self._done(walk)
            return
        walk.size += len(response.body)
        utf8 = _utf8(response)
        text = _text(response, utf8)
        walk.pages.append({"key": link.key, "url": response.url, "text": text})
        walk.frontier[:0] = fresh  # depth first: this list's next page before the other lists
        walk.pending = wanted[:room]
        for skipped in wanted[room:]:
            walk.attachments.append(self._not_fetched(walk, skipped, "the run's request budget ran out"))
        after = list(self._go_on(walk))
        yield from after
        if not all(isinstance(r, scrapy.Request) for r in after):
            return  # the walk's end: its result holds the page
        # Encoded for the result once the next request is out (a few ms: as the read
        # ahead below), so that neither that request nor the result, after the walk's
        # last answer, waits for it (a Lokaal Beslist sync: 0.15 s after its last answer).
        asyncio.get_running_loop().call_later(ENCODE_DELAY, walk.encode)
        if self.kind.read_ahead is not None:
            # After the next request (which goes out first): ingest may read the page
            # while the portal answers; past the walk's end it would come too late.
            # The answer's own bytes when they are the text in UTF-8 (most JSON): the
            # kind then reads the page as parsed for its links, not parsed again.
            yield PageRead(walk.source, FetchResult(
                walk.source.id, response.url, 200, {"content-type": "text/plain; charset=utf-8"},
                response.body if utf8 else text.encode("utf-8", "surrogatepass"), run_id=self.run_id,
                key=link.key or None))

    def _validate(self, walk: Walk, url: str, response: Response, led: bool) -> None:
        """Keep the validators the page gave (and, when it led somewhere, its text)."""
        etag = response.headers.get(b"ETag")
        modified = response.headers.get(b"Last-Modified")
        if response.status != 200 or not (etag or modified):
            return
        entry: dict[str, Any] = {"etag": etag.decode("latin-1") if etag else None,
                                 "last-modified": modified.decode("latin-1") if modified else None}
        if not led:
            entry["leaf"] = True
        elif len(response.body) <= MAX_KEPT_TEXT:
            entry["text"] = _text(response)
        else:
            return  # too large to keep: asked for unconditionally, its links worked out anew
        walk.validators[url] = entry

    def _wanted(self, walk: Walk, page: FetchResult) -> list[Link]:
        """The page's attachments to fetch: none in a first sync, each URL once a run."""
        assert self.kind is not None
        if walk.baseline or self.kind.attachments is None:
            return []
        out = []
        for doc in self.kind.attachments(walk.source, page):
            if doc.url not in walk.asked and _followable(doc.url):
                walk.asked.add(doc.url)
                out.append(doc)
        return out

    def _go_on(self, walk: Walk) -> Iterator[Any]:
        if walk.pending:
            left = self.max_bytes - walk.size
            if left > 0:
                yield self._attachment(walk, walk.pending.pop(0), min(left, self.max_size))
                return
            walk.attachments.extend(self._not_fetched(walk, doc, "the run's size limit was reached")
                                    for doc in walk.pending)
            walk.pending = []
        if walk.frontier and walk.requests < self.budget and walk.size < self.max_bytes:
            yield self._request(walk)
        else:
            yield self._done(walk)

    def _attachment(self, walk: Walk, doc: Link, maxsize: int) -> scrapy.Request:
        walk.requests += 1
        return scrapy.Request(
            doc.url, callback=self.parse_attachment, errback=self.attachment_failed, dont_filter=True,
            meta={"source": walk.source, "walk": walk, "link": doc, "started": walk.began,
                  "download_maxsize": maxsize},
        )

    def parse_attachment(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        walk: Walk = response.meta["walk"]
        walk.size += len(response.body)
        walk.attachments.append(FetchResult(
            walk.source.id, response.url, response.status, _headers(response), response.body,
            run_id=self.run_id, key=response.meta["link"].key, redirects=redirects(response.meta)))
        yield from self._go_on(walk)

    def attachment_failed(self, failure: Failure) -> Iterator[Any]:
        """A document that cannot be had is recorded with its error; the walk goes on."""
        request = failure.request  # type: ignore[attr-defined]
        walk: Walk = request.meta["walk"]
        kind, message, status = describe_failure(failure)
        walk.attachments.append(FetchResult(walk.source.id, request.url, status, error_kind=kind,
                                            error=message, run_id=self.run_id,
                                            key=request.meta["link"].key))
        yield from self._go_on(walk)

    def _not_fetched(self, walk: Walk, doc: Link, why: str) -> FetchResult:
        return FetchResult(walk.source.id, doc.url, None, error_kind="not-fetched",
                           error=f"not fetched: {why}", run_id=self.run_id, key=doc.key)

    def _done(self, walk: Walk) -> FetchResult:
        source = walk.source
        complete = not walk.frontier
        headers = {"content-type": "application/json"}
        state: dict[str, Any] = {}
        if complete:  # the next sync asks for what changed since this one began
            headers["last-modified"] = walk.started or iso(datetime.now(UTC))
        else:
            if source.last_modified:  # the watermark stays until a sync is complete
                headers["last-modified"] = source.last_modified
            state = {CURSOR: 1, "since": walk.since, "started": walk.started, "baseline": walk.baseline,
                     "frontier": [[f.key, f.url] for f in walk.frontier]}
        if walk.validators:
            state[VALIDATORS] = kept(walk.validators)
        if state:
            headers["etag"] = json.dumps(state, ensure_ascii=False)
        walk.encode()
        head = json.dumps({
            "portal": self.kind.name if self.kind else "", "url": source.url, "since": walk.since,
            "baseline": walk.baseline, "complete": complete, "requests": walk.requests,
            "not_modified": walk.not_modified, "pages": []}, ensure_ascii=False).encode("utf-8")
        # The document as json.dumps would write it whole, from the pages encoded one by one
        # (the head ends in ``[]}``). The pages are in the body now: pages, text and bytes
        # held at once were a first sync's peak (bench/portals).
        body = b"".join((head[:-2], b", ".join(walk.encoded), head[-2:]))
        walk.encoded.clear()
        return FetchResult(source.id, source.url, 200, headers, body,
                           elapsed_ms=self._elapsed({"started": walk.began}), run_id=self.run_id,
                           attachments=tuple(walk.attachments))

    def _failed(self, walk: Walk, kind: str, message: str, status: int | None) -> FetchResult:
        return FetchResult(walk.source.id, walk.source.url, status, error_kind=kind, error=message,
                           elapsed_ms=self._elapsed({"started": walk.began}), run_id=self.run_id)

    def page_failed(self, failure: Failure) -> Iterator[FetchResult]:
        request = failure.request  # type: ignore[attr-defined]
        walk: Walk = request.meta["walk"]
        kind, message, status = describe_failure(failure)
        where = "" if request.url == walk.source.url else f" at {request.url}"
        yield self._failed(walk, kind, f"{message}{where}", status)


_CHARSET = re.compile(rb"charset\s*=\s*[\"']?([^\"';\s]+)", re.IGNORECASE)
_JSON = re.compile(rb"\s*application/(?:[\w.+-]*\+)?json\s*(?:;|$)", re.IGNORECASE)
"""A JSON media type: ``application/json`` or a ``+json`` one (JSON:API's)."""
_ASCII = bytes(range(1, 128))


@functools.lru_cache(maxsize=32)
def _ascii_compatible(charset: str) -> bool:
    """Whether ``charset`` reads ASCII bytes as ASCII (not UTF-16 or 32, not EBCDIC)."""
    try:
        return _ASCII.decode(charset) == _ASCII.decode("ascii")
    except (LookupError, UnicodeError):
        return False


def _utf8(response: Response) -> bool:
    """Whether the page's bytes are its text in UTF-8, so that they need no decoding by
    a guessed charset: UTF-8 without a BOM (declared, found, or a JSON page's), or bytes
    that are all ASCII, without NUL (UTF-16 or 32 text of ASCII letters), in a charset
    that reads ASCII as ASCII (declared, or none: any guess reads them as the same
    text). A JSON page is UTF-8 and declares no charset (RFC 8259); Scrapy then guesses
    one, cp1252 for an ASCII body (``ensure_ascii`` JSON: OParl's), which decodes the
    same text, only slower, and from bytes that the kind would parse a second time, read
    ahead (``plugins.portals.common.read_json`` knows a page by its bytes object)."""
    body = response.body
    ctype = response.headers.get(b"Content-Type") or b""
    declared = _CHARSET.search(ctype)
    if body.isascii():
        if b"\0" in body:
            return False
        return declared is None or _ascii_compatible(declared[1].decode("latin-1"))
    if declared is None and _JSON.match(ctype) and not body.startswith(BOM_UTF8):
        try:  # JSON is UTF-8 (RFC 8259), without Scrapy's guess: two decodings of the page
            body.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True
    return getattr(response, "encoding", None) == "utf-8" and not body.startswith(BOM_UTF8)


def _text(response: Response, utf8: bool | None = None) -> str:
    """The page decoded by its declared charset (HTTP header, XML declaration, BOM),
    else as UTF-8: an XML page in ISO-8859-1 must not reach the kind as mojibake.
    ``utf8``: :func:`_utf8` of the response, when known."""
    if utf8 if utf8 is not None else _utf8(response):
        return response.body.decode("utf-8", "replace")  # as Scrapy (declared, not valid)
    if isinstance(response, TextResponse):
        try:
            return response.text
        except (LookupError, UnicodeError):
            pass
    return response.body.decode("utf-8", "replace")


def _short(url: str, limit: int = 80) -> str:
    """``url`` cut to ``limit`` characters: a search sent by GET carries its whole query in
    the URL, which would crowd the reason out of a one-line error."""
    return url if len(url) <= limit else url[: limit - 1] + "…"


def _server_time(response: Response) -> datetime:
    """The portal's clock (its ``Date`` header), else ours: the watermark is compared
    with the portal's ``modified`` times, so a skewed local clock must not move it."""
    date = response.headers.get(b"Date")
    if date:
        try:
            moment = parsedate_to_datetime(date.decode("latin-1"))
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        except (TypeError, ValueError):
            pass
    return datetime.now(UTC)
