"""The category analyzer: what kind of action a relevant change announces.

One of :data:`monitor.models.CATEGORIES`, or ``None`` when the vocabulary finds
nothing relevant (the finding then says so).
"""

from __future__ import annotations

from monitor.hookspecs import hookimpl
from monitor.models import RELEVANT_AT, AnalysisContext, ChangeDraft, Finding
from plugins.analyzers.amounts import grant_amount
from plugins.analyzers.events import main_event
from plugins.analyzers.language import language_of
from plugins.analyzers.places import find_places
from plugins.analyzers.relevance import DETAIL_CAP, denied_only, detail_only, refused_only, text_facts
from plugins.analyzers.scoring import category, ceremony_only, relevance, signals
from plugins.analyzers.textutil import focus, page_title_context


@hookimpl
def analyze_change(change: ChangeDraft, context: AnalysisContext) -> list[Finding]:
    """Attach a ``category`` finding."""
    event = main_event(change)
    if event is not None and event.action:
        return [Finding("category", event.action, score=event.score, reasons=event.reasons)]
    title, body = focus(change)
    title = page_title_context(change, title, body)
    s = signals(title, body)
    src = change.source
    places = find_places(title, body, src.municipality, src.country, language_of(change))
    text = f"{title}\n{body}" if title else body
    facts = text_facts(places, text)
    rel = relevance(s, **facts)
    name, why = category(
        s,
        amount=facts["amount"] or grant_amount(text)[1],
        troubled_place=places.troubled,
        partner_town=facts["partner_town"],
        partner_south=facts["partner_south"],
    )
    # capped under RELEVANT_AT by relevance
    nothing_done = refused_only(s) or denied_only(s) or ceremony_only(s) or detail_only(change)
    if nothing_done is not None and DETAIL_CAP < RELEVANT_AT:
        return [Finding("category", None, score=0.0, reasons=(f"{nothing_done}; closest: {name}",))]
    if rel.score < RELEVANT_AT:
        return [Finding("category", None, score=0.0,
                        reasons=(f"not relevant by the vocabulary ({rel.score:.2f}); closest: {name}",))]
    return [Finding("category", name, score=rel.score, reasons=why)]
