"""Text normalisation and fingerprints: the plain functions ingest is made of.

Nothing here touches the database or the network.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib

# C0 controls except tab and newline, DEL, and C1 controls. ESC is among them, so
# no fetched text can carry a terminal escape sequence into the TUI or a file.
# Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) go
# too: they reorder what a curator sees ("Trojan Source"); right-to-left letters and
# the plain direction marks (U+200E, U+200F, U+061C) stay.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

# Whole escape sequences are removed, not only their ESC: "\x1b[31mred" becomes "red",
# not "[31mred". CSI (ESC [ or C1 CSI), OSC (ESC ], ended by BEL or ESC \\), DCS, SOS,
# PM, APC (ESC P X ^ _, ended by ESC \\), and two-character ESC sequences. Lengths are
# bounded so an unterminated sequence never swallows the text after it (its ESC
# alone is then removed by _CONTROL).
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]{0,64}[ -/]{0,8}[@-~]"
    r"|\x1b\][^\x07\x1b\n]{0,1024}(?:\x07|\x1b\\)"
    r"|\x1b[PX^_][^\x1b\n]{0,1024}\x1b\\"
    r"|\x1b[ -/]{0,4}[0-~]"
)

def fingerprint(data: bytes | str) -> str:
    """A stable content fingerprint (sha256, hex)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


_ASCII_CONTROLS = bytes(b for b in range(128) if b < 32 and b not in (9, 10) or b == 127)
"""The ASCII bytes :func:`strip_controls` removes or rewrites (CR included)."""


def strip_controls(text: str) -> str:
    """Remove terminal escape sequences and control characters (C0 but tab/newline,
    DEL, C1, bidi overrides and isolates); keep the rest, right-to-left letters too."""
    if text.isascii():
        # Most pages: nothing to remove is decided at C speed (the regexes below
        # scan every character: a fifth of a millisecond for a 40 KB page).
        raw = text.encode("ascii")
        if len(raw.translate(None, _ASCII_CONTROLS)) == len(raw):
            return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x1b" in text or "\x9b" in text:
        text = _ESCAPES.sub("", text)
    return _CONTROL.sub("", text)


def normalise(text: str) -> str:
    """Canonical text: NFC, no control characters, single spaces, one paragraph per
    line, no blank lines, no leading/trailing space. Two texts that differ only in
    spacing, blank lines or line-ending style normalise to the same string."""
    text = strip_controls(unicodedata.normalize("NFC", text)).replace("\u200b", " ")
    # str.split() with no argument splits on every Unicode space (NBSP, thin and
    # ideographic spaces included) and is far faster than a regex on long pages. Most
    # lines an extractor gives are single-spaced already and are kept as they are: in
    # ASCII text without tabs (the controls are gone) and in a printable line (every
    # other space and separator is not), the only space is the ASCII one, so a line
    # without two in a row or one at either end is its own split-join (splitting and
    # joining every line of a 40 KB page cost a fifth of a millisecond).
    plain = text.isascii() and "\t" not in text
    lines = []
    for raw in text.split("\n"):
        if not raw:
            continue
        if raw[0] != " " and raw[-1] != " " and "  " not in raw and (plain or raw.isprintable()):
            lines.append(raw)
            continue
        line = " ".join(raw.split())
        if line:
            lines.append(line)
    return "\n".join(lines)


_SPLIT_BYTES = b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"
"""The ASCII characters ``str.split()`` splits at."""


def solid_length(text: str) -> int:
    """The characters of ``text`` that are not spaces (as ``str.split()`` sees them):
    counted at C speed for ASCII text (a tenth of a millisecond less for a 20 KB page,
    which a crawl's extraction measures twice), by splitting otherwise."""
    if text.isascii():
        return len(text.encode("ascii").translate(None, _SPLIT_BYTES))
    return sum(map(len, text.split()))


def paragraphs(text: str) -> list[str]:
    """The paragraphs of normalised text (extractors give one paragraph per line)."""
    return [line for line in text.split("\n") if line]


def one_line(text: str, limit: int = 200) -> str:
    """A single-line, length-limited form of ``text`` for titles and table cells."""
    flat = " ".join(strip_controls(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


COMPRESS_LEVEL = 1
"""zlib level of stored texts. Level 6 (zlib's default) took a millisecond for a
40 KB page, a third of its whole extraction (``bench/crawl``); level 1 is four times
faster for about a tenth more bytes on the seed documents (0.445 of the text's size
against 0.405). Stored texts of either level read back the same."""


def compress(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8"), COMPRESS_LEVEL)


def decompress(data: bytes) -> str:
    return zlib.decompress(data).decode("utf-8")


HEADING_LINE = 80
"""A heading is a line this long or shorter, without closing punctuation."""
_NUMBERED = re.compile(r"^(?:(?P<num>\d{1,2}(?:\.\d{1,2}){0,4})\.?|(?P<roman>[IVX]{1,5})\.|[A-H]\.)\s+\S")
_AGENDA = re.compile(
    r"^(?:agendapunt|agenda item|item|punt|point|punto|tagesordnungspunt|top|ordine del giorno|"
    r"orden del d[ií]a)\s*(?:n[°o.º]\s*)?\d{1,3}\b", re.I)
_CLOSING = re.compile(r"[.!?;,]$")


def agenda_point(line: str) -> bool:
    """Whether a line opens an agenda point ("Punt 4. Motie ...", "TOP 7: Antrag ..."):
    a heading whatever its length beside the document's other lines."""
    return len(line) <= HEADING_LINE and bool(_AGENDA.match(line)) and not _CLOSING.search(line.rstrip("."))


def heading_level(line: str) -> int | None:
    """The level (2-6) of a line that reads as a heading by its own shape -- a numbered
    heading ("1.1. Twinning partnerships": level 3) or an agenda point ("Agendapunt 6:
    Motie over Gaza": level 3) -- else ``None``. Used where a text has no markup: a
    PDF's lines, a page read without its HTML."""
    if len(line) > HEADING_LINE:
        return None
    if _AGENDA.match(line) and not _CLOSING.search(line.rstrip(".")):
        return 3  # "Punt 4. Motie Gaza." : an agenda point may end in a full stop
    if _CLOSING.search(line):
        return None
    m = _NUMBERED.match(line)
    if m:
        depth = m.group("num").count(".") + 1 if m.group("num") else 1
        return min(depth + 1, 6)
    if _AGENDA.match(line):
        return 3
    return None
