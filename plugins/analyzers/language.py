"""The language analyzer: which of nl, fr, de, en, es, it a change is written in.

py3langid (a maintained fork of langid.py, with its model in the package, so it
works offline) restricted to the six languages of our sources. Text too short to
tell, or written mostly in another script, gives ``None`` with the reason.
"""

from __future__ import annotations

import contextlib
import io
import re
from array import array
from functools import lru_cache
from importlib import metadata
from typing import Any

from monitor.hookspecs import hookimpl
from monitor.models import AnalysisContext, ChangeDraft, Finding
from plugins.analyzers.cache import cache_path, write_whole
from plugins.analyzers.textutil import focus

LANGUAGES = ("nl", "fr", "de", "en", "es", "it")
MIN_LETTERS = 12
SAMPLE = 3000
"""Characters read: language does not change halfway through a change."""

_LATIN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]")
_LETTER = re.compile(r"[^\W\d_]")


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import LanguageIdentifier

    ptc, pc, classes, nextmove, row, output = _model()
    ident = LanguageIdentifier(ptc, pc, classes, nextmove, output, norm_probs=True, tk_row=row)
    ident.set_languages(list(LANGUAGES))
    return ident


def _model() -> tuple[Any, ...]:
    """py3langid's model as its loader gives it. The package ships it LZMA-compressed, and
    unpacking it was most of the analyzers' start-up in every process (0.35 of 0.47 s):
    the unpacked arrays are kept in the cache folder (an ``.npz`` read without pickle) for
    the installed py3langid, and unpacked again when that copy is missing or unreadable."""
    import numpy as np

    path = cache_path(f"py3langid-{metadata.version('py3langid')}-model.npz")
    try:
        with np.load(path, allow_pickle=False) as d:
            return (d["ptc"], d["pc"], d["classes"].tolist(), _array(d["nextmove"]),
                    _array(d["row"]), d["output"].tolist())
    except (OSError, ValueError, KeyError):
        pass
    from py3langid.langid import MODEL_DIR, MODEL_FILE
    from py3langid.modelio import load_model

    model: tuple[Any, ...] = load_model(MODEL_DIR / MODEL_FILE)
    ptc, pc, classes, nextmove, row, output = model
    buffer = io.BytesIO()
    np.savez(buffer, ptc=ptc, pc=pc, classes=np.array(classes), output=np.array(output),
             nextmove=np.frombuffer(nextmove, dtype=f"u{nextmove.itemsize}"),
             row=np.frombuffer(row, dtype=f"u{row.itemsize}"))
    with contextlib.suppress(OSError):  # a read-only cache folder: unpack each time
        write_whole(path, buffer.getvalue())
    return model


def _array(values: Any) -> array[int]:
    """A stdlib ``array`` of an unsigned numpy array (py3langid's tables are ``array``s)."""
    out = array({1: "B", 2: "H", 4: "I", 8: "L"}[values.dtype.itemsize])
    out.frombytes(values.tobytes())
    return out


@lru_cache(maxsize=256)
def detect(text: str) -> tuple[str | None, float, str]:
    """``(language or None, confidence, reason)`` for ``text``."""
    sample = text[:SAMPLE]
    letters = len(_LETTER.findall(sample))
    if letters < MIN_LETTERS:
        return None, 0.0, "too little text to tell the language"
    latin = len(_LATIN.findall(sample))
    if latin < letters * 0.5:
        return None, 0.0, "written mostly in a script other than Latin: not nl, fr, de, en, es or it"
    lang, prob = _identifier().classify(sample)
    prob = float(prob)
    if prob < 0.5:
        return str(lang), round(prob, 3), (
            f"uncertain: the text may be in another language (read on its first {SAMPLE:,} characters)")
    read = "" if len(text) <= SAMPLE else f" on the first {SAMPLE:,} characters"
    return str(lang), round(prob, 3), f"py3langid{read}"


SHORT_CHANGE = 200
"""Characters of changed text below which the language is read on the whole page."""


def change_language(change: ChangeDraft) -> tuple[str | None, float, str]:
    """``(language, confidence, why)`` of a change, read from its text: the changed
    paragraphs, else (too short to tell: "Megiddo (Israel)") the whole page or entry
    they belong to. The source's declared language only when the text cannot tell."""
    title, body = focus(change)
    if len(body) < SHORT_CHANGE and len(change.text) > len(body):
        # a list item or a figure says little; a page title is often in the site's
        # other language ("Commune d'Ixelles"): the page's own text tells
        lang, prob, why = detect(f"{body}\n{change.text}")
        why = f"{why}, read on the whole page (the change itself is too short to tell)"
    else:
        lang, prob, why = detect(f"{title}\n{body}")
    if lang is None and change.source.lang:
        return change.source.lang, 0.5, f"{why}; taken from the source's declared language"
    return lang, prob, why


def language_of(change: ChangeDraft) -> str | None:
    """The language of the change's text (:func:`change_language`)."""
    return change_language(change)[0]


@hookimpl
def analyze_change(change: ChangeDraft, context: AnalysisContext) -> list[Finding]:
    """Attach a ``language`` finding."""
    lang, prob, why = change_language(change)
    return [Finding("language", lang, score=prob, reasons=tuple(why.split("; ")))]
