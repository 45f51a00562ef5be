"""Wikidata QuickStatements (version 1 syntax) for twinning links.

One line per direction of each link whose two towns have Wikidata items:
``Q1 <TAB> P190 <TAB> Q2`` ("twinned administrative body"), with start time (P580)
and end time (P582) qualifiers where known, and a reference: the source URL (S854)
and the retrieval date (S813). Links without an item for either town are skipped
and listed in the warnings. Item ids are checked against ``Q<digits>``; the URL is
a quoted string with every character that could end the string, the field or the
line (quotes, tabs, pipes, newlines, spaces, controls) percent-encoded, so text
from the web can never break the line syntax.
"""

from __future__ import annotations

import re
from typing import Any, BinaryIO
from urllib.parse import quote

from monitor.export.tables import Table
from monitor.hookspecs import hookimpl

_QID = re.compile(r"^Q[1-9][0-9]*$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


def wikidata_time(value: str | None) -> str | None:
    """``2012``, ``2012-05`` or ``2012-05-01...`` as a QuickStatements time with precision."""
    m = _DATE.match(value or "")
    if not m:
        return None
    year, month, day = m.group(1), m.group(2), m.group(3)
    precision = 11 if day else 10 if month else 9
    return f"+{year}-{month or '00'}-{day or '00'}T00:00:00Z/{precision}"


def quoted_url(url: str) -> str:
    """A URL as a QuickStatements string literal that cannot break out of its field."""
    safe = quote(url, safe=":/?#[]@!$&'()*+,;=%-._~")
    return '"' + safe + '"'


def statements(row: dict[str, Any]) -> list[str]:
    """The lines for one link (both directions), or none when an item id is missing."""
    a, b = row.get("municipality_qid") or "", row.get("partner_qid") or ""
    if not (_QID.match(a) and _QID.match(b)):
        return []
    qualifiers: list[str] = []
    start, end = wikidata_time(row.get("start")), wikidata_time(row.get("end"))
    if start:
        qualifiers += ["P580", start]
    if end:
        qualifiers += ["P582", end]
    reference: list[str] = []
    urls = [u for u in row.get("source_urls") or [] if u]
    if urls:
        reference += ["S854", quoted_url(urls[-1])]
    retrieved = wikidata_time(row.get("retrieved_at"))
    if retrieved:
        reference += ["S813", retrieved.rsplit("/", 1)[0] + "/11"]
    return ["\t".join([x, "P190", y, *qualifiers, *reference]) for x, y in ((a, b), (b, a))]


class QuickStatementsExporter:
    name = "quickstatements"
    extension = ".txt"
    directory = False
    tables = ("links",)
    default_table = "links"

    def write(self, table: Table, fp: BinaryIO) -> list[str]:
        skipped: list[str] = []
        for row in table.rows:
            lines = statements(row)
            if not lines:
                missing = [n for n, q in ((row.get("municipality"), row.get("municipality_qid")),
                                          (row.get("partner"), row.get("partner_qid")))
                           if not _QID.match(q or "")]
                skipped.append(f"skipped {row.get('municipality')} – {row.get('partner')}: "
                               f"no Wikidata item for {', '.join(str(m) for m in missing)}")
            for line in lines:
                fp.write(line.encode("utf-8") + b"\n")
        return skipped


@hookimpl
def register_exporters() -> list[Any]:
    return [QuickStatementsExporter()]
