"""Real-web benchmark: twinwatch's page path on real pages with gold main text.

Run:  .venv/bin/python bench/realweb [--limit N] [--seed 15] [--keep DIR]

``--limit N`` takes the first N pages of each group (after a seeded shuffle) for a quick
run. Nothing is written outside a temporary directory (``--keep`` keeps the database).

The pages (``bench/realweb/data/README.md`` records sources, commits and licences):

* ``aeb``: the 181 pages of scrapinghub's article-extraction-benchmark, gold = the full
  article body (mostly English);
* ``trafilatura``: 109 German, French and English pages of trafilatura's evaluation set,
  gold = snippets that must be kept (``with``) and snippets that must not (``without``);
* ``readability``: 80 pages of Mozilla Readability's test pages (mostly English), gold =
  the plain text of the article Readability expects (``expected.html``);
* ``fundus``: 90 news pages of fundus' parser tests, one a publisher, from 31 countries
  (German and English most), gold = the article body its publisher's hand-written parser
  takes from the page;
* ``newspaper``: 90 pages of newspaper's full-text tests (codelucas/newspaper; mostly
  English news and magazine pages of 2014, a few in German, Arabic, Spanish, Thai and
  Chinese), gold = the article text those tests expect (newspaper's own output, kept where
  its maintainer judged it right);
* ``postlight``: 90 pages of Postlight (Mercury) Parser's per-site test fixtures
  (postlight/parser; one a site, mostly English news and magazine pages, eleven
  Japanese, three German, two French), gold = the first words (13, mostly) of the
  article content its site's test expects (``with`` snippets, as trafilatura's; no
  ``without``);
* ``wcxb``: 90 pages of WCXB, the Web Content eXtraction Benchmark
  (Murrough-Foley/web-content-extraction-benchmark), one a site, saved in 2025 (English
  but one French page; 62 articles, the rest service, forum, collection, product,
  documentation and listing pages), gold = the whole main content, drafted by a language
  model or rs-trafilatura and then reviewed, its README says;
* ``wcxb2``: 90 more pages of WCXB, from its ``test`` split, one a site and none of a site
  ``wcxb`` holds (English; 48 articles, the rest service, forum, listing, documentation,
  product and collection pages), gold as ``wcxb``'s;
* ``wcxb3``: 90 more pages of WCXB, from its ``dev`` split, one a site and none of a site
  ``wcxb`` or ``wcxb2`` holds (English; 57 articles, the rest service, forum,
  documentation, listing, product and collection pages), gold as ``wcxb``'s;
* ``municipal``: 15 Belgian, Dutch and French municipal-style pages written for this
  benchmark (``municipal.py``): CMS themes, mega-menus, cookie walls, tickers, stamps.

About 30% of the pages of the other groups (by a hash of their id, :func:`held_out`) were
held out when the extraction rules were last tuned, but their figures were seen while
tuning; the table reports them apart from the rest. A fresh group (:data:`FRESH`) is one
added before anyone saw twinwatch's results on it and never used to tune: its row is the
benchmark's unbiased estimate; keep it so (add a new fresh group before tuning on it). The
``readability``, ``fundus``, ``newspaper``, ``postlight``, ``wcxb`` and ``wcxb2`` groups were
the first to sixth fresh ones; each was measured while fresh (README.md keeps those figures),
then its failures were looked at (:data:`LOOKED_AT`), so they are reported as a slice of
their own, neither fresh nor held out. ``wcxb3`` is the fresh group now, never used to tune.

Each page gets a day-2 variant (``variants.py``, ``municipal.py``), a third each after a
seeded shuffle within its group: an edit only outside the gold text (navigation, footer,
sidebar, a consent banner, a timestamp; on the municipal pages a ticker, stamp,
mega-menu entry or cookie-wall text), an edit only inside it (one word of the article
becomes a short phrase; on the municipal pages one sentence is replaced), or none.

Every page is served on its own loopback host (127.3.x.y) by an aiohttp server in a
thread, added as a plain ``page`` source with no selector, and crawled by a real
``twinwatch crawl --all`` subprocess on day 1 and on day 2. The changes are read from the
database: a page counts as reported when the day-2 run stored any change for it.

Extraction is scored on the text twinwatch stored on day 1, token by token: tokens are
the lower-cased ``\\w+`` runs (a run of CJK characters counts each character), compared
as multisets (bag of words). Recall = shared tokens / gold tokens; precision = shared
tokens / extracted tokens. For trafilatura and postlight pages the gold tokens are those
of the ``with`` snippets (recall only), and trafilatura's ``without`` snippets give "leaks
kept out": the share of them absent from the extracted text. A lost article is a page whose
recall is below 0.5; "unflagged" counts the lost ones `sources health` does not show for a
look (the watched text a small share of the page's visible text): the silent losses. Pages
per second: sources / wall time of each crawl process (its start-up included).
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import hashlib
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
os.environ["TWINWATCH_ALLOW_PRIVATE"] = "127.0.0.0/8"

import municipal  # noqa: E402
import variants  # noqa: E402

VARIANTS = ("noise", "article", "same")
REAL_GROUPS = (
    "aeb",
    "trafilatura",
    "readability",
    "fundus",
    "newspaper",
    "postlight",
    "wcxb",
    "wcxb2",
    "wcxb3",
)
"""The groups of real pages in ``data/manifest.jsonl``, in the table's order."""
LOST = 0.5
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


@dataclass
class Page:
    id: str
    group: str
    lang: str
    variant: str
    edit: str
    day1: bytes
    day2: bytes
    gold: str | None = None
    with_: tuple[str, ...] = ()
    without: tuple[str, ...] = ()


def tokens(text: str) -> Counter[str]:
    out: Counter[str] = Counter()
    for tok in re.findall(r"\w+", text.lower()):
        if _CJK.search(tok):
            out.update(tok)
        else:
            out[tok] += 1
    return out


def score(page: Page, text: str) -> tuple[float, float | None, float | None]:
    """Recall, precision (full gold only) and the share of ``without`` snippets kept out."""
    got = tokens(text)
    gold = tokens(page.gold if page.gold is not None else " ".join(page.with_))
    shared = sum((got & gold).values())
    recall = shared / max(1, sum(gold.values()))
    if page.gold is not None:
        return recall, shared / max(1, sum(got.values())), None
    flat = variants.norm(text)
    out = [variants.norm(s) not in flat for s in page.without]
    return recall, None, (sum(out) / len(out) if out else None)


# --------------------------------------------------------------------------- the pages


def assign(ids: list[str], seed: int, group: str) -> dict[str, str]:
    order = sorted(ids)
    random.Random(f"{seed}-{group}-variants").shuffle(order)
    return {pid: VARIANTS[i % 3] for i, pid in enumerate(order)}


def real_pages(seed: int, limit: int | None) -> list[Page]:
    from monitor.ingest.extract.html import decode

    rows = [
        json.loads(line)
        for line in (HERE / "data" / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    pages = []
    for group in REAL_GROUPS:
        mine = [r for r in rows if r["group"] == group]
        random.Random(f"{seed}-{group}-pick").shuffle(mine)
        mine = mine[:limit] if limit else mine
        which = assign([r["id"] for r in mine], seed, group)
        for r in mine:
            html = decode(gzip.decompress((HERE / "data" / r["file"]).read_bytes()))
            rng = random.Random(f"{seed}-{r['id']}")
            day1 = variants.render(variants.parse(html))
            variant, edit, day2 = which[r["id"]], "", day1
            if variant == "noise":
                root = variants.parse(html)
                edit = variants.noise_edit(root, rng, r["lang"])
                day2 = variants.render(root)
            elif variant == "article":
                root = variants.parse(html)
                ok = variants.article_edit(root, rng, r["lang"], gold=r.get("gold"), snippets=r.get("with"))
                if not ok:
                    print(
                        f"note: {r['id']}: no text node inside the gold text, left identical", file=sys.stderr
                    )
                    variant = "same"
                edit = "word" if ok else ""
                day2 = variants.render(root)
            pages.append(
                Page(
                    r["id"],
                    group,
                    r["lang"],
                    variant,
                    edit,
                    day1,
                    day2,
                    r.get("gold"),
                    tuple(r.get("with", ())),
                    tuple(r.get("without", ())),
                )
            )
    return pages


def municipal_pages(seed: int, limit: int | None) -> list[Page]:
    specs = list(municipal.PAGES)
    random.Random(f"{seed}-municipal-pick").shuffle(specs)
    specs = specs[:limit] if limit else specs
    which = assign([s.id for s in specs], seed, "municipal")
    pages = []
    for s in specs:
        variant = which[s.id]
        noise = municipal.noise_kind(random.Random(f"{seed}-{s.id}")) if variant == "noise" else None
        pages.append(
            Page(
                s.id,
                "municipal",
                s.lang,
                variant,
                noise or ("sentence" if variant == "article" else ""),
                municipal.render(s, 1, None, False),
                municipal.render(s, 2, noise, variant == "article"),
                municipal.gold(s),
            )
        )
    return pages


# --------------------------------------------------------------------------- serving and crawling


def host(i: int) -> str:
    return f"127.3.{i // 200}.{i % 200 + 1}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((host(0), 0))
        return int(s.getsockname()[1])


class Server:
    """Every page on its own host, day 1 or day 2, from a thread with its own loop."""

    def __init__(self, pages: list[Page], port: int) -> None:
        self.pages = {host(i): p for i, p in enumerate(pages)}
        self.port = port
        self.day = 1
        self.ready = threading.Event()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from aiohttp import web

        async def handle(request: web.Request) -> web.StreamResponse:
            page = self.pages.get(request.host.split(":")[0])
            if page is None or request.path != f"/{page.id}.html":
                return web.Response(status=404)
            body = page.day2 if self.day == 2 else page.day1
            return web.Response(body=body, headers={"Content-Type": "text/html; charset=utf-8"})

        async def start() -> web.AppRunner:
            app = web.Application()
            app.router.add_route("GET", "/{tail:.*}", handle)
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            for h in self.pages:
                await web.TCPSite(runner, h, self.port, backlog=128).start()
            return runner

        asyncio.set_event_loop(self.loop)
        self.runner = self.loop.run_until_complete(start())
        self.ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(self.runner.cleanup())

    def start(self) -> None:
        self.thread.start()
        if not self.ready.wait(120):
            raise SystemExit("the benchmark server did not start")

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(30)

    def url(self, i: int) -> str:
        return f"http://{host(i)}:{self.port}/{list(self.pages.values())[i].id}.html"


def crawl(db: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "monitor", "--db", str(db), "crawl", "--all", "--quiet"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise SystemExit(f"crawl failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return time.perf_counter() - start


# --------------------------------------------------------------------------- report


def median(xs: list[float]) -> str:
    return f"{statistics.median(xs):.2f}" if xs else "-"


HELD_OUT = 3
"""Pages whose id hashes (SHA-1, first 8 hex digits) to a remainder below this, modulo 10,
are the held-out part: split off before the teaser and lead rules of ``plugins.html_text``
were tuned on the rest (issue 15), and reported apart, so a rule fitted to the pages it
was tried on shows as such."""


FRESH: tuple[str, ...] = ("wcxb3",)
"""Groups never used to tune: added after the extraction rules of ``plugins.html_text``
were last changed, and their per-page results not looked at to change the product. The
table reports them as their own slice, outside "tuned on" and "held out"."""

LOOKED_AT = ("readability", "fundus", "newspaper", "postlight", "wcxb", "wcxb2")
"""Groups that were fresh when added and whose results have since been looked at against
the extraction rules (readability's one lost page, then fundus' failures, then newspaper's
two lost pages, then postlight's missed edits, then wcxb's results, then wcxb2's, issue
15): no longer an unbiased estimate, but not split into "tuned on" and "held out" either, as
they were never split."""


def held_out(pid: str) -> bool:
    return int(hashlib.sha1(pid.encode()).hexdigest()[:8], 16) % 10 < HELD_OUT


def table(pages: list[Page], reported: set[str], scores: dict[str, tuple], errors: dict[str, str],
          flagged: set[str]) -> None:
    """The table; ``flagged``: the pages `sources health` shows for a look (the watched
    text a small share of the page): a lost article among them is not a silent loss."""
    seen = [p for p in pages if p.group not in FRESH + LOOKED_AT]
    slices: list[tuple[str, list[Page]]] = [
        ("all", pages),
        ("  tuned on", [p for p in seen if not held_out(p.id)]),
        ("  held out", [p for p in seen if held_out(p.id)]),
        ("  looked at", [p for p in pages if p.group in LOOKED_AT]),
    ]
    if FRESH:
        slices.append(("  fresh", [p for p in pages if p.group in FRESH]))
    for group in (*REAL_GROUPS, "municipal"):
        mine = [p for p in pages if p.group == group]
        if not mine:
            continue
        slices.append((f"{group} (fresh)" if group in FRESH else group, mine))
        langs = Counter(p.lang for p in mine)
        for lang, _ in sorted(langs.items(), key=lambda kv: (-kv[1], kv[0])):
            slices.append((f"  {group}/{lang}", [p for p in mine if p.lang == lang]))
    head = (
        "slice",
        "pages",
        "noise reported",
        "article edits reported",
        "identical reported",
        "lost",
        "recall med",
        "precision med",
        "leaks kept out",
    )
    rows = []
    for name, mine in slices:

        def count(variant: str, mine: list[Page] = mine) -> str:
            these = [p for p in mine if p.variant == variant]
            return f"{sum(p.id in reported for p in these)} of {len(these)}"

        sc = [scores[p.id] for p in mine if p.id in scores]
        lost = sum(r < LOST for r, _, _ in sc)
        silent = sum(scores[p.id][0] < LOST and p.id not in flagged for p in mine if p.id in scores)
        rows.append(
            (
                name,
                str(len(mine)),
                count("noise"),
                count("article"),
                count("same"),
                f"{lost} of {len(sc)}" + (f", {silent} unflagged" if lost else ""),
                median([r for r, _, _ in sc]),
                median([q for _, q, _ in sc if q is not None]),
                median([k for _, _, k in sc if k is not None]),
            )
        )
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |")
    if errors:
        print(f"\nsources without an ok fetch: {json.dumps(errors, sort_keys=True)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, help="pages per group (a seeded sample) for a quick run")
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--keep", type=Path, help="keep the database in this directory")
    ap.add_argument("--verbose", action="store_true", help="list every reported noise edit and lost article")
    args = ap.parse_args()

    from monitor.ingest.outcome import OK_OUTCOMES
    from monitor.sources.manage import NewSource, add_sources
    from monitor.store.db import open_db
    from monitor.text import decompress

    pages = real_pages(args.seed, args.limit) + municipal_pages(args.seed, args.limit)
    server = Server(pages, free_port())
    server.start()
    try:
        with tempfile.TemporaryDirectory(prefix="realweb-") as tmpdir:
            tmp = args.keep or Path(tmpdir)
            tmp.mkdir(parents=True, exist_ok=True)
            db_path = tmp / "realweb.db"
            db_path.unlink(missing_ok=True)
            env = {
                **os.environ,
                "TWINWATCH_CONFIG": str(tmp / "none.toml"),
                "TWINWATCH_LOG_DIR": str(tmp / "log"),
                "PYTHONUNBUFFERED": "1",
            }
            urls = {server.url(i): p for i, p in enumerate(pages)}
            with open_db(db_path) as db:
                add_sources(db, [NewSource(u, "page") for u in urls])
            wall1 = crawl(db_path, env)
            server.day = 2
            wall2 = crawl(db_path, env)
            with open_db(db_path) as db:
                by_sid = {sid: urls[url] for sid, url in db.execute("SELECT id, url FROM sources")}
                runs = [r for (r,) in db.execute("SELECT id FROM crawl_runs ORDER BY id")]
                reported = {
                    by_sid[sid].id
                    for (sid,) in db.execute(
                        "SELECT DISTINCT source_id FROM changes WHERE run_id = ?", (runs[-1],)
                    )
                }
                errors: dict[str, str] = {}
                for run, sid, outcome in db.execute("SELECT run_id, source_id, outcome FROM fetch_outcomes"):
                    if outcome not in OK_OUTCOMES:
                        errors[f"{by_sid[sid].id} (day {runs.index(run) + 1})"] = outcome
                flagged = {
                    by_sid[sid].id
                    for (sid,) in db.execute(
                        "SELECT source_id FROM source_state WHERE extraction_note IS NOT NULL"
                    )
                }
                texts = {
                    by_sid[sid].id: decompress(data)
                    for sid, data in db.execute(
                        "SELECT s.source_id, b.data FROM snapshots s JOIN blobs b ON b.fp = s.text_fp "
                        "WHERE s.id IN (SELECT MIN(id) FROM snapshots GROUP BY source_id)"
                    )
                }
    finally:
        server.stop()
    scores = {pid: score(next(p for p in pages if p.id == pid), text) for pid, text in texts.items()}
    n = len(pages)
    langs = Counter(f"{p.group}/{p.lang}" for p in pages)
    print(
        f"\ntwinwatch real-web benchmark: {n} pages "
        f"({', '.join(f'{k} {v}' for k, v in sorted(langs.items()))}),"
        f" seed {args.seed}{f', limit {args.limit} per group' if args.limit else ''}\n"
    )
    table(pages, reported, scores, errors, flagged)
    print(
        f"\npages per second: day 1 {n / wall1:.1f} ({wall1:.1f} s), day 2 {n / wall2:.1f} ({wall2:.1f} s), "
        "each a whole `twinwatch crawl --all` process"
    )
    noise = [p for p in pages if p.variant == "noise"]
    kinds = Counter(p.edit.split("+")[0] for p in noise)
    hit = Counter(p.edit.split("+")[0] for p in noise if p.id in reported)
    print(
        "noise edits reported by kind: " + ", ".join(f"{k} {hit[k]} of {v}" for k, v in sorted(kinds.items()))
    )
    missed = [p.id for p in pages if p.variant == "article" and p.id not in reported]
    if missed:
        print(f"article edits missed: {', '.join(missed)}")
    lost = sorted((s[0], pid) for pid, s in scores.items() if s[0] < LOST)
    if lost:
        print("lost articles (recall; * flagged for a look in `sources health`): "
              + ", ".join(f"{pid} {r:.2f}{'*' if pid in flagged else ''}" for r, pid in lost))
    if args.verbose:
        print("noise edits reported: " + ", ".join(f"{p.id} ({p.edit})" for p in noise if p.id in reported))
        low = sorted((s[1], pid) for pid, s in scores.items() if s[1] is not None and s[1] < 0.5)
        print("precision below 0.5: " + ", ".join(f"{pid} {q:.2f}" for q, pid in low))


if __name__ == "__main__":
    main()
