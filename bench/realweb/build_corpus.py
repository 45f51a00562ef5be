"""Rebuild ``bench/realweb/data/`` from the seven public benchmarks it copies (run once; the
result is committed, the benchmark itself never touches the network).

Run:  .venv/bin/python bench/realweb/build_corpus.py [--aeb DIR] [--trafilatura DIR] [--readability DIR]
      [--fundus DIR] [--newspaper DIR] [--postlight DIR] [--wcxb DIR] [--wcxb2 DIR]
      [--wcxb3 DIR]

``DIR`` is a git clone (or bare mirror) of each repository; pages are read at its ``HEAD``
with ``git show``, and the commit is written to ``data/SOURCES.json``. Only the groups
given are rebuilt; the manifest lines and sources of the others are kept as they are.

* ``aeb``: github.com/scrapinghub/article-extraction-benchmark (MIT): all 181 pages
  (``html/*.html.gz``) with their full gold article text (``ground-truth.json``,
  ``articleBody``). Copied byte for byte.
* ``trafilatura``: github.com/adbar/trafilatura (Apache-2.0), ``tests/eval/`` with
  ``tests/evaldata.json``: gold is a few snippets that must be in the main text
  (``with``) and a few that must not (``without``). German, French and English pages are
  sampled (seeded) among those whose ``<html lang>`` says so and where at least one
  ``with`` snippet sits whole in one text node (so an edit inside the main text can be
  made). Stored gzipped, byte for byte.
* ``readability``: github.com/mozilla/readability (Apache-2.0), ``test/test-pages/<name>/``:
  ``source.html`` is the page, ``expected.html`` the article Readability extracts from it
  (its plain text is the gold, paragraphs separated by blank lines as in aeb's
  ``articleBody``). Taken: every page Readability's metadata calls readerable whose source
  is a real site's page (at least :data:`RDB_MIN_SOURCE` bytes: the smaller ones are
  hand-written cases of one parser rule), whose gold has at least :data:`RDB_MIN_GOLD`
  characters, and where a text node of the page lies whole in the gold (so an edit inside
  the main text can be made); a page whose gold repeats an earlier one's or is placeholder
  text (lorem ipsum) is left out; :data:`RDB_SAMPLE` of the rest are sampled (seeded). Chosen
  from the sources' structure alone, before any twinwatch result on them was seen: this
  group was the benchmark's first fresh one. Stored gzipped, byte for byte.
* ``fundus``: github.com/flairNLP/fundus (MIT), ``tests/resources/parser/test_data/<country>/``:
  ``<Publisher>_<date>.html.gz`` is a news page as fundus' crawler saved it, ``<Publisher>.json``
  what the publisher's own hand-written parser takes from it, keyed by parser version; the
  gold is its ``body`` (the summary, then each section's headline and paragraphs, blank lines
  between, as in aeb's ``articleBody``), ``meta.info`` gives the url. Taken: every publisher
  with exactly one page and one parser version (so page and gold pair without running
  fundus, and no publisher counts twice) whose page has at least :data:`FUN_MIN_SOURCE`
  bytes, whose gold has at least :data:`FUN_MIN_GOLD` characters and repeats no earlier
  page's, whose url is not a page of the other groups, and where a text node of the page
  lies whole, and once, in the gold; :data:`FUN_SAMPLE` of them are sampled (seeded). Chosen
  from the sources' structure alone, before any twinwatch result on them was seen: this
  group was the benchmark's second fresh one. Copied byte for byte (fundus stores them
  gzipped).
* ``newspaper``: github.com/codelucas/newspaper (MIT), ``tests/data/``: ``html/<name>.html``
  is a page as newspaper's maintainers saved it (December 2014 for most, a few multilingual
  ones later), ``text/<name>.txt`` the article text newspaper's full-text tests expect from
  it (paragraphs separated by blank lines, as in aeb's ``articleBody``). That text is
  newspaper's own output, kept by its maintainer when he judged it right and replaced by a
  note of what went wrong ("EXTRACTED NOTHING", "MISSED LAST PARAGRAPH") when not: a gold
  checked by a person but cut by an extractor, like readability's. A page's url is the one
  newspaper's tests pair with it: ``fulltext_url_list.txt`` names ``<base domain><n>`` by
  the n-th url of that domain (:func:`newspaper_names`), and the multilingual pages
  (``<lang>_article``) take the url their test in ``tests/unit_tests.py`` gives
  (:data:`NSP_URLS`); a page without a url or without a text file is left. Taken: every
  such page of at least :data:`NSP_MIN_SOURCE` bytes whose gold has at least
  :data:`NSP_MIN_GOLD` characters (which leaves out the maintainer's failure notes and
  the empty texts) and repeats no earlier page's, whose url (scheme, ``www.``, query and
  trailing slash aside) is not a page of the other groups and whose gold's first 200
  characters lie in none of theirs, nor theirs in it (the same article kept twice), and
  where a text node of the page lies
  whole, and once, in the gold (so an article edit can be made); :data:`NSP_SAMPLE` of them
  are sampled (seeded). Rule written down before the first build and chosen from the
  sources' structure alone, before any twinwatch result on them was seen: this group was the
  benchmark's third fresh one. Stored gzipped, byte for byte.
* ``postlight``: github.com/postlight/parser (Mercury Parser; MIT or Apache-2.0 at the
  user's choice), ``fixtures/<name>.html`` are real pages as its maintainers saved them,
  and each site's test (``src/extractors/custom/<domain>/index.test.js``) states what the
  site's hand-written extractor must give: among others the first words (13, mostly) of
  the article content, ``excerptContent(...)`` compared by ``assert.equal`` with a string.
  Those snippets are the gold, as trafilatura's ``with`` snippets: they must be kept
  (recall and "lost" are measurable, precision is not); ``without`` is empty. Page and
  snippet pair by reading the test file's text (:func:`postlight_cases`: the fixture read
  in the same ``it`` block, or else in the enclosing ``describe``'s ``beforeAll``), and the
  url is the one the test parses the page under. Taken, by this rule written down before
  the first build: a page with a url in its test and at least :data:`PL_MIN_SOURCE` bytes,
  not the same bytes as an earlier one, whose url (scheme, ``www.``, query and trailing
  slash aside) is not a page of the other groups; its snippets of at least
  :data:`PL_MIN_SNIPPET` characters (whitespace collapsed) that repeat no earlier page's,
  lie in no other group's gold or snippets (the same article kept twice), and lie whole,
  and once, in one text node of the page, or, running across inline elements, in the text
  of one innermost element with a text node wholly inside them (so an article edit can be
  made: :func:`variants.inside_snippet`); a page needs one such snippet and keeps only
  those. One page a site (the fixture named for the site alone first, then by name).
  :data:`PL_SAMPLE` of them are sampled (seeded). Chosen from the sources' structure alone,
  before any twinwatch result on them was seen: this group was the benchmark's fourth fresh
  one. Stored gzipped, byte for byte.
* ``wcxb``: github.com/Murrough-Foley/web-content-extraction-benchmark (WCXB, CC BY 4.0):
  web pages of 2025 (articles, and also service, product, collection, listing, forum and
  documentation pages, each labelled), ``<split>/html/<id>.html.gz`` the page as the
  benchmark saved it, ``<split>/ground-truth/<id>.json`` its gold: ``main_content``, the
  whole main content as plain text (headings on their own lines, paragraphs separated by
  blank lines; drafted by a language model or by rs-trafilatura, then reviewed, the README
  says), with the page's ``url`` and type (``_internal.page_type.primary``). Both splits
  (``dev`` and ``test``) are read, in path order. The gold is ``main_content`` one line a
  paragraph, whitespace collapsed, blank lines between (:func:`wcxb_gold`, the shape of
  aeb's ``articleBody``). Taken, by this rule written down before the first build: one page
  a site (the url's host without ``www.``; the first, in path order, that passes the rest of
  the rule); the page has at least :data:`WCX_MIN_SOURCE` bytes; the gold has at least
  :data:`WCX_MIN_GOLD` characters and repeats no earlier page's; its url (scheme, ``www.``,
  query and trailing slash aside) is not a page of the other groups, its gold's first 200
  characters lie in no other group's gold, nor another gold's first 200 characters or
  another group's snippet of :data:`PL_MIN_SNIPPET` characters or more in it (the same
  article kept twice); a text node of the page lies whole, and once, in the gold (so an
  article edit can be made). :data:`WCX_SAMPLE` of them are sampled (seeded). Chosen from
  the data's structure alone, before any twinwatch result on them was seen: this group is
  the benchmark's fifth fresh one. Copied byte for byte (WCXB stores them gzipped).
* ``wcxb2``: a second sample of WCXB (same repository and commit), disjoint from ``wcxb``
  by site, kept fresh when ``wcxb`` was looked at. The same rule as ``wcxb``
  (:func:`build_wcxb`), with three differences, written down before its first build: no
  page of a site (host without ``www.``) that ``wcxb`` holds, and none of ``wcxb``'s pages
  (by WCXB's file id; 139 ``test`` pages are byte for byte ``dev`` pages under the same id);
  the splits are read ``test`` first, then ``dev`` (:data:`WCX2_TIERS`): one page a site is
  the first in that order, and the sample is drawn from the ``test`` pages that qualify,
  topped up from ``dev``'s only if fewer than :data:`WCX_SAMPLE` do; and the seed is its
  own, :data:`WCX2_SEED`. No filtering by page type: the mix is what the sample gives.
  :data:`WCX_SAMPLE` pages, under 5 MB added. Chosen from the data's structure alone,
  before any twinwatch result on them was seen: this group is the benchmark's sixth fresh
  one. Copied byte for byte.
* ``wcxb3``: a third sample of WCXB (same repository and commit), disjoint by site from
  ``wcxb`` and ``wcxb2``, kept fresh when ``wcxb2`` was looked at. ``wcxb``'s rule
  (:func:`build_wcxb`), with these differences, written down before its first build: no
  page of a site (host without ``www.``) that ``wcxb`` or ``wcxb2`` holds, and none of
  their pages (by WCXB's file id); the splits are read ``dev`` first, then ``test``
  (:data:`WCX3_TIERS`; ``wcxb2`` drew all its pages from ``test``): one page a site is the
  first in that order, and the sample is drawn from the ``dev`` pages that qualify, topped
  up from ``test``'s only if fewer than :data:`WCX_SAMPLE` do; and the seed is its own,
  :data:`WCX3_SEED`. No filtering by page type nor by size. :data:`WCX_SAMPLE` pages;
  meant to add under 3 MB, it added 5 MB (4.0 MB of pages, 1.0 MB of gold): WCXB's ``dev``
  pages are bigger than its ``test`` pages (``wcxb``'s took 3.3 MB). Chosen from the
  data's structure alone, before any twinwatch result on them was seen: this group is the
  benchmark's fresh one, never used to tune. Copied byte for byte.

Languages: ``<html lang>`` for trafilatura pages, and for postlight pages where it is set
(py3langid on their snippets otherwise: a snippet is a dozen words, too few to tell a
Japanese sentence opening with an English company name from English); py3langid on the
gold text for aeb, readability, fundus, newspaper, wcxb, wcxb2 and wcxb3 pages (the
``lang`` attribute is missing on a sixth of aeb's and on a third of readability's).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

sys.path.insert(0, str(HERE))

import variants  # noqa: E402

from monitor.ingest.extract.html import decode  # noqa: E402

SKIP = ("script", "style", "noscript", "template")

TRAF_SAMPLE = {"de": 70, "fr": 30, "en": 20}
"""Pages per language taken from trafilatura's evaluation set (fr has only 19 tagged)."""


RDB_MIN_SOURCE = 20_000
"""Bytes of ``source.html`` below which a Readability test page is a hand-written case
(``base-url``, ``replace-brs``, ``rtl-1``, ...), not a site's page."""

RDB_MIN_GOLD = 500
"""Characters of gold text below which a Readability test page's article is too small to
score (``qq``, ``youth``, ``yahoo-4``: a line or two)."""

RDB_SAMPLE = 80
"""Readability test pages taken (seeded sample) among those that qualify, to keep the
benchmark's run time in proportion."""

FUN_DIR = "tests/resources/parser/test_data"
"""Where fundus keeps its parser test pages: one folder per publisher country."""

FUN_MIN_SOURCE = 20_000
"""Bytes of a fundus page below which it is not a whole site page (none is, today)."""

FUN_MIN_GOLD = 500
"""Characters of gold text below which a fundus page's article is too small to score (a
live ticker's teaser, a photo gallery's caption)."""

FUN_SAMPLE = 90
"""fundus pages taken (seeded sample) among those that qualify."""

NSP_DIR = "tests/data"
"""Where newspaper keeps its full-text test pages (``html/``) and their texts (``text/``)."""

NSP_MIN_SOURCE = 20_000
"""Bytes of a newspaper page below which it is not a whole site page (a meta-refresh stub)."""

NSP_MIN_GOLD = 500
"""Characters of gold text below which a newspaper page's article is too small to score,
or is the maintainer's note of a failure ("EXTRACTED NOTHING"), or a video's caption."""

NSP_SAMPLE = 90
"""newspaper pages taken (seeded sample) among those that qualify, to keep the added data
under 5 MB."""

NSP_URLS = {
    "cnn_article": "http://www.cnn.com/2013/11/27/travel/weather-thanksgiving/index.html?iref=allsearch",
    "chinese_article": "http://news.sohu.com/20050601/n225789219.shtml",
    "arabic_article": "http://arabic.cnn.com/2013/middle_east/8/3/syria.clashes/index.html",
    "spanish_article": "http://ultimahora.es/mallorca/noticia/noticias/local/"
    "fiscalia-anticorrupcion-estudia-recurre-imputacion-infanta.html",
    "japanese_article": "https://www.nikkei.com/article/DGXMZO31897660Y8A610C1000000/?n_cid=DSTPCS001",
    "japanese_article2": "http://www.afpbb.com/articles/-/3178894",
    "thai_article": "https://prachatai.com/journal/2019/01/80642",
}
"""The urls newspaper's ``tests/unit_tests.py`` gives its named pages (``ArticleTestCase``
and ``MultiLanguageTestCase``); each page's text is ``text/<name without "_article">.txt``."""

BLOCKS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 "
    "header hr li main ol p pre section table tbody td th thead tr ul".split()
)


def git_show(repo: Path, path: str) -> bytes:
    return subprocess.run(
        ["git", "-C", str(repo), "show", f"HEAD:{path}"], check=True, capture_output=True
    ).stdout


def git_ls(repo: Path, folder: str, *, recursive: bool = True) -> list[str]:
    """The paths under ``folder`` at the repository's HEAD (its direct entries only when
    not ``recursive``)."""
    flags = ["-r"] if recursive else []
    return subprocess.run(
        ["git", "-C", str(repo), "ls-tree", *flags, "--name-only", "HEAD", folder],
        check=True, capture_output=True, text=True,
    ).stdout.split()


def editable(html: str, gold: str) -> bool:
    """Whether a text node of 40 characters or more lies whole, and once, in ``gold``: an
    article edit can then be made inside the gold text."""
    gold_n = norm(gold)
    return any(len(n) >= 40 and k == 1 and n in gold_n for n, k in Counter(text_nodes(html)).items())


def head(repo: Path) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()


def norm(text: str) -> str:
    return " ".join(text.split())


def text_nodes(html: str) -> list[str]:
    """Every text and tail of the page's body, whitespace-normalised (no script/style)."""
    try:
        root = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return []
    out = []
    for el in root.iter():
        if isinstance(el.tag, str) and el.text and el.tag not in SKIP:
            out.append(norm(el.text))
        if el.tail:
            out.append(norm(el.tail))
    return out


def plain_text(html: str) -> str:
    """The text of an HTML fragment, one paragraph (block element) per blank-line-separated
    block, whitespace inside a block collapsed: the shape of aeb's ``articleBody``."""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for el in list(root.iter(*SKIP)):
        el.drop_tree()
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag in BLOCKS:
            el.tail = "\n\n" + (el.tail or "")
            el.text = "\n\n" + (el.text or "")
    blocks = (norm(b) for b in root.text_content().split("\n\n"))
    return "\n\n".join(b for b in blocks if b)


def canonical_url(html: str) -> str | None:
    """The page's own address as it declares it (``<link rel=canonical>`` or ``og:url``)."""
    try:
        root = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return None
    for href in root.xpath("//link[@rel='canonical']/@href | //meta[@property='og:url']/@content"):
        if href.startswith("http"):
            return str(href)
    return None


def build_readability(repo: Path, out: Path, seed: int) -> list[dict]:
    import py3langid

    listing = git_ls(repo, "test/test-pages/", recursive=False)
    found, golds = [], set()
    for folder in sorted(listing):
        name = folder.rsplit("/", 1)[-1]
        try:
            body = git_show(repo, f"{folder}/source.html")
            expected = git_show(repo, f"{folder}/expected.html").decode("utf-8")
            meta = json.loads(git_show(repo, f"{folder}/expected-metadata.json"))
        except subprocess.CalledProcessError:
            continue
        if not meta.get("readerable") or len(body) < RDB_MIN_SOURCE or not expected.strip():
            continue
        gold = plain_text(expected)
        if len(gold) < RDB_MIN_GOLD or gold in golds or "lorem ipsum" in gold.lower():
            continue  # too small, a copy of an earlier page's article, or placeholder text
        html = decode(body)
        if not editable(html, gold):
            continue  # no text node lies whole (and once) in the gold: no in-article edit
        golds.add(gold)
        found.append((name, folder, body, html, gold))
    rows = []
    picked = random.Random(seed).sample(found, min(RDB_SAMPLE, len(found)))
    for name, folder, body, html, gold in sorted(picked, key=lambda p: p[0]):
        (out / "readability" / f"{name}.html.gz").write_bytes(gzip.compress(body, 9, mtime=0))
        rows.append(
            {
                "id": f"rdb-{name}",
                "group": "readability",
                "lang": py3langid.classify(gold)[0],
                "url": canonical_url(html),
                "file": f"readability/{name}.html.gz",
                "source_dir": folder,
                "gold": gold,
            }
        )
    return rows


def fundus_gold(body: dict) -> str:
    """The plain text of a fundus ``body``: summary, then each section's headline and
    paragraphs, one paragraph a block, blank lines between."""
    parts = list(body.get("summary", ()))
    for section in body.get("sections", ()):
        parts += list(section.get("headline", ())) + list(section.get("paragraphs", ()))
    return "\n\n".join(b for b in (norm(p) for p in parts) if b)


def build_fundus(repo: Path, out: Path, seed: int, taken_urls: set[str]) -> list[dict]:
    import py3langid

    listing = git_ls(repo, f"{FUN_DIR}/")
    pages: dict[tuple[str, str], list[str]] = {}
    for path in listing:
        country, _, name = path[len(FUN_DIR) + 1 :].partition("/")
        if name.endswith(".html.gz"):
            pages.setdefault((country, name.split("_", 1)[0]), []).append(path)
    metas: dict[str, dict] = {}
    found, golds = [], set()
    for (country, publisher), paths in sorted(pages.items()):
        if len(paths) != 1:
            continue  # several pages: pairing them with parser versions needs fundus itself
        try:
            cases = json.loads(git_show(repo, f"{FUN_DIR}/{country}/{publisher}.json"))
        except subprocess.CalledProcessError:
            continue
        if len(cases) != 1:
            continue
        if country not in metas:
            metas[country] = json.loads(git_show(repo, f"{FUN_DIR}/{country}/meta.info"))
        url = metas[country].get(paths[0].rsplit("/", 1)[1], {}).get("url")
        gold = fundus_gold(next(iter(cases.values())).get("body") or {})
        packed = git_show(repo, paths[0])
        body = gzip.decompress(packed)
        if len(body) < FUN_MIN_SOURCE or len(gold) < FUN_MIN_GOLD or gold in golds or url in taken_urls:
            continue
        html = decode(body)
        if not editable(html, gold):
            continue  # no text node lies whole (and once) in the gold: no in-article edit
        golds.add(gold)
        found.append((country, publisher, paths[0], packed, url, gold))
    print(f"fundus: {len(found)} pages qualify", file=sys.stderr)
    rows = []
    picked = random.Random(seed).sample(found, min(FUN_SAMPLE, len(found)))
    for country, publisher, path, packed, url, gold in sorted(picked, key=lambda p: (p[0], p[1])):
        name = f"{country}-{publisher}"
        (out / "fundus" / f"{name}.html.gz").write_bytes(packed)
        rows.append(
            {
                "id": f"fun-{name}",
                "group": "fundus",
                "lang": py3langid.classify(gold)[0],
                "url": url,
                "file": f"fundus/{name}.html.gz",
                "source_file": path,
                "gold": gold,
            }
        )
    return rows


def newspaper_names(urls: list[str]) -> dict[str, str]:
    """newspaper's name for each full-text test url: its base domain (the last two labels
    of the host, three under ``co.uk``, ``com.au`` and ``au.com``) and how many urls of that
    domain came before it, plus one (``tests/unit_tests.py``, ``test_exhaustive``)."""
    seen: Counter[str] = Counter()
    names = {}
    for url in urls:
        labels = urlsplit(url).netloc.split(".")
        keep = 3 if ".".join(labels[-2:]) in ("co.uk", "com.au", "au.com") else 2
        base = ".".join(labels[-keep:])
        seen[base] += 1
        names[f"{base}{seen[base]}"] = url
    return names


def newspaper_gold(text: str) -> str:
    """The gold of a newspaper text file: its paragraphs (blank-line separated, as
    newspaper's ``article.text`` joins them) with whitespace collapsed, empty ones dropped."""
    return "\n\n".join(b for b in (norm(p) for p in text.split("\n\n")) if b)


def url_key(url: str | None) -> str | None:
    """A url without its scheme, ``www.``, query, fragment and trailing slash: two rows with
    the same key are the same page."""
    if not url:
        return None
    parts = urlsplit(url)
    return parts.netloc.lower().removeprefix("www.") + parts.path.rstrip("/")


def build_newspaper(repo: Path, out: Path, seed: int, others: list[dict]) -> list[dict]:
    import py3langid

    listed = lines_of(git_show(repo, f"{NSP_DIR}/fulltext_url_list.txt"))
    urls = {**newspaper_names(listed), **NSP_URLS}
    listing = git_ls(repo, f"{NSP_DIR}/html/")
    taken = {url_key(r["url"]) for r in others} - {None}
    their_golds = [norm(r["gold"]) for r in others if len(r.get("gold") or "") >= 200]
    found, golds = [], set()
    for path in sorted(listing):
        name = path.rsplit("/", 1)[1].removesuffix(".html")
        url = urls.get(name)
        if url is None:
            continue  # not a full-text test page (a meta-refresh stub, a front page)
        text_path = f"{NSP_DIR}/text/{name.replace('_article', '')}.txt"
        try:
            gold_raw = git_show(repo, text_path).decode("utf-8")
        except subprocess.CalledProcessError:
            continue
        gold = newspaper_gold(gold_raw)
        body = git_show(repo, path)
        if len(body) < NSP_MIN_SOURCE or len(gold) < NSP_MIN_GOLD or gold in golds:
            continue
        gold_n = norm(gold)
        if url_key(url) in taken or any(gold_n[:200] in g or g[:200] in gold_n for g in their_golds):
            continue  # a page another group already holds
        if not editable(decode(body), gold):
            continue  # no text node lies whole (and once) in the gold: no in-article edit
        golds.add(gold)
        found.append((name, path, text_path, body, url, gold))
    print(f"newspaper: {len(found)} pages qualify", file=sys.stderr)
    rows = []
    picked = random.Random(seed).sample(found, min(NSP_SAMPLE, len(found)))
    for name, path, text_path, body, url, gold in sorted(picked, key=lambda p: p[0]):
        (out / "newspaper" / f"{name}.html.gz").write_bytes(gzip.compress(body, 9, mtime=0))
        rows.append(
            {
                "id": f"nsp-{name}",
                "group": "newspaper",
                "lang": py3langid.classify(gold)[0],
                "url": url,
                "file": f"newspaper/{name}.html.gz",
                "source_file": path,
                "source_text": text_path,
                "gold": gold,
            }
        )
    return rows


PL_TESTS = "src/extractors/custom"
"""Where postlight/parser keeps its per-site tests (``<domain>/index.test.js``)."""

PL_MIN_SOURCE = 20_000
"""Bytes of a postlight fixture below which it is not a whole site page (a stub such as
``epaper.zeit.de``, a login wall)."""

PL_MIN_SNIPPET = 60
"""Characters (whitespace collapsed) of an expected content snippet below which it is too
short to score or to edit (an empty post, a caption, ``Image:``)."""

PL_SAMPLE = 90
"""postlight pages taken (seeded sample) among those that qualify, to keep the added data
under 5 MB."""

WCX_SPLITS = ("dev", "test")
"""WCXB's two splits, each a folder of ``html/<id>.html.gz`` and ``ground-truth/<id>.json``."""

WCX_MIN_SOURCE = 20_000
"""Bytes of a WCXB page below which it is not a whole site page (a bare single-page app's
shell, a stub)."""

WCX_MIN_GOLD = 500
"""Characters of gold text below which a WCXB page's main content is too small to score."""

WCX_SAMPLE = 90
"""WCXB pages taken (seeded sample) among those that qualify, to keep the added data under
6 MB (under 5 MB for ``wcxb2``; ``wcxb3``, meant to stay under 3 MB, took 5 MB)."""

WCX2_TIERS = (("test",), ("dev",))
"""``wcxb2``'s splits in order of preference: its sample is drawn from the ``test`` pages
that qualify first (WCXB's own held-out split), topped up from ``dev``'s only if too few
do. ``wcxb`` read both as one tier, ``(WCX_SPLITS,)``."""

WCX2_SEED = 16
"""``wcxb2``'s sampling seed: its own, so its draw does not repeat ``wcxb``'s (seed 15)."""

WCX3_TIERS = (("dev",), ("test",))
"""``wcxb3``'s splits in order of preference: ``dev`` first (``wcxb2`` drew all its pages
from ``test``), topped up from ``test``'s only if too few ``dev`` pages qualify."""

WCX3_SEED = 17
"""``wcxb3``'s sampling seed: its own, so its draw repeats neither ``wcxb``'s nor
``wcxb2``'s."""

_JS_TOKEN = re.compile(
    r"//[^\n]*|/\*.*?\*/|'(?:\\.|[^'\\\n])*'|\"(?:\\.|[^\"\\\n])*\"|`(?:\\.|[^`\\])*`", re.S
)
"""A JavaScript comment or string literal (single, double or back quotes)."""
_JS_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0", "\n": ""}


def js_mask(src: str) -> str:
    """``src`` with every comment and the inside of every string literal blanked (same
    length, quotes kept), so brackets and names can be found in the code alone."""

    def blank(m: re.Match[str]) -> str:
        tok = m.group(0)
        if tok.startswith("/"):
            return re.sub(r"[^\n]", " ", tok)
        return tok[0] + re.sub(r"[^\n]", " ", tok[1:-1]) + tok[-1]

    return _JS_TOKEN.sub(blank, src)


def js_string(src: str, i: int) -> str | None:
    """The value of the string literal at ``src[i:]`` (after white space), literals joined
    by ``+`` included; None when no literal starts there (a variable, a call)."""
    parts = []
    while True:
        m = re.compile(r"\s*").match(src, i)
        i = m.end() if m else i
        lit = _JS_TOKEN.match(src, i)
        if lit is None or lit.group(0)[0] not in "'\"`":
            return "".join(parts) if parts else None
        body = lit.group(0)[1:-1]
        parts.append(
            re.sub(
                r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)",
                lambda e: (
                    chr(int(e.group(1)[1:].strip("{}"), 16))
                    if len(e.group(1)) > 1
                    else _JS_ESCAPES.get(e.group(1), e.group(1))
                ),
                body,
                flags=re.S,
            )
        )
        plus = re.compile(r"\s*\+").match(src, lit.end())
        if plus is None:
            return "".join(parts)
        i = plus.end()


def _close(mask: str, i: int) -> int:
    """The index just past the bracket closing the one at ``mask[i]``."""
    depth = 0
    for j in range(i, len(mask)):
        if mask[j] in "([{":
            depth += 1
        elif mask[j] in ")]}":
            depth -= 1
            if depth == 0:
                return j + 1
    return len(mask)


def postlight_cases(src: str) -> list[tuple[str, str | None, str]]:
    """Every ``(fixture, url, snippet)`` a postlight test file states: each
    ``excerptContent(...)`` compared by ``assert.equal`` with a string literal, paired with the
    fixture its ``it`` block reads, or else the one read by a ``beforeAll``/``beforeEach``
    (or directly) in the nearest enclosing ``describe``; the url is the first string given
    to a name ending in ``url``/``uri`` where that fixture is read."""
    mask = js_mask(src)
    blocks = [
        (m.group(1), m.end() - 1, _close(mask, m.end() - 1))
        for m in re.finditer(r"\b(describe|it|test|beforeAll|beforeEach)\s*\(", mask)
    ]
    reads = [m.end() for m in re.finditer(r"\breadFileSync\s*\(", mask)]
    whole = ("file", 0, len(src))

    def inner(pos: int, kinds: tuple[str, ...]) -> tuple[str, int, int] | None:
        found = [b for b in blocks if b[0] in kinds and b[1] < pos < b[2]]
        return max(found, key=lambda b: b[1]) if found else None

    def read_in(region: tuple[str, int, int]) -> tuple[str, str | None] | None:
        for pos in reads:
            if not region[1] < pos < region[2]:
                continue
            if region[0] in ("describe", "file"):
                # read by this describe itself or its hooks, not by one of its tests or
                # by a nested describe
                if inner(pos, ("it", "test")) or (inner(pos, ("describe",)) or whole) != region:
                    continue
            fixture = js_string(src, pos)
            if not fixture:
                continue
            scope = inner(pos, ("it", "test", "beforeAll", "beforeEach")) or region
            url = None
            for m in re.finditer(r"(?i)\b\w*ur[il]\s*=", mask[scope[1] : scope[2]]):
                url = js_string(src, scope[1] + m.end())
                if url and url.startswith("http"):
                    break
                url = None
            return fixture.removeprefix("./").removeprefix("fixtures/"), url
        return None

    cases = []
    for m in re.finditer(r"\b(?:const|let|var)\s+(\w+)\s*=\s*excerptContent\s*\(", mask):
        name, start = m.group(1), m.start()
        check = re.compile(rf"\bassert\s*\.\s*(?:equal|strictEqual)\s*\(\s*{name}\s*,").search(mask, m.end())
        if check is None:
            continue
        snippet = js_string(src, check.end())
        if snippet is None:
            continue
        test = inner(start, ("it", "test"))
        found = read_in(test) if test else None
        pos = start
        while found is None:
            describe = inner(pos, ("describe",))
            found = read_in(describe or whole)
            if describe is None:
                break
            pos = describe[1]
        if found:
            cases.append((found[0], found[1], snippet))
    return cases


def html_lang(html: str) -> str | None:
    """The primary language subtag of the page's ``<html lang>`` (``en`` for ``en-US``)."""
    m = re.search(r"<html[^>]*\blang=[\"']?([A-Za-z]{2,3})\b", html[:20000], re.I)
    return m.group(1).lower() if m else None


def build_postlight(repo: Path, out: Path, seed: int, others: list[dict]) -> list[dict]:
    import py3langid

    listing = git_ls(repo, f"{PL_TESTS}/")
    snippets: dict[str, list[str]] = {}
    urls: dict[str, str | None] = {}
    tests: dict[str, str] = {}
    for path in sorted(p for p in listing if p.endswith("index.test.js")):
        for fixture, url, snippet in postlight_cases(git_show(repo, path).decode("utf-8")):
            if snippet not in snippets.setdefault(fixture, []):
                snippets[fixture].append(snippet)
            if urls.get(fixture) is None:
                urls[fixture] = url
            tests.setdefault(fixture, path)

    def site(fixture: str) -> str:
        host = urlsplit(urls[fixture] or "").netloc or fixture.split("--")[0].removesuffix(".html")
        return host.lower().removeprefix("www.")

    taken = {url_key(r["url"]) for r in others} - {None}
    their_texts = [norm(r.get("gold") or " ".join(r.get("with", ()))) for r in others]
    # one page a site: the fixture named for the site alone first (www.nytimes.com.html
    # before www.nytimes.com--feature.html), then the others in name order
    order = sorted(snippets, key=lambda f: (site(f), "--" in f, f))
    found, sites, bodies, seen = [], set(), set(), set()
    for fixture in order:
        url = urls[fixture]
        if url is None or site(fixture) in sites or url_key(url) in taken:
            continue  # no url to serve it under, a second page of a site, or another group's page
        try:
            body = git_show(repo, f"fixtures/{fixture}")
        except subprocess.CalledProcessError:
            continue
        if len(body) < PL_MIN_SOURCE or body in bodies:
            continue
        root = variants.parse(decode(body))
        keep = []
        for snippet in snippets[fixture]:
            s_n = norm(snippet)
            if len(s_n) < PL_MIN_SNIPPET or s_n in seen or any(s_n in t for t in their_texts):
                continue  # too short, an earlier page's, or an article another group holds
            nodes = variants.snippet_nodes(root, s_n)
            if len(nodes) == 1 or (not nodes and variants.inside_snippet(root, s_n)):
                keep.append(snippet)  # whole, and once, in a text node or an element's text
        if not keep:
            continue
        sites.add(site(fixture))
        bodies.add(body)
        seen.update(norm(s) for s in keep)
        found.append((fixture, tests[fixture], body, url, keep))
    print(f"postlight: {len(found)} pages qualify", file=sys.stderr)
    rows = []
    picked = random.Random(seed).sample(found, min(PL_SAMPLE, len(found)))
    for fixture, test, body, url, keep in sorted(picked, key=lambda p: p[0]):
        name = fixture.removesuffix(".html")
        (out / "postlight" / f"{name}.html.gz").write_bytes(gzip.compress(body, 9, mtime=0))
        rows.append(
            {
                "id": f"pl-{name}",
                "group": "postlight",
                "lang": html_lang(decode(body)) or py3langid.classify(" ".join(keep))[0],
                "url": url,
                "file": f"postlight/{name}.html.gz",
                "source_file": f"fixtures/{fixture}",
                "source_test": test,
                "with": keep,
                "without": [],
            }
        )
    return rows


def wcxb_gold(text: str) -> str:
    """The gold of a WCXB page: its ``main_content`` one line a paragraph (headings stand
    on their own lines), whitespace collapsed, blank lines between, empty lines dropped."""
    return "\n\n".join(b for b in (norm(line) for line in text.splitlines()) if b)


def build_wcxb(
    repo: Path,
    out: Path,
    seed: int,
    others: list[dict],
    *,
    group: str = "wcxb",
    tiers: tuple[tuple[str, ...], ...] = (WCX_SPLITS,),
    apart: list[dict] | None = None,
) -> list[dict]:
    """The rows of a WCXB ``group``, its pages written under ``out / group``.

    ``others`` are the rows of the groups before it (their urls and articles are not taken
    again); ``tiers`` the splits in order of preference, each tier read in path order (one
    page a site is the first in that order) and sampled before the next tops it up;
    ``apart`` the rows of the WCXB groups (one or several) whose sites and pages this one
    takes none of."""
    import py3langid

    taken = {url_key(r["url"]) for r in others} - {None}
    their_golds = [norm(r["gold"]) for r in others if len(r.get("gold") or "") >= 200]
    their_snippets = [
        s_n for r in others for s_n in (norm(s) for s in r.get("with", ())) if len(s_n) >= PL_MIN_SNIPPET
    ]
    apart = apart or []
    sites = {urlsplit(r["url"]).netloc.lower().removeprefix("www.") for r in apart}
    their_ids = {r["file"].rsplit("/", 1)[-1].removesuffix(".html.gz") for r in apart}
    pools: list[list[tuple]] = []
    golds: set[str] = set()
    left: Counter[str] = Counter()
    for tier in tiers:
        pools.append([])
        listing = [p for split in tier for p in git_ls(repo, f"{split}/ground-truth/")]
        for path in sorted(p for p in listing if p.endswith(".json")):
            split, _, name = path.partition("/ground-truth/")
            file_id = name.removesuffix(".json")
            case = json.loads(git_show(repo, path))
            url = case.get("url")
            site = urlsplit(url or "").netloc.lower().removeprefix("www.")
            gold = wcxb_gold((case.get("ground_truth") or {}).get("main_content") or "")
            if not site or site in sites or file_id in their_ids:
                left["no url, a site taken, or a page of a group kept apart"] += 1
                continue  # no url to serve it under, a second page of a site, or apart's
            html_path = f"{split}/html/{file_id}.html.gz"
            try:
                packed = git_show(repo, html_path)
            except subprocess.CalledProcessError:
                left["no page"] += 1
                continue
            body = gzip.decompress(packed)
            if len(body) < WCX_MIN_SOURCE or len(gold) < WCX_MIN_GOLD or gold in golds:
                left["page or gold too small, or a repeated gold"] += 1
                continue
            gold_n = norm(gold)
            if (
                url_key(url) in taken
                or any(gold_n[:200] in g or g[:200] in gold_n for g in their_golds)
                or any(s in gold_n for s in their_snippets)
            ):
                left["another group's page or article"] += 1
                continue  # a page or an article another group already holds
            if not editable(decode(body), gold):
                left["no text node whole and once in the gold"] += 1
                continue  # no text node lies whole (and once) in the gold: no in-article edit
            page_type = ((case.get("_internal") or {}).get("page_type") or {}).get("primary")
            sites.add(site)
            golds.add(gold)
            pools[-1].append((file_id, path, html_path, packed, url, page_type, gold))
    counts = [len(p) for p in pools]
    print(f"{group}: {counts} pages qualify by tier {tiers}; left: {dict(left)}", file=sys.stderr)
    rng = random.Random(seed)
    picked: list[tuple] = []
    for pool in pools:
        picked += rng.sample(pool, min(WCX_SAMPLE - len(picked), len(pool)))
    rows = []
    for file_id, path, html_path, packed, url, page_type, gold in sorted(picked, key=lambda p: p[0]):
        (out / group / f"{file_id}.html.gz").write_bytes(packed)
        rows.append(
            {
                "id": f"{group}-{file_id}",
                "group": group,
                "lang": py3langid.classify(gold)[0],
                "url": url,
                "file": f"{group}/{file_id}.html.gz",
                "source_file": html_path,
                "source_gold": path,
                "page_type": page_type,
                "gold": gold,
            }
        )
    return rows


def lines_of(data: bytes) -> list[str]:
    """The non-blank lines of a text file, stripped."""
    return [line.strip() for line in data.decode("utf-8").splitlines() if line.strip()]


def build_aeb(repo: Path, out: Path) -> list[dict]:
    import py3langid

    gold = json.loads(git_show(repo, "ground-truth.json"))
    rows = []
    for key in sorted(gold):
        body = git_show(repo, f"html/{key}.html.gz")
        (out / "aeb" / f"{key[:16]}.html.gz").write_bytes(body)
        text = gold[key]["articleBody"]
        rows.append(
            {
                "id": f"aeb-{key[:16]}",
                "group": "aeb",
                "lang": py3langid.classify(text)[0],
                "url": gold[key]["url"],
                "file": f"aeb/{key[:16]}.html.gz",
                "gold": text,
            }
        )
    return rows


def build_trafilatura(repo: Path, out: Path, seed: int) -> list[dict]:
    evaldata = json.loads(git_show(repo, "tests/evaldata.json"))
    by_lang: dict[str, list[dict]] = {}
    for url, item in sorted(evaldata.items()):
        try:
            body = git_show(repo, f"tests/eval/{item['file']}")
        except subprocess.CalledProcessError:
            continue
        html = decode(body)
        m = re.search(r"<html[^>]*\blang=[\"']?([A-Za-z]{2})", html[:20000], re.I)
        lang = m.group(1).lower() if m else ""
        if lang not in TRAF_SAMPLE or not item["with"]:
            continue
        nodes = text_nodes(html)
        if not any(norm(s) in n for s in item["with"] for n in nodes if len(norm(s)) >= 15):
            continue  # no snippet sits whole in one text node: no in-article edit possible
        by_lang.setdefault(lang, []).append({"url": url, "item": item, "body": body, "lang": lang})
    rng = random.Random(seed)
    rows = []
    for lang, want in TRAF_SAMPLE.items():
        pool = by_lang.get(lang, [])
        picked = sorted(rng.sample(pool, min(want, len(pool))), key=lambda p: p["item"]["file"])
        for i, p in enumerate(picked):
            name = f"{lang}-{i:03d}"
            (out / "trafilatura" / f"{name}.html.gz").write_bytes(gzip.compress(p["body"], 9, mtime=0))
            rows.append(
                {
                    "id": f"traf-{name}",
                    "group": "trafilatura",
                    "lang": lang,
                    "url": p["url"],
                    "file": f"trafilatura/{name}.html.gz",
                    "source_file": p["item"]["file"],
                    "with": p["item"]["with"],
                    "without": p["item"]["without"],
                }
            )
    return rows


REPOSITORIES = {
    "aeb": ("https://github.com/scrapinghub/article-extraction-benchmark", "MIT"),
    "trafilatura": ("https://github.com/adbar/trafilatura", "Apache-2.0"),
    "readability": ("https://github.com/mozilla/readability", "Apache-2.0"),
    "fundus": ("https://github.com/flairNLP/fundus", "MIT"),
    "newspaper": ("https://github.com/codelucas/newspaper", "MIT"),
    "postlight": ("https://github.com/postlight/parser", "MIT OR Apache-2.0"),
    "wcxb": ("https://github.com/Murrough-Foley/web-content-extraction-benchmark", "CC-BY-4.0"),
    "wcxb2": ("https://github.com/Murrough-Foley/web-content-extraction-benchmark", "CC-BY-4.0"),
    "wcxb3": ("https://github.com/Murrough-Foley/web-content-extraction-benchmark", "CC-BY-4.0"),
}
"""Each group's source repository and licence, in manifest order."""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--aeb", type=Path, help="clone of scrapinghub/article-extraction-benchmark")
    ap.add_argument("--trafilatura", type=Path, help="clone of adbar/trafilatura")
    ap.add_argument("--readability", type=Path, help="clone of mozilla/readability")
    ap.add_argument("--fundus", type=Path, help="clone of flairNLP/fundus")
    ap.add_argument("--newspaper", type=Path, help="clone of codelucas/newspaper")
    ap.add_argument("--postlight", type=Path, help="clone of postlight/parser")
    ap.add_argument("--wcxb", type=Path, help="clone of Murrough-Foley/web-content-extraction-benchmark")
    ap.add_argument("--wcxb2", type=Path, help="the same clone, for the second WCXB sample")
    ap.add_argument("--wcxb3", type=Path, help="the same clone, for the third WCXB sample")
    ap.add_argument("--seed", type=int, default=15)
    args = ap.parse_args()
    out = HERE / "data"
    manifest = out / "manifest.jsonl"
    lines = manifest.read_text(encoding="utf-8").splitlines() if manifest.exists() else []
    old = [json.loads(line) for line in lines]
    order = list(REPOSITORIES)
    rows: list[dict] = []

    def earlier(group: str) -> list[dict]:
        """The rows of the groups added before ``group`` (as rebuilt in this run, if they
        were): it takes none of their pages."""
        return [r for r in rows if r["group"] in order[: order.index(group)]]

    builders = {
        "aeb": lambda repo: build_aeb(repo, out),
        "trafilatura": lambda repo: build_trafilatura(repo, out, args.seed),
        "readability": lambda repo: build_readability(repo, out, args.seed),
        "fundus": lambda repo: build_fundus(repo, out, args.seed, {r["url"] for r in earlier("fundus")}),
        "newspaper": lambda repo: build_newspaper(repo, out, args.seed, earlier("newspaper")),
        "postlight": lambda repo: build_postlight(repo, out, args.seed, earlier("postlight")),
        "wcxb": lambda repo: build_wcxb(repo, out, args.seed, earlier("wcxb")),
        "wcxb2": lambda repo: build_wcxb(
            repo,
            out,
            WCX2_SEED,
            earlier("wcxb2"),
            group="wcxb2",
            tiers=WCX2_TIERS,
            apart=[r for r in rows if r["group"] == "wcxb"],
        ),
        "wcxb3": lambda repo: build_wcxb(
            repo,
            out,
            WCX3_SEED,
            earlier("wcxb3"),
            group="wcxb3",
            tiers=WCX3_TIERS,
            apart=[r for r in rows if r["group"] in ("wcxb", "wcxb2")],
        ),
    }
    sources_file = out / "SOURCES.json"
    sources = json.loads(sources_file.read_text()) if sources_file.exists() else {}
    for group, (url, licence) in REPOSITORIES.items():
        repo = getattr(args, group)
        if repo is None:
            rows += [r for r in old if r["group"] == group]
            continue
        (out / group).mkdir(parents=True, exist_ok=True)
        for stale in (out / group).glob("*.html.gz"):
            stale.unlink()
        rows += builders[group](repo)
        sources[group] = {"repository": url, "commit": head(repo), "licence": licence}
    with open(manifest, "w", encoding="utf-8") as fp:
        for row in rows:
            fp.write(json.dumps(row, ensure_ascii=False) + "\n")
    for group in sources:
        langs = Counter(r["lang"] for r in rows if r["group"] == group)
        sources[group]["count"] = sum(langs.values())
        sources[group]["languages"] = dict(sorted(langs.items(), key=lambda kv: (-kv[1], kv[0])))
    sources_file.write_text(json.dumps(sources, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({g: s["languages"] for g, s in sources.items()}))


if __name__ == "__main__":
    main()
