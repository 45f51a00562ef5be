"""Evaluate the built-in analyzers on labelled news texts and page changes.

Run: .venv/bin/python bench/relevance [--set NAME|all] [--errors]

NAME is one of dev, generalise, fresh, fresh2, fresh3, fresh4, fresh5, fresh6, dev2, seeds, pages,
fresh-pages, fresh3-pages, fresh4-pages, fresh5-pages, fresh6-pages, dev2-pages; ``all``
prints each set in turn (the throughput line once, at the end).

Sets of news texts (all written for this project, never copied from the web). A line
is one text (``text``) analyzed as a new feed entry, through the plugin manager:

- ``dev`` (``texts.jsonl``, the default): short texts in nl, fr, de, en, es and it,
  from the seed documents and our own writing. About a third (``split: heldout``) is
  never looked at while tuning the vocabulary.
- ``generalise`` (``generalise.jsonl``): 126 newer texts in the six languages, about
  half relevant, short items and long (1 KB and more) news articles and council
  summaries, with hard negatives. Written and committed before the analyzers were
  tuned against it, to measure how they generalise (``split``: ``short`` or ``long``).
- ``fresh`` (``fresh.jsonl``): 60 more texts (ten a language, half relevant), written and
  committed after the analyzers were tuned on ``generalise``, and never tuned on: the
  honest estimate of how they do on texts nobody has looked at.
- ``fresh2`` (``fresh2.jsonl``): 60 news texts (ten a language, 30 relevant), written on
  2026-12-02 for issue 14, before that round of tuning, by someone who had not read the
  analyzers' vocabulary, with the issue's hard cases: debates, petitions and rejected
  motions about a twinning, partnerships with towns in the South that are not
  twinnings, procurement and boycott clauses, dates without a year (the item's
  optional ``published`` date is passed on as ``ChangeDraft.published``), small
  partner towns, and texts naming two towns of which only one is the partner.
  ``split``: ``fresh``. Never tuned on.
- ``fresh3`` (``fresh3.jsonl``): 72 news texts (twelve a language, 36 relevant), written on
  2026-12-02 after the issue-14 tuning round by someone who saw no analyzer output,
  with the same kinds of hard cases as ``fresh2`` (see ``FRESH3.md``). ``split``:
  ``fresh``. Never tuned on.
- ``fresh4`` (``fresh4.jsonl``): 84 news texts (14 a language, 42 relevant), written on
  2026-12-02 during the last issue-14 tuning round by someone who saw no analyzer output
  and no tuning data: ordinary council decisions and negatives with about a third hard
  cases (see ``FRESH4.md``). ``split``: ``fresh``. Never tuned on.
- ``fresh5`` (``fresh5.jsonl``): 90 news texts (15 a language, 47 relevant), written on
  2026-12-02 after the issue-14 tuning rounds by someone who saw no analyzer output and
  no tuning data: mostly ordinary council decisions and negatives, about a quarter hard
  cases (see ``FRESH5.md``). ``split``: ``fresh``. Its errors were read for the tuning
  round of 2026-12-03: a seen set since.
- ``fresh6`` (``fresh6.jsonl``): 90 news texts (15 a language, 45 relevant), written on
  2026-12-03 after that round by someone who saw no analyzer output and no tuning data,
  about a third hard cases (see ``FRESH6.md``). ``split``: ``fresh``. Never tuned on.
- ``dev2`` (``dev2.jsonl``): 96 news texts (16 a language, 43 relevant), a development set
  one may tune on, weighted to hard negatives (matches between twin towns' clubs, twinning
  associations' own events, national or regional governments' decisions, aid by NGOs and
  churches, streets named after twin towns, school exchanges, obituaries, anniversaries
  without a council act) and to tricky relevant facts (the acting municipality named once
  among other places, namesakes in two countries, renewals signed by the council,
  cooperation with towns in the South, dates without a year). ``split: dev2``.
- ``seeds`` (``seeds.jsonl``): the five real seed documents (read from
  ``../shared/seeds/`` or ``$TWINWATCH_SEEDS``), with the facts their README gives.

Sets of page changes. A line is one change of a municipal page between two days::

    {"id", "lang", "split",
     "source": {"municipality" (null for a network's page), "country", "language",
                "kind": "page" | "document"},
     "title", "published" (ISO date or null), "format": "html" (default) | "text",
     "old", "new",
     "relevant", "category", "municipality", "partner", "date", "amount_eur",
     "events": [{"municipality", "partner", "category", "date", "amount_eur"}, ...]}

``old`` and ``new`` are the page on day 1 and day 2: HTML, or with ``"format":
"text"`` plain text (council minutes from a PDF), which the bench sets in a PDF of its
own making, one line per line, so the document kind reads it as a crawl would. Each
item goes through ingest's own path: a :class:`monitor.models.Source`, a
:class:`monitor.models.FetchResult` per day, and
:func:`monitor.ingest.pipeline.prepare` with the :class:`~monitor.ingest.pipeline.Context`
ingest would read from the database (day 1 yields the baseline, day 2 the change and
its findings). The gold fields are the change's main event; ``events`` (only on
changes holding several events) lists all of them.

- ``pages`` (``pages.jsonl``): 60 page changes (ten a language, 30 relevant), written on
  2026-12-02 for issue 14, before this round of tuning, from the labels a curator
  would record (decided from the text, before any run): list edits on twinning
  pages under headings of varying depth (h2/h3, numbered headings, ``<dl>``, tables
  with a header row), overview pages gaining dated entries with amounts, council
  minutes adding several decisions at once, and hard negatives (list edits under
  other headings, rewordings, cooperation projects that are not twinnings, debates,
  rejected motions). ``split: dev``: the page set one may tune on.
- ``fresh-pages`` (``fresh_pages.jsonl``): 40 more page changes of the same kinds,
  other municipalities, wording and layouts, written the same day. ``split: fresh``.
- ``fresh3-pages`` (``fresh3_pages.jsonl``): 36 page changes (six a language, 22
  relevant), written with ``fresh3`` after the issue-14 tuning round, in other layouts
  (nested lists, ``<dl>``, tables with and without a header row, cards, accordions,
  numbered headings in paragraphs, minutes). ``split: fresh``.
- ``fresh4-pages`` (``fresh4_pages.jsonl``): 42 page changes (seven a language, 25
  relevant), written with ``fresh4``: list edits and status changes in varied layouts,
  network overviews gaining entries, minutes with several decisions (see ``FRESH4.md``).
  ``split: fresh``.
- ``fresh5-pages`` (``fresh5_pages.jsonl``): 36 page changes (six a language, 22
  relevant), written with ``fresh5``: list edits and status cells in varied layouts,
  network overviews gaining entries, minutes with several decisions (see ``FRESH5.md``).
  ``split: fresh``. Seen since 2026-12-03, as ``fresh5``.
- ``fresh6-pages`` (``fresh6_pages.jsonl``): 36 page changes (six a language, 22
  relevant), written with ``fresh6`` (see ``FRESH6.md``). ``split: fresh``. Never tuned on.
- ``dev2-pages`` (``dev2_pages.jsonl``): 48 page changes (eight a language, 29 relevant),
  a development set one may tune on, in the same kinds of layouts, with overview entries
  by regional governments and NGOs and minutes of irrelevant decisions as negatives.
  ``split: dev2``.

Fresh sets (``fresh``, ``fresh2``, ``fresh3``, ``fresh4``, ``fresh5``, ``fresh6``,
``fresh-pages``, ``fresh3-pages``, ``fresh4-pages``, ``fresh5-pages``, ``fresh6-pages``) are
never tuned on: nobody reads their errors to change an analyzer; a new fresh set is written instead.

Each line is labelled: relevant or not, category, acting municipality, partner,
decision/event date and euro amount. A field missing from a line is not scored; a
list means any of its values is right (a page listing four twinning partners).

Printed: precision, recall and F1 of ``relevant`` per language and overall;
category accuracy, municipality accuracy, partner F1, date and amount accuracy
(all on the relevant texts) per split; then the same facts per language and per gold
category, a confusion matrix of categories (gold rows, predicted columns, ``none``
for no category) and, for sets with ``events``, event-level precision, recall and F1
(a predicted event matches a gold event when municipality and category match; of the
matched events, how many also have the right date and amount). A change whose
analyzers give no ``events`` finding counts as one event made of its single findings
(none when it is not relevant). Last, analyzer throughput in texts per second on 1 KB
texts (one core, all built-in analyzers, through the plugin manager). What long
changes cost under the analyzer text cap: ``bench/relevance/long.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from monitor.analyze.run import analyze  # noqa: E402
from monitor.analyze.service import TextInput, analyze_text, draft_for, summarise  # noqa: E402
from monitor.ingest.pipeline import Context, prepare  # noqa: E402
from monitor.models import CATEGORIES, FetchResult, Finding, Source  # noqa: E402
from monitor.plugin_manager import make_plugin_manager  # noqa: E402
from monitor.text import decompress  # noqa: E402
from plugins.analyzers.gazetteer import gazetteer, key  # noqa: E402
from tests.helpers import pdf as make_pdf  # noqa: E402

HERE = Path(__file__).resolve().parent
SETS = {
    "dev": HERE / "texts.jsonl",
    "generalise": HERE / "generalise.jsonl",
    "fresh": HERE / "fresh.jsonl",
    "fresh2": HERE / "fresh2.jsonl",
    "fresh3": HERE / "fresh3.jsonl",
    "fresh4": HERE / "fresh4.jsonl",
    "fresh5": HERE / "fresh5.jsonl",
    "fresh6": HERE / "fresh6.jsonl",
    "fresh7": HERE / "fresh7.jsonl",
    "fresh8": HERE / "fresh8.jsonl",
    "fresh9": HERE / "fresh9.jsonl",
    "fresh10": HERE / "fresh10.jsonl",
    "fresh11": HERE / "fresh11.jsonl",
    "fresh12": HERE / "fresh12.jsonl",
    "fresh13": HERE / "fresh13.jsonl",
    "seeds": HERE / "seeds.jsonl",
    "pages": HERE / "pages.jsonl",
    "fresh-pages": HERE / "fresh_pages.jsonl",
    "fresh3-pages": HERE / "fresh3_pages.jsonl",
    "fresh4-pages": HERE / "fresh4_pages.jsonl",
    "fresh5-pages": HERE / "fresh5_pages.jsonl",
    "fresh6-pages": HERE / "fresh6_pages.jsonl",
    "fresh7-pages": HERE / "fresh7_pages.jsonl",
    "fresh8-pages": HERE / "fresh8_pages.jsonl",
    "fresh9-pages": HERE / "fresh9_pages.jsonl",
    "fresh10-pages": HERE / "fresh10_pages.jsonl",
    "fresh11-pages": HERE / "fresh11_pages.jsonl",
    "fresh12-pages": HERE / "fresh12_pages.jsonl",
    "fresh13-pages": HERE / "fresh13_pages.jsonl",
    "dev2": HERE / "dev2.jsonl",
    "dev2-pages": HERE / "dev2_pages.jsonl",
}
ORDER = ("dev", "generalise", "dev2", "fresh", "fresh2", "fresh3", "fresh4", "fresh5", "fresh6", "fresh7",
         "fresh8", "fresh9", "fresh10", "fresh11", "fresh12", "fresh13", "seeds", "pages", "dev2-pages",
         "fresh-pages", "fresh3-pages", "fresh4-pages", "fresh5-pages", "fresh6-pages", "fresh7-pages",
         "fresh8-pages", "fresh9-pages", "fresh10-pages", "fresh11-pages", "fresh12-pages", "fresh13-pages")
SEEDS = Path(os.environ.get("TWINWATCH_SEEDS") or ROOT.parent / "shared" / "seeds")
LANGS = ("nl", "fr", "de", "en", "es", "it")
FIELDS = ("relevant", "category", "municipality", "partner", "date", "amount_eur")


def same_place(a: str | None, b: str | None) -> bool:
    """Two names of one place (Elsene = Ixelles, Ghent = Gent) or the same text."""
    if a is None or b is None:
        return a is None and b is None
    if key(a) == key(b):
        return True
    g = gazetteer()
    pa, pb = g.lookup(a), g.lookup(b)
    return any(x is y for x in pa for y in pb)


def _options(gold: Any) -> list[Any]:
    return list(gold) if isinstance(gold, list) else [gold]


def right(field: str, gold: Any, got: Any) -> bool:
    """Whether ``got`` is a right value of ``field`` for the gold label (a list: any of them)."""
    for g in _options(gold):
        if field in ("municipality", "partner"):
            ok = same_place(g, got)
        elif field == "amount_eur":
            ok = (g is None and got is None) or (g is not None and got is not None and abs(g - got) < 0.01)
        else:
            ok = g == got
        if ok:
            return True
    return False


def prf(rows: list[tuple[dict, dict]]) -> tuple[float, float, float, int]:
    tp = sum(1 for g, p in rows if g["relevant"] and p["relevant"])
    fp = sum(1 for g, p in rows if not g["relevant"] and p["relevant"])
    fn = sum(1 for g, p in rows if g["relevant"] and not p["relevant"])
    prec = tp / (tp + fp) if tp + fp else 1.0
    rec = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return prec, rec, f1, len(rows)


def _share(rows: list[tuple[dict, dict]], field: str, only_named: bool = False) -> float | None:
    scored = [(g, p) for g, p in rows if field in g and (g[field] or not only_named)]
    if not scored:
        return None
    return sum(right(field, g[field], p[field]) for g, p in scored) / len(scored)


def facts(rows: list[tuple[dict, dict]]) -> dict[str, float | None]:
    rel = [(g, p) for g, p in rows if g["relevant"]]
    part = [(g, p) for g, p in rel if "partner" in g]
    ok = [bool(g["partner"] and p["partner"] and right("partner", g["partner"], p["partner"]))
          for g, p in part]
    tp = sum(ok)
    fp = sum(1 for (g, p), hit in zip(part, ok, strict=True) if p["partner"] and not hit)
    fn = sum(1 for (g, p), hit in zip(part, ok, strict=True) if g["partner"] and not hit)
    pprec = tp / (tp + fp) if tp + fp else 1.0
    prec_rec = tp / (tp + fn) if tp + fn else 1.0
    pf1 = 2 * pprec * prec_rec / (pprec + prec_rec) if pprec + prec_rec else 0.0
    return {
        "category": _share(rel, "category"),
        "municipality": _share(rel, "municipality", only_named=True),
        "partner_f1": pf1 if part else None,
        "date": _share(rel, "date"),
        "amount": _share(rel, "amount_eur"),
    }


def throughput(pm, texts: list[str], seconds: float = 3.0) -> tuple[float, float]:
    """Texts of about 1 KB per second of wall time and of this process's CPU time (one
    core, unaffected by other work on the machine), cold caches (each text is new)."""
    docs = []
    for i in range(2000):
        base = texts[i % len(texts)]
        doc = f"Bericht {i}. " + base
        while len(doc) < 1000:
            doc += " " + texts[(i * 7 + len(doc)) % len(texts)]
        docs.append(doc[:1024])
    start, cpu = time.perf_counter(), time.process_time()
    n = 0
    while time.perf_counter() - start < seconds and n < len(docs):
        analyze_text(pm, TextInput(docs[n]))
        n += 1
    return n / (time.perf_counter() - start), n / max(time.process_time() - cpu, 1e-9)


def load(name: str) -> list[dict]:
    """The labelled lines of a set (seed documents read from their folder)."""
    gold = [json.loads(line) for line in SETS[name].read_text(encoding="utf-8").splitlines() if line.strip()]
    for g in gold:
        if "file" in g:
            g["text"] = (SEEDS / g["file"]).read_text(encoding="utf-8")
    return gold


# ---------------------------------------------------------------------------
# running the analyzers: news texts, and page changes through ingest's path
# ---------------------------------------------------------------------------


def run_text(pm, g: dict) -> dict:
    """A news text as a new feed entry (with its ``published`` date when the line has one)."""
    if g.get("published"):
        draft = replace(draft_for(TextInput(g["text"])), published=g["published"])
        p = summarise(analyze(pm, draft))
    else:
        p = analyze_text(pm, TextInput(g["text"]))
    p["events"] = None
    return p


def pdf(lines: list[str], title: str) -> bytes:
    """Council minutes as published: a PDF of 55 lines a page (the tests' own builder,
    with its running header and page numbers)."""
    return make_pdf([lines[i:i + 55] for i in range(0, len(lines), 55)] or [[]], title=title or "Minutes")


def fetched(source: Source, g: dict, day: str) -> FetchResult:
    """What a spider would hand ingest for the item's page on ``day`` (``old``/``new``)."""
    if g.get("format") == "text":
        body = pdf(g[day].splitlines(), g.get("title") or "")
        headers = {"content-type": "application/pdf"}
    else:
        body = g[day].encode("utf-8")
        headers = {"content-type": "text/html; charset=utf-8"}
    return FetchResult(source_id=source.id, url=source.url, status=200, headers=headers, body=body)


def run_page(pm, g: dict, n: int) -> dict:
    """Day 1 then day 2 of a page through :func:`prepare`; the flat result of the change
    (the most relevant one, should a page yield several), with its events."""
    src = g["source"]
    kind = src.get("kind", "page")
    slug = key(src.get("municipality") or "network").replace(" ", "-")
    url = f"https://www.{slug}.example/{g['id']}" + (".pdf" if g.get("format") == "text" else "")
    source = Source(id=n, url=url, kind=kind, municipality=src.get("municipality"),
                    country=src.get("country"), lang=src.get("language"))
    day1 = prepare(pm, source, fetched(source, g, "old"), Context())
    if day1 is None or day1.warning:
        raise ValueError(f"{g['id']}: day 1 gave no baseline ({day1 and day1.warning})")
    stored = {fp: decompress(data) for fp, _, data in day1.blobs}  # as the writer stores it
    ctx = Context(prev_snapshot_id=1, prev_text_fp=day1.text_fp, prev_text=stored[day1.text_fp],
                  known_fps=frozenset({day1.text_fp}))
    second = replace(source, fetched_before=True)
    day2 = prepare(pm, second, fetched(second, g, "new"), ctx)
    results = [(summarise(list(f)), f) for f in (day2.findings if day2 else ())]
    if not results:
        p = summarise([])
        p["events"] = []
        p["changes"] = 0
        return p
    p, findings = max(results, key=lambda r: r[0]["score"])
    p["changes"] = len(results)
    p["events"] = events_of(p, findings)
    return p


def events_of(p: dict, findings: tuple[Finding, ...]) -> list[dict]:
    """The change's events finding, or one event made of its single findings."""
    for f in findings:
        if f.name == "events" and isinstance(f.value, list):
            return [
                {"municipality": e.get("municipality"), "partner": e.get("partner"),
                 "category": e.get("action"), "date": e.get("date"), "amount_eur": e.get("amount_eur")}
                for e in f.value if isinstance(e, dict)
            ]
    if not p["relevant"]:
        return []
    return [{"municipality": p["municipality"], "partner": p["partner"],
             "category": p["category"], "date": p["date"], "amount_eur": p["amount_eur"]}]


def predict(pm, name: str, gold: list[dict]) -> list[dict]:
    if name.endswith("pages"):
        return [run_page(pm, g, n) for n, g in enumerate(gold, start=1)]
    return [run_text(pm, g) for g in gold]


# ---------------------------------------------------------------------------
# scores
# ---------------------------------------------------------------------------


def gold_events(g: dict) -> list[dict]:
    if "events" in g:
        return g["events"]
    if not g["relevant"]:
        return []
    return [{k: g.get(k) for k in ("municipality", "partner", "category", "date", "amount_eur")}]


def match_events(gold: list[dict], got: list[dict]) -> list[tuple[dict, dict]]:
    """Gold and predicted events paired one to one (same municipality and category),
    in gold order, each predicted event used once."""
    pairs, free = [], list(got)
    for ge in gold:
        for pe in free:
            if pe["category"] is not None and right("category", ge["category"], pe["category"]) \
                    and right("municipality", ge["municipality"], pe["municipality"]):
                pairs.append((ge, pe))
                free.remove(pe)
                break
    return pairs


def event_scores(rows: list[tuple[dict, dict]]) -> dict[str, Any]:
    n_gold = n_got = 0
    matched: list[tuple[dict, dict]] = []
    for g, p in rows:
        ge, pe = gold_events(g), p["events"] or []
        n_gold += len(ge)
        n_got += len(pe)
        matched += match_events(ge, pe)
    tp = len(matched)
    prec = tp / n_got if n_got else 1.0
    rec = tp / n_gold if n_gold else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    dated = [(a, b) for a, b in matched if "date" in a]
    priced = [(a, b) for a, b in matched if "amount_eur" in a]
    return {
        "items": len(rows), "gold": n_gold, "predicted": n_got, "matched": tp, "P": prec, "R": rec, "F1": f1,
        "date": sum(right("date", a["date"], b["date"]) for a, b in dated),
        "amount": sum(right("amount_eur", a["amount_eur"], b["amount_eur"]) for a, b in priced),
    }


SHORT = {
    "twinning_established": "estab", "twinning_suspended": "susp", "twinning_ended": "ended",
    "twinning_debate": "debate", "council_motion": "motion", "humanitarian_aid": "aid",
    "procurement_policy": "procur", "symbolic_action": "symbol", "partnership_cooperation": "coop",
    "other_solidarity": "other",
}


def gold_category(g: dict, p: dict | None = None) -> str:
    """The gold category a row counts under: ``none`` when not relevant; of a list, the
    predicted one when it is among them, else the first."""
    c = g.get("category")
    if not g["relevant"] or c is None:
        return "none"
    if isinstance(c, list):
        return p["category"] if p is not None and p["category"] in c else c[0]
    return c


def _rel(v: float | None) -> str:
    return f"{'-':>7}" if v is None else f"{v:>7.2f}"


FACT_KEYS = ("category", "municipality", "partner_f1", "date", "amount")


def _cell(v: float | None) -> str:
    return f"{'-':>10}" if v is None else f"{v:>10.2f}"


def fact_table(title: str, groups: list[tuple[str, list[tuple[dict, dict]]]], by_category: bool) -> None:
    """One line per group: n, relevance P/R (per category: the share flagged relevant),
    then the facts on its relevant texts."""
    if by_category:
        print(f"{title:<24}{'n':>5}{'flagged':>8}{'categ':>7}{'munic':>7}{'partF1':>7}{'date':>7}{'amount':>7}")
    else:
        print(f"{title:<24}{'n':>5}{'relP':>8}{'relR':>7}{'categ':>7}{'munic':>7}{'partF1':>7}{'date':>7}{'amount':>7}")
    for label, rows in groups:
        if not rows:
            continue
        f = facts(rows)
        if by_category:
            flagged = sum(p["relevant"] for _, p in rows) / len(rows)
            head = f"{label:<24}{len(rows):>5}{flagged:>8.2f}"
        else:
            tp = sum(1 for g, p in rows if g["relevant"] and p["relevant"])
            fp = sum(1 for g, p in rows if not g["relevant"] and p["relevant"])
            pos = sum(1 for g, _ in rows if g["relevant"])
            head = (f"{label:<24}{len(rows):>5}" + (f"{tp / (tp + fp):>8.2f}" if tp + fp else f"{'-':>8}")
                    + _rel(tp / pos if pos else None))
        print(head + "".join(_rel(f[k]) for k in FACT_KEYS))


def confusion(pairs: list[tuple[dict, dict]]) -> None:
    cols = [*CATEGORIES, "none"]
    counts: dict[str, dict[str, int]] = {}
    for g, p in pairs:
        row = counts.setdefault(gold_category(g, p), {})
        got = p["category"] if p["relevant"] and p["category"] else "none"
        row[got] = row.get(got, 0) + 1
    print("category confusion (gold rows, predicted columns; a change not flagged relevant is none)")
    print(f"{'gold':<24}" + "".join(f"{SHORT.get(c, c):>7}" for c in cols) + f"{'n':>5}")
    for c in cols:
        if c in counts:
            row = counts[c]
            cells = "".join(f"{row.get(x, 0) or '.':>7}" for x in cols)
            print(f"{c:<24}{cells}{sum(row.values()):>5}")


def report(pm, name: str, errors: bool, single: bool) -> tuple[list[str], int]:
    """Print the tables of one set (with the throughput line when ``single``); return its
    texts (for the throughput of ``--set all``) and an exit code."""
    try:
        gold = load(name)
    except FileNotFoundError as exc:
        print(f"bench/relevance: cannot read the {name} set: {exc}", file=sys.stderr)
        return [], 2
    started = time.perf_counter()
    pred = predict(pm, name, gold)
    elapsed = time.perf_counter() - started
    pairs = list(zip(gold, pred, strict=True))
    names = list(dict.fromkeys(g["split"] for g in gold))
    splits = {s: [p for p in pairs if p[0]["split"] == s] for s in names}
    if len(names) > 1:
        splits["all"] = pairs
    unit = "page changes" if name.endswith("pages") else "texts"
    print(
        f"bench/relevance --set {name}: {len(gold)} {unit} ({sum(g['relevant'] for g in gold)} relevant), "
        + " / ".join(f"{len(rows)} {s}" for s, rows in splits.items() if s != "all")
    )
    print()
    print(f"{'relevant':<10}" + "".join(f"{s:>24}" for s in splits))
    print(f"{'lang':<10}" + "".join(f"{'P':>7}{'R':>6}{'F1':>6}{'n':>5}" for _ in splits))
    for lang in (*LANGS, "all"):
        cells = ""
        for rows in splits.values():
            sub = [r for r in rows if lang == "all" or r[0]["lang"] == lang]
            p, r, f, n = prf(sub)
            cells += f"{p:>7.2f}{r:>6.2f}{f:>6.2f}{n:>5}"
        print(f"{lang:<10}{cells}")
    print()
    print(f"{'facts (relevant texts)':<24}" + "".join(f"{s:>10}" for s in splits))
    table = {s: facts(rows) for s, rows in splits.items()}
    for key_, label in (
        ("category", "category accuracy"),
        ("municipality", "municipality accuracy"),
        ("partner_f1", "partner F1"),
        ("date", "date accuracy"),
        ("amount", "amount accuracy"),
    ):
        print(f"{label:<24}" + "".join(_cell(table[s][key_]) for s in splits))
    print()
    fact_table("per language", [(lang, [r for r in pairs if r[0]["lang"] == lang]) for lang in LANGS]
               + [("all", pairs)], by_category=False)
    print()
    cats = [*CATEGORIES, "none"]
    fact_table("per gold category", [(c if c != "none" else "none (not relevant)",
                                      [r for r in pairs if gold_category(r[0], r[1]) == c]) for c in cats],
               by_category=True)
    print()
    confusion(pairs)
    multi = [r for r in pairs if "events" in r[0]]
    if multi:
        print()
        print(f"{'events':<24}{'items':>6}{'gold':>6}{'pred':>6}{'match':>6}{'P':>7}{'R':>6}{'F1':>6}"
              f"{'date ok':>9}{'amount ok':>10}")
        for label, rows in (("changes with events", multi), ("all changes", pairs)):
            e = event_scores(rows)
            print(f"{label:<24}{e['items']:>6}{e['gold']:>6}{e['predicted']:>6}{e['matched']:>6}"
                  f"{e['P']:>7.2f}{e['R']:>6.2f}{e['F1']:>6.2f}{e['date']:>9}{e['amount']:>10}")
        print("(match: same municipality and category; date/amount ok: of the matched events)")
    print()
    texts = [g["text"] if "text" in g else g["new"] for g in gold]
    if single:
        rate, cpu_rate = throughput(pm, texts)
        print(
            f"throughput: {rate:.0f} texts/s of 1 KB on one core (all built-in analyzers; "
            f"{cpu_rate:.0f}/s of CPU time); the {len(gold)} labelled {unit} took {elapsed:.2f} s"
        )
    else:
        print(f"the {len(gold)} labelled {unit} took {elapsed:.2f} s")
    if errors:
        for s in names:
            print(f"\n--- {s} errors")
            for g, p in splits[s]:
                wrong = [
                    k for k in FIELDS
                    if k in g and (g["relevant"] or k == "relevant") and not right(k, g[k], p[k])
                ]
                ev = ""
                if "events" in g:
                    e = event_scores([(g, p)])
                    if e["matched"] < e["gold"] or e["predicted"] > e["matched"]:
                        ev = (f"; events: {e['matched']} of {e['gold']} gold matched, "
                              f"{e['predicted']} predicted")
                if wrong or ev:
                    print(
                        f"{g['id']}: "
                        + "; ".join(f"{k}: gold {g[k]!r} got {p[k]!r}" for k in wrong)
                        + ev
                        + f"  [{p['score']:.2f}]"
                    )
    return texts, 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", choices=[*ORDER, "all"], default="dev",
                    help="Which labelled set, or all of them one after the other (default: dev).")
    ap.add_argument("--errors", action="store_true", help="List the texts each split gets wrong.")
    args = ap.parse_args()
    pm = make_plugin_manager(distribution="twinwatch")
    texts: list[str] = []
    code = 0
    every = args.set == "all"
    for i, name in enumerate(ORDER if every else (args.set,)):
        if i:
            print("\n" + "=" * 78 + "\n")
        got, rc = report(pm, name, args.errors, single=not every)
        texts += got
        code = max(code, rc)
    if every and texts:
        rate, cpu_rate = throughput(pm, texts)
        print()
        print(f"throughput: {rate:.0f} texts/s of 1 KB on one core (all built-in analyzers; "
              f"{cpu_rate:.0f}/s of CPU time)")
    return code


if __name__ == "__main__":
    sys.exit(main())
