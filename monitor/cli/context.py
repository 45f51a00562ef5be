"""What every ``twinwatch`` command shares: the :class:`Context` (database path, plugin
manager) and how an expected failure becomes one line and an exit code.

The commands themselves live in one module per command group beside this one; the
group that holds them is :mod:`monitor.cli.main`.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import click

from monitor import errors
from monitor.errors import TwinwatchError
from monitor.models import SOURCE_KINDS
from monitor.plugin_manager import LoadError, PluginManager, make_plugin_manager, source_kinds
from monitor.store.db import open_db


class Context:
    """What every command gets: the database path and a lazily made plugin manager."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self._pm: PluginManager | None = None

    @property
    def pm(self) -> PluginManager:
        if self._pm is None:
            self._pm = make_plugin_manager(report=_warn)
        return self._pm

    def db(self) -> Any:
        return open_db(self.db_path)

    def kinds(self) -> list[str]:
        """Kind names the installed plugins provide (the built-ins when none do)."""
        return sorted(source_kinds(self.pm)) or list(SOURCE_KINDS)


def _warn(err: LoadError) -> None:
    """A plugin that failed to load (when one of its hooks was first called), on stderr."""
    click.echo(f"warning: plugin {err.name} ({err.value}) not loaded: {err.message}", err=True)


pass_ctx = click.make_pass_decorator(Context)


class TwinwatchGroup(click.Group):
    """Turns TwinwatchError into a one-line message and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TwinwatchError as exc:
            raise _Failure(exc.message, exc.exit_code) from exc
        except sqlite3.DatabaseError as exc:  # locked past the busy timeout, disk full, corrupt
            raise _Failure(f"database error: {exc}", errors.STORAGE) from exc


class _Failure(click.ClickException):
    """A TwinwatchError as click prints it: ``Error: message`` and the exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.exit_code = code  # type: ignore[misc]
