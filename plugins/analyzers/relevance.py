"""The relevance analyzer: a score in [0, 1] with the reasons that produced it.

The vocabulary score (:mod:`plugins.analyzers.scoring`) decides alone until the curator has
trained a model (``twinwatch model train``); then the model's probability is
blended in, with a weight that grows with the number of verdicts it learnt from
(at most one half: :func:`monitor.analyze.learn.model_weight`), so the ranking adapts to the curator.
"""

from __future__ import annotations

import re

from monitor.analyze.learn import model_weight
from monitor.hookspecs import hookimpl
from monitor.models import AnalysisContext, ChangeDraft, Finding
from plugins.analyzers.amounts import grant_amount
from plugins.analyzers.events import main_event
from plugins.analyzers.gazetteer import countries, key
from plugins.analyzers.language import language_of
from plugins.analyzers.places import TROUBLED, Places, find_places
from plugins.analyzers.scoring import SOUTH_COUNTRIES, Signals, ceremony_only, negated, relevance, signals
from plugins.analyzers.textutil import focus, fold, page_title_context
from plugins.analyzers.vocabulary import CATEGORY_GROUPS, GROUPS


def _names_actor(places: Places) -> bool:
    """A known municipality (not a town in a country at war) is named as the actor."""
    m = places.municipality
    return m is not None and m.place is not None and m.country not in TROUBLED


def text_facts(places: Places, text: str) -> dict[str, bool]:
    """The facts beside the vocabulary that the score and the category use (see
    :func:`plugins.analyzers.scoring.relevance`): where the places stand, and whether
    a sum in euros is named (a price in pounds is no grant: the category reads other
    currencies itself)."""
    m = places.municipality
    return {
        "amount": grant_amount(text)[0] is not None,
        "troubled_place": places.troubled,
        "named_municipality": _names_actor(places),
        "subject_municipality": m is not None and m.country not in TROUBLED and (
            "cue" in m.why or "subject" in m.why),
        "partner_town": places.partner is not None and "cue" in places.partner.why,
        "partner_south": places.partner is not None and places.partner.country in SOUTH_COUNTRIES,
    }


_WORD = re.compile(r"[^\W_]+", re.U)
DETAIL_CAP = 0.3
"""The most an edit that changes no word of the vocabulary can score."""


_NAME_OR_NUMBER = re.compile(r"(?<![.!?:]\s)(?<!^)\b(?:[A-ZÀ-Þ][\w-]+|\d[\d.,]*\d|\d)", re.M)


def _facts(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """What a passage states, word order and inflection aside: the vocabulary groups it
    touches, and its names (capitalised inside a sentence) and numbers."""
    groups = frozenset(signals("", text).hits)
    names = frozenset(fold(m.group(0)) for m in _NAME_OR_NUMBER.finditer(text))
    return groups, names


def _same_facts(new: str, old: str) -> bool:
    """Whether ``new`` states what ``old`` did: the same vocabulary groups, and no name
    or number on one side that the other lacks (a country named to situate a town
    aside)."""
    (g_new, n_new), (g_old, n_old) = _facts(new), _facts(old)
    if g_new != g_old:
        return False
    t_new, t_old = set(_WORD.findall(fold(new))), set(_WORD.findall(fold(old)))
    known = countries()
    return not any(n not in t_old and key(n) not in known for n in n_new) and not any(
        n not in t_new and key(n) not in known for n in n_old)


def detail_only(change: ChangeDraft) -> str | None:
    """Why an edited page holds no news, or ``None`` when it may.

    When every block of a page's diff is an edited paragraph (nothing added, nothing
    removed), the news is in the words the edit brought or took away, not in the
    paragraph around them: "Membership costs 12 pounds" -> "15 pounds" on a twinning
    page, a reworded sentence whose words only moved, a new e-mail address. If those
    words (the ones on one side only) hold no word of the vocabulary, the edit is a
    detail. A list edit under a heading is read by the events analyzer instead.
    """
    if change.kind != "page-changed" or not change.ops:
        return None
    if change.added and change.removed and _same_facts("\n".join(change.added), "\n".join(change.removed)):
        return "both sides name the same things with the same words of the vocabulary: a rewording"
    if any(op.op != "changed" or not op.words for op in change.ops):
        return None
    def side(mark: str) -> list[str]:
        return [w for op in change.ops for tag, text in op.words if tag == mark
                for w in _WORD.findall(fold(text))]

    plus, minus = side("+"), side("-")
    news = [w for w in plus if w not in set(minus)] + [w for w in minus if w not in set(plus)]
    if signals("", " ".join(news)).hits:
        return None
    shown = ", ".join(dict.fromkeys(news[:8])) or "word order only"
    return f"the edit changes no word of the vocabulary ({shown}): a detail or a rewording"


def refused_only(s: Signals) -> str | None:
    """Why nothing was done, or ``None``: every sentence that proposes or decides
    something ("motion", "the council decided") also says it was rejected or lost,
    and no twinning is at stake (a refused suspension is a debate: the category
    analyzer reads it). ``None`` when some decision stands."""
    if s.has("twinning") or s.has("town_link"):
        return None
    acting = [t for t in s.sentences if GROUPS["motion"].search(t) or GROUPS["decision"].search(t)]
    if acting and all(CATEGORY_GROUPS["reject"].search(t) for t in acting):
        return "every motion or decision in it was rejected or lost: nothing was done"
    return None


_UNDONE = ("decision", "end", "suspend", "establish", "aid")


def denied_only(s: Signals) -> str | None:
    """Why nothing was done, or ``None``: the text denies a report or rumour ("spreekt
    berichten tegen als zou de jumelage worden opgezegd", "claims that the council cut
    ties are untrue", "ha desmentido que vaya a romper el hermanamiento") and no other
    sentence decides, ends, suspends, makes or grants anything."""
    deny = CATEGORY_GROUPS["denial"]
    denied = [t for t in s.sentences if deny.search(t)]
    if not denied:
        return None
    others = [t for t in s.sentences if not deny.search(t)]
    # "X ne rompt pas avec sa ville jumelle": a negated act is the denial said again
    if any(not negated(t, m.start()) for t in others for g in _UNDONE for m in GROUPS[g].finditer(t)):
        return None
    return "a report or rumour is denied: nothing was done"


def score_change(change: ChangeDraft, context: AnalysisContext) -> Finding:
    """The ``relevance`` finding for a change."""
    title, body = focus(change)
    title = page_title_context(change, title, body)
    if not (title.strip() or body.strip()):
        return Finding("relevance", 0.0, score=0.0, reasons=("empty text: nothing to judge",))
    s = signals(title, body)
    src = change.source
    places = find_places(title, body, src.municipality, src.country, language_of(change))
    rel = relevance(s, **text_facts(places, f"{title}\n{body}" if title else body))
    score, reasons = rel.score, rel.reasons
    refused = refused_only(s) or denied_only(s) or ceremony_only(s)
    if refused is not None and score > DETAIL_CAP:
        score, reasons = DETAIL_CAP, (*reasons, f"{refused}: at most {DETAIL_CAP}")
    detail = detail_only(change)
    if detail is not None and score > DETAIL_CAP:
        score, reasons = DETAIL_CAP, (*reasons, f"{detail}: at most {DETAIL_CAP}")
    event = main_event(change)
    if event is not None and event.score > score:
        score, reasons = event.score, (*reasons, *event.reasons,
                                       f"read in its context on the page: {event.score:.2f}")
    if context.model is not None:
        w = model_weight(context.model.verdicts)
        p = context.model.probability(f"{title}\n{body}")
        blended = round((1 - w) * score + w * p, 4)
        reasons = (
            *reasons,
            f"vocabulary {score:.2f} blended with the curator's model {p:.2f} "
            f"(weight {w:.2f}, {context.model.verdicts} verdicts) -> {blended:.2f}",
        )
        score = blended
    return Finding("relevance", score, score=score, reasons=reasons)


@hookimpl
def analyze_change(change: ChangeDraft, context: AnalysisContext) -> list[Finding]:
    """Attach a ``relevance`` finding."""
    return [score_change(change, context)]
