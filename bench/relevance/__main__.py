"""Evaluate the built-in analyzers on a labelled set of texts.

Run: .venv/bin/python bench/relevance [--set dev|generalise|fresh|seeds] [--errors]

Sets (all written for this project, never copied from the web):

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
- ``seeds`` (``seeds.jsonl``): the five real seed documents (read from
  ``../shared/seeds/`` or ``$TWINWATCH_SEEDS``), with the facts their README gives.

Each line is labelled: relevant or not, category, acting municipality, partner,
decision/event date and euro amount. A field missing from a line is not scored; a
list means any of its values is right (a page listing four twinning partners).

Printed: precision, recall and F1 of ``relevant`` per language and overall;
category accuracy, municipality accuracy, partner F1, date and amount accuracy
(all on the relevant texts); analyzer throughput in texts per second on 1 KB
texts (one core, all built-in analyzers, through the plugin manager). What long
changes cost under the analyzer text cap: ``bench/relevance/long.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from monitor.analyze.service import TextInput, analyze_text  # noqa: E402
from monitor.plugin_manager import make_plugin_manager  # noqa: E402
from plugins.analyzers.gazetteer import gazetteer, key  # noqa: E402

HERE = Path(__file__).resolve().parent
SETS = {
    "dev": HERE / "texts.jsonl",
    "generalise": HERE / "generalise.jsonl",
    "fresh": HERE / "fresh.jsonl",
    "seeds": HERE / "seeds.jsonl",
}
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


def _cell(v: float | None) -> str:
    return f"{'-':>10}" if v is None else f"{v:>10.2f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", choices=sorted(SETS), default="dev", help="Which labelled set (default: dev).")
    ap.add_argument("--errors", action="store_true", help="List the texts each split gets wrong.")
    args = ap.parse_args()
    pm = make_plugin_manager(distribution="twinwatch")
    try:
        gold = load(args.set)
    except FileNotFoundError as exc:
        print(f"bench/relevance: cannot read the {args.set} set: {exc}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    pred = [analyze_text(pm, TextInput(g["text"])) for g in gold]
    elapsed = time.perf_counter() - started
    pairs = list(zip(gold, pred, strict=True))
    names = list(dict.fromkeys(g["split"] for g in gold))
    splits = {s: [p for p in pairs if p[0]["split"] == s] for s in names}
    if len(names) > 1:
        splits["all"] = pairs
    print(
        f"bench/relevance --set {args.set}: {len(gold)} texts ({sum(g['relevant'] for g in gold)} relevant), "
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
    for name, label in (
        ("category", "category accuracy"),
        ("municipality", "municipality accuracy"),
        ("partner_f1", "partner F1"),
        ("date", "date accuracy"),
        ("amount", "amount accuracy"),
    ):
        print(f"{label:<24}" + "".join(_cell(table[s][name]) for s in splits))
    print()
    rate, cpu_rate = throughput(pm, [g["text"] for g in gold])
    print(
        f"throughput: {rate:.0f} texts/s of 1 KB on one core (all built-in analyzers; {cpu_rate:.0f}/s of "
        f"CPU time); the {len(gold)} labelled texts took {elapsed:.2f} s"
    )
    if args.errors:
        for s in names:
            print(f"\n--- {s} errors")
            for g, p in splits[s]:
                wrong = [
                    k for k in FIELDS
                    if k in g and (g["relevant"] or k == "relevant") and not right(k, g[k], p[k])
                ]
                if wrong:
                    print(
                        f"{g['id']}: "
                        + "; ".join(f"{k}: gold {g[k]!r} got {p[k]!r}" for k in wrong)
                        + f"  [{p['score']:.2f}]"
                    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
