"""CPU per page of what a crawl does with each new page, stage by stage, in one process.

Run: .venv/bin/python bench/extract_stages.py [PAGES]

The pages are bench/crawl's (10-80 KB municipal-style pages, its seed), so the figures
explain that benchmark's CPU seconds: ``recognise`` runs in the crawl process for every
page, ``prepare`` (the rest) in an extraction worker for every new or changed page. Each
figure is the best of five rounds, in milliseconds per page.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.ingest import recognise  # noqa: E402
from monitor.ingest.extract.html import read, visible_text  # noqa: E402
from monitor.ingest.pipeline import Context, prepare  # noqa: E402
from monitor.models import FetchResult, Source  # noqa: E402
from monitor.plugin_manager import make_plugin_manager  # noqa: E402
from monitor.text import compress, normalise  # noqa: E402

CT = "text/html; charset=utf-8"


def crawl_bench() -> Any:
    loader = importlib.machinery.SourceFileLoader("bench_crawl", str(ROOT / "bench" / "crawl"))
    spec = importlib.util.spec_from_loader("bench_crawl", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def best(fn: Callable[[Any], object], items: list[Any], rounds: int = 5) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for item in items:
            fn(item)
        times.append(time.perf_counter() - start)
    return min(times) / len(items) * 1000


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    bc = crawl_bench()
    bodies = [bc.render_page(site, p, bc.page_paras(7, site, p), "2026-01-01 10:00", "We use cookies", "")
              for site in range(n // 100 + 1) for p in range(100)][:n]
    pm = make_plugin_manager(distribution="twinwatch")
    source = Source(id=1, url="http://127.0.0.1:9/p/1.html", kind="page")
    results = [FetchResult(1, source.url, 200, {"content-type": CT}, b) for b in bodies]
    texts = [t for t in (prepare(pm, source, r, Context()) for r in results) if t]  # warm up
    raw = [pm.hook.extract_text(source=source, url=source.url, body=b, content_type=CT) for b in bodies]
    clean = [normalise(t) for t in raw]
    rows = [
        ("recognise (crawl process)", best(recognise.settle, results)),
        ("prepare (extraction worker)", best(lambda r: prepare(pm, source, r, Context()), results)),
        ("  parse", best(lambda b: read(b, CT, strict=True), bodies)),
        ("  extract_text (parse included)", best(
            lambda b: pm.hook.extract_text(source=source, url=source.url, body=b, content_type=CT), bodies)),
        ("  normalise", best(normalise, raw)),
        ("  visible_text (a second parse)", best(lambda b: visible_text(b, CT), bodies)),
        ("  compress", best(compress, clean)),
    ]
    print(f"{len(bodies)} pages of bench/crawl, {sum(map(len, bodies)) / len(bodies) / 1000:.1f} KB each "
          f"on average; {len(texts)} first texts; ms per page, best of 5\n")
    for label, ms in rows:
        print(f"{label:<34} {ms:6.3f}")


if __name__ == "__main__":
    main()
