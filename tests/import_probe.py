"""What importing each module loads, each import in a fresh process: the child of
``tests/test_architecture.py``'s import-layering check.

``python -m tests.import_probe`` starts clean (only the standard library and the
third-party packages in :data:`PRELOAD`), then reads module names, one a line, and
forks once per module: the fork imports the module and reports the top-level names of
everything in ``sys.modules``, one JSON line per module (``{"loaded": [names],
"error": traceback or null}``). One interpreter start-up and one load of the heavy
third-party packages serve every module a test process asks about, where a
``python -c "import MODULE"`` per module paid both each time.

Preloading cannot hide a banned import: importing is deterministic and idempotent, so
what a module loads in a fork is what it loads in a fresh interpreter, plus what was
already there, and what was there is part of every report (a banned package in the
base fails every module's check).
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import traceback

PRELOAD = ("numpy", "scipy", "datasketch", "sqlite_utils", "click", "pluggy", "lxml.html", "dateutil",
           "feedparser", "filelock", "platformdirs", "charset_normalizer")
"""Third-party packages twinwatch's modules import (none of them imports Scrapy, Twisted,
Textual or twinwatch): loaded once, before the forks."""


def _tops() -> list[str]:
    return sorted({name.split(".")[0] for name in sys.modules})


def _probe(module: str) -> dict[str, object]:
    """Import ``module`` in a fork of this process; what it loaded, or its traceback."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the fork: import, report, leave without running any clean-up
        os.close(read)
        os.dup2(2, 1)  # what an import prints must not mix with the answers
        try:
            importlib.import_module(module)
            report: dict[str, object] = {"loaded": _tops(), "error": None}
        except BaseException:
            report = {"loaded": _tops(), "error": traceback.format_exc()}
        with os.fdopen(write, "w") as out:
            json.dump(report, out)
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as inp:
        text = inp.read()
    _, status = os.waitpid(pid, 0)
    if not text:
        return {"loaded": [], "error": f"the fork importing {module} ended with status {status}"}
    result: dict[str, object] = json.loads(text)
    return result


def main() -> None:
    for name in PRELOAD:
        importlib.import_module(name)
    for line in sys.stdin:
        print(json.dumps(_probe(line.strip())), flush=True)


if __name__ == "__main__":
    main()
