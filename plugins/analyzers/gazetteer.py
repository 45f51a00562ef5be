"""The offline gazetteer: Belgian municipalities (Dutch, French and German names, before
and after the 2019 and 2025 mergers) and towns abroad, read from ``data/gazetteer.tsv``
(built by ``tools/build_gazetteer.py``), country names from ``data/countries.tsv``, and
a matcher that finds them in text.

Matching is by whole words, ignoring case of later letters and accents, but a name
must start with a capital letter in the text ("Boom" the town, not "boom" the tree).
Names that are also common words or first names are reported as ambiguous, in every
language (``Reading``) or in some (``Hof`` in German, ``Best`` in Dutch), so the
caller can ask for a municipal cue there. Adjective forms (``Gentse``, ``liégeois``,
``Leipziger``) are found too, flagged ``adjective``; the lower-case French and Italian
ones only count next to a municipal word, which the caller checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from plugins.analyzers.textutil import fold

DATA = Path(__file__).resolve().parent / "data" / "gazetteer.tsv"
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
        # a name is ambiguous in a language only if it is so for every place called that
        # (a small "Valencia" that is a common word does not make the city ambiguous)
        self.ambiguous_in: dict[str, frozenset[str]] = {}
        for k, ps in self.index.items():
            common = frozenset.intersection(*(_ALL if "*" in p.ambiguous_in else p.ambiguous_in for p in ps))
            if common:
                self.ambiguous_in[k] = frozenset({"*"}) if common == _ALL else common
        self.ambiguous = set(self.ambiguous_in)
        self.first_tokens: dict[str, int] = {}
        """First token of every name -> the most tokens a name starting with it has."""
        for name in (*self.index, *self.adjectives):
            first, size = name.split(" ")[0], name.count(" ") + 1
            self.first_tokens[first] = max(self.first_tokens.get(first, 0), size)
        self.lower_first = {k.split(" ")[0] for k, ps in self.adjectives.items()
                            if any(a[:1].islower() and key(a) == k for p in ps for a in p.adjectives)}

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


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The bundled gazetteer, loaded once."""
    return Gazetteer(_read(DATA))
