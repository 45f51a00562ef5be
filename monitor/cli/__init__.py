"""The ``twinwatch`` command: a thin click layer over monitor's services, one module per
command group (Scrapy keeps one module per command the same way):

- :mod:`.main`: the group, its global options and the console-script entry point;
- :mod:`.context`: what every command gets, and failures as one line and an exit code;
- :mod:`.sources`, :mod:`.crawl`, :mod:`.review`, :mod:`.records`, :mod:`.export`,
  :mod:`.analyze`, :mod:`.app`: the commands;
- :mod:`.render`: plain-text rendering for the terminal.

Data goes to stdout, diagnostics to stderr. Expected failures (:class:`TwinwatchError`)
print one line and exit with the code from :mod:`monitor.errors`; only a bug prints a
traceback. Each command imports the services it calls when it runs, so ``twinwatch``
starts without loading Scrapy, the analyzers or the exporters.
"""

from __future__ import annotations

from monitor.cli.main import cli, main

__all__ = ["cli", "main"]
