"""What importing each module loads, each import in a fresh process: the child of
``tests/test_architecture.py``'s import-layering check.

``python -m tests.import_probe MODULE...`` starts clean (only the standard library and
the third-party packages in :data:`PRELOAD`), then forks once per module: the fork
imports the module and reports the top-level names of everything in ``sys.modules``.
One interpreter start-up and one load of the heavy third-party packages serve every
module, where a ``python -c "import MODULE"`` per module paid both each time.

Preloading cannot hide a banned import: importing is deterministic and idempotent, so
what a module loads in a fork is what it loads in a fresh interpreter, plus what was
already there; and the probe reports what was there (``"base"``), which the test
checks too (no twinwatch package, no Scrapy, Twisted or Textual may be in it).

Prints one JSON object: ``{"base": [names], "modules": {module: {"loaded": [names],
"error": traceback or null}}}``.
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


def main(modules: list[str]) -> None:
    for name in PRELOAD:
        importlib.import_module(name)
    out = {"base": _tops(), "modules": {m: _probe(m) for m in modules}}
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
