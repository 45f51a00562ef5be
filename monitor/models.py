"""Values that cross package boundaries: frozen dataclasses, nothing else.

Spiders hand :class:`FetchResult` to ingest; plugins receive :class:`Source` and
:class:`ChangeDraft` and return :class:`Finding`; the TUI and exporters read
:class:`ChangeRow` and friends from :mod:`monitor.store.queries`. No SQL and no I/O here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol
from urllib.parse import urlsplit

from monitor.text import compress, fingerprint, normalise

SOURCE_KINDS = ("page", "feed", "listing", "document")
"""The built-in source kinds; each has a spider in ``spiders/``. Plugins may add
more through the ``register_source_kinds`` hook."""

DEFAULT_EVERY_S = 86400
"""A source is due once a day unless told otherwise (``--every``)."""

REVIEW_STATUSES = ("new", "relevant", "irrelevant", "follow-up")
"""A change without a review row is ``new``."""
REVIEWED = tuple(s for s in REVIEW_STATUSES if s != "new")
"""The statuses a curator gives (what ``export --status`` accepts)."""


@dataclass(frozen=True)
class Source:
    """A watched URL and what the curator knows about it."""

    id: int
    url: str
    kind: str = "page"
    municipality: str | None = None
    country: str | None = None
    lang: str | None = None
    tags: tuple[str, ...] = ()
    enabled: bool = True
    etag: str | None = None
    """Validator from the last 2xx response, sent back as ``If-None-Match``."""
    last_modified: str | None = None
    """Validator from the last 2xx response, sent back as ``If-Modified-Since``."""
    every_s: int = DEFAULT_EVERY_S
    """How often the source is due, in seconds."""
    region: str | None = None
    """CSS selector (or XPath when it starts with ``/`` or ``(``) of the part to watch."""
    ignore: tuple[str, ...] = ()
    """Regular expressions; text they match is removed before comparing."""
    added_only: bool = False
    """Report additions only: removed paragraphs alone are not a change."""
    min_change: int = 0
    """A page change touching fewer characters than this is not reported."""
    link_pattern: str | None = None
    """``listing``: only links whose URL matches this regular expression are items."""
    max_items: int = 10
    """``feed``/``listing``: at most this many new articles are fetched per run."""
    last_raw_fp: str | None = None
    """Fingerprint of the last fetched bytes (identical bytes are not re-extracted)."""
    fetched_before: bool = False
    """The source has a stored baseline (the first fetch follows no links)."""
    known_items: frozenset[str] = frozenset()
    """Keys of the entries already stored (``feed``/``listing``), filled for crawls."""
    municipalities: tuple[str, ...] = ()
    """Portal kinds: the bodies or municipalities the source is limited to (every
    ``--municipality`` given; empty: all the portal publishes for)."""
    query: str | None = None
    """Portal kinds with a search engine: the full-text query the portal is asked with,
    in ``simple_query_string`` syntax (``monitor.sources.search``); ``None``: every item."""


@dataclass(frozen=True)
class FetchResult:
    """What a spider saw for one source: bytes and headers, or an error.

    ``error_kind`` is set when nothing usable arrived (``network-error``,
    ``timeout``, ``http-error``, ``too-large``, ``robots``); ``status`` is the
    HTTP status when there was a response.
    """

    source_id: int
    url: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = field(default=b"", repr=False)
    error_kind: str | None = None
    error: str | None = None
    elapsed_ms: int | None = None
    run_id: int | None = None
    key: str | None = None
    """For a followed article: the key of the entry it belongs to."""
    attachments: tuple[FetchResult, ...] = field(default=(), repr=False)
    """Articles fetched for the new entries of a feed or listing (each its own result)."""
    redirects: tuple[tuple[str, int], ...] = ()
    """The redirects followed before ``url``, in order: each hop's requested URL and
    the status that sent the crawler on (0 for a ``<meta http-equiv="refresh">``)."""


@dataclass(frozen=True)
class PageRead:
    """One page a portal walk keeps, handed to ingest while the walk goes on and never
    stored: the source's kind may read it ahead (``SourceKind.read_ahead``), while the
    crawl waits on the portal, so that the run's one result (the document holding every
    page) is extracted sooner once the walk ends."""

    source: Source
    page: FetchResult
    """The page as the run's document holds it: ``body`` its text in UTF-8, ``key`` the
    key of the link that led there, ``url`` where it was read."""


@dataclass(frozen=True)
class RobotsEntry:
    """A site's robots.txt as the crawl last saw it (``robots_cache``), per origin.

    What a status means, and for how long, is :mod:`monitor.net.robots`'s.
    """

    origin: str
    """``scheme://host[:port]``: robots.txt applies to one origin (RFC 9309 §2.3)."""
    fetched_at: str
    expires_at: str
    """After this, robots.txt is fetched again."""
    policy: str
    """``rules`` (obey ``body``), ``allow`` (no rules: 4xx) or ``disallow`` (5xx, 429 or
    unreachable: nothing may be fetched)."""
    status: int | None = None
    """The HTTP status of robots.txt; ``None`` when it could not be had."""
    body: bytes = field(default=b"", repr=False)
    """The rules, cut to :data:`monitor.net.robots.MAX_BYTES`."""
    crawl_delay: float | None = None
    """The ``Crawl-delay`` asked of us, as written (the crawl honours it up to a cap)."""
    error: str | None = None
    """Why robots.txt could not be had (``timed out``, ``connection refused``, …)."""


@dataclass(frozen=True)
class Link:
    """An entry of an index (feed, listing, sitemap) that a spider may follow."""

    key: str
    url: str
    title: str = ""


@dataclass(frozen=True)
class Entry:
    """One entry of an index, reduced to what ingest compares and stores."""

    key: str
    title: str
    url: str
    text: str
    """Normalised text the index itself gives (summary), one paragraph per line."""
    article: str | None = None
    """The followed article's main text, when it was fetched."""
    published: str | None = None
    """The entry's publication date (ISO ``YYYY-MM-DD``), when the index gives one."""
    municipality: str | None = None
    """The entry's own municipality, when it differs by entry (a council portal covers
    many): its changes are analyzed as that municipality's, not the source's."""
    country: str | None = None
    """The country (ISO 3166 code) of :attr:`municipality`, when known."""
    body: str | None = None
    """The body that decided or published it (a portal's council or district), as named there."""
    deleted: bool = False
    """The portal lists the entry as deleted or withdrawn: recorded as an edit saying so."""
    decided: str | None = None
    """The date (ISO ``YYYY-MM-DD``) of the meeting that decided it, when the source gives
    it as data (a council portal's session date): the decision date, where a date read
    from the text may be one the decision only quotes (a decree, an earlier decision)."""

    # Cached: ingest reads both several times per entry (fingerprints, blobs, the
    # stored item), and a portal's first sync has thousands of entries.
    @cached_property
    def entry_text(self) -> str:
        """What the index says about the entry: compared across runs (edits)."""
        return normalise(f"{self.title}\n{self.text}")

    @cached_property
    def full_text(self) -> str:
        """What a reader gets: the article when fetched, else the index's text."""
        if self.article:
            return normalise(f"{self.title}\n{self.article}")
        return self.entry_text

    @cached_property
    def entry_fp(self) -> str:
        """The fingerprint of :attr:`entry_text` (the stored item's ``entry_fp``)."""
        return fingerprint(self.entry_text)

    @cached_property
    def full_fp(self) -> str:
        """The fingerprint of :attr:`full_text` (the stored item's ``text_fp``)."""
        return self.entry_fp if self.full_text is self.entry_text else fingerprint(self.full_text)

    @cached_property
    def blobs(self) -> tuple[tuple[str, int, bytes], ...]:
        """Its texts as ingest stores them: ``(fingerprint, length, compressed text)``
        of :attr:`entry_text`, then of :attr:`full_text` when it differs. A portal's
        kind reads its pages ahead, while the portal answers (``SourceKind.read_ahead``),
        and computes these then, not after the walk's last answer. Not pickled (they
        would cross a pipe twice: ingest's worker returns them in ``Prepared.blobs``)."""
        out = [(self.entry_fp, len(self.entry_text), compress(self.entry_text))]
        if self.full_fp != self.entry_fp:
            out.append((self.full_fp, len(self.full_text), compress(self.full_text)))
        return tuple(out)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("blobs", None)
        return state


@dataclass(frozen=True)
class Extracted:
    """What a source kind makes of a fetch: the text to compare, and entries."""

    text: str
    title: str = ""
    entries: tuple[Entry, ...] | None = None
    """``None`` for single-document kinds (page, document)."""
    warning: str | None = None
    """Set when the fetch worked but produced nothing to watch (region not found,
    no entries): recorded as a ``no-match`` outcome, and the source as silent."""
    outline: Mapping[str, str] | None = None
    """The role (:data:`ROLES`) of the text's lines that are not plain paragraphs, by
    line text, when the kind knows the document's structure (HTML); ``None`` leaves
    it to the text's own shape (numbered headings, lines ending in a colon)."""
    published: str | None = None
    """The page's publication date (ISO), when the kind finds one."""
    baseline: bool = False
    """The fetch continues a first sync that did not fit in one run (a portal's
    request budget): its entries are stored as baseline, not reported as new."""
    checked: bool = False
    """The text is what an extractor chose from an HTML page (no region): ingest
    measures it against the page's visible text (a collapse, a small share)."""
    stamps_dropped: bool = False
    """The kind dropped "last updated" stamp lines
    (:mod:`monitor.ingest.extract.stamps`): ingest drops them from the stored text
    too before comparing, so the upgrade that started dropping them reports nothing."""


@dataclass(frozen=True)
class DiffOp:
    """One block of a paragraph diff.

    ``op`` is ``added``, ``removed`` or ``changed``. For ``changed`` blocks,
    ``words`` holds ``(tag, text)`` pairs where tag is ``=``, ``+`` or ``-``.
    """

    op: str
    old: str = ""
    new: str = ""
    words: tuple[tuple[str, str], ...] = ()


class Ops(tuple[DiffOp, ...]):
    """The ops of one diff: a tuple, plus ``coarse``, a note when a bound made the
    diff coarser than word-by-word (``None`` when it is exact)."""

    coarse: str | None

    def __new__(cls, ops: Iterable[DiffOp] = (), coarse: str | None = None) -> Ops:
        obj = super().__new__(cls, ops)
        obj.coarse = coarse
        return obj


def coarse_note(ops: Sequence[DiffOp]) -> str | None:
    """Why ``ops`` are coarse, or ``None`` (also for a plain tuple)."""
    return getattr(ops, "coarse", None)


def ops_to_json(ops: Sequence[DiffOp]) -> list[dict[str, object]]:
    """The ops as JSON objects; a coarse diff ends with ``{"op": "coarse", "note": …}``,
    which :func:`ops_from_json` reads back as the note, never as a block."""
    out: list[dict[str, object]] = []
    for op in ops:
        d: dict[str, object] = {"op": op.op}
        if op.old:
            d["old"] = op.old
        if op.new:
            d["new"] = op.new
        if op.words:
            d["words"] = [list(w) for w in op.words]
        out.append(d)
    note = coarse_note(ops)
    if note:
        out.append({"op": "coarse", "note": note})
    return out


def ops_from_json(data: Sequence[dict[str, Any]]) -> Ops:
    notes = [str(d.get("note", "")) for d in data if d.get("op") == "coarse"]
    return Ops(
        (
            DiffOp(
                op=str(d["op"]),
                old=str(d.get("old", "")),
                new=str(d.get("new", "")),
                words=tuple((str(t), str(s)) for t, s in d.get("words") or []),
            )
            for d in data
            if d.get("op") != "coarse"
        ),
        "; ".join(notes) or None,
    )


ROLES = ("h1", "h2", "h3", "h4", "h5", "h6", "label", "item", "header", "row", "paragraph")
"""What a line of an extracted text is on its page: a heading of level 1-6, a label
that introduces what follows (a list's caption, a ``<dt>``, a line ending in a colon),
a list item, a table's header row, a table row, or a plain paragraph."""


@dataclass(frozen=True)
class Passage:
    """One changed paragraph in its context on the page: what an analyzer needs to
    read a list edit as a decision ("Megiddo (Israel)" removed under "Twinning
    partnerships"). Built by :mod:`monitor.ingest.passages`, bounded there."""

    text: str
    side: str
    """``added``, ``removed`` or ``changed`` (then ``text`` is the new side, ``old`` the old)."""
    role: str = "paragraph"
    """One of :data:`ROLES`."""
    headings: tuple[str, ...] = ()
    """The heading path, outermost first: the page's headings (h1-h6, numbered
    headings, agenda points) above the paragraph."""
    label: str = ""
    """The label it sits under, below its nearest heading: a list's caption or the
    line ending in a colon that introduces it, a ``<dt>``, a table's header row."""
    before: str = ""
    """The line before it on its side of the diff (for a list item: the item above)."""
    after: str = ""
    """The line after it."""
    items: int = 0
    """For a list item: how many items its list holds (on the side it belongs to)."""
    old: str = ""


@dataclass(frozen=True)
class ChangeDraft:
    """A change before it is stored: what analyzers read.

    ``passages`` and ``published`` were added in the events release, ``decided`` with
    the council portals; an analyzer written before them reads ``added``/``removed``/
    ``text`` as before.
    """

    source: Source
    kind: str
    """``page-changed``, ``new-entry`` or ``edited-entry``."""
    url: str
    title: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    ops: tuple[DiffOp, ...] = ()
    text: str = ""
    """The full new text (page or entry), for analyzers that need context."""
    passages: tuple[Passage, ...] = ()
    """Each added, removed and edited paragraph with its context (heading path, list
    neighbours); empty when the change was built without a diff."""
    published: str | None = None
    """The publication date (ISO ``YYYY-MM-DD``) of the entry or page, when known: the
    year for dates the text gives without one ("on 3 March")."""
    decided: str | None = None
    """The date (ISO ``YYYY-MM-DD``) of the meeting that decided it, when the source gives
    it as data (:attr:`Entry.decided`, a council portal's session): the decision date."""


@dataclass(frozen=True)
class Finding:
    """A suggestion an analyzer attaches to a change.

    ``name`` says what it is (``language``, ``relevance``, ``municipality``, …,
    or ``error`` when the analyzer raised); ``value`` is JSON-serialisable.
    """

    name: str
    value: Any
    score: float | None = None
    reasons: tuple[str, ...] = ()
    plugin: str = ""


FINDING_NAMES = ("language", "relevance", "category", "municipality", "partner", "date", "amount",
                 "events", "error")
"""The finding names the built-in analyzers use (``docs/plugins.md`` documents each value)."""

EVENT_FIELDS = ("municipality", "country", "partner", "partner_country", "action", "date",
                "amount_eur", "passage")
"""The keys of one event in an ``events`` finding's value (a list of events, at most
:data:`MAX_EVENTS`): the facts of one registry record and the passage they rest on.
A missing key is unknown; ``action`` is one of :data:`CATEGORIES`."""

MAX_EVENTS = 50
"""Events one change may yield: an overview that gains 500 entries in one day is read
as its first 50 events, and the finding says how many more there were."""

RELEVANT_AT = 0.5
"""A ``relevance`` score at or above this marks a change relevant."""

CATEGORIES = (
    "twinning_established", "twinning_suspended", "twinning_ended", "twinning_debate",
    "council_motion", "humanitarian_aid", "procurement_policy", "symbolic_action",
    "partnership_cooperation", "other_solidarity",
)
"""The values of a ``category`` finding (``None`` when nothing relevant was found)."""


class RelevanceModel(Protocol):
    """A model learnt from a curator's verdicts (see :mod:`monitor.analyze.learn`)."""

    verdicts: int
    """How many verdicts it was trained on."""

    def probability(self, text: str) -> float:
        """The probability, in [0, 1], that a curator marks ``text`` relevant."""
        ...


@dataclass(frozen=True)
class AnalysisContext:
    """What an analyzer may use beside the change itself."""

    model: RelevanceModel | None = None
    """The curator's learnt relevance model, or ``None`` while there is none."""


@dataclass(frozen=True)
class Review:
    """A curator's decision on one change."""

    change_id: int
    status: str = "new"
    tags: tuple[str, ...] = ()
    note: str | None = None
    reviewed_at: str | None = None


@dataclass(frozen=True)
class ChangeRow:
    """A stored change as the inbox, the CLI and exporters see it."""

    id: int
    source_id: int
    url: str
    kind: str
    title: str
    detected_at: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    ops: tuple[DiffOp, ...]
    municipality: str | None
    country: str | None
    lang: str | None
    source_url: str
    review: Review
    findings: tuple[Finding, ...] = ()

    @property
    def status(self) -> str:
        return self.review.status

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form used by ``changes --json`` and the JSON exporter."""
        return {
            "id": self.id,
            "source_id": self.source_id,
            "url": self.url,
            "source_url": self.source_url,
            "kind": self.kind,
            "title": self.title,
            "detected_at": self.detected_at,
            "municipality": self.municipality,
            "country": self.country,
            "lang": self.lang,
            "status": self.review.status,
            "tags": list(self.review.tags),
            "note": self.review.note,
            "reviewed_at": self.review.reviewed_at,
            "added": list(self.added),
            "removed": list(self.removed),
            "findings": [
                {
                    "name": f.name,
                    "value": f.value,
                    "score": f.score,
                    "reasons": list(f.reasons),
                    "plugin": f.plugin,
                }
                for f in self.findings
            ],
        }


@dataclass(frozen=True)
class SourceStatus:
    """A source with its fetch health, as ``sources list`` shows it."""

    source: Source
    last_fetched: str | None
    last_status: str | None
    last_error: str | None
    consecutive_failures: int
    last_change_at: str | None
    created_at: str | None = None
    """When the source was added (a source that never changed is silent from then on)."""
    last_ok: str | None = None
    last_relevant_at: str | None = None
    quiet_runs: int = 0
    """Successful fetches in a row that found no change."""
    extraction_note: str | None = None
    """Why the stored text is worth a look (a small share of the page kept), if it is."""

    def as_dict(self) -> dict[str, Any]:
        s = self.source
        return {
            "id": s.id,
            "url": s.url,
            "kind": s.kind,
            "municipality": s.municipality,
            "municipalities": list(s.municipalities),
            "country": s.country,
            "lang": s.lang,
            "tags": list(s.tags),
            "enabled": s.enabled,
            "last_fetched": self.last_fetched,
            "last_status": self.last_status,
            "last_error": self.last_error,
            "consecutive_failures": self.consecutive_failures,
            "last_change_at": self.last_change_at,
            "last_ok": self.last_ok,
            "last_relevant_at": self.last_relevant_at,
            "quiet_runs": self.quiet_runs,
            "extraction_note": self.extraction_note,
            "every_s": s.every_s,
            "rules": rules_dict(s),
        }


def rules_dict(s: Source) -> dict[str, Any]:
    """A source's rules, as ``sources list --json`` shows them."""
    return {
        "region": s.region, "ignore": list(s.ignore), "added_only": s.added_only,
        "min_change": s.min_change, "link_pattern": s.link_pattern, "max_items": s.max_items,
        "query": s.query,
    }


@dataclass(frozen=True)
class SourceHealth:
    """A source's health verdict, as ``sources health`` shows it."""

    status: SourceStatus
    problem: str
    """``blocked``, ``moved``, ``gone``, ``extraction-lost``, ``failing``, ``silent``,
    ``look`` (the watched text is worth a look), ``never-fetched``, ``ok`` or ``disabled``."""
    reason: str
    hint: str | None = None
    """A command that would fix it (a moved source's ``sources set ID --url NEW``)."""

    def as_dict(self) -> dict[str, Any]:
        return {**self.status.as_dict(), "problem": self.problem, "reason": self.reason, "hint": self.hint}


@dataclass(frozen=True)
class CrawlSummary:
    """Counts for one crawl run, printed as the one-line summary."""

    run_id: int
    sources: int
    fetched: int
    not_modified: int
    unchanged: int
    changed: int
    new_items: int
    failed: int
    silent: int = 0

    def line(self) -> str:
        return (
            f"crawl {self.run_id}: {self.sources} sources, {self.fetched} fetched, "
            f"{self.not_modified} not modified, {self.unchanged} unchanged, "
            f"{self.changed} changed, {self.new_items} new item{'' if self.new_items == 1 else 's'}, "
            f"{self.failed} failed"
            + (f", {self.silent} silent" if self.silent else "")
            + (" (see: twinwatch sources health)" if self.failed else "")
        )


FACT_FIELDS = ("municipality", "partner", "category", "date", "amount")
"""The registry record suggested for a change: each is a finding of that name
(``category`` also from an ``action`` finding), correctable by the curator."""

SORTS = ("relevance", "date")
"""Inbox orders: by relevance score (changes without one after, newest first), or newest first."""


@dataclass(frozen=True)
class CaseBadge:
    """The case a change stands for in the inbox: only cases of two or more changes
    (see :mod:`monitor.review.case_inbox`)."""

    case_id: int
    size: int
    """How many changes the case holds."""
    langs: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()

    def summary(self) -> str:
        """``3 changes · fr nl · new-entry page-changed``."""
        return " · ".join([f"{self.size} changes", *([self.details()] if self.details() else [])])

    def details(self) -> str:
        """``fr nl · new-entry page-changed``: the case's languages and kinds of change."""
        return " · ".join(part for part in (" ".join(self.langs), " ".join(self.kinds)) if part)


@dataclass(frozen=True)
class InboxRow:
    """One line of the inbox: what the change table shows, without diff or findings."""

    id: int
    source_id: int
    source_url: str
    municipality: str | None
    kind: str
    title: str
    detected_at: str
    status: str = "new"
    tags: tuple[str, ...] = ()
    score: float | None = None
    category: str | None = None
    lang: str | None = None
    case: CaseBadge | None = None
    """The case this change leads in the inbox (its other members are folded under it)."""
    events: int = 1
    """How many events (each its own record draft) the change holds: 1 unless an
    ``events`` finding lists two or more."""

    @property
    def source_label(self) -> str:
        """The source's host, without ``www.``."""
        host = urlsplit(self.source_url).netloc or self.source_url
        return host[4:] if host.startswith("www.") else host


@dataclass(frozen=True)
class InboxCounts:
    """How many changes there are and how many have each status."""

    total: int
    by_status: dict[str, int]
    max_change_id: int
    arrived: int = 0
    """Changes stored after a given id (the dashboard: since it opened)."""

    @property
    def new(self) -> int:
        return self.by_status.get("new", 0)


@dataclass(frozen=True)
class Fact:
    """One field of the suggested record: what analyzers suggested, what the curator set."""

    field: str
    suggested: str | None = None
    corrected: str | None = None
    plugin: str = ""

    @property
    def value(self) -> str | None:
        """The curator's value when there is one, else the suggestion."""
        return self.corrected if self.corrected is not None else self.suggested


@dataclass(frozen=True)
class Version:
    """Another change of the same source (or feed entry): a step in its history."""

    change_id: int
    detected_at: str
    kind: str
    title: str
    status: str
    added: int
    removed: int


@dataclass(frozen=True)
class ChangeDetail:
    """Everything the change view shows for one change."""

    change: ChangeRow
    facts: tuple[Fact, ...]
    versions: tuple[Version, ...]
    """Changes of the same source, newest first (this one included)."""
    score: float | None = None
    category: str | None = None


@dataclass(frozen=True)
class SavedView:
    """A named inbox query the curator can reopen."""

    id: int
    name: str
    query: str
    sort: str = "relevance"


@dataclass(frozen=True)
class UndoResult:
    """What an undo restored: the action undone and the changes it touched."""

    action_id: int
    undone_action_id: int
    label: str
    change_ids: tuple[int, ...]
