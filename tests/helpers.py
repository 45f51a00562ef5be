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
