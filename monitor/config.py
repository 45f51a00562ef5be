"""Where things live, how twinwatch introduces itself, and the config file.

Paths come from platformdirs, overridable by environment variables
(``TWINWATCH_DB``, ``TWINWATCH_CONFIG``, ``TWINWATCH_LOG_DIR``,
``TWINWATCH_CONTACT``, ``TWINWATCH_EXTRACT_WORKERS``). No other module reads the environment for these.

The config file (TOML, ``config.toml`` in the user config directory) is optional::

    contact = "https://example.org/who-crawls"   # in the User-Agent

    [notify]
    urls = ["json://127.0.0.1:8080/hook", "mailto://user:pass@example.org"]
    title = "twinwatch"                           # optional
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import platformdirs

from monitor import __version__
from monitor.errors import ConfigError

APP = "twinwatch"
CONTACT_URL = "https://github.com/twinwatch/twinwatch"
"""Where a webmaster can learn who is fetching their pages (in the User-Agent)."""


def data_dir() -> Path:
    return platformdirs.user_data_path(APP, appauthor=False)


def default_db_path() -> Path:
    """``$TWINWATCH_DB`` or ``twinwatch.db`` in the user data directory."""
    env = os.environ.get("TWINWATCH_DB")
    return Path(env) if env else data_dir() / "twinwatch.db"


def demo_db_path() -> Path:
    return data_dir() / "demo.db"


def config_path() -> Path:
    """``$TWINWATCH_CONFIG`` or ``config.toml`` in the user config directory."""
    env = os.environ.get("TWINWATCH_CONFIG")
    return Path(env) if env else platformdirs.user_config_path(APP, appauthor=False) / "config.toml"


def log_dir() -> Path:
    """``$TWINWATCH_LOG_DIR`` or the user log directory (``~/.local/state/twinwatch/log``)."""
    env = os.environ.get("TWINWATCH_LOG_DIR")
    return Path(env) if env else platformdirs.user_log_path(APP, appauthor=False)


def load_config(path: Path | None = None) -> dict[str, Any]:
    """The config file as a dict (``{}`` when there is none).

    Raises:
        ConfigError: the file exists but is not valid TOML.
    """
    p = path or config_path()
    try:
        with p.open("rb") as fp:
            return tomllib.load(fp)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read the config file {p}: {exc}") from exc


def contact_url() -> str:
    """The contact URL for the User-Agent: env, then the config file, then ours."""
    env = os.environ.get("TWINWATCH_CONTACT")
    if env:
        return env
    try:
        value = load_config().get("contact")
    except ConfigError:
        value = None
    return str(value) if value else CONTACT_URL


def user_agent() -> str:
    return f"twinwatch/{__version__} (+{contact_url()})"


def extract_workers() -> int | None:
    """``$TWINWATCH_EXTRACT_WORKERS``: extraction processes for a crawl (0: inline;
    unset: chosen by crawl size)."""
    env = os.environ.get("TWINWATCH_EXTRACT_WORKERS", "").strip()
    if not env:
        return None
    try:
        return max(0, int(env))
    except ValueError as exc:
        raise ConfigError(f"TWINWATCH_EXTRACT_WORKERS must be a number, not {env!r}") from exc


def lock_path(db_path: Path) -> Path:
    """The crawl lock beside the database: one crawl per database at a time."""
    return db_path.with_name(db_path.name + ".crawl.lock")
