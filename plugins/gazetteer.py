"""The offline gazetteer: Belgian municipalities (Dutch, French and German names, before
and after the 2019 and 2025 mergers) and towns abroad, read from ``data/gazetteer.tsv``
(built by ``tools/build_gazetteer.py``), and a matcher that finds them in text.

Matching is by whole words, ignoring case of later letters and accents, but a name
must start with a capital letter in the text ("Boom" the town, not "boom" the tree).
Names flagged ambiguous (common words, first names) are reported with
``ambiguous=True`` so the caller can ask for a municipal cue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from plugins.textutil import fold

DATA = Path(__file__).resolve().parent / "data" / "gazetteer.tsv"
_TOKEN = re.compile(r"[^\W_]+")
_NONWORD = re.compile(r"[^a-z0-9]+")
MAX_TOKENS = 6


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


def key(name: str) -> str:
    """The lookup key of a name: folded, words separated by one space."""
    return _NONWORD.sub(" ", fold(name)).strip()


class Gazetteer:
    """Places by name key."""

    def __init__(self, places: list[Place]) -> None:
        self.places = places
        self.index: dict[str, list[Place]] = {}
        self.ambiguous = {key(p.names[0]) for p in places if p.ambiguous}
        for p in places:
            for n in p.names:
                k = key(n)
                if k and p not in self.index.setdefault(k, []):
                    self.index[k].append(p)
        self.first_tokens = {k.split(" ")[0] for k in self.index}

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
                text[start].isupper() or (start > 0 and text[start - 1] in "'’")
            ):
                i += 1
                continue
            for n in range(min(MAX_TOKENS, len(tokens) - i), 0, -1):
                last = tokens[i + n - 1]
                gap = text[start : last[1]]
                if n > 1 and ("\n" in gap or len(gap) > 60):
                    continue
                k = " ".join(t[2] for t in tokens[i : i + n])
                places = self.index.get(k)
                if places:
                    hit = (n, last[1], places)
                    break
            if hit is not None:
                n, end, places = hit
                surface = text[start:end]
                first = surface[0]
                if first.isupper() or (start > 0 and text[start - 1] in "'’"):
                    mentions.append(
                        Mention(surface, start, end, tuple(places), key(surface) in self.ambiguous)
                    )
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
        if name_list:
            places.append(Place(name_list[0], country, kind, name_list, info, "a" in flags))
    return places


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The bundled gazetteer, loaded once."""
    return Gazetteer(_read(DATA))
