"""The built-in notifier: a short crawl summary through apprise.

apprise speaks to e-mail, Matrix, Slack, ntfy, generic webhooks (``json://``,
``form://``) and many more from one URL each; the URLs come from the ``[notify]``
table of the config file. A delivery that fails is logged, never raised: the crawl
has already stored everything.
"""

from __future__ import annotations

import logging
from typing import Any

from monitor.hookspecs import hookimpl
from monitor.models import ChangeRow, CrawlSummary
from monitor.text import one_line

log = logging.getLogger("twinwatch.notify")

MAX_LISTED = 10
"""Changes named in the message body at most (the rest are counted)."""


def _relevance(c: ChangeRow) -> float:
    return max((f.score or 0.0 for f in c.findings if f.name == "relevance"), default=0.0)


def message(summary: CrawlSummary, changes: list[ChangeRow]) -> tuple[str, str]:
    """Title and body: counts, then the most relevant changes first, one line each."""
    n = summary.changed
    title = (f"twinwatch: {n} changed source{'' if n == 1 else 's'}, "
             f"{summary.new_items} new item{'' if summary.new_items == 1 else 's'}")
    ranked = sorted(changes, key=lambda c: (-_relevance(c), c.id))
    lines = [summary.line(), ""]
    for c in ranked[:MAX_LISTED]:
        score = _relevance(c)
        mark = f" [relevance {score:.2f}]" if score else ""
        where = f"{one_line(c.municipality, 30)}: " if c.municipality else ""
        lines.append(f"- {c.kind}: {where}{one_line(c.title or c.url, 100)}{mark}\n  {one_line(c.url, 200)}")
    if len(ranked) > MAX_LISTED:
        lines.append(f"… and {len(ranked) - MAX_LISTED} more (twinwatch changes)")
    return title, "\n".join(lines)


@hookimpl
def notify_crawl(summary: CrawlSummary, changes: list[ChangeRow], config: dict[str, Any]) -> None:
    urls = [str(u) for u in config.get("urls") or []]
    if not urls:
        return
    import apprise

    title, body = message(summary, changes)
    title = str(config.get("title") or title)
    sender = apprise.Apprise()
    for url in urls:
        if not sender.add(url):
            log.error("notify: not a valid apprise URL: %s", url.split("://", 1)[0] + "://…")
    if len(sender) == 0:
        return
    try:
        ok = sender.notify(title=title, body=body)
    except Exception as exc:  # a notifier must never break a finished crawl
        log.error("notify: sending failed: %s: %s", type(exc).__name__, exc)
        return
    if not ok:
        log.error("notify: at least one of %d notification(s) could not be delivered", len(sender))
