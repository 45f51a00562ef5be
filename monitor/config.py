"""Where things live, how twinwatch introduces itself, and the config file.

Paths come from platformdirs, overridable by environment variables
(``TWINWATCH_DB``, ``TWINWATCH_CONFIG``, ``TWINWATCH_LOG_DIR``, ``TWINWATCH_CONTACT``,
``TWINWATCH_EXTRACT_WORKERS``, ``TWINWATCH_CRAWL_PROCESSES``). No other module reads
the environment for these.

The config file (TOML, ``config.toml`` in the user config directory) is optional::

    contact = "https://example.org/who-crawls"   # in the User-Agent

    [notify]
    urls = ["json://127.0.0.1:8080/hook", "mailto://user:pass@example.org"]
    title = "twinwatch"                           # optional

    [tui]
    theme = "textual-light"      # any Textual theme; the dashboard remembers toggles here

    [keymap]                     # binding id = keys (comma-separated); see the help screen
    "inbox.relevant" = "y"
    "inbox.irrelevant" = "n"
    "inbox.next" = "j,down"

    [network]                    # see docs/security.md
    allow_private = ["127.0.0.0/8"]   # non-public networks crawls may fetch from

    [limits]
    analyzer_text = 40000        # characters of each text analyzers read
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from monitor import __version__
from monitor.errors import ConfigError
from monitor.private_files import create_private

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
        detail = f"not valid TOML: {exc}" if isinstance(exc, tomllib.TOMLDecodeError) else str(exc)
        raise ConfigError(f"cannot read the config file {p}: {detail}") from exc


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


WARM_ANALYZERS = "TWINWATCH_WARM_ANALYZERS"
"""Environment switch: ``0`` in the environment an extraction forkserver starts with
makes ``monitor.ingest.preload`` skip the analyzers' warm-up (a first crawl, whose
fetches are all baselines, analyzes nothing)."""


def warm_analyzers() -> bool:
    """Whether ``$TWINWATCH_WARM_ANALYZERS`` lets the extraction preload warm up the analyzers."""
    return os.environ.get(WARM_ANALYZERS) != "0"


EXTRACT_NICE = "TWINWATCH_EXTRACT_NICE"
"""Environment setting: how much nicer than the crawl an extraction forkserver, and so
every extraction process forked from it, runs (``monitor.ingest.workers`` sets it in
the environment the forkserver starts with; ``monitor.ingest.preload`` applies it)."""


def extract_nice() -> int:
    """``$TWINWATCH_EXTRACT_NICE`` as a number of steps of ``nice`` (0 when unset or not a number)."""
    try:
        return max(0, int(os.environ.get(EXTRACT_NICE, "0")))
    except ValueError:
        return 0


def crawl_processes() -> int | None:
    """``$TWINWATCH_CRAWL_PROCESSES``: Scrapy processes for a crawl, its sites shared
    out between them (1: one process; unset: chosen by crawl size)."""
    env = os.environ.get("TWINWATCH_CRAWL_PROCESSES", "").strip()
    if not env:
        return None
    try:
        return max(1, int(env))
    except ValueError as exc:
        raise ConfigError(f"TWINWATCH_CRAWL_PROCESSES must be a number, not {env!r}") from exc


def lock_path(db_path: Path) -> Path:
    """The crawl lock beside the database: one crawl per database at a time."""
    return db_path.with_name(db_path.name + ".crawl.lock")


@dataclass(frozen=True)
class UiConfig:
    """The dashboard's settings from the config file."""

    theme: str | None = None
    """A Textual theme name, or ``None`` for the default."""
    keymap: dict[str, str] = field(default_factory=dict)
    """Binding id -> keys, for ``App.set_keymap``."""


def load_ui_config(path: Path | None = None) -> UiConfig:
    """Read the ``[tui]`` and ``[keymap]`` tables; a missing file is the defaults.

    Raises:
        ConfigError: the file is not TOML, or a value has the wrong type.
    """
    path = path or config_path()
    doc = load_config(path)
    tui = doc.get("tui", {})
    keymap = doc.get("keymap", {})
    if not isinstance(tui, dict) or not isinstance(keymap, dict):
        raise ConfigError(f"{path}: [tui] and [keymap] must be tables")
    theme = tui.get("theme")
    if theme is not None and not isinstance(theme, str):
        raise ConfigError(f"{path}: tui.theme must be a string")
    bad = [k for k, v in keymap.items() if not isinstance(v, str)]
    if bad:
        raise ConfigError(f"{path}: keymap values must be strings of keys (see {', '.join(bad)})")
    return UiConfig(theme=theme, keymap=dict(keymap))


_SECTION = re.compile(r"^\s*\[([^\]]+)\]\s*(#.*)?$")
_THEME = re.compile(r"^\s*theme\s*=")


def save_theme(theme: str, path: Path | None = None) -> Path:
    """Remember ``theme`` in the config file, keeping everything else in it as written.

    Raises:
        ConfigError: the file cannot be written.
    """
    path = path or config_path()
    line = f"theme = {json.dumps(theme)}"
    try:
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
    section = None
    tui_at: int | None = None
    for i, text in enumerate(lines):
        m = _SECTION.match(text)
        if m:
            section = m.group(1).strip()
            if section == "tui":
                tui_at = i
            continue
        if section == "tui" and _THEME.match(text):
            lines[i] = line
            break
    else:
        if tui_at is None:
            lines = ["[tui]", line, *([""] if lines else []), *lines]
        else:
            lines.insert(tui_at + 1, line)
    try:  # owner-only: the file may hold notification credentials (docs/security.md)
        create_private(path)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return path
