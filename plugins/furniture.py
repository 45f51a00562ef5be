"""Lines of a page's main text that are furniture whatever the markup around them.

Whichever way the main text was found (a landmark or trafilatura), some lines are never
what the page says: an advertisement's label left where the advertisement did not load
("Advertisement", "Publicité", "Annons 2", "Story continues below advertisement"), and a
"read also" line pointing to another article ("Lees ook: Gent ondertekent nieuw
stedenbandcharter", "Lire aussi :", "Mehr zum Thema"). News sites put them between the
paragraphs of an article, in every language; a change in them is another article's, not
this page's. A line is dropped only when the whole of it is such a label, or a cue
followed by a colon and a headline (:data:`HEADLINE_WORDS` words at most): a sentence
that begins with the cue ("Read more about the exchange in the council's minutes") stays.
"""

from __future__ import annotations

import re

AD_LABELS = (
    "advertisement", "advertisements", "advert", "ad", "ads", "sponsored", "sponsored content",
    "paid content", "anzeige", "werbung", "publicité", "publicite", "annonce", "annonces",
    "advertentie", "advertenties", "publicidad", "publicidade", "pubblicità", "pubblicita",
    "annons", "annonse", "reklame", "reklama", "mainos",
)
"""An advertisement's label, alone on its line (lower case; a number may follow)."""

AD_LINES = (
    r"(?:the )?(?:story|article|content|text) continues (?:below|after)(?: (?:this )?advertisement)?",
    r"this advertisement has not loaded yet,? but your article continues below\.?",
    r"(?:der )?artikel (?:geht|wird) (?:unter|nach) (?:der|dieser) (?:anzeige|werbung) weiter",
    r"la suite (?:de l'article )?(?:après|apres) (?:cette )?(?:publicité|publicite|la publicité)",
    r"het artikel gaat verder (?:onder|na) (?:de|deze) advertentie",
)
"""Whole lines that say an advertisement stands (or stood) there."""

READ_ALSO = (
    "read also", "also read", "read more", "see also", "related", "related article",
    "related articles", "related stories", "more on this story", "more on this topic",
    "lees ook", "lees meer", "lees verder", "zie ook", "meer over dit onderwerp",
    "lire aussi", "à lire aussi", "a lire aussi", "lire également", "voir aussi",
    "à voir aussi", "sur le même sujet",
    "lesen sie auch", "lesen sie mehr", "lesen sie hier", "auch interessant", "mehr zum thema",
    "das könnte sie auch interessieren", "siehe auch",
    "leggi anche", "leggi pure", "lea también", "lee también", "ver también", "leia também",
    "les også", "læs også", "läs också", "lue myös", "sjá einnig", "czytaj też", "czytaj także",
)
"""Cues of a line pointing to other articles (lower case)."""

HEADLINE_WORDS = 20
"""The most words a "read also" line's headline has (a longer one is a sentence)."""

_AD = re.compile(
    r"(?:" + "|".join(re.escape(a) for a in AD_LABELS) + r")(?:\s*[-–:]?\s*\d{1,2})?"
    r"|" + "|".join(AD_LINES), re.I)
_CUE = re.compile(
    r"(?:" + "|".join(re.escape(c) for c in sorted(READ_ALSO, key=len, reverse=True)) + r")"
    r"\s*(?P<mark>[:：>»›…]|\.\.\.)?\s*(?P<rest>.*)", re.I)


_FIRST = frozenset(
    w.split()[0] for w in (*AD_LABELS, *READ_ALSO, "the story", "story", "article", "content", "text",
                           "this", "der", "artikel", "la", "het"))
"""The first words of every label, line and cue above: a line beginning otherwise (nearly
every line of a page) is kept without trying the patterns."""


def furniture(line: str) -> bool:
    """Whether ``line`` (stripped) is an advertisement's label or a "read also" line."""
    bare = line.strip().strip("-–—|•·*").strip()
    if not bare:
        return False
    first = bare.split(None, 1)[0].lower().rstrip(":：.…")
    if first not in _FIRST and first.rstrip("0123456789-–") not in _FIRST:
        return False
    if _AD.fullmatch(bare):
        return True
    cue = _CUE.fullmatch(bare)
    if cue is None:
        return False
    rest = cue.group("rest")
    return not rest or (cue.group("mark") is not None and len(rest.split()) <= HEADLINE_WORDS)


def drop_furniture(text: str) -> str:
    """``text`` without its furniture lines (:func:`furniture`)."""
    lines = text.split("\n")
    # Most lines of an extracted text are the empty ones between its blocks (270 of 430 on
    # bench/crawl's pages): skipping the call for them saves a fifth of the time here.
    kept = [line for line in lines if not (line and furniture(line))]
    return text if len(kept) == len(lines) else "\n".join(kept)
