"""Records and twinning links drawn as plain Text for the records screen's panels.

Everything a record holds may come from scraped text (a summary pre-filled from a
page title, a quoted passage, a URL), so every piece is a ``Text`` object with its
control characters stripped: markup-like text shows as written.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from monitor.records.queries import Record, TwinningLink
from monitor.text import one_line, strip_controls

QUOTE_SHOWN = 1200
"""Characters of a quoted passage shown in the panel (the record keeps more)."""


def amount_text(amount: float | None) -> str:
    """``5000.0`` -> ``5,000``; ``5000.5`` -> ``5,000.50``; ``None`` -> ``""``."""
    if amount is None:
        return ""
    return f"{amount:,.0f}" if amount == int(amount) else f"{amount:,.2f}"


def form_value(key: str, value: Any) -> str:
    """A field's value as the record form shows it (amounts without grouping)."""
    if value is None:
        return ""
    if key == "amount_eur" and isinstance(value, int | float):
        return str(int(value)) if value == int(value) else repr(float(value))
    return str(value)


def place(name: str | None, country: str | None) -> str:
    if not name:
        return "—"
    return one_line(name, 80) + (f" ({one_line(country, 4)})" if country else "")


def record_text(r: Record) -> Text:
    """The whole record: fields, then each piece of evidence with its quoted passage."""
    t = Text()
    t.append(f"Record #{r.id}", style="bold")
    t.append(f"  · {r.action or 'no action type'} · {r.date or 'undated'}")
    t.append(f"   version {r.version}, updated {r.updated_at[:16].replace('T', ' ')}\n", style="dim")
    t.append(place(r.municipality, r.country))
    if r.municipality_qid:
        t.append(f" [{r.municipality_qid}]", style="dim")
    t.append("  →  ")
    t.append(place(r.partner, r.partner_country))
    if r.partner_qid:
        t.append(f" [{r.partner_qid}]", style="dim")
    t.append("\n")
    if r.amount_eur is not None:
        t.append(f"amount: € {amount_text(r.amount_eur)}\n")
    if r.summary:
        t.append(one_line(r.summary, 1000) + "\n", style="italic")
    t.append(f"\nEvidence ({len(r.evidence)})\n", style="bold")
    for e in r.evidence:
        t.append(f"change {e.change_id} · fetched {(e.fetched_at or '?')[:19].replace('T', ' ')}\n",
                 style="dim")
        t.append(one_line(e.url, 500) + "\n", style="underline")
        t.append(f"fingerprint {e.snapshot_fp or '—'}\n", style="dim")
        quote = strip_controls(e.quote)
        if len(quote) > QUOTE_SHOWN:
            quote = quote[:QUOTE_SHOWN] + f" [… {len(quote) - QUOTE_SHOWN} more characters]"
        t.append("“" + quote + "”\n\n")
    return t


def history_text(lk: TwinningLink) -> str:
    """``established 2012 → suspended 2024-06`` (one line)."""
    return " → ".join(f"{e.state} {e.date or '(undated)'}" for e in lk.events)


def link_text(lk: TwinningLink) -> Text:
    """A twinning link: the pair, its state, and each dated step with its source."""
    t = Text()
    t.append(place(lk.municipality, lk.country), style="bold")
    t.append("  ↔  ")
    t.append(place(lk.partner, lk.partner_country), style="bold")
    t.append(f"\nnow {lk.state}")
    if lk.start:
        t.append(f" · since {lk.start}")
    if lk.end:
        t.append(f" · ended {lk.end}")
    t.append("\n\nTimeline\n", style="bold")
    for e in lk.events:
        t.append(f"{(e.date or '(undated)'):<11} ")
        t.append(f"{e.state:<12}", style="bold" if e.state != "debated" else "dim")
        t.append(f" record #{e.record_id}", style="dim")
        if e.fetched_at:
            t.append(f" · fetched {e.fetched_at[:10]}", style="dim")
        t.append("\n")
        if e.source_url:
            t.append("            " + one_line(e.source_url, 300) + "\n", style="underline")
    return t
