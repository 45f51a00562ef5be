"""Main-text extraction for HTML pages with trafilatura.

``trylast`` so a plugin can take over pages it knows better. Navigation, cookie
banners and footers are left out: that is where most noise lives.
"""

from __future__ import annotations

import trafilatura

from monitor.hookspecs import hookimpl
from monitor.models import Source

HTML_TYPES = ("text/html", "application/xhtml+xml", "")


@hookimpl(trylast=True)
def extract_text(source: Source, url: str, body: bytes, content_type: str) -> str | None:
    mime = content_type.split(";")[0].strip().lower()
    if mime == "text/plain":
        return body.decode("utf-8", "replace")
    if mime not in HTML_TYPES:
        return None
    if not body.strip():
        return ""
    text = trafilatura.extract(
        body,
        url=url,
        output_format="txt",
        include_comments=False,
        include_tables=True,
        include_links=False,
        favor_recall=True,
        deduplicate=False,
    )
    return text or ""
