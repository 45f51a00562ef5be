"""An analyzer that raises when TWINWATCH_EXAMPLE_RAISE is set, to show that a broken
analyzer becomes an error finding and does not stop a crawl."""

import os

from monitor.hookspecs import hookimpl


@hookimpl
def analyze_change(change):
    if os.environ.get("TWINWATCH_EXAMPLE_RAISE"):
        raise RuntimeError(f"example analyzer failed on purpose ({change.kind})")
    return []
