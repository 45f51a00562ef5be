"""Small builders shared by tests: HTML pages and RSS feeds with the shape of the
municipal sources we watch."""

from __future__ import annotations

from xml.sax.saxutils import escape


def page(main: list[str], *, title: str = "Ixelles — Development cooperation",
         footer: str = "Page generated on 2026-11-23 10:00:00") -> bytes:
    """An HTML page with navigation, a main article of paragraphs, and a footer."""
    paras = "\n".join(f"<p>{escape(p)}</p>" for p in main)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title></head>
<body>
<header><nav><a href="/">Home</a> | <a href="/news">News</a> | <a href="/contact">Contact</a></nav></header>
<main><article><h1>{escape(title)}</h1>
{paras}
</article></main>
<footer><p>{escape(footer)}</p><p>Commune d'Ixelles, Chaussée d'Ixelles 168, 1050 Ixelles</p></footer>
</body></html>""".encode()


def feed(items: list[tuple[str, str, str]], *, title: str = "Ixelles news") -> bytes:
    """An RSS 2.0 feed; each item is (guid, title, description)."""
    entries = "\n".join(
        f"<item><guid>{escape(g)}</guid><title>{escape(t)}</title>"
        f"<link>http://127.0.0.1/news/{escape(g)}</link>"
        f"<description>{escape(d)}</description></item>"
        for g, t, d in items
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{escape(title)}</title><link>http://127.0.0.1/</link>
<description>News</description>
{entries}
</channel></rss>""".encode()


PARTNERS = [
    "Ixelles local council is cooperating with many partners through its development "
    "cooperation projects and activities to raise awareness of international solidarity.",
    "Twinning partnerships: the municipality maintains formal twinning links with the "
    "following towns, renewed by the council every six years.",
    "Biarritz (France) has been a twin town since 1958 with exchanges of schools and clubs.",
    "Kalamu, Kinshasa (DRC) is a partner on development cooperation and civil registration.",
    "Megiddo (Israel) became a twin town in 2012 after a decision of the municipal council.",
    "Zababdeh (Palestine) is a twin village with projects on water access and education.",
]


def add_change(db, source_id: int, title: str, added: str, detected_at: str, *,
               score: float | None = None, category: str | None = None, language: str | None = None,
               facts: dict | None = None, kind: str = "new-entry", url: str | None = None) -> int:
    """Store one change with the given findings through ``monitor.ingest.store_changes``;
    return its id."""
    from monitor.ingest import store_changes
    from monitor.models import ChangeDraft, DiffOp, Finding
    from monitor.queries import get_source

    findings = []
    if score is not None:
        findings.append(Finding("relevance", score, score=score, reasons=(f'"{title.split()[0]}"',),
                                plugin="test"))
    if category is not None:
        findings.append(Finding("category", category, plugin="test"))
    if language is not None:
        findings.append(Finding("language", language, plugin="test"))
    for name, value in (facts or {}).items():
        findings.append(Finding(name, value, plugin="test"))
    draft = ChangeDraft(source=get_source(db, source_id), kind=kind, url=url or f"http://127.0.0.1/{title}",
                        title=title, added=(added,), removed=(), ops=(DiffOp("added", new=added),),
                        text=added)
    (cid,) = store_changes(db, [(draft, findings, detected_at)])
    return cid
