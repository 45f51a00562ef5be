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
    """Store one change with the given findings through ``monitor.ingest.writer.store_changes``;
    return its id."""
    from monitor.ingest.writer import store_changes
    from monitor.models import ChangeDraft, DiffOp, Finding
    from monitor.store.queries import get_source

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


def pdf(pages: list[list[str]], *, title: str = "Council minutes") -> bytes:
    """A minimal PDF (Helvetica, one text line per string) with a running header and a
    page number on each page, like council minutes."""
    objects: list[bytes] = []

    def esc(s: str) -> bytes:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("cp1252", "replace")

    kids = []
    n_pages = len(pages)
    # 1: catalog, 2: pages, 3: font; then page/content pairs
    for i, lines in enumerate(pages):
        ops = [b"BT /F1 10 Tf 14 TL 60 800 Td", b"(" + esc(title) + b") Tj T* T*"]
        for line in lines:
            ops.append(b"(" + esc(line) + b") Tj T*")
        ops.append(b"T* (" + esc(f"Page {i + 1} of {n_pages}") + b") Tj ET")
        stream = b"\n".join(ops)
        content_no = 4 + 2 * i + 1
        page_no = 4 + 2 * i
        kids.append(page_no)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
            f"/Contents {content_no} 0 R >>".encode())
        length = str(len(stream)).encode()
        objects.append(b"<< /Length " + length + b" >>\nstream\n" + stream + b"\nendstream")
    head = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {n_pages} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    allobj = head + objects
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(allobj, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(allobj) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(allobj) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def wrap(paragraph: str, width: int = 80) -> list[str]:
    """A paragraph as the lines a PDF would set it in."""
    import textwrap

    return textwrap.wrap(paragraph, width)


def article(title: str, body: str) -> bytes:
    """A news article page: navigation, a cookie banner, the article, a footer."""
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{escape(title)}</title></head>
<body><nav><a href="/">Home</a> <a href="/news/">News</a></nav>
<div class="cookie-banner">We use cookies. <button>OK</button></div>
<main><article><h1>{escape(title)}</h1><p>{escape(body)}</p>
<p>The council will publish the full decision in its minutes next month.</p></article></main>
<footer>Page generated on 2026-11-23</footer></body></html>""".encode()


def listing(links: list[tuple[str, str]], *, extra: str = "") -> bytes:
    """A news index without a feed: article links among navigation links."""
    items = "\n".join(f'<li><a href="{escape(href)}">{escape(text)}</a></li>' for href, text in links)
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>News</title></head>
<body><nav><a href="/">Home</a> <a href="/contact.html">Contact</a> <a href="http://other.example/">Region</a></nav>
<main><h1>News</h1><ul class="news">{items}</ul>{extra}</main>
<footer><a href="/privacy.html">Privacy</a></footer></body></html>""".encode()


def feed_with_links(base: str, items: list[tuple[str, str, str]]) -> bytes:
    """An RSS feed whose items link to ``base + /news/<guid>.html``."""
    entries = "\n".join(
        f"<item><guid>{escape(g)}</guid><title>{escape(t)}</title>"
        f"<link>{base}/news/{escape(g)}.html</link><description>{escape(d)}</description></item>"
        for g, t, d in items
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>News</title><link>{base}/</link><description>News</description>
{entries}
</channel></rss>""".encode()
