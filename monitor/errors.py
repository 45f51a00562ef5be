"""Expected failures, one class per area. The CLI turns them into one-line messages."""

from __future__ import annotations


class TwinwatchError(Exception):
    """Base for failures a user can act on; shown without a traceback."""

    exit_code = 1

    def __init__(self, message: str, title: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.title = title or "twinwatch"


class ConfigError(TwinwatchError):
    """Bad option, bad config file, bad input file."""

    exit_code = 2


class SourceError(TwinwatchError):
    """A source that cannot be added or found."""

    exit_code = 2


class StorageError(TwinwatchError):
    """The database cannot be opened, is not ours, or is locked for too long."""

    exit_code = 3


class PluginError(TwinwatchError):
    """A plugin needed for this command is missing or broken."""

    exit_code = 4


class ExportError(TwinwatchError):
    """An export cannot be written."""

    exit_code = 5


class CrawlLocked(TwinwatchError):
    """Another crawl holds the lock."""

    exit_code = 75


class QueryError(ConfigError):
    """An inbox query line that cannot be read; ``position`` is where (0-based)."""

    def __init__(self, message: str, position: int = 0) -> None:
        super().__init__(message)
        self.position = position


class ExtractError(ValueError):
    """A fetch cannot be read as its source's kind says (recorded as ``parse-error``).
    Raised by kind plugins; a ``ValueError``, not a :class:`TwinwatchError`: it is
    recorded on the source, never shown as a command's failure."""
