"""Bodies the fault scenarios serve: healthy pages and feeds, and hostile ones
(bombs, entity expansion, enormous feeds, hostile links, mislabelled charsets)."""

from __future__ import annotations

import gzip
from xml.sax.saxutils import escape

import brotli

from tests.helpers import PARTNERS, page

ACCENTED = (
    "Liège, Mönchengladbach and Saint-Gilles renewed their twinning charter; "
    "the échevin for solidarity signed it at the Hôtel de Ville."
)
"""A paragraph whose accents show whether a charset was guessed right."""

SECRET = "TWINWATCH-FAULT-SECRET-7b3f"
"""Written into a local file that hostile links point at: it must never be stored."""


def healthy_page(label: str) -> bytes:
    return page([f"{label}: {p}" for p in PARTNERS], title=f"Healthy {label}")


def accented_page(charset_meta: str | None = None) -> str:
    """An HTML page (as text) with the accented paragraph, optionally with a meta charset."""
    meta = f'<meta charset="{charset_meta}">' if charset_meta else ""
    paras = "".join(f"<p>{escape(p)}</p>" for p in [ACCENTED, *PARTNERS])
    return (
        f"<!doctype html><html><head>{meta}<title>Jumelage</title></head><body>"
        f"<main><article><h1>Jumelage</h1>{paras}</article></main></body></html>"
    )


def rss(
    items: list[tuple[str, str, str]],
    *,
    head: str = '<?xml version="1.0" encoding="utf-8"?>',
    doctype: str = "",
) -> bytes:
    """An RSS 2.0 feed; each item is (guid, title, link)."""
    body = "".join(
        f"<item><guid>{escape(g)}</guid><title>{escape(t)}</title><link>{escape(link)}</link>"
        f"<description>{escape(t)} (council news)</description></item>"
        for g, t, link in items
    )
    return (
        f'{head}\n{doctype}<rss version="2.0"><channel><title>News</title>'
        f"<link>http://127.0.0.1/</link><description>d</description>{body}</channel></rss>"
    ).encode()


def healthy_feed(base: str) -> bytes:
    return rss(
        [(f"h{i}", f"Council news {i}: twinning with Biarritz", f"{base}/news/{i}.html") for i in range(3)]
    )


def quadratic_feed(size: int = 10_000, refs: int = 20_000) -> bytes:
    """An entity declared once and referenced many times ("quadratic blowup"): 50 KB
    that a parser expanding entities turns into ``size * refs`` characters."""
    doctype = f'<!DOCTYPE rss [\n<!ENTITY a "{"A" * size}">\n]>\n'  # one declaration a line, as
    # feedparser keeps them
    item = f"<item><guid>q1</guid><title>Quadratic</title><description>{'&a;' * refs}</description></item>"
    return (
        f'<?xml version="1.0"?>\n{doctype}<rss version="2.0"><channel><title>Q</title>'
        f"<link>http://127.0.0.1/</link><description>d</description>{item}</channel></rss>"
    ).encode()


def billion_laughs_feed(levels: int = 9) -> bytes:
    """Nested entity declarations (each ten of the one before): the classic XML bomb."""
    decl = ['<!ENTITY lol0 "lol">']
    decl += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels + 1)]
    doctype = "<!DOCTYPE rss [\n" + "\n".join(decl) + "\n]>\n"
    item = f"<item><guid>b1</guid><title>&lol{levels};</title><description>&lol{levels};</description></item>"
    return (
        f'<?xml version="1.0"?>\n{doctype}<rss version="2.0"><channel><title>B</title>'
        f"<link>http://127.0.0.1/</link><description>d</description>{item}</channel></rss>"
    ).encode()


def enormous_feed(entries: int) -> bytes:
    """A feed of ``entries`` short items (100,000 make about 8 MB)."""
    items = "".join(f"<item><guid>e{i}</guid><title>Council item {i}</title></item>" for i in range(entries))
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>E</title>'
        f"<link>http://127.0.0.1/</link><description>d</description>{items}</channel></rss>"
    ).encode()


def hostile_links_feed(base: str, secret_path: str, *, new: bool) -> bytes:
    """A feed whose entries (once ``new``) link to javascript:, file:, data:, an unknown
    host, and one proper article; before, one harmless entry."""
    items = [("ok0", "Twinning with Biarritz renewed", f"{base}/news/ok0.html")]
    if new:
        items += [
            ("js", "Script link", "javascript:alert(document.cookie)"),
            ("file", "Local file link", f"file://{secret_path}"),
            ("data", "Data link", f"data:text/html,<main><p>{SECRET} data payload</p></main>"),
            ("other", "Another host", "http://no-such-host.invalid/news/1.html"),
            ("ok1", "Solidarity with Gaza: council motion", f"{base}/news/ok1.html"),
        ]
    return rss(items)


def gzip_bomb(size: int = 50_000_000) -> bytes:
    return gzip.compress(b" " * size, 9)


def brotli_bomb(size: int = 50_000_000) -> bytes:
    return bytes(brotli.compress(b" " * size, quality=5))


def binary_blob(n: int = 16_384) -> bytes:
    return bytes(range(256)) * (n // 256)


def article_page(i: int) -> bytes:
    """A proper article a feed entry links to."""
    return page(
        [f"Article {i}: the council renewed the twinning charter with Biarritz.", *PARTNERS],
        title=f"Article {i}",
    )
