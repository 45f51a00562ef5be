"""The relevance analyzer: a score in [0, 1] with the reasons that produced it.

The vocabulary score (:mod:`plugins.analyzers.scoring`) decides alone until the curator has
trained a model (``twinwatch model train``); then the model's probability is
blended in, with a weight that grows with the number of verdicts it learnt from
(at most one half: :func:`monitor.analyze.learn.model_weight`), so the ranking adapts to the curator.
"""

from __future__ import annotations

from monitor.analyze.learn import model_weight
from monitor.hookspecs import hookimpl
from monitor.models import AnalysisContext, ChangeDraft, Finding
from plugins.analyzers.events import main_event
from plugins.analyzers.language import language_of
from plugins.analyzers.places import TROUBLED, Places, find_places
from plugins.analyzers.scoring import relevance, signals
from plugins.analyzers.textutil import focus


def _names_actor(places: Places) -> bool:
    """A known municipality (not a town in a country at war) is named as the actor."""
    m = places.municipality
    return m is not None and m.place is not None and m.country not in TROUBLED


def place_facts(places: Places) -> dict[str, bool]:
    """The place facts the vocabulary score uses (see :func:`plugins.analyzers.scoring.relevance`)."""
    m = places.municipality
    return {
        "troubled_place": places.troubled,
        "named_municipality": _names_actor(places),
        "subject_municipality": m is not None and m.country not in TROUBLED and (
            "cue" in m.why or "subject" in m.why),
        "partner_town": places.partner is not None and "cue" in places.partner.why,
    }


def score_change(change: ChangeDraft, context: AnalysisContext) -> Finding:
    """The ``relevance`` finding for a change."""
    title, body = focus(change)
    if not (title.strip() or body.strip()):
        return Finding("relevance", 0.0, score=0.0, reasons=("empty text: nothing to judge",))
    s = signals(title, body)
    src = change.source
    places = find_places(title, body, src.municipality, src.country, language_of(change))
    rel = relevance(s, **place_facts(places))
    score, reasons = rel.score, rel.reasons
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
