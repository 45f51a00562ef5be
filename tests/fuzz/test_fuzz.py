"""Property-based fuzzing of what twinwatch reads from the web: random and mutated
HTML, feeds (RSS, Atom, JSON Feed) and PDFs through ingest (extraction, diff,
analyzers, storage) and the analyzers' own path (``twinwatch analyze``). No
exception may escape; a body that cannot be read becomes a recorded failure with
a readable message (never a raw Python error), and no analyzer raises."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from monitor.analyze.service import TextInput, analyze_text, read_inputs, summarise
from monitor.cli.render import analysis_line
from monitor.ingest.outcome import OK_OUTCOMES
from monitor.ingest.pipeline import ingest
from monitor.models import FetchResult
from monitor.plugin_manager import make_plugin_manager
from monitor.sources.manage import NewSource, add_sources
from monitor.store.db import open_db
from tests.fuzz import strategies as fz

BUG_ERRORS = (
    "AttributeError",
    "TypeError",
    "KeyError",
    "IndexError",
    "NameError",
    "UnboundLocalError",
    "AssertionError",
    "RecursionError",
    "ZeroDivisionError",
    "OverflowError",
    "StopIteration",
)
"""Exception names that, in a recorded message, mean a bug rather than a bad body."""

_urls = itertools.count()


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    db = open_db(tmp_path_factory.mktemp("fuzz") / "fuzz.db")
    yield db, make_plugin_manager(distribution="twinwatch")
    db.close()


def _source(db, kind: str) -> int:
    (sid,), _ = add_sources(db, [NewSource(f"http://127.0.0.1/fuzz/{kind}/{next(_urls)}", kind)])
    return sid


def _check(db, sid: int, outcome: str) -> None:
    """The outcome is known, a failure's message is readable and names no bug, and no
    analyzer raised on a change made from this source."""
    assert outcome in OK_OUTCOMES or outcome == "parse-error", outcome
    (message,) = db.execute(
        "SELECT message FROM fetch_outcomes WHERE source_id = ? ORDER BY id DESC LIMIT 1", [sid]
    ).fetchone()
    if outcome == "parse-error":
        assert message and all(ch.isprintable() for ch in message), repr(message)
        assert not message.startswith(BUG_ERRORS), message
    errors = db.execute(
        "SELECT f.plugin, f.value FROM findings f JOIN changes c ON c.id = f.change_id "
        "WHERE c.source_id = ? AND f.name = 'error'",
        [sid],
    ).fetchall()
    assert not errors, errors


def _twice(env, kind: str, first: bytes, second: bytes, ctype: str, attach: bytes | None = None) -> None:
    """Ingest two versions of one source (the second diffs against the first and runs
    the analyzers), checking each outcome."""
    db, pm = env
    sid = _source(db, kind)
    url = f"http://127.0.0.1/fuzz/{sid}"
    result = FetchResult(sid, url, 200, {"content-type": ctype}, first)
    _check(db, sid, ingest(db, pm, result))
    later = replace(result, body=second)
    if attach is not None:  # articles of new entries, as the spider attaches them
        from monitor.ingest.extract.feeds import FeedError, parse_feed

        try:
            keys = [e.key for e in parse_feed(second, later.headers)]
        except FeedError:
            keys = []
        later = replace(
            later,
            attachments=tuple(
                FetchResult(sid, f"{url}/a/{i}", 200, {"content-type": "text/html"}, attach, key=k)
                for i, k in enumerate(keys[:5])
            ),
        )
    _check(db, sid, ingest(db, pm, later))


@pytest.mark.slow  # make test-fast: among its longest (CI timings)
@given(first=fz.page_bodies, second=fz.page_bodies, ctype=fz.content_types)
def test_pages(env, first, second, ctype):
    """Random, mutated and binary page bodies, two versions of a page source."""
    _twice(env, "page", first, second, ctype)


@pytest.mark.slow  # make test-fast: among its longest (CI timings)
@given(
    first=fz.feed_docs,
    second=fz.feed_docs,
    article=fz.page_bodies,
    ctype=st.sampled_from(
        [
            "application/rss+xml",
            "application/atom+xml",
            "application/feed+json",
            "text/xml; charset=iso-8859-1",
            "text/html",
        ]
    ),
)
def test_feeds(env, first, second, article, ctype):
    """RSS, Atom and JSON Feed from hostile text, mutated feeds, JSON of any shape;
    the new entries' articles are random pages."""
    _twice(env, "feed", first, second, ctype, attach=article)


@given(first=fz.pdf_bodies, second=fz.pdf_bodies)
def test_pdfs(env, first, second):
    """Mutated bytes of a small valid PDF, as a document source."""
    _twice(env, "document", first, second, "application/pdf")


@given(first=fz.page_bodies, second=fz.page_bodies)
def test_listings(env, first, second):
    """Random HTML as a news index (links of every scheme, to other hosts)."""
    _twice(env, "listing", first, second, "text/html")


@given(
    lines=st.lists(
        st.one_of(
            fz.hostile_text,
            st.builds(
                lambda d: json.dumps(d),
                st.dictionaries(
                    st.sampled_from(["text", "title", "lang", "url", "municipality", "country"]),
                    st.one_of(
                        fz.hostile_text,
                        st.none(),
                        st.integers(),
                        st.lists(st.integers(), max_size=2),
                        st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
                    ),
                    max_size=6,
                ),
            ),
        ),
        max_size=4,
    )
)
@example(lines=['{"text": null, "url": {}, "municipality": "\\u001b[31m"}'])  # found by bench/fuzz
def test_analyze_path(env, lines):
    """``twinwatch analyze`` in-process: JSON Lines of any shape and hostile text read,
    analyzed and rendered, with no analyzer raising."""
    _, pm = env
    for item in read_inputs([line + "\n" for line in lines]):
        result = analyze_text(pm, item)
        assert not result["errors"], result["errors"]
        json.dumps(result, ensure_ascii=False)
        line = analysis_line(result, item.title or item.text)
        assert "\x1b" not in line


@given(text=fz.hostile_text, title=fz.hostile_text, lang=st.sampled_from([None, "nl", "fr", "xx", ""]))
def test_analyzers_on_text(env, text, title, lang):
    """Every analyzer on hostile text and titles returns findings, never an error."""
    _, pm = env
    result = analyze_text(pm, TextInput(text, title, lang or None, "http://127.0.0.1/x"))
    assert not result["errors"], result["errors"]
    assert summarise([])["errors"] == []
