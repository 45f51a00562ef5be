"""The facts analyzer: the decision or event date and the euro amount of a change."""

from __future__ import annotations

from monitor.hookspecs import hookimpl
from monitor.models import AnalysisContext, ChangeDraft, Finding
from plugins.analyzers.amounts import grant_amount
from plugins.analyzers.dates import decision_date
from plugins.analyzers.events import events
from plugins.analyzers.textutil import focus


@hookimpl
def analyze_change(change: ChangeDraft, context: AnalysisContext) -> list[Finding]:
    """Attach ``date`` and ``amount`` findings (``None`` values say why)."""
    title, body = focus(change)
    text = f"{title}\n{body}" if title else body
    date, n = decision_date(text, change.published)
    if date is None:
        why = "no date in the text" if change.published else (
            "no full date (day, month, year) in the text, and no publication date for a day without a year")
        date_f = Finding("date", None, score=0.0, reasons=(why,))
    else:
        why = "near a decision or event word" if date.cue else "first date in the text"
        if date.background:
            why = "only background dates (since when, an earlier decision); the first"
        reasons = [f"{date.text!r}: {why}", f"{n} date{'s' if n != 1 else ''} found"]
        if date.inferred:
            reasons.append(f"year or day from the publication date {change.published}")
        date_f = Finding("date", date.iso, score=0.8 if date.cue and not date.background else 0.5,
                         reasons=tuple(reasons))
    amount, other = grant_amount(text)
    found = events(change)
    event = found[0] if found else None
    if event is not None and event.date:  # the change read in context: the first event's own passage
        date_f = Finding("date", event.date, score=0.6, reasons=event.reasons[-1:])
    if change.decided:  # the source says when it was decided: the text may only quote other dates
        date_f = Finding("date", change.decided, score=0.9, reasons=(
            "the date of the meeting that decided it, as the source gives it",
            f"{n} date{'s' if n != 1 else ''} in the text"))
    if event is not None and event.amount_eur is not None:
        return [date_f, Finding("amount", event.amount_eur, score=0.8, reasons=event.reasons[-1:])]
    if event is not None and len(found) > 1:  # the change's facts are its first event's, not another's sum
        return [date_f, Finding("amount", None, score=0.0, reasons=(
            f"the first of {len(found)} events names no euro amount", *event.reasons[-1:]))]
    if amount is None:
        why = "amounts in another currency are not converted" if other else "no euro amount in the text"
        amount_f = Finding("amount", None, score=0.0, reasons=(why,))
    else:
        amount_f = Finding(
            "amount",
            amount.value,
            score=0.8 if amount.grant else 0.5,
            reasons=(f"{amount.text!r}" + (": near an aid or grant word" if amount.grant else ""),),
        )
    return [date_f, amount_f]
