"""Main-text extraction for HTML pages with trafilatura.

``trylast`` so a plugin can take over pages it knows better. Navigation, cookie
banners and footers are left out: that is where most noise lives.
"""

from __future__ import annotations

import re

import trafilatura

from monitor.hookspecs import hookimpl
from monitor.models import Source

HTML_TYPES = ("text/html", "application/xhtml+xml", "")
_LIST_MARKER = re.compile(r"^- ", re.M)


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
    # trafilatura marks list items with "- "; the marker is layout, not content, and
    # would otherwise show up in diffs, analyzers and exports ("- Megiddo (Israel)").
    return _LIST_MARKER.sub("", text or "")
