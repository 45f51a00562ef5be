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
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

def fingerprint(data: bytes | str) -> str:
    """A stable content fingerprint (sha256, hex)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def strip_controls(text: str) -> str:
    """Remove terminal control characters (ESC, C0 but tab/newline, C1); keep the rest."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def normalise(text: str) -> str:
    """Canonical text: NFC, no control characters, single spaces, one paragraph per
    line, no blank lines, no leading/trailing space. Two texts that differ only in
    spacing, blank lines or line-ending style normalise to the same string."""
    text = strip_controls(unicodedata.normalize("NFC", text)).replace("\u200b", " ")
    # str.split() with no argument splits on every Unicode space (NBSP, thin and
    # ideographic spaces included) and is far faster than a regex on long pages.
    lines = (" ".join(raw.split()) for raw in text.split("\n"))
    return "\n".join(line for line in lines if line)


def paragraphs(text: str) -> list[str]:
    """The paragraphs of normalised text (extractors give one paragraph per line)."""
    return [line for line in text.split("\n") if line]


def one_line(text: str, limit: int = 200) -> str:
    """A single-line, length-limited form of ``text`` for titles and table cells."""
    flat = " ".join(strip_controls(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def compress(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8"), 6)


def decompress(data: bytes) -> str:
    return zlib.decompress(data).decode("utf-8")
