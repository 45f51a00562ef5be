"""Rebuild ``bench/realweb/data/`` from the two public benchmarks it copies (run once; the
result is committed, the benchmark itself never touches the network).

Run:  .venv/bin/python bench/realweb/build_corpus.py --aeb DIR --trafilatura DIR

``DIR`` is a git clone (or bare mirror) of each repository; pages are read at its ``HEAD``
with ``git show``, and the commit is written to ``data/SOURCES.json``:

* ``aeb``: github.com/scrapinghub/article-extraction-benchmark (MIT): all 181 pages
  (``html/*.html.gz``) with their full gold article text (``ground-truth.json``,
  ``articleBody``). Copied byte for byte.
* ``trafilatura``: github.com/adbar/trafilatura (Apache-2.0), ``tests/eval/`` with
  ``tests/evaldata.json``: gold is a few snippets that must be in the main text
  (``with``) and a few that must not (``without``). German, French and English pages are
  sampled (seeded) among those whose ``<html lang>`` says so and where at least one
  ``with`` snippet sits whole in one text node (so an edit inside the main text can be
  made). Stored gzipped, byte for byte.

Languages: ``<html lang>`` for trafilatura pages; py3langid on the gold text for aeb pages
(their ``lang`` attribute is missing on a sixth of them).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import subprocess
import sys
from pathlib import Path

import lxml.html

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from monitor.ingest.extract.html import decode  # noqa: E402

SKIP = ("script", "style", "noscript", "template")

TRAF_SAMPLE = {"de": 70, "fr": 30, "en": 20}
"""Pages per language taken from trafilatura's evaluation set (fr has only 19 tagged)."""


def git_show(repo: Path, path: str) -> bytes:
    return subprocess.run(
        ["git", "-C", str(repo), "show", f"HEAD:{path}"], check=True, capture_output=True
    ).stdout


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--aeb", type=Path, required=True, help="clone of scrapinghub/article-extraction-benchmark"
    )
    ap.add_argument("--trafilatura", type=Path, required=True, help="clone of adbar/trafilatura")
    ap.add_argument("--seed", type=int, default=15)
    args = ap.parse_args()
    out = HERE / "data"
    for sub in ("aeb", "trafilatura"):
        (out / sub).mkdir(parents=True, exist_ok=True)
        for old in (out / sub).glob("*.html.gz"):
            old.unlink()
    rows = build_aeb(args.aeb, out) + build_trafilatura(args.trafilatura, out, args.seed)
    with open(out / "manifest.jsonl", "w", encoding="utf-8") as fp:
        for row in rows:
            fp.write(json.dumps(row, ensure_ascii=False) + "\n")
    sources = {
        "aeb": {
            "repository": "https://github.com/scrapinghub/article-extraction-benchmark",
            "commit": head(args.aeb),
            "licence": "MIT",
        },
        "trafilatura": {
            "repository": "https://github.com/adbar/trafilatura",
            "commit": head(args.trafilatura),
            "licence": "Apache-2.0",
        },
    }
    (out / "SOURCES.json").write_text(json.dumps(sources, indent=2) + "\n")
    counts: dict[str, int] = {}
    for row in rows:
        counts[f"{row['group']}/{row['lang']}"] = counts.get(f"{row['group']}/{row['lang']}", 0) + 1
    print(json.dumps(counts, sort_keys=True))


if __name__ == "__main__":
    main()
