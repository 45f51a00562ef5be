"""Dates written in a text, in Dutch, French, German, English, Spanish and Italian,
and the one most likely to be the decision or event date.

Numeric dates are read day first (``12/11/2024`` is 12 November), as everywhere
our sources are. A day and month without a year ("op 12 november jl.", "le 3 mars")
take the year of the publication date when it is known (the year that puts the date
no more than about two months after publication), else the nearest year written in
the text; with neither, they are left out rather than guessed. A weekday without a
date ("am Dienstag", "el martes", "next Monday") is read only with a publication date:
the last such day up to it, or the next one after it when the text says "next".

Background dates lose to the decision date: a date after "since"/"depuis"/"seit"/...,
after the word for a link being made ("the twinning established on ..."), or in an
earlier decision quoted ("het eerdere besluit van ...").

Every pattern is bounded (no nested repetition), so a hostile 40,000-character text
costs linear time; the whole text handed in is read.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from plugins.analyzers.textutil import fold

_MONTHS: dict[str, int] = {}
for _n, _names in enumerate([
    "januari jan janv janvier januar janner jann january enero gennaio genn",
    "februari feb febr fevr fevrier februar february febrero febbraio febb",
    "maart mrt mars marz mrz march marzo",
    "april avril avr apr abril aprile",
    "mei mai may mayo maggio",
    "juni juin june junio giugno jun",
    "juli juillet juil july julio luglio jul",
    "augustus aug aout august agosto",
    "september sep sept septembre septiembre setiembre settembre sett",
    "oktober okt octobre october octubre ottobre oct ott",
    "november nov novembre noviembre",
    "december dec decembre dezember dez diciembre dicembre dic",
], start=1):
    for _w in _names.split():
        _MONTHS[_w] = _n
# short forms that are also words ("mar", "set", "ago", "gen"...): only with a year after them
_MONTHS_WITH_YEAR = {"gen": 1, "ene": 1, "mar": 3, "abr": 4, "mag": 5, "giu": 6, "lug": 7, "ago": 8,
                     "set": 9, "ott": 10}

_M = "|".join(sorted(_MONTHS, key=len, reverse=True))
_MY = "|".join(sorted(_MONTHS_WITH_YEAR, key=len, reverse=True))
_DAY = r"(?P<d>[0-3]?\d)(?:st|nd|rd|th|er|ste|de|e|°|º)?\.?"
_YEAR = r"(?P<y>(?:19|20)\d\d)"
_DMY = re.compile(
    rf"(?<![\d.,/]){_DAY}[ \u00a0]{{1,3}}(?:(?:de|of|di)[ \u00a0]{{1,3}})?"
    rf"(?P<m>{_M})\.?(?:,?[ \u00a0]{{1,3}}(?:(?:de(?:l)?|del|van)[ \u00a0]{{1,3}})?{_YEAR})?(?!\w)"
)
_DMY_SHORT = re.compile(
    rf"(?<![\d.,/]){_DAY}[ \u00a0]{{1,3}}(?:de[ \u00a0]{{1,3}})?(?P<m>{_MY})\.?,?[ \u00a0]{{1,3}}"
    rf"(?:del?[ \u00a0]{{1,3}})?{_YEAR}(?!\w)"
)
_MDY = re.compile(
    rf"(?<!\w)(?P<m>{_M})\.?[ \u00a0]{{1,3}}(?P<d>[0-3]?\d)(?:st|nd|rd|th)?,?[ \u00a0]{{1,3}}{_YEAR}(?!\d)"
)
_NUM = re.compile(r"(?<![\d/.-])(?P<d>[0-3]?\d)[/.-](?P<m>[01]?\d)[/.-](?P<y>(?:19|20)\d\d)(?![\d/])")
_ISO = re.compile(r"(?<![\d-])(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?![\d-])")
_YEAR_ONLY = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_CUE = re.compile(
    r"(?<![a-z])(?:besl|keurde|goedgekeurd|gemeenteraad|zitting|college|stemde|stemt|ondertekend|"
    r"decid|conseil|college|seance|approuv|adopt|vote|sign|"
    r"beschl|sitzung|rat\b|stadtrat|gemeinderat|gebilligt|genehmigt|unterzeichn|verabschied|"
    r"decided|council|meeting|approved|passed|voted|signed|agreed|"
    r"pleno|aprob|firm|acord|"
    r"consiglio|giunta|approvat|deliber|firmat|votat)"
)
_CUE_AFTER = re.compile(
    r"(?<![a-z])(?:besl|keurde|goedgekeurd|stemde|decid|approuv|adopt|vote|beschl|gebilligt|genehmigt|"
    r"verabschied|ausgesetzt|beendet|approved|passed|voted|agreed|suspended|aprob|approvat|deliber|votat|"
    r"suspend|opgeschort|sospes)"
)
_BACKGROUND = re.compile(
    r"(?<![a-z])(?:since|sinds|sedert|depuis|seit|desde|dal|dall'|dalla|fin dal|"
    r"established|founded|opgericht|gesloten|aangegaan|fonde|etabli|noue|gegrundet|geschlossen|"
    r"fundad|establecid|firmado en|fondat|istituit|"
    r"eerder|vorig|earlier|previous|prior|precedent|anterieur|fruher|vorherig|anterior|precedente)"
    r"[^.;!?\n\d,]{0,45}$"
)
_NEAR_DECISION = re.compile(r"(?<![a-z])(?:op|le|am|on|el|il)\s*$")
_WEEKDAYS: dict[str, int] = {}
for _n, _names in enumerate([
    "maandag lundi montag monday lunes lunedi",
    "dinsdag mardi dienstag tuesday martes martedi",
    "woensdag mercredi mittwoch wednesday miercoles mercoledi",
    "donderdag jeudi donnerstag thursday jueves giovedi",
    "vrijdag vendredi freitag friday viernes venerdi",
    "zaterdag samedi samstag saturday sabado sabato",
    "zondag dimanche sonntag sunday domingo domenica",
]):
    for _w in _names.split():
        _WEEKDAYS[_w] = _n
_WD = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
_WEEKDAY = re.compile(
    rf"(?<![a-z])(?P<next>(?:volgende|komende|prochain|nachste[nm]?|kommende[nm]?|next|coming|proximo|"
    rf"prossimo) )?(?P<w>{_WD})(?:avond|ochtend|middag|nacht|abend|morgen|nachmittag|soir|matin)?"
    rf"(?P<next2> (?:prochain|prossimo|proximo|qui vient))?(?![a-z])"
)
_RELATIVE = re.compile(
    r"(?<![a-z])(?:(?P<today>vandaag|aujourd'hui|heute|today|hoy|oggi)|"
    r"(?P<yesterday>gisteren|gisteravond|gestern|yesterday|last night|hier soir|ayer|anoche|ieri))(?![a-z'])"
)
_LAST = re.compile(
    r"^\.?\s*(?:jl\b|j\.l\b|ll\b|l\.l\b|laatstleden|jongstleden|dernier|letzten|last|pasado|scorso)"
)


@dataclass(frozen=True)
class FoundDate:
    """A date in the text."""

    iso: str
    text: str
    start: int
    cue: bool
    """A decision or event word is near it."""
    background: bool = False
    """It is a background date: since when a link exists, an earlier decision."""
    inferred: bool = False
    """Its year (or the whole date, for a weekday) comes from the publication date."""


def _make(y: int, m: int, d: int) -> str | None:
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def _published(published: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(published[:10]) if published else None
    except ValueError:
        return None


def _year_for(month: int, day: int, pub: dt.date, past: bool) -> int:
    """The year that puts day and month nearest the publication: at most about two months
    after it (or never after it, for "jl."/"dernier"/"last")."""
    year = pub.year
    try:
        when = dt.date(year, month, day)
    except ValueError:
        return year
    if when > pub + dt.timedelta(days=0 if past else 62):
        return year - 1
    if not past and when < pub - dt.timedelta(days=300):
        return year + 1
    return year


def find_dates(text: str, published: str | None = None) -> list[FoundDate]:
    """Every date in ``text``, in order of appearance (days without a year, and
    weekdays, only when ``published`` or a year in the text says which)."""
    folded = fold(text)
    if len(folded) != len(text):
        text = folded  # ligatures changed lengths: report folded snippets
    pub = _published(published)
    years = [(m.start(), int(m.group(0))) for m in _YEAR_ONLY.finditer(folded)]
    found: dict[int, FoundDate] = {}
    spans: list[tuple[int, int]] = []

    def taken(start: int) -> bool:
        return any(a <= start < b for a, b in spans)

    def add(start: int, end: int, iso: str | None, inferred: bool = False) -> None:
        if iso and start not in found and not taken(start):
            before = folded[max(0, start - 90):start]
            after = folded[end:end + 60]
            cue = bool(_CUE.search(before) or _CUE_AFTER.search(after) or _NEAR_DECISION.search(before))
            background = bool(_BACKGROUND.search(folded[max(0, start - 60):start]))
            found[start] = FoundDate(iso, text[start:end], start, cue, background, inferred)
            spans.append((start, end))

    for rx in (_ISO, _NUM, _MDY, _DMY_SHORT):
        for m in rx.finditer(folded):
            mon = m.group("m")
            month = int(mon) if mon.isdigit() else _MONTHS.get(mon) or _MONTHS_WITH_YEAR[mon]
            add(m.start(), m.end(), _make(int(m.group("y")), month, int(m.group("d"))))
    for m in _DMY.finditer(folded):
        if taken(m.start()):
            continue
        month, day = _MONTHS[m.group("m")], int(m.group("d"))
        year = m.group("y")
        inferred = False
        if year is None:
            past = bool(_LAST.match(folded[m.end():m.end() + 16]))
            if pub is not None:
                year, inferred = str(_year_for(month, day, pub, past)), True
            elif years:
                year = str(min(years, key=lambda y: abs(y[0] - m.start()))[1])
            else:
                continue
        add(m.start(), m.end(), _make(int(year), month, day), inferred)
    if pub is not None:
        for m in _RELATIVE.finditer(folded):
            when = pub if m.group("today") else pub - dt.timedelta(days=1)
            add(m.start(), m.end(), when.isoformat(), True)
        for m in _WEEKDAY.finditer(folded):
            if taken(m.start()) or re.match(r"\s*[0-3]?\d\b", folded[m.end():m.end() + 4]):
                continue  # "dinsdag 12 november": the date itself is read
            back = (pub.weekday() - _WEEKDAYS[m.group("w")]) % 7
            if m.group("next") or m.group("next2"):
                when = pub + dt.timedelta(days=(7 - back) or 7)
            else:
                when = pub - dt.timedelta(days=back)
            add(m.start(), m.end(), when.isoformat(), True)
    return sorted(found.values(), key=lambda f: f.start)


def _rank(d: FoundDate) -> tuple[int, int]:
    # a cued foreground date first, then a foreground one, then background dates; a date
    # the text writes in full before one inferred from the publication
    return (0 if d.cue and not d.background else 1 if not d.background else 2, 1 if d.inferred else 0)


@lru_cache(maxsize=256)
def decision_date(text: str, published: str | None = None) -> tuple[FoundDate | None, int]:
    """The date most likely to be the decision or event date, and how many dates were found."""
    dates = find_dates(text, published)
    if not dates:
        return None, 0
    return min(dates, key=lambda d: (_rank(d), d.start)), len(dates)
