"""Evaluate the built-in analyzers on the labelled texts in ``texts.jsonl``.

Run: .venv/bin/python bench/relevance [--split dev|heldout|all] [--errors]

``texts.jsonl`` holds short texts written for this project in nl, fr, de, en, es and
it (from the seed documents and our own writing), each labelled: relevant or not,
category, acting municipality, partner, decision/event date and euro amount. About
a third (``split: heldout``) is never looked at while tuning the vocabulary; the
script prints the ``dev`` and ``heldout`` figures side by side.

Printed: precision, recall and F1 of ``relevant`` per language and overall;
category accuracy, municipality accuracy, partner F1, date and amount accuracy
(all on the relevant texts); analyzer throughput in texts per second on 1 KB
texts (one core, all built-in analyzers, through the plugin manager).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from monitor.analysis import TextInput, analyze_text  # noqa: E402
from monitor.plugin_manager import make_plugin_manager  # noqa: E402
from plugins.gazetteer import gazetteer, key  # noqa: E402

DATA = Path(__file__).resolve().parent / "texts.jsonl"
LANGS = ("nl", "fr", "de", "en", "es", "it")


def same_place(a: str | None, b: str | None) -> bool:
    """Two names of one place (Elsene = Ixelles, Ghent = Gent) or the same text."""
    if a is None or b is None:
        return a is None and b is None
    if key(a) == key(b):
        return True
    g = gazetteer()
    pa, pb = g.lookup(a), g.lookup(b)
    return any(x is y for x in pa for y in pb)


def prf(rows: list[tuple[dict, dict]]) -> tuple[float, float, float, int]:
    tp = sum(1 for g, p in rows if g["relevant"] and p["relevant"])
    fp = sum(1 for g, p in rows if not g["relevant"] and p["relevant"])
    fn = sum(1 for g, p in rows if g["relevant"] and not p["relevant"])
    prec = tp / (tp + fp) if tp + fp else 1.0
    rec = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return prec, rec, f1, len(rows)


def facts(rows: list[tuple[dict, dict]]) -> dict[str, float]:
    rel = [(g, p) for g, p in rows if g["relevant"]]
    n = len(rel) or 1
    cat = sum(g["category"] == p["category"] for g, p in rel) / n
    mun = [(g, p) for g, p in rel if g["municipality"]]
    mun_acc = sum(same_place(g["municipality"], p["municipality"]) for g, p in mun) / (len(mun) or 1)
    tp = sum(1 for g, p in rel if g["partner"] and p["partner"] and same_place(g["partner"], p["partner"]))
    fp = sum(
        1 for g, p in rel if p["partner"] and not (g["partner"] and same_place(g["partner"], p["partner"]))
    )
    fn = sum(
        1 for g, p in rel if g["partner"] and not (p["partner"] and same_place(g["partner"], p["partner"]))
    )
    pprec = tp / (tp + fp) if tp + fp else 1.0
    prec_rec = tp / (tp + fn) if tp + fn else 1.0
    pf1 = 2 * pprec * prec_rec / (pprec + prec_rec) if pprec + prec_rec else 0.0
    date = sum(g["date"] == p["date"] for g, p in rel) / n
    amount = (
        sum(
            (g["amount_eur"] is None and p["amount_eur"] is None)
            or (
                g["amount_eur"] is not None
                and p["amount_eur"] is not None
                and abs(g["amount_eur"] - p["amount_eur"]) < 0.01
            )
            for g, p in rel
        )
        / n
    )
    return {"category": cat, "municipality": mun_acc, "partner_f1": pf1, "date": date, "amount": amount}


def throughput(pm, texts: list[str], seconds: float = 3.0) -> float:
    """Texts of about 1 KB per second, cold caches (each text is new)."""
    docs = []
    for i in range(2000):
        base = texts[i % len(texts)]
        doc = f"Bericht {i}. " + base
        while len(doc) < 1000:
            doc += " " + texts[(i * 7 + len(doc)) % len(texts)]
        docs.append(doc[:1024])
    start = time.perf_counter()
    n = 0
    while time.perf_counter() - start < seconds and n < len(docs):
        analyze_text(pm, TextInput(docs[n]))
        n += 1
    return n / (time.perf_counter() - start)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--errors", action="store_true", help="List the texts each split gets wrong.")
    args = ap.parse_args()
    pm = make_plugin_manager(distribution="twinwatch")
    gold = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    started = time.perf_counter()
    pred = [analyze_text(pm, TextInput(g["text"])) for g in gold]
    elapsed = time.perf_counter() - started
    pairs = list(zip(gold, pred, strict=True))
    splits = {
        "dev": [p for p in pairs if p[0]["split"] == "dev"],
        "heldout": [p for p in pairs if p[0]["split"] == "heldout"],
        "all": pairs,
    }
    print(
        f"bench/relevance: {len(gold)} texts ({sum(g['relevant'] for g in gold)} relevant), "
        f"{len(splits['dev'])} dev / {len(splits['heldout'])} held out"
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
        print(f"{label:<24}" + "".join(f"{table[s][name]:>10.2f}" for s in splits))
    print()
    rate = throughput(pm, [g["text"] for g in gold])
    print(
        f"throughput: {rate:.0f} texts/s of 1 KB on one core (all built-in analyzers); "
        f"the {len(gold)} labelled texts took {elapsed:.2f} s"
    )
    if args.errors:
        for s in ("dev", "heldout"):
            print(f"\n--- {s} errors")
            for g, p in splits[s]:
                wrong = [
                    k
                    for k, pk in (
                        ("relevant", "relevant"),
                        ("category", "category"),
                        ("municipality", "municipality"),
                        ("partner", "partner"),
                        ("date", "date"),
                        ("amount_eur", "amount_eur"),
                    )
                    if (
                        g[k] != p[pk]
                        if k in ("relevant", "category", "date")
                        else (
                            not same_place(g[k], p[pk])
                            if k in ("municipality", "partner")
                            else not (
                                (g[k] is None and p[pk] is None)
                                or (g[k] is not None and p[pk] is not None and abs(g[k] - p[pk]) < 0.01)
                            )
                        )
                    )
                    and (g["relevant"] or k == "relevant")
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
