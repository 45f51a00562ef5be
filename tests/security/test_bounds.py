"""Resource bounds on untrusted text (diff, analyzers, entries per index, failed
results) and scraped text stripped of control sequences before it is stored."""

from __future__ import annotations

import json
import random
import time
from collections import Counter

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from monitor import models
from monitor.analyze.run import analyze
from monitor.hookspecs import hookimpl
from monitor.ingest import diff
from monitor.ingest.kinds import MAX_ENTRIES, feed_extract
from monitor.ingest.pipeline import ingest
from monitor.models import ChangeDraft, FetchResult, Source
from monitor.sources.manage import NewSource, add_sources
from monitor.store.db import open_db
from monitor.text import decompress, strip_controls
from spiders.base import SourceSpider
from tests.helpers import PARTNERS, feed, page


def _text(rng: random.Random, paragraphs: int, words: int) -> list[str]:
    vocab = "twinning council partner town solidarity mayor motion budget euro school".split()
    return [" ".join(rng.choice(vocab) + str(rng.randrange(999)) for _ in range(words))
            for _ in range(paragraphs)]


def _lost(old: list[str], new: list[str], ops) -> int:
    gone, came = Counter(old) - Counter(new), Counter(new) - Counter(old)
    seen_old = Counter(op.old for op in ops if op.op in ("removed", "changed"))
    seen_new = Counter(op.new for op in ops if op.op in ("added", "changed"))
    return sum((gone - seen_old).values()) + sum((came - seen_new).values())


@pytest.mark.parametrize("shape", ["many-paragraphs", "one-paragraph", "long-paragraphs"])
def test_diff_of_two_5mb_texts_is_bounded_and_loses_nothing(shape):
    """Two 5 MB texts diff in bounded time (20 s hang guard; bench/diff measures), coarse but complete."""
    rng = random.Random(3)
    if shape == "many-paragraphs":
        old = _text(rng, 40_000, 12)
        new = [p + " amended" if i % 7 == 0 else p for i, p in enumerate(old) if i % 50]
    elif shape == "one-paragraph":
        old = [" ".join(_text(rng, 1, 450_000))]
        words = old[0].split(" ")
        words[::4000] = ["EDITED"] * len(words[::4000])
        new = [" ".join(words)]
    else:
        old = _text(rng, 1_300, 400)
        new = [p.replace(" ", "  x ", 3) for p in old]
    assert sum(map(len, old)) > 4_500_000
    started = time.monotonic()
    ops = diff.diff_paragraphs(old, new)
    assert time.monotonic() - started < 20
    assert ops and _lost(old, new, ops) == 0
    assert models.coarse_note(ops)
    back = models.ops_from_json(json.loads(json.dumps(models.ops_to_json(ops))))
    assert back == ops and back.coarse == ops.coarse


def test_small_diff_stays_exact():
    """An ordinary edit is diffed word by word, with no coarse note, also after drop_moves and rules."""
    old = PARTNERS
    new = [p.replace("1958", "1959") for p in PARTNERS[:-1]]
    ops = diff.apply_rules(diff.drop_moves(diff.diff_paragraphs(old, new)))
    assert models.coarse_note(ops) is None
    assert [op.op for op in ops] == ["changed", "removed"]
    assert ("+", "1959") in ops[0].words
    assert all(o.get("op") != "coarse" for o in models.ops_to_json(ops))


class _Recorder:
    """An analyzer that records the longest text it was handed."""

    def __init__(self) -> None:
        self.seen: list[int] = []

    @hookimpl
    def analyze_change(self, change: ChangeDraft) -> list:
        self.seen.append(max(len(change.text), sum(map(len, change.added)),
                             sum(len(op.new) + len(op.old) for op in change.ops)))
        return []


def test_analyzers_read_at_most_the_configured_text(pm, tmp_path, monkeypatch):
    """With [limits] analyzer_text = 5000 analyzers see 5000 characters, and a truncated finding says so."""
    config = tmp_path / "config.toml"
    config.write_text("[limits]\nanalyzer_text = 5000\n")
    monkeypatch.setenv("TWINWATCH_CONFIG", str(config))
    recorder = _Recorder()
    pm.register(recorder, name="recorder")
    paras = tuple(_text(random.Random(1), 300, 30))
    text = "\n".join(paras)
    draft = ChangeDraft(Source(id=1, url="http://127.0.0.1/", kind="page"), "page-changed",
                        "http://127.0.0.1/", "t", paras, (), (), text)
    findings = analyze(pm, draft)
    assert recorder.seen and max(recorder.seen) <= 5000
    cut = [f for f in findings if f.name == "truncated"]
    assert len(cut) == 1 and cut[0].value["text_chars"] == len(text) > 5000
    recorder.seen.clear()
    small = ChangeDraft(draft.source, "page-changed", draft.url, "t", paras[:2], (), (), "\n".join(paras[:2]))
    assert not [f for f in analyze(pm, small) if f.name == "truncated"]
    assert recorder.seen[0] == len("\n".join(paras[:2]))


def test_feed_entries_are_capped():
    """A feed of 3000 entries yields at most MAX_ENTRIES entries."""
    body = feed([(f"g{i}", f"Item {i}", "x") for i in range(3000)])
    result = FetchResult(1, "http://127.0.0.1/feed.xml", 200, {"content-type": "application/rss+xml"}, body)
    extracted = feed_extract(None, Source(id=1, url=result.url, kind="feed"), result)  # type: ignore[arg-type]
    assert extracted.entries is not None and len(extracted.entries) == MAX_ENTRIES < 3000


def test_failed_results_keep_no_body():
    """A source failing with a 5 MB error page yields a result without its body (bounded crawl memory)."""
    source = Source(id=1, url="http://127.0.0.1/x", kind="page")
    request = Request(source.url, meta={"source": source, "started": time.monotonic()})
    response = HtmlResponse(source.url, status=500, body=b"x" * 5_000_000, request=request)
    failure = Failure(HttpError(response, "500"))
    failure.request = request  # type: ignore[attr-defined]
    spider = SourceSpider(sources=[source], run_id=None)
    (result,) = list(spider.failed(failure))
    assert result.error_kind == "http-error" and result.body == b"" and result.headers == {}


def test_a_refusal_keeps_only_the_head_of_its_page():
    """A 403 with a 5 MB page is read for a bot wall: only its first 64 KiB are kept."""
    from monitor.ingest.recognise import HEAD_BYTES

    source = Source(id=1, url="http://127.0.0.1/x", kind="page")
    request = Request(source.url, meta={"source": source, "started": time.monotonic()})
    response = HtmlResponse(source.url, status=403, body=b"x" * 5_000_000, request=request)
    failure = Failure(HttpError(response, "403"))
    failure.request = request  # type: ignore[attr-defined]
    (result,) = list(SourceSpider(sources=[source], run_id=None).failed(failure))
    assert result.error_kind == "http-error" and len(result.body) == HEAD_BYTES


HOSTILE = ("\x1b[2J\x1b[31mRed\x1b[0m alert \x1b]8;;http://evil.example\x07link\x1b]8;;\x07 "
           "\x9b2Kcleared \u202eevil\u202c \u2066iso\u2069 bell\x07 del\x7f c1\x85 "
           "שלום مرحبا")


def test_strip_controls_removes_sequences_keeps_rtl_letters():
    """Whole escape sequences, C0/C1 controls and bidi overrides go; tabs, newlines and RTL letters stay."""
    out = strip_controls(HOSTILE + " nul\x00\tt\nn")
    assert out == ("Red alert link cleared evil iso bell del c1 שלום مرحبا nul\tt\nn")
    assert strip_controls("\u200fmark\u200e") == "\u200fmark\u200e"


def test_ingest_stores_scraped_text_without_control_sequences(db_path, pm):
    """A page and a feed carrying escape sequences are stored (text, title, item) without them."""
    db = open_db(db_path)
    (pid, fid), _ = add_sources(db, [NewSource("http://127.0.0.1/p", "page"),
                                     NewSource("http://127.0.0.1/f", "feed")])
    html_ct = {"content-type": "text/html; charset=utf-8"}
    rss_ct = {"content-type": "application/rss+xml"}
    ingest(db, pm, FetchResult(pid, "http://127.0.0.1/p", 200, html_ct, page(PARTNERS)))
    ingest(db, pm, FetchResult(fid, "http://127.0.0.1/f", 200, rss_ct, feed([("a", "A", "first")])))
    hostile_page = page([*PARTNERS, HOSTILE], title="Title \x1b[1mbold\x1b[0m \u202eover")
    hostile_feed = feed([("b", "New \x1b]0;pwned\x07item \u202eover", HOSTILE), ("a", "A", "first")])
    assert ingest(db, pm, FetchResult(pid, "http://127.0.0.1/p", 200, html_ct, hostile_page)) == "changed"
    assert ingest(db, pm, FetchResult(fid, "http://127.0.0.1/f", 200, rss_ct, hostile_feed)) == "changed"
    stored = [r[0] for r in db.execute("SELECT title || char(10) || added_text FROM changes")]
    stored += [r[0] for r in db.execute("SELECT title FROM items")]
    stored += [decompress(r[0]) for r in db.execute("SELECT data FROM blobs")]
    assert any("Red alert link cleared" in s for s in stored)
    assert any("שלום مرحبا" in s for s in stored)
    bad = {"\x1b", "\x9b", "\x07", "\x00", "\x7f", "\x85", "\u202e", "\u2066"}
    for s in stored:
        assert not bad & set(s), repr(s)
        assert "[31m" not in s and "8;;http" not in s
    db.close()


def test_coarse_note_is_stored_and_shown(db, pm):
    """A coarse diff's note survives the database and shows in the CLI text and the dashboard's diff."""
    from monitor.cli.render import change_text
    from monitor.ingest.writer import store_changes
    from monitor.store.queries import changes, get_source
    from tui.widgets.diff_view import render_ops

    (sid,), _ = add_sources(db, [NewSource("http://127.0.0.1/big", "page")])
    old = _text(random.Random(5), 2500, 5)
    new = [p + " x" for p in old]
    ops = diff.diff_paragraphs(old, new)
    assert ops.coarse
    draft = ChangeDraft(get_source(db, sid), "page-changed", "http://127.0.0.1/big", "Big", (), (), ops, "")
    store_changes(db, [(draft, [], "2026-11-23T10:00:00.000000Z")])
    (row,) = changes(db)
    assert models.coarse_note(row.ops) == ops.coarse and len(row.ops) == len(ops)
    assert f"(coarse diff: {ops.coarse})" in change_text(row)
    assert f"(coarse diff: {ops.coarse})" in render_ops(row.ops).plain
    small = diff.diff_paragraphs(["a b c"], ["a b d"])
    assert "coarse" not in render_ops(small).plain
