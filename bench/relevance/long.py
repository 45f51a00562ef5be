"""What long changes cost the built-in analyzers, under the analyzer text cap.

Run: .venv/bin/python bench/relevance/long.py [--cap N] [--dense] [SIZE ...]

One change per size and shape, analyzed through the plugin manager as a crawl does
(so monitor's cap, ``monitor.analyze.caps``, applies: ``--cap`` sets
``[limits] analyzer_text`` in a temporary config file). Shapes: ``new`` (SIZE
characters added) and ``replaced`` (SIZE added and SIZE removed). Text: paragraphs of
the labelled sets (prose), or with ``--dense`` a page crowded with town names (the
worst case of the places analyzer). Printed: CPU seconds of this process for the
change, and whether monitor recorded a ``truncated`` finding. Every text is new, so
no analyzer cache helps.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from monitor.analyze.caps import ANALYZER_TEXT  # noqa: E402
from monitor.models import ChangeDraft, Source  # noqa: E402
from monitor.plugin_manager import analyze, make_plugin_manager  # noqa: E402

HERE = Path(__file__).resolve().parent
TOWNS = ("De gemeenteraad van Gent en Antwerpen, Brussel, Leuven, Mechelen, Brugge, Hasselt en Namen "
         "met Luik. ")


def prose(n: int, seed: str, texts: list[str]) -> tuple[str, ...]:
    rng = random.Random(seed)
    out: list[str] = []
    used = i = 0
    while used < n:
        p = f"({seed}-{i}) " + rng.choice(texts)
        out.append(p)
        used += len(p) + 1
        i += 1
    return tuple("\n".join(out)[:n].split("\n"))


def dense(n: int, seed: str) -> tuple[str, ...]:
    t = (f"[{seed}] " + TOWNS * (n // len(TOWNS) + 1))[:n]
    return tuple(t[i : i + 900] for i in range(0, len(t), 900))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sizes", nargs="*", type=int, default=[40_000, 100_000, 200_000],
                    help="Characters on each side of the change (default: 40000 100000 200000).")
    ap.add_argument("--cap", type=int, help=f"[limits] analyzer_text (default: {ANALYZER_TEXT:,}).")
    ap.add_argument("--dense", action="store_true", help="Town names, densely, instead of prose.")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.toml"
        cap = args.cap or ANALYZER_TEXT
        config.write_text(f"[limits]\nanalyzer_text = {cap}\n")
        os.environ["TWINWATCH_CONFIG"] = str(config)
        texts = [json.loads(line)["text"] for name in ("texts", "generalise", "fresh")
                 for line in (HERE / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
                 if line.strip()]
        pm = make_plugin_manager(distribution="twinwatch")
        src = Source(0, "http://127.0.0.1/", kind="page")
        warm = "Le conseil communal de Liège a voté le jumelage avec Lubumbashi."
        analyze(pm, ChangeDraft(src, "new-entry", src.url, "", (warm,), (), (), warm))
        kind = "dense" if args.dense else "prose"
        print(f"bench/relevance/long: analyzer text cap {cap:,} characters, {kind}")
        for n in args.sizes:
            for shape in ("new", "replaced"):
                sides = [f"{n}{shape}{side}" for side in ("a", "r")[: 2 if shape == "replaced" else 1]]
                made = [dense(n, seed) if args.dense else prose(n, seed, texts) for seed in sides]
                added, removed = made[0], (made[1] if len(made) > 1 else ())
                draft = ChangeDraft(src, "page-changed", src.url, "", added, removed, (), "\n".join(added))
                started = time.process_time()
                findings = analyze(pm, draft)
                took = time.process_time() - started
                cut = any(f.name == "truncated" for f in findings)
                print(f"{shape:<9}{n:>10,} characters a side: {took:7.2f} s CPU"
                      f"{'  (truncated finding)' if cut else ''}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
