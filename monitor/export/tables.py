"""The tables twinwatch exports, with their documented columns.

An exporter plugin receives one :class:`Table`: a name, typed and described columns
in a fixed order, and rows of plain values (str, int, float, None, or a list of str
for list columns). The column lists here are the documentation's source: new columns
are only ever appended.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from monitor.models import ChangeRow
from monitor.records.queries import Record, TwinningLink


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    """string, integer, number, datetime, or array (a list of strings)."""
    description: str
    sep: str = "\n"
    """How tabular formats join an array cell."""


@dataclass(frozen=True)
class Table:
    """What one export contains, ready for any format."""

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[dict[str, Any], ...]
    created_at: str = ""
    """When the batch was made (formats that carry a date use this, never the clock)."""
    batch_id: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "created_at": self.created_at,
                "batch_id": self.batch_id, "columns": [c.__dict__ for c in self.columns],
                "rows": list(self.rows)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Table:
        return cls(data["name"], data["title"], tuple(Column(**c) for c in data["columns"]),
                   tuple(data["rows"]), data["created_at"], data["batch_id"])


@dataclass(frozen=True)
class Item:
    """One row with the identity and version that incremental exports compare."""

    id: int
    version: str
    row: dict[str, Any] = field(hash=False)


RECORD_COLUMNS = (
    Column("record_id", "integer", "twinwatch's id of the record"),
    Column("municipality", "string", "the acting municipality"),
    Column("country", "string", "its country, ISO 3166-1 alpha-2"),
    Column("partner", "string", "the partner town, where there is one"),
    Column("partner_country", "string", "the partner's country, ISO 3166-1 alpha-2"),
    Column("action", "string", "what was done: one of the analysis categories"),
    Column("date", "string", "when it was decided or happened: YYYY-MM-DD, YYYY-MM or YYYY"),
    Column("amount_eur", "number", "an amount in euro, where the action has one"),
    Column("summary", "string", "one line saying what happened"),
    Column("evidence_quote", "string", "the quoted passage, in its original language"),
    Column("evidence_url", "string", "where the passage was published"),
    Column("snapshot_fingerprint", "string", "sha256 of the stored text the passage comes from"),
    Column("fetched_at", "datetime", "when twinwatch fetched that text (UTC)"),
    Column("other_evidence_urls", "array",
           "further changes supporting the record, and every other source of their cases"),
    Column("municipality_qid", "string", "the municipality's Wikidata item, when known"),
    Column("partner_qid", "string", "the partner's Wikidata item, when known"),
    Column("updated_at", "datetime", "when the curator last changed the record (UTC)"),
)

LINK_COLUMNS = (
    Column("municipality", "string", "one town of the pair"),
    Column("country", "string", "its country"),
    Column("partner", "string", "the other town of the pair"),
    Column("partner_country", "string", "its country"),
    Column("state", "string", "established, suspended, resumed, ended or unknown"),
    Column("start", "string", "when the link was first established, when known"),
    Column("end", "string", "when it ended, if it did"),
    Column("timeline", "array", "every step as 'date state' in date order", "; "),
    Column("source_urls", "array", "where each step was published"),
    Column("record_ids", "array", "the records the timeline is built from", "; "),
    Column("retrieved_at", "datetime", "when twinwatch fetched the latest step's source (UTC)"),
    Column("municipality_qid", "string", "Wikidata item of the municipality"),
    Column("partner_qid", "string", "Wikidata item of the partner"),
)

CHANGE_COLUMNS = (
    Column("change_id", "integer", "twinwatch's id of the change"),
    Column("detected_at", "datetime", "when the change was found (UTC)"),
    Column("status", "string", "the curator's verdict: new, relevant, irrelevant, follow-up"),
    Column("tags", "array", "the curator's tags", "; "),
    Column("note", "string", "the curator's note"),
    Column("reviewed_at", "datetime", "when the verdict was last changed (UTC)"),
    Column("municipality", "string", "the source's municipality"),
    Column("country", "string", "the source's country"),
    Column("lang", "string", "the source's language"),
    Column("kind", "string", "page-changed, new-entry or edited-entry"),
    Column("title", "string", "page title or entry title"),
    Column("url", "string", "the changed page or entry"),
    Column("source_url", "string", "the watched URL"),
    Column("added", "array", "paragraphs added (edited ones in their new form)"),
    Column("removed", "array", "paragraphs removed (edited ones in their old form)"),
    Column("case_id", "integer", "the case grouping the changes that report the same event"),
    Column("case_urls", "array", "every source of that case"),
)


def record_items(records: Sequence[Record],
                 cases: dict[int, tuple[int, tuple[str, ...]]] | None = None) -> list[Item]:
    items = []
    cases = cases or {}
    for r in records:
        first = r.evidence[0] if r.evidence else None
        others = [e.url for e in r.evidence[1:]]
        for e in r.evidence:  # every source of the cases the evidence belongs to
            others += [u for u in cases.get(e.change_id, (0, ()))[1] if u != (first.url if first else "")]
        row = {
            "record_id": r.id, "municipality": r.municipality, "country": r.country,
            "partner": r.partner, "partner_country": r.partner_country, "action": r.action,
            "date": r.date, "amount_eur": r.amount_eur, "summary": r.summary,
            "evidence_quote": first.quote if first else None,
            "evidence_url": first.url if first else None,
            "snapshot_fingerprint": first.snapshot_fp if first else None,
            "fetched_at": first.fetched_at if first else None,
            "other_evidence_urls": list(dict.fromkeys(others)),
            "municipality_qid": r.municipality_qid, "partner_qid": r.partner_qid,
            "updated_at": r.updated_at,
        }
        items.append(Item(r.id, str(r.version), row))
    return items


def link_items(links: Sequence[TwinningLink]) -> list[Item]:
    items = []
    for lk in links:
        row = {
            "municipality": lk.municipality, "country": lk.country, "partner": lk.partner,
            "partner_country": lk.partner_country, "state": lk.state, "start": lk.start,
            "end": lk.end,
            "timeline": [f"{e.date or 'undated'} {e.state}" for e in lk.events],
            "source_urls": [e.source_url or "" for e in lk.events],
            "record_ids": [str(e.record_id) for e in lk.events],
            "retrieved_at": lk.events[-1].fetched_at,
            "municipality_qid": lk.municipality_qid, "partner_qid": lk.partner_qid,
        }
        version = hashlib.sha256(json.dumps(row, sort_keys=True).encode()).hexdigest()[:16]
        items.append(Item(min(e.record_id for e in lk.events), version, row))
    return items


def change_items(rows: Sequence[ChangeRow],
                 cases: dict[int, tuple[int, tuple[str, ...]]] | None = None) -> list[Item]:
    items = []
    cases = cases or {}
    for c in rows:
        case_id, case_urls = cases.get(c.id, (None, ()))
        row = {
            "change_id": c.id, "detected_at": c.detected_at, "status": c.review.status,
            "tags": list(c.review.tags), "note": c.review.note,
            "reviewed_at": c.review.reviewed_at, "municipality": c.municipality,
            "country": c.country, "lang": c.lang, "kind": c.kind, "title": c.title,
            "url": c.url, "source_url": c.source_url, "added": list(c.added),
            "removed": list(c.removed), "case_id": case_id, "case_urls": list(case_urls),
        }
        items.append(Item(c.id, c.review.reviewed_at or c.detected_at, row))
    return items


COVERAGE_COLUMNS = (
    Column("code", "string", "the municipality's official code (NIS/REFNIS for Belgium)"),
    Column("country", "string", "its country"),
    Column("name", "string", "its names, ' / '-separated"),
    Column("name_nl", "string", "its Dutch name"),
    Column("name_fr", "string", "its French name"),
    Column("name_de", "string", "its German name, where it has one"),
    Column("sources", "array", "ids of the sources that speak for it", "; "),
    Column("portal_sources", "array", "ids of those that are council portals publishing for it", "; "),
    Column("failing_sources", "array", "ids of those whose last fetch failed", "; "),
    Column("silent_sources", "array", "ids of those that fetch fine but produced nothing lately", "; "),
    Column("last_change", "datetime", "the latest change any of its sources produced"),
    Column("last_relevant_change", "datetime", "the latest change a curator marked relevant"),
    Column("problems", "array", "no source, failing, silent", "; "),
)


def coverage_items(rows: Sequence[Any]) -> list[Item]:
    items = []
    for n, r in enumerate(rows, start=1):
        row = r.as_dict()
        version = hashlib.sha256(json.dumps(row, sort_keys=True).encode()).hexdigest()[:16]
        items.append(Item(int(row["code"]) if str(row["code"]).isdigit() else n, version, row))
    return items


TABLES = {
    "records": ("Registry records", RECORD_COLUMNS),
    "links": ("Twinning links with their timelines", LINK_COLUMNS),
    "changes": ("Reviewed changes", CHANGE_COLUMNS),
    "coverage": ("Coverage of municipalities (Belgian unless another list is chosen)", COVERAGE_COLUMNS),
}
"""Every exportable table: its title and columns."""
