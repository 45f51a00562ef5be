"""bench/realweb's page corpus and day-2 variants: deterministic, and each edit where it is
meant to be (no crawl: the benchmark itself runs the crawl)."""

from __future__ import annotations

import gzip
import json
import random
import sys
from pathlib import Path

import lxml.html
import pytest

REALWEB = Path(__file__).resolve().parents[2] / "bench" / "realweb"
sys.path.insert(0, str(REALWEB))

import build_corpus  # noqa: E402
import municipal  # noqa: E402
import variants  # noqa: E402


def _rows() -> list[dict]:
    lines = (REALWEB / "data" / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def _html(row: dict) -> str:
    from monitor.ingest.extract.html import decode

    return decode(gzip.decompress((REALWEB / "data" / row["file"]).read_bytes()))


def _text(page: bytes) -> str:
    return variants.norm(lxml.html.document_fromstring(page).text_content())


def test_corpus_files_and_gold() -> None:
    """Every manifest row has its page file and a gold text or snippets."""
    rows = _rows()
    assert len(rows) >= 250
    for row in rows:
        assert (REALWEB / "data" / row["file"]).is_file()
        assert row.get("gold") or row.get("with")


def test_variants_are_deterministic() -> None:
    """The same seed gives the same day-2 bytes."""
    row = next(r for r in _rows() if r["group"] == "aeb")
    out = []
    for _ in range(2):
        root = variants.parse(_html(row))
        variants.noise_edit(root, random.Random("15-x"), row["lang"])
        out.append(variants.render(root))
    assert out[0] == out[1]


@pytest.mark.parametrize("group", ["aeb", "readability", "fundus", "newspaper", "wcxb", "wcxb2", "wcxb3"])
def test_noise_edit_keeps_gold_and_article_edit_changes_it(group: str) -> None:
    """A noise edit leaves every gold paragraph in place; an article edit changes one."""
    rows = [r for r in _rows() if r["group"] == group][:10]
    assert rows
    for row in rows:
        day1 = variants.render(variants.parse(_html(row)))
        root = variants.parse(_html(row))
        variants.noise_edit(root, random.Random(row["id"]), row["lang"])
        noisy = variants.render(root)
        assert noisy != day1
        gold_paras = [variants.norm(p) for p in row["gold"].split("\n") if len(p.split()) > 8]
        day1_text, noisy_text = _text(day1), _text(noisy)
        for para in gold_paras:
            assert (para in day1_text) == (para in noisy_text)
        root = variants.parse(_html(row))
        if variants.article_edit(root, random.Random(row["id"]), row["lang"], gold=row["gold"]):
            assert variants.PHRASE_DEFAULT in _text(variants.render(root)) or row["lang"] in variants.PHRASE


def test_readability_gold_is_plain_text_of_the_expected_article() -> None:
    """The gold of a Readability page is its expected article's text, one block a paragraph,
    without scripts; the manifest's readability rows each have a gold big enough to score."""
    html = (
        "<div><h2>Title</h2><p>One <b>bold</b>\n  word.</p><script>x()</script>"
        "<ul><li>a</li><li>b</li></ul></div>"
    )
    assert build_corpus.plain_text(html) == "Title\n\nOne bold word.\n\na\n\nb"
    rows = [r for r in _rows() if r["group"] == "readability"]
    assert 50 <= len(rows) <= 80
    assert all(len(r["gold"]) >= build_corpus.RDB_MIN_GOLD for r in rows)


def test_fundus_gold_is_the_parsed_body_and_each_row_one_publisher() -> None:
    """The gold of a fundus page is its parsed body's summary, headlines and paragraphs in
    order; the manifest's fundus rows are one page a publisher, each big enough to score and
    with a text node of the page inside its gold (so an article edit can be made)."""
    body = {
        "summary": ["Lead  text."],
        "sections": [
            {"headline": [], "paragraphs": ["First\n paragraph."]},
            {"headline": ["Sub"], "paragraphs": ["Second.", " "]},
        ],
    }
    assert build_corpus.fundus_gold(body) == "Lead text.\n\nFirst paragraph.\n\nSub\n\nSecond."
    rows = [r for r in _rows() if r["group"] == "fundus"]
    assert 60 <= len(rows) <= build_corpus.FUN_SAMPLE
    assert len({r["id"] for r in rows}) == len(rows)
    assert len({r["source_file"].rsplit("/", 1)[1].split("_")[0] for r in rows}) == len(rows)
    for row in rows[:15]:
        assert len(row["gold"]) >= build_corpus.FUN_MIN_GOLD
        root = variants.parse(_html(row))
        assert variants.article_edit(root, random.Random(row["id"]), row["lang"], gold=row["gold"])


def test_newspaper_gold_is_the_expected_text_and_each_row_a_named_page() -> None:
    """The gold of a newspaper page is its expected text's paragraphs, whitespace collapsed;
    page names follow newspaper's own (base domain, then the url's rank within it); the
    manifest's newspaper rows are distinct pages, each big enough to score, none another
    group's url, and with a text node of the page inside its gold (so an article edit can
    be made)."""
    assert build_corpus.newspaper_gold("Lead  text.\n\n\n\nFirst\n line.\n\n \n\nLast.\n") == (
        "Lead text.\n\nFirst line.\n\nLast."
    )
    names = build_corpus.newspaper_names(
        ["http://www.telegraph.co.uk/a", "http://uk.reuters.com/b", "https://www.reuters.com/c"]
    )
    assert names == {
        "telegraph.co.uk1": "http://www.telegraph.co.uk/a",
        "reuters.com1": "http://uk.reuters.com/b",
        "reuters.com2": "https://www.reuters.com/c",
    }
    assert build_corpus.url_key("https://www.Example.org/a/b/?x=1#y") == "example.org/a/b"
    rows = [r for r in _rows() if r["group"] == "newspaper"]
    assert 60 <= len(rows) <= build_corpus.NSP_SAMPLE
    assert len({r["id"] for r in rows}) == len(rows) == len({r["gold"] for r in rows})
    others = {build_corpus.url_key(r["url"]) for r in _rows() if r["group"] != "newspaper"}
    assert not others & {build_corpus.url_key(r["url"]) for r in rows}
    for row in rows[:15]:
        assert len(row["gold"]) >= build_corpus.NSP_MIN_GOLD
        root = variants.parse(_html(row))
        assert variants.article_edit(root, random.Random(row["id"]), row["lang"], gold=row["gold"])


@pytest.mark.parametrize("group", ["wcxb", "wcxb2", "wcxb3"])
def test_wcxb_gold_is_the_main_content_and_each_row_one_site(group: str) -> None:
    """The gold of a WCXB page is its main content one line a paragraph, whitespace
    collapsed; the manifest's wcxb, wcxb2 and wcxb3 rows are one page a site, each big enough to
    score, none another group's url, with its page type, and with a text node of the page
    inside its gold (so an article edit can be made)."""
    assert build_corpus.wcxb_gold("Title\nFirst  line.\n\n\n Second\tline. \n\n") == (
        "Title\n\nFirst line.\n\nSecond line."
    )
    rows = [r for r in _rows() if r["group"] == group]
    assert 60 <= len(rows) <= build_corpus.WCX_SAMPLE
    assert len({r["id"] for r in rows}) == len(rows) == len({r["gold"] for r in rows})
    sites = {build_corpus.url_key(r["url"]).split("/")[0] for r in rows}
    assert len(sites) == len(rows)
    others = {build_corpus.url_key(r["url"]) for r in _rows() if r["group"] != group}
    assert not others & {build_corpus.url_key(r["url"]) for r in rows}
    for row in rows[:15]:
        assert len(row["gold"]) >= build_corpus.WCX_MIN_GOLD and row["page_type"]
        root = variants.parse(_html(row))
        assert variants.article_edit(root, random.Random(row["id"]), row["lang"], gold=row["gold"])


@pytest.mark.parametrize(
    ("group", "apart", "split"),
    [("wcxb2", ("wcxb",), "test"), ("wcxb3", ("wcxb", "wcxb2"), "dev")],
)
def test_later_wcxb_rows_hold_no_site_or_page_of_the_earlier_ones(
    group: str, apart: tuple[str, ...], split: str
) -> None:
    """wcxb2 is disjoint from wcxb, and wcxb3 from both, by site (host without ``www.``),
    by WCXB file id and by gold; wcxb2's pages are from WCXB's ``test`` split first,
    wcxb3's from ``dev`` first."""
    rows = _rows()
    later = [r for r in rows if r["group"] == group]
    assert later

    def host(row: dict) -> str:
        return build_corpus.urlsplit(row["url"]).netloc.lower().removeprefix("www.")

    def file_id(row: dict) -> str:
        return row["source_file"].rsplit("/", 1)[1]

    for earlier in apart:
        first = [r for r in rows if r["group"] == earlier]
        assert first
        assert not {host(r) for r in first} & {host(r) for r in later}
        assert not {file_id(r) for r in first} & {file_id(r) for r in later}
        assert not {r["gold"] for r in first} & {r["gold"] for r in later}
    assert all(r["source_file"].startswith(f"{split}/html/") for r in later)
    assert all(r["file"] == f"{group}/{file_id(r)}" and r["id"].startswith(f"{group}-") for r in later)


def _wcxb_repo(path: Path, pages: dict[str, tuple[str, str]]) -> Path:
    """A git repository laid out as WCXB: ``<split>/html/<id>.html.gz`` and
    ``<split>/ground-truth/<id>.json``, one page for each ``"<split>/<id>": (url, text)``."""
    import subprocess

    for key, (url, text) in pages.items():
        split, file_id = key.split("/")
        paras = [
            f"{text} paragraph {i} of the main content, long enough to count as a text node."
            for i in range(8)
        ]
        filler = "<li><a href='/x'>menu entry</a></li>" * 700
        html = (
            f"<html><body><ul>{filler}</ul><main>{''.join(f'<p>{p}</p>' for p in paras)}</main></body></html>"
        )
        (path / split / "html").mkdir(parents=True, exist_ok=True)
        (path / split / "ground-truth").mkdir(parents=True, exist_ok=True)
        (path / split / "html" / f"{file_id}.html.gz").write_bytes(gzip.compress(html.encode(), mtime=0))
        case = {"url": url, "ground_truth": {"main_content": "\n".join(paras)}}
        (path / split / "ground-truth" / f"{file_id}.json").write_text(json.dumps(case))
    git = ["git", "-C", str(path), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "pages"], check=True)
    return path


def test_build_wcxb_prefers_the_first_tier_and_keeps_apart_from_a_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With tiers (test, then dev), one page a site is taken from ``test`` first and the
    sample comes from ``test`` while it suffices; a site or page of the ``apart`` group is
    never taken; with one tier (wcxb's default), ``dev`` comes first in path order; with
    rows of two groups apart (wcxb3's case), the sites and pages of both are left, and
    wcxb3's tiers draw from ``dev`` first."""
    repo = _wcxb_repo(
        tmp_path / "repo",
        {
            "dev/0001": ("https://www.a.example/1", "Alpha dev"),
            "dev/0002": ("https://b.example/2", "Bravo dev"),
            "dev/0003": ("https://c.example/3", "Charlie dev"),
            "test/0004": ("https://a.example/4", "Alpha test"),
            "test/0005": ("https://d.example/5", "Delta test"),
        },
    )
    one = tmp_path / "one"
    (one / "wcxb").mkdir(parents=True)
    first = build_corpus.build_wcxb(repo, one, 15, [])
    assert [r["source_file"] for r in first] == [
        "dev/html/0001.html.gz",
        "dev/html/0002.html.gz",
        "dev/html/0003.html.gz",
        "test/html/0005.html.gz",
    ]
    two = tmp_path / "two"
    (two / "wcxb2").mkdir(parents=True)
    apart = [r for r in first if r["source_file"] == "dev/html/0002.html.gz"]
    second = build_corpus.build_wcxb(
        repo, two, 16, apart, group="wcxb2", tiers=build_corpus.WCX2_TIERS, apart=apart
    )
    assert [r["source_file"] for r in second] == [
        "dev/html/0003.html.gz",
        "test/html/0004.html.gz",
        "test/html/0005.html.gz",
    ]
    assert {p.name for p in (two / "wcxb2").iterdir()} == {"0003.html.gz", "0004.html.gz", "0005.html.gz"}
    assert all(r["group"] == "wcxb2" and r["id"] == f"wcxb2-{r['file'][6:10]}" for r in second)
    monkeypatch.setattr(build_corpus, "WCX_SAMPLE", 2)
    for stale in (two / "wcxb2").iterdir():
        stale.unlink()
    small = build_corpus.build_wcxb(
        repo, two, 16, apart, group="wcxb2", tiers=build_corpus.WCX2_TIERS, apart=apart
    )
    assert [r["source_file"] for r in small] == ["test/html/0004.html.gz", "test/html/0005.html.gz"]
    three = tmp_path / "three"
    (three / "wcxb3").mkdir(parents=True)
    both = apart + [r for r in small if r["source_file"] == "test/html/0004.html.gz"]
    third = build_corpus.build_wcxb(
        repo, three, 17, both, group="wcxb3", tiers=build_corpus.WCX3_TIERS, apart=both
    )
    assert [r["source_file"] for r in third] == ["dev/html/0003.html.gz", "test/html/0005.html.gz"]
    monkeypatch.setattr(build_corpus, "WCX_SAMPLE", 1)
    for stale in (three / "wcxb3").iterdir():
        stale.unlink()
    first_tier = build_corpus.build_wcxb(
        repo, three, 17, both, group="wcxb3", tiers=build_corpus.WCX3_TIERS, apart=both
    )
    assert [r["source_file"] for r in first_tier] == ["dev/html/0003.html.gz"]


POSTLIGHT_TEST = """
describe('ExampleExtractor', () => {
  describe('initial test case', () => {
    let result;
    let url;
    beforeAll(() => {
      url =
        'https://www.example.org/2019/a.html';
      const html = fs.readFileSync('./fixtures/www.example.org.html');
      result = Mercury.parse(url, { html, fallback: false });
    });

    it('returns the content', async () => {
      const { content } = await result; // it's the beforeAll's page (a quote in a comment)
      const first13 = excerptContent($('*').first().text(), 13);
      assert.equal(
        first13,
        'It\\'s the \\u2019first\\u2019 words, ' + "thirteen of them"
      );
    });

    it('handles another page', async () => {
      const html = fs.readFileSync('./fixtures/www.example.org--video.html');
      const articleUrl = `https://www.example.org/video/b`;
      const { content } = await Mercury.parse(articleUrl, { html });
      const text = excerptContent(content, 5);
      assert.equal(text, `Second page words`);
    });
  });
});
"""


def test_postlight_cases_pair_each_snippet_with_its_fixture_and_url() -> None:
    """A postlight test file's content snippets pair with the fixture and url of their own
    ``it`` block, or else of the enclosing ``describe``'s ``beforeAll``; literals are
    unescaped and joined."""
    assert build_corpus.postlight_cases(POSTLIGHT_TEST) == [
        (
            "www.example.org.html",
            "https://www.example.org/2019/a.html",
            "It's the \u2019first\u2019 words, thirteen of them",
        ),
        ("www.example.org--video.html", "https://www.example.org/video/b", "Second page words"),
    ]
    assert build_corpus.html_lang('<html lang="ja-JP"><p>x</p></html>') == "ja"


def test_article_edit_inside_a_snippet_that_runs_across_a_link() -> None:
    """A snippet in no one text node is edited inside its one occurrence (the element's
    text); a snippet found twice gives no place to edit."""
    snippet = "The council voted on Monday to twin the town with Tartu in Estonia"
    page = (
        "<html><body><nav>The council voted</nav><article><p>The council voted on Monday to "
        '<a href="/t">twin the town</a> with Tartu in Estonia, after a long debate.</p></article>'
        "</body></html>"
    )
    root = variants.parse(page)
    assert not variants.snippet_nodes(root, snippet)
    inside = variants.inside_snippet(root, snippet)
    assert [(el.tag, attr) for el, attr in inside] == [("p", "text"), ("a", "text")]
    assert variants.article_edit(root, random.Random(1), "en", snippets=[snippet])
    text = _text(variants.render(root))
    assert snippet not in text and variants.PHRASE_DEFAULT in text and "after a long debate" in text
    twice = variants.parse(page.replace("</article>", "</article><aside>" + page[page.index("<p>") :]))
    assert not variants.inside_snippet(twice, snippet)


def test_postlight_rows_are_one_a_site_with_snippets_inside_the_page() -> None:
    """The manifest's postlight rows are distinct pages, one a site, none another group's
    url, each with snippets long enough to score and an article edit that changes one."""
    rows = [r for r in _rows() if r["group"] == "postlight"]
    assert 60 <= len(rows) <= build_corpus.PL_SAMPLE
    assert len({r["id"] for r in rows}) == len(rows)
    sites = {build_corpus.url_key(r["url"]).split("/")[0] for r in rows}
    assert len(sites) == len(rows)
    others = {build_corpus.url_key(r["url"]) for r in _rows() if r["group"] != "postlight"}
    assert not others & {build_corpus.url_key(r["url"]) for r in rows}
    for row in rows[:15]:
        assert row["with"] and row["without"] == [] and "gold" not in row
        snippets = [variants.norm(s) for s in row["with"]]
        assert all(len(s) >= build_corpus.PL_MIN_SNIPPET for s in snippets)
        root = variants.parse(_html(row))
        assert all(
            len(variants.snippet_nodes(root, s)) == 1 or variants.inside_snippet(root, s) for s in snippets
        )
        assert variants.article_edit(root, random.Random(row["id"]), row["lang"], snippets=row["with"])
        assert not all(variants.snippet_nodes(root, s) or variants.inside_snippet(root, s) for s in snippets)


def test_municipal_pages() -> None:
    """Municipal pages: identical on both days without an edit, gold text on the page."""
    for spec in municipal.PAGES:
        day1 = municipal.render(spec, 1, None, False)
        assert day1 == municipal.render(spec, 2, None, False)
        text = _text(day1)
        for para in spec.paras:
            assert para in text
        for kind in municipal.NOISE_KINDS:
            noisy = _text(municipal.render(spec, 2, kind, False))
            assert noisy != text and all(para in noisy for para in spec.paras)
        edited = _text(municipal.render(spec, 2, None, True))
        assert spec.paras[1] not in edited and spec.paras[0] in edited
