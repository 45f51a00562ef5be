"""Text helpers shared by the built-in analyzers: what part of a change to read,
repairing mojibake, folding case and accents, splitting sentences.

No analyzer logic lives here, and nothing here raises on odd input. No length cap
lives here either: monitor cuts each text before any analyzer sees it and records
the cut as a ``truncated`` finding (:mod:`monitor.analyze.caps`), and the built-in
analyzers read all of what they are handed, so that finding tells the whole story.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from monitor.models import ChangeDraft

_MOJIBAKE = re.compile("[ÃÂ][\u0080-\u00bf]|â€")
_SPECIAL = str.maketrans({"œ": "oe", "Œ": "Oe", "æ": "ae", "Æ": "Ae", "ß": "ss", "ø": "o", "Ø": "O",
                          "’": "'", "‘": "'", "`": "'", "´": "'", "–": "-", "—": "-", "‐": "-",
                          "‑": "-", "ı": "i", "ł": "l", "đ": "d"})


def repair(text: str) -> str:
    """Undo the usual mojibake (UTF-8 read as Latin-1/cp1252), when that is what it is."""
    if not _MOJIBAKE.search(text):
        return text
    for codec in ("cp1252", "latin-1"):
        try:
            return text.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return text


def _base(c: str) -> str:
    decomposed = unicodedata.normalize("NFKD", c)
    stripped = "".join(x for x in decomposed if not unicodedata.combining(x))
    return stripped if len(stripped) == 1 else c


_FOLD = {**{cp: _base(chr(cp)) for cp in range(0xC0, 0x250)}, **_SPECIAL}


@lru_cache(maxsize=1024)
def fold(text: str) -> str:
    """Lower case without accents (``Städtepartnerschaft`` -> ``stadtepartnerschaft``),
    one character for one except for ligatures (``œ`` -> ``oe``)."""
    return text.translate(_FOLD).lower()


def focus(change: ChangeDraft) -> tuple[str, str]:
    """``(title, body)`` of what changed: added paragraphs, the new side of edited
    ones, then removed paragraphs; the full text when the diff is empty. All of it:
    the change arrives already capped by monitor."""
    parts: list[str] = list(change.added)
    for op in change.ops:
        if op.op == "changed" and op.new not in parts:
            parts.append(op.new)
    parts.extend(change.removed)
    body = "\n".join(parts) if parts else change.text
    return repair(change.title or ""), repair(body)


def page_title_context(change: ChangeDraft, title: str, body: str) -> str:
    """The title as the relevance and the category read it. A news entry's title is its
    headline: part of what is new. A page's title names the page ("Twinning | City of
    Lewes") and is the same before and after: it says what the page is about, not what
    changed, so an edit of a twinning page's opening hours is not a twinning event.
    The events analyzer reads the page's headings for that context."""
    return "" if change.kind == "page-changed" and body else title


_ORDINAL_DATE = re.compile(
    r"(?i)^(?:jan|feb|m[aä]r|apr|ma[iy]|jun|jul|aug|sep|okt|oct|nov|dez|dec|januar|februar|j[aä]nner)"
)
"""A month after "12." (German "am 12. November 2026"): the dot is an ordinal's, no sentence end."""
_ENDS_ORDINAL = re.compile(r"(?<![\d.])\d{1,2}\.$")


def sentences(text: str) -> list[str]:
    """Rough sentence split (enough to keep cues and places together); a German date's
    ordinal dot ("am 12. November") ends no sentence."""
    out: list[str] = []
    for piece in re.split(r"(?<=[.!?;:])\s+|\n+", text):
        if not piece.strip():
            continue
        if out and _ENDS_ORDINAL.search(out[-1]) and _ORDINAL_DATE.match(piece):
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    return out
