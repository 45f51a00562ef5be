"""Expected failures, one class per area, and the exit codes of ``twinwatch``.

The CLI turns a :class:`TwinwatchError` into a one-line message on stderr and its
class's exit code. The exit codes are the contract scripts and cron rely on:

====  =====================================================================
code  meaning
====  =====================================================================
0     success; for ``crawl``, also when some sources failed (the summary
      line says how many, and ``sources list`` says which)
1     unexpected internal error (a bug: please report the traceback)
2     usage or configuration error (bad option, bad file, unknown source)
3     database error (cannot open, not a twinwatch database, locked too long)
4     plugin error (no plugin provides what the command needs)
5     export or backup error (cannot write the output)
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


class TwinwatchError(Exception):
    """Base for failures a user can act on; shown without a traceback."""

    exit_code = INTERNAL

    def __init__(self, message: str, title: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.title = title or "twinwatch"


class ConfigError(TwinwatchError):
    """Bad option, bad config file, bad input file."""

    exit_code = USAGE


class SourceError(TwinwatchError):
    """A source that cannot be added or found."""

    exit_code = USAGE


class StorageError(TwinwatchError):
    """The database cannot be opened, is not ours, or is locked for too long."""

    exit_code = STORAGE


class PluginError(TwinwatchError):
    """A plugin needed for this command is missing or broken."""

    exit_code = PLUGIN


class ExportError(TwinwatchError):
    """An export cannot be written."""

    exit_code = EXPORT


class BackupError(ExportError):
    """A backup cannot be written (it exists, its folder is missing or not writable):
    like any output that cannot be written. A database that cannot be read, or whose
    copy fails the integrity check, is a :class:`StorageError`."""


class CrawlLocked(TwinwatchError):
    """Another crawl holds the lock."""

    exit_code = LOCKED


class QueryError(ConfigError):
    """An inbox query line that cannot be read; ``position`` is where (0-based)."""

    def __init__(self, message: str, position: int = 0) -> None:
        super().__init__(message)
        self.position = position


class ExtractError(ValueError):
    """A fetch cannot be read as its source's kind says (recorded as ``parse-error``).
    Raised by kind plugins; a ``ValueError``, not a :class:`TwinwatchError`: it is
    recorded on the source, never shown as a command's failure."""
