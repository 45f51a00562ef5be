"""Euro amounts written in a text (``20.000 euro``, ``€ 2.500``, ``2300€``, ``5.000,00 EUR``,
``1,5 miljoen euro``, ``150,000 euros``) and the one most likely to be the grant.

Only euros: pounds, dollars and francs are not converted (the finding says so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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
_BEFORE = re.compile(rf"(?P<c>€|eur\b)\s*(?P<n>{_NUMBER})(?:\s*(?P<mult>{_MULT})\b)?", re.I)
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
    folded = fold(text) if len(fold(text)) == len(text) else text.lower()
    for rx in (_BEFORE, _AFTER):
        for m in rx.finditer(text):
            if any(f.start <= m.start() < f.start + len(f.text) for f in found.values()):
                continue
            value = parse_number(m.group("n"))
            if value is None:
                continue
            mult = (m.group("mult") or "").lower().rstrip(".")
            value *= _SCALE.get(mult, 1.0)
            window = folded[max(0, m.start() - 100) : m.end() + 40]
            found[m.start()] = FoundAmount(
                round(value, 2), m.group(0), m.start(), bool(_GRANT.search(window))
            )
    return sorted(found.values(), key=lambda a: a.start)


@lru_cache(maxsize=256)
def grant_amount(text: str) -> tuple[FoundAmount | None, bool]:
    """The amount most likely to be the grant, and whether other currencies were seen."""
    amounts = find_amounts(text)
    other = bool(_OTHER.search(text))
    if not amounts:
        return None, other
    granted = [a for a in amounts if a.grant]
    return (granted[0] if granted else amounts[0]), other
