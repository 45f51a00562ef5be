"""Exit codes of ``twinwatch``: the contract scripts and cron rely on.

====  =====================================================================
code  meaning
====  =====================================================================
0     success; for ``crawl``, also when some sources failed (the summary
      line says how many, and ``sources list`` says which)
1     unexpected internal error (a bug: please report the traceback)
2     usage or configuration error (bad option, bad file, unknown source)
3     database error (cannot open, not a twinwatch database, locked too long)
4     plugin error (no plugin provides what the command needs)
5     export error (cannot write the output)
75    another crawl is running (EX_TEMPFAIL: cron may simply try later)
====  =====================================================================
"""

from __future__ import annotations

OK = 0
INTERNAL = 1
USAGE = 2
STORAGE = 3
PLUGIN = 4
EXPORT = 5
LOCKED = 75
