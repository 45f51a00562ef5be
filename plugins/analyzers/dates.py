"""Dates written in a text, in Dutch, French, German, English, Spanish and Italian,
and the one most likely to be the decision or event date.

Numeric dates are read day first (``12/11/2024`` is 12 November), as everywhere
our sources are. A day and month without a year take the nearest year written in
the text; with no year anywhere, they are left out rather than guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from plugins.analyzers.textutil import fold

_MONTHS: dict[str, int] = {}
for _n, _names in enumerate([
    "januari jan janvier januar janner january enero gennaio",
    "februari feb fevrier februar february febrero febbraio",
    "maart mrt mars marz march marzo",
    "april avril apr abril aprile",
    "mei mai may mayo maggio",
    "juni juin june junio giugno jun",
    "juli juillet july julio luglio jul",
    "augustus aug aout august agosto",
    "september sep sept septembre septiembre setiembre settembre",
    "oktober okt octobre october octubre ottobre oct",
    "november nov novembre noviembre",
    "december dec decembre dezember diciembre dicembre",
], start=1):
    for _w in _names.split():
        _MONTHS[_w] = _n

_M = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY = r"(?P<d>[0-3]?\d)(?:st|nd|rd|th|er|e|de|ste|°|º)?\.?"
_YEAR = r"(?P<y>(?:19|20)\d\d)"
_DMY = re.compile(rf"(?<!\d){_DAY}\s+(?:de\s+)?(?P<m>{_M})\.?(?:\s+(?:de(?:l)?\s+)?{_YEAR})?(?!\w)")
_MDY = re.compile(rf"(?<!\w)(?P<m>{_M})\.?\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?,?\s+{_YEAR}(?!\d)")
_NUM = re.compile(r"(?<![\d/.-])(?P<d>[0-3]?\d)[/.-](?P<m>[01]?\d)[/.-](?P<y>(?:19|20)\d\d)(?![\d/])")
_ISO = re.compile(r"(?<![\d-])(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?![\d-])")
_YEAR_ONLY = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_CUE = re.compile(
    r"(?<![a-z])(?:besl|keurde|goedgekeurd|gemeenteraad|zitting|college|stemde|ondertekend|vanaf|"
    r"decid|conseil|college|seance|approuv|adopt|vote|sign|"
    r"beschl|sitzung|rat\b|gebilligt|genehmigt|unterzeichn|verabschied|"
    r"decided|council|meeting|approved|passed|voted|signed|agreed|"
    r"pleno|aprob|firm|acord|"
    r"consiglio|giunta|approvat|deliber|firmat|votat|"
    r"op\b|le\b|am\b|on\b|el\b|il\b|since|depuis|sinds|seit)"
)


@dataclass(frozen=True)
class FoundDate:
    """A date in the text."""

    iso: str
    text: str
    start: int
    cue: bool
    """A decision or event word is near it."""


def _make(y: int, m: int, d: int) -> str | None:
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def find_dates(text: str) -> list[FoundDate]:
    """Every full date in ``text``, in order of appearance."""
    folded = fold(text)
    if len(folded) != len(text):
        text = folded  # ligatures changed lengths: report folded snippets
    years = [(m.start(), int(m.group(0))) for m in _YEAR_ONLY.finditer(folded)]
    found: dict[int, FoundDate] = {}

    def add(start: int, end: int, iso: str | None) -> None:
        if iso and start not in found:
            window = folded[max(0, start - 90):start]
            found[start] = FoundDate(iso, text[start:end], start, bool(_CUE.search(window)))

    for rx in (_ISO, _NUM, _MDY):
        for m in rx.finditer(folded):
            mon = m.group("m")
            month = int(mon) if mon.isdigit() else _MONTHS[mon]
            add(m.start(), m.end(), _make(int(m.group("y")), month, int(m.group("d"))))
    for m in _DMY.finditer(folded):
        if any(f.start <= m.start() < f.start + len(f.text) for f in found.values()):
            continue
        year = m.group("y")
        if year is None:
            if not years:
                continue
            year = str(min(years, key=lambda y: abs(y[0] - m.start()))[1])
        add(m.start(), m.end(), _make(int(year), _MONTHS[m.group("m")], int(m.group("d"))))
    return sorted(found.values(), key=lambda f: f.start)


@lru_cache(maxsize=256)
def decision_date(text: str) -> tuple[FoundDate | None, int]:
    """The date most likely to be the decision or event date, and how many dates were found."""
    dates = find_dates(text)
    if not dates:
        return None, 0
    cued = [d for d in dates if d.cue]
    return (cued[0] if cued else dates[0]), len(dates)
