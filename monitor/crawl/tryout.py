"""``twinwatch sources test``: fetch a source once, show what would be watched, and
replay its stored history under (new) rules -- urlwatch's ``--test-filter`` idea.

Nothing is stored. The fetch goes through the crawler plugin (one Scrapy run in
this process); the reading through the source's kind, exactly as a crawl would. For
an HTML page it also says which way the text was found (a region, or the extractor's
own path through the ``extraction_path`` hook), what share of the page's visible text
was kept and, when that share is small, the biggest blocks left out.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import urlsplit

from sqlite_utils import Database

from monitor.errors import SourceError
from monitor.ingest import diff as difflib_
from monitor.ingest.extract.html import left_out, visible_text
from monitor.ingest.kinds import apply_ignore
from monitor.ingest.outcome import small_share
from monitor.ingest.pipeline import describe_error, kind_of
from monitor.models import Extracted, FetchResult, Source
from monitor.net import robots
from monitor.plugin_manager import PluginManager
from monitor.sources.manage import NewSource, Rules, validate
from monitor.store.queries import get_source, history, robots_entry
from monitor.text import one_line, paragraphs, strip_controls


def _apply(source: Source, rules: Rules) -> Source:
    changes: dict[str, Any] = {k: v for k, v in (
        ("every_s", rules.every_s), ("region", rules.region), ("ignore", rules.ignore),
        ("added_only", rules.added_only), ("min_change", rules.min_change),
        ("link_pattern", rules.link_pattern), ("max_items", rules.max_items),
        ("query", rules.query)) if v is not None}
    for name in ("region", "query"):  # "" removes it
        if name in changes and not changes[name]:
            changes[name] = None
    return dataclasses.replace(source, **changes)


def try_source(db: Database, pm: PluginManager, target: str, *, kind: str | None, rules: Rules,
               timeout: float = 30, history: int = 10) -> str:
    """Fetch ``target`` (URL or source id) once; return the report to print.

    Raises:
        SourceError: an id that is not a source.
        ConfigError: a bad URL, kind or rule.
    """
    from monitor.crawl.service import fetch_once
    from monitor.plugin_manager import source_kinds

    stored: Source | None = None
    if target.isdigit():
        stored = get_source(db, int(target))
        source = _apply(stored, rules)
    else:
        checked = validate(NewSource(target, kind or "page", rules=rules), sorted(source_kinds(pm)))
        source = _apply(Source(id=0, url=checked.url, kind=checked.kind), checked.rules)
    # As on a first fetch: no validators, every entry new, so articles are followed.
    fetch_as = dataclasses.replace(source, etag=None, last_modified=None, last_raw_fp=None,
                                   fetched_before=True, known_items=frozenset())
    results = fetch_once(pm, [fetch_as], {"DOWNLOAD_TIMEOUT": timeout, "RETRY_TIMES": 0,
                                          "TWINWATCH_RETRY_AFTER_MAX": min(timeout, 10)})
    if not results:
        raise SourceError(f"no result for {source.url}")
    result = results[0]
    lines = [f"{source.kind} {source.url}", *cached_robots(db, source.url)]
    if result.error_kind:
        lines.append(f"fetch failed: {result.error_kind}: {result.error}")
        return "\n".join(lines)
    lines.append(f"HTTP {result.status}, {len(result.body)} bytes, "
                 f"{result.headers.get('content-type', 'no content type')}")
    try:
        extracted = kind_of(pm, source).extract(pm, source, result)
    except Exception as exc:
        lines.append(f"cannot read it: {describe_error(exc)}")
        return "\n".join(lines)
    if extracted.warning:
        lines.append(f"nothing to watch: {extracted.warning}")
    if extracted.entries is not None:
        lines.append(f"{len(extracted.entries)} entries"
                     f"{f' (articles fetched for up to {source.max_items})' if source.max_items else ''}:")
        for e in extracted.entries:
            lines.append(f"  * {one_line(e.title or e.key, 100)}  <{one_line(e.url, 120)}>")
            if e.article:
                lines.append(f"      {one_line(e.article, 160)}")
    else:
        lines.append(f"title: {one_line(extracted.title, 100)}")
        if extracted.stamps_dropped and extracted.text:
            lines.extend(kept_and_left_out(pm, source, result, extracted))
        lines.append("--- text ---")
        lines.append(strip_controls(extracted.text))
    if stored is not None and history:
        lines.append("--- stored history under these rules ---")
        lines.extend(replay(db, source, history))
    return "\n".join(lines)


LEFT_OUT_BELOW = 0.5
"""Below this share of the page's visible text kept, the biggest blocks left out are shown."""

LEFT_OUT_SHOWN = 6
"""How many of the biggest left-out blocks are shown."""


def extraction_path(pm: PluginManager, source: Source, result: FetchResult) -> str:
    """Which way the text of an HTML page was found: the source's region, or the path
    the answering ``extract_text`` plugin names through ``extraction_path`` (a plugin
    that does not implement it is named itself)."""
    if source.region:
        return f"region {source.region}"
    ctype = result.headers.get("content-type", "")
    args = {"source": source, "url": result.url, "body": result.body, "content_type": ctype}
    for impl in reversed(pm.hook.extract_text.get_hookimpls()):  # pluggy's call order
        try:
            if impl.function(**{k: args[k] for k in impl.argnames}) is None:
                continue
        except Exception:
            continue
        for described in pm.hook.extraction_path.get_hookimpls():
            if described.plugin_name == impl.plugin_name:
                try:
                    path = described.function(**{k: args[k] for k in described.argnames})
                except Exception:
                    return f"plugin {impl.plugin_name}, path unknown"
                if path:
                    return f"{path} (plugin {impl.plugin_name})"
        return f"plugin {impl.plugin_name}"
    return "no extractor answered"


def kept_and_left_out(pm: PluginManager, source: Source, result: FetchResult,
                      extracted: Extracted) -> list[str]:
    """The lines saying how the text was found, the share of the page's visible text
    it keeps and, when small, the biggest blocks of the page it leaves out."""
    ctype = result.headers.get("content-type", "")
    visible = len("".join(visible_text(result.body, ctype).split()))
    kept = len("".join(extracted.text.split()))
    lines = [f"kept by: {extraction_path(pm, source, result)}"]
    if not visible:
        return lines
    share = min(kept, visible) / visible
    lines.append(f"kept {share:.0%} of the page's visible text ({kept:,} of {visible:,} characters)")
    note = None if source.region else small_share(extracted.text, visible)
    if note:
        lines.append("worth a look: sources health flags a watched source like this ('look') until a "
                     "stored text keeps more of the page, or --select says what to watch")
    if share < LEFT_OUT_BELOW:
        left = sorted(left_out(result.body, ctype, extracted.text), key=len, reverse=True)
        if left:
            lines.append("biggest blocks left out:")
            lines += [f"  - ({len(''.join(b.split())):,} characters) {one_line(strip_controls(b), 110)}"
                      for b in left[:LEFT_OUT_SHOWN]]
    return lines


def cached_robots(db: Database, url: str, max_lines: int = 40) -> list[str]:
    """What the crawl keeps of robots.txt for ``url``'s site (``robots_cache``): what it
    means, until when, and its rules (comments and blank lines left out)."""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    entry = robots_entry(db, origin)
    if entry is None:
        return [f"robots.txt: nothing cached for {origin} (a crawl fetches it and keeps it up to 24 h)"]
    state = "fresh" if robots.is_fresh(entry) else "stale, fetched again by the next crawl"
    lines = [f"robots.txt ({state}): {robots.describe(entry)}"]
    rules = [one_line(strip_controls(line), 160) for line in
             entry.body.decode("utf-8", "replace").splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    lines += [f"  {line}" for line in rules[:max_lines]]
    if len(rules) > max_lines:
        lines.append(f"  ... {len(rules) - max_lines} more lines")
    return lines


def replay(db: Database, source: Source, limit: int = 10) -> list[str]:
    """What the source's rules (ignore patterns, added-only, minimum change, moved
    paragraphs, known versions) would have reported between its stored versions.
    Regions cannot be replayed: snapshots keep text, not HTML."""
    versions = history(db, source.id, limit)
    if len(versions) < 2:
        return ["fewer than two stored versions: nothing to replay"]
    out: list[str] = []
    seen: set[str] = set()
    prev_at, prev = versions[0]
    prev = apply_ignore(prev, source.ignore)
    seen.add(prev)
    for at, text in versions[1:]:
        text = apply_ignore(text, source.ignore)
        when = at[:16].replace("T", " ")
        if text == prev:
            out.append(f"{when}  no change (ignore rules remove the difference)")
        elif text in seen:
            out.append(f"{when}  no change (a version seen before)")
        else:
            ops = difflib_.diff_paragraphs(paragraphs(prev), paragraphs(text))
            kept = difflib_.apply_rules(difflib_.drop_moves(ops), added_only=source.added_only,
                                        min_change=source.min_change)
            if not kept:
                out.append(f"{when}  no change (moved paragraphs, added-only or minimum change)")
            else:
                out.append(f"{when}  change: {len(kept)} block(s), {difflib_.changed_chars(kept)} characters")
                for op in kept[:5]:
                    sign = {"added": "+", "removed": "-", "changed": "~"}[op.op]
                    out.append(f"    {sign} {one_line(op.new or op.old, 100)}")
        seen.add(text)
        prev = text
    return out

