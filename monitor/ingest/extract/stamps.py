""""Last updated" stamps: the one place that recognises a line of a page's text that is
only a last-updated, published or modified date, in nl, fr, de, en, es and it.

CMSs print such a line inside the main text (Drupal's changed-date field in ``<main>``,
TYPO3's page-meta line in ``#content``, WordPress's post meta in ``<article>``). It
changes whenever an editor saves the page, whether or not anything was said, so it is
noise: :func:`drop_stamps` removes it from the text of HTML pages (the ``page`` kind,
:func:`monitor.ingest.kinds.html_page_text`).

Only whole lines go, and only when the line is nothing but stamps ("Publié le
10/03/2025 - Mis à jour le 12/03/2025"): a sentence that mentions an update ("The
collection calendar was updated on 12 March 2024 after the council vote") is text.
Lines longer than :data:`MAX_STAMP` are never read, and the pattern has no nested
repetition, so the cost is bounded by the text's length.

Pure: no I/O.
"""

from __future__ import annotations

import functools
import re

MAX_STAMP = 160
"""A line longer than this is never a stamp (and never reaches the pattern)."""

_LABEL = (
    # nl
    r"(?:deze\s+pagina\s+(?:is|werd)\s+)?(?:laatst\s+)?(?:bijgewerkt|gewijzigd|aangepast|gepubliceerd)"
    r"|laatste\s+(?:wijziging|aanpassing|update)|datum\s+laatste\s+wijziging|publicatiedatum"
    r"|(?:voor\s+het\s+laatst\s+)?gewijzigd|geplaatst"
    # fr
    r"|(?:cette\s+page\s+a\s+été\s+)?(?:dernière\s+)?(?:mise?\s+à\s+jour|modifiée?|modification)"
    r"|publiée?|date\s+de\s+(?:publication|mise\s+à\s+jour|modification)|mis\s+en\s+ligne"
    # de
    r"|(?:zuletzt\s+)?(?:aktualisiert|geändert|bearbeitet)|letzte\s+(?:änderung|aktualisierung|bearbeitung)"
    r"|veröffentlicht|stand|erstellt"
    # en
    r"|(?:this\s+page\s+was\s+|page\s+)?(?:last\s+)?(?:updated|modified|reviewed|edited)|published|posted"
    r"|(?:last|latest)\s+(?:update|modification|change)|date\s+(?:published|modified|updated)"
    # es
    r"|última\s+(?:actualización|modificación)|actualizad[oa]|publicad[oa]|modificad[oa]"
    r"|fecha\s+de\s+(?:publicación|actualización|modificación)"
    # it
    r"|ultim[oa]\s+(?:aggiornamento|modifica)|aggiornat[oa]|pubblicat[oa]|modificat[oa]"
    r"|data\s+di\s+(?:pubblicazione|aggiornamento|modifica)"
)
"""What a stamp says (lower case; the pattern ignores case)."""

_LINK = r"(?:op|on|le|am|el|il|at|the|den|du|de|del|al|à|a|om|um|alle|on\s+the)"
"""A word between the label and the date ("bijgewerkt op", "publié le", "am")."""

_MONTH = (
    r"jan(?:uari|uary|vier|uar)?|feb(?:ruari|ruary|ruar)?|févr(?:ier)?|fevr(?:ier)?|mrt|maart|march|mars"
    r"|mär(?:z)?|mar(?:zo)?|apr(?:il|ile)?|avr(?:il)?|abr(?:il)?|mei|may|mai|mayo|maggio|jun[ie]?|juni"
    r"|juin|june|giugno|jul[iy]?|juil(?:let)?|julio|luglio|aug(?:ustus|ust)?|août|aout|agosto"
    r"|sep(?:t(?:ember|embre)?)?|sett(?:embre)?|septiembre|okt(?:ober)?|oct(?:ober|obre|ubre)?"
    r"|ott(?:obre)?|nov(?:ember|embre|iembre)?|de[cz](?:ember|embre)?|déc(?:embre)?|dic(?:iembre|embre)?"
    r"|gen(?:naio)?|ene(?:ro)?|febbraio|febrero|marzo|aprile|enero|januar|februar|dezember"
)
_WEEKDAY = (
    r"(?:maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|lundi|mardi|mercredi|jeudi"
    r"|vendredi|samedi|dimanche|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday|lunes|martes|miércoles|jueves"
    r"|viernes|sábado|domingo|lunedì|martedì|mercoledì|giovedì|venerdì|sabato|domenica"
    r"|mon|tue|wed|thu|fri|sat|sun|ma|di|wo|do|vr|za|zo|lun|mar|mer|jeu|ven|sam|dim|mo|mi|fr|sa|so)"
    r"\.?,?\s+"
)
_DATE = (
    rf"(?:{_WEEKDAY})?(?:"
    r"\d{4}-\d{2}-\d{2}(?:t\d{2}:\d{2}(?::\d{2})?(?:z|[+-]\d{2}:?\d{2})?)?"  # ISO
    r"|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}"  # 12/03/2024, 12.03.2024, 12-3-24
    rf"|(?:\d{{1,2}}(?:st|nd|rd|th|er|e|\.|º|°)?\s+(?:de\s+)?)?(?:{_MONTH})\.?"
    r"(?:\s+\d{1,2}(?:st|nd|rd|th)?,?)?(?:\s+(?:de\s+)?\d{4})?"  # 12 March 2024, March 12, 2024
    r")"
)
_TIME = r"(?:\d{1,2}[:h.]\d{2}(?::\d{2})?(?:\s*(?:am|pm|uhr|h|u))?|\d{1,2}\s*(?:am|pm|uhr|h|u))"
_WHEN = rf"(?:{_DATE}(?:\s*(?:,|-|–|om|à|um|at|alle|a\s+las|,\s+at|um)?\s*{_TIME})?|{_TIME})"
_STAMP = rf"(?:{_LABEL})\s*(?::|-|–)?\s*(?:{_LINK}\s+)?(?::\s*)?{_WHEN}\.?"


@functools.cache
def _line() -> re.Pattern[str]:
    """The pattern of a stamp line, compiled on first use: 30-70 ms that a crawl
    process, which imports this module but extracts nothing itself, never pays."""
    return re.compile(rf"{_STAMP}(?:\s*(?:[|·•,;/–-]|\s)\s*{_STAMP}){{0,2}}", re.I)


def is_stamp(line: str) -> bool:
    """Whether ``line`` is nothing but last-updated, published or modified stamps."""
    line = line.strip()
    return 0 < len(line) <= MAX_STAMP and _line().fullmatch(line) is not None


def drop_stamps(text: str) -> str:
    """``text`` (one paragraph per line) without its stamp lines."""
    lines = text.split("\n")
    kept = [ln for ln in lines if not is_stamp(ln)]
    return text if len(kept) == len(lines) else "\n".join(kept)
