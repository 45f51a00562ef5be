"""Euro amounts written in a text (``20.000 euro``, ``€ 2.500``, ``2300€``, ``5.000,00 EUR``,
``€ 5.000,-``, ``5k€``, ``1,5 miljoen euro``, ``150,000 euros``, and round amounts in words:
``vijfduizend euro``, ``dix mille euros``, ``cinquemila euro``) and the one most likely to be
the grant: near an aid or grant word, a total before a yearly or monthly part.

Only euros: pounds, dollars and francs are not converted (the finding says so). Every
pattern is bounded, so a hostile text of the full analyzer cap costs linear time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from plugins.analyzers.textutil import fold

_NUMBER = (
    r"\d{1,3}(?:[ \u00a0\u202f'’]\d{3})+(?:[.,]\d{1,2})?(?!\d)"
    r"|\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?(?!\d)"
    r"|\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?(?!\d)|\d+(?:[.,]\d+)?"
)
_MULT = (
    r"miljoen|miljard|millions?|milliards?|mio\.?|millionen|milliarden|mrd\.?|million|billion|bn|"
    r"millones|millon|milioni|milione|mln|mila|mil|duizend|mille|tausend|k"
)
_CUR = r"€|eur\b|euros?\b|euro's"
_AFTER = re.compile(
    rf"(?<![\w.,])(?P<n>{_NUMBER})\s*(?P<mult>{_MULT})?\.?\s*(?:de\s+|d'|di\s+)?(?P<c>{_CUR})", re.I
)
_BEFORE = re.compile(
    rf"(?P<c>€|eur\b)\s*(?P<n>{_NUMBER})(?:\s*(?P<mult>{_MULT})\b)?"
    # "un contributo di euro 2.000,00": the word first, then a number with its thousands or cents
    r"|(?P<c2>\beuro)\s+(?P<n2>\d{1,3}(?:\.\d{3})+(?:,\d{2})?(?!\d)|\d+,\d{2}(?!\d))", re.I)
_UNITS = {
    "een": 1, "un": 1, "une": 1, "ein": 1, "eine": 1, "one": 1, "a": 1, "uno": 1,
    "twee": 2, "deux": 2, "zwei": 2, "two": 2, "dos": 2, "due": 2,
    "drie": 3, "trois": 3, "drei": 3, "three": 3, "tres": 3, "tre": 3,
    "vier": 4, "quatre": 4, "four": 4, "cuatro": 4, "quattro": 4,
    "vijf": 5, "cinq": 5, "funf": 5, "five": 5, "cinco": 5, "cinque": 5,
    "zes": 6, "six": 6, "sechs": 6, "seis": 6, "sei": 6,
    "zeven": 7, "sept": 7, "sieben": 7, "seven": 7, "siete": 7, "sette": 7,
    "acht": 8, "huit": 8, "eight": 8, "ocho": 8, "otto": 8,
    "negen": 9, "neuf": 9, "neun": 9, "nine": 9, "nueve": 9, "nove": 9,
    "tien": 10, "dix": 10, "zehn": 10, "ten": 10, "diez": 10, "dieci": 10,
    "twintig": 20, "vingt": 20, "zwanzig": 20, "twenty": 20, "veinte": 20, "venti": 20,
    "dertig": 30, "trente": 30, "dreissig": 30, "thirty": 30, "treinta": 30, "trenta": 30,
    "veertig": 40, "quarante": 40, "vierzig": 40, "forty": 40, "cuarenta": 40, "quaranta": 40,
    "vijftig": 50, "cinquante": 50, "funfzig": 50, "fifty": 50, "cincuenta": 50, "cinquanta": 50,
    "honderd": 100, "cent": 100, "hundert": 100, "hundred": 100, "cien": 100, "cento": 100,
}
_THOUSANDS = {"duizend": 1e3, "mille": 1e3, "tausend": 1e3, "thousand": 1e3, "mil": 1e3, "mila": 1e3,
              "miljoen": 1e6, "million": 1e6, "millions": 1e6, "millionen": 1e6, "millones": 1e6,
              "millon": 1e6, "milioni": 1e6, "milione": 1e6, "millione": 1e6}
_WORDS = re.compile(
    r"(?<![a-z])(?P<w>" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")?[ -]?"
    r"(?P<mult>" + "|".join(sorted(_THOUSANDS, key=len, reverse=True)) + r")"
    r" {1,3}(?:de |d'|di )?(?:euros?\b|euro's|eur\b|€)"
)
_PERIOD = re.compile(
    r"^[^.;\n\d]{0,12}?(?<![a-z])(?:per (?:jaar|maand|year|month|annum)|jaarlijks|maandelijks|"
    r"par (?:an|mois)|"
    r"annuel|pro (?:jahr|monat)|jahrlich|monatlich|im jahr|a (?:year|month)|annually|yearly|monthly|"
    r"al (?:ano|mes)|anual|mensual|(?:all'|l')anno|al mese|annu[io]|mensil)"
)
_EACH = re.compile(
    r"(?<![a-z])(?:telkens|jaarlijks|jeweils|jahrlich|chaque annee|annuellement|every year|each year|"
    r"annually|cada ano|anualmente|ogni anno|annualmente)(?: (?:een bedrag van|de|van|di|of|la somme de))?"
    r"[ \t]*(?:[^\w\s]|\w+){0,2}[ \t]*$"
)
"""A word before an amount that makes it a yearly part ("telkens 4.000 euro", "jeweils 5.000 Euro",
"2027 bis 2029 jährlich 4.000 Euro")."""
_OTHER = re.compile(r"£|\$|\bgbp\b|\busd\b|\bchf\b|dollars?|pounds?|livres? sterling", re.I)
_SCALE = {
    "k": 1e3,
    "mila": 1e3,
    "mil": 1e3,
    "duizend": 1e3,
    "mille": 1e3,
    "tausend": 1e3,
    "miljoen": 1e6,
    "million": 1e6,
    "millions": 1e6,
    "mio": 1e6,
    "millionen": 1e6,
    "millones": 1e6,
    "millon": 1e6,
    "milioni": 1e6,
    "milione": 1e6,
    "mln": 1e6,
    "miljard": 1e9,
    "milliard": 1e9,
    "milliards": 1e9,
    "milliarden": 1e9,
    "mrd": 1e9,
    "billion": 1e9,
    "bn": 1e9,
}
_GRANT = re.compile(
    r"(?<![a-z])(?:schenk|doneer|stort|steun|noodhulp|hulp|subsidie|bedrag|budget|trekt|uit voor|"
    r"aide|don\b|subside|octroi|debloqu|verse|soutien|montant|"
    r"spend|hilfe|stellt|bereit|zuschuss|"
    r"donat|grant|aid|fund|allocat|pledg|budget|"
    r"ayuda|aporta|destina|donacion|partida|"
    r"aiut|contribut|stanzia|donazion|fondi)"
)


@dataclass(frozen=True)
class FoundAmount:
    """An amount in euros."""

    value: float
    text: str
    start: int
    grant: bool
    """An aid or grant word is near it."""
    periodic: bool = False
    """A yearly or monthly part ("5.000 euro per jaar"), not a total."""


def parse_number(raw: str) -> float | None:
    """``20.000`` -> 20000, ``5.000,00`` -> 5000.0, ``1,5`` -> 1.5, ``150,000`` -> 150000."""
    s = re.sub(r"[\s\u00a0\u202f'’]", "", raw)
    if "." in s and "," in s:
        dec = max(s.rfind("."), s.rfind(","))
        s = re.sub(r"[.,]", "", s[:dec]) + "." + s[dec + 1 :]
    elif "," in s:
        parts = s.split(",")
        s = "".join(parts) if all(len(p) == 3 for p in parts[1:]) else s.replace(",", ".")
    elif "." in s:
        parts = s.split(".")
        s = "".join(parts) if all(len(p) == 3 for p in parts[1:]) else s
    try:
        return float(s)
    except ValueError:
        return None


def find_amounts(text: str) -> list[FoundAmount]:
    """Every euro amount in ``text``, in order."""
    found: dict[int, FoundAmount] = {}
    covered: set[int] = set()  # characters inside an amount found: a set keeps many amounts linear
    aligned = len(fold(text)) == len(text)
    folded = fold(text) if aligned else text.lower()

    def add(start: int, end: int, value: float, raw: str) -> None:
        if start in covered:
            return
        covered.update(range(start, end))
        window = folded[max(0, start - 100) : end + 40]
        periodic = bool(_PERIOD.search(folded[end : end + 40])
                        or _EACH.search(folded[max(0, start - 30) : start]))
        found[start] = FoundAmount(round(value, 2), raw, start, bool(_GRANT.search(window)), periodic)

    for rx in (_BEFORE, _AFTER):
        for m in rx.finditer(text):
            if m.start() in covered:
                continue
            value = parse_number(m.groupdict().get("n") or m.group("n2"))
            if value is None:
                continue
            mult = (m.groupdict().get("mult") or "").lower().rstrip(".")
            value *= _SCALE.get(mult, 1.0)
            add(m.start(), m.end(), value, m.group(0))
    if aligned:
        for m in _WORDS.finditer(folded):
            value = _UNITS.get(m.group("w") or "", 1) * _THOUSANDS[m.group("mult")]
            add(m.start(), m.end(), value, text[m.start():m.end()])
    return sorted(found.values(), key=lambda a: a.start)


_COUNT = {"twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5,
          "six": 6, "zwei": 2, "drei": 3, "funf": 5, "sechs": 6, "two": 2, "three": 3, "four": 4, "five": 5,
          "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "due": 2, "tre": 3, "quattro": 4,
          "cinque": 5, "sei": 6}
_N = r"(?P<n>[2-9]|10|" + "|".join(_COUNT) + ")"
_YEARS = re.compile(
    r"(?<![a-z])(?:(?:voor|gedurende|(?:de )?komende|van|pendant|sur|pour|de|fur|uber|von|"
    r"(?:die |den )?(?:nachsten|kommenden)|for|over|"
    r"(?:the )?next|durante|por|(?:los )?proximos|per|(?:i |nei )?prossimi)\s+" + _N +
    r"\s+(?:jaar|jaren|ans|annees|jahre|jahren|years|anos|anni)\b"
    r"|(?:les )?" + _N.replace("?P<n>", "?P<m>") + r" prochaines annees"
    # "in den Jahren 2027 bis 2029", "pour 2027 et 2028", "2027-2029"
    r"|(?P<y1>20\d\d) ?(?:tot en met|tot|bis|a|au|to|-|–|al|fino al|et|en|und|and|y|e) ?"
    r"(?:(?:het|einschliesslich) )?"
    r"(?P<y2>20\d\d)(?!\d))"
)
"""How many years a yearly part is paid ("5.000 euro per jaar ... de komende drie jaar",
"3.000 euro all'anno per tre anni"); never "since three years" (no duration word before)."""
_MONTHLY = re.compile(r"maand|month|mois|monat|\bmes\b|mese|mensil|mensual")


def _total(best: FoundAmount, folded: str) -> FoundAmount:
    """A yearly part times the years it is paid for, where the text says how many."""
    end = best.start + len(best.text)
    if not best.periodic or _MONTHLY.search(folded[end: end + 40]):
        return best
    m = _YEARS.search(folded)
    if m is None:
        return best
    if m.group("y1"):
        years = int(m.group("y2")) - int(m.group("y1")) + 1
        if not 2 <= years <= 10:
            return best
    else:
        raw = m.group("n") or m.group("m")
        years = _COUNT.get(raw) or int(raw)
    return replace(best, value=round(best.value * years, 2), text=f"{best.text} x {years} years",
                   periodic=False)


@lru_cache(maxsize=256)
def grant_amount(text: str) -> tuple[FoundAmount | None, bool]:
    """The amount most likely to be the grant, and whether other currencies were seen. A
    yearly part paid for a stated number of years counts as its total."""
    amounts = find_amounts(text)
    other = bool(_OTHER.search(text))
    if not amounts:
        return None, other
    # a grant before any amount, a total before a yearly part, then the first
    best = min(amounts, key=lambda a: (not a.grant, a.periodic, a.start))
    folded = fold(text)
    return (_total(best, folded) if len(folded) == len(text) else best), other
