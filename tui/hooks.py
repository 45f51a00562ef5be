"""The built-in dashboard plugin: opens the Textual app."""

from __future__ import annotations

from monitor.hookspecs import hookimpl


@hookimpl(trylast=True)
def launch_dashboard(db_path: str) -> bool:
    from tui.app import TwinwatchApp

    TwinwatchApp(db_path).run()
    return True
