"""Where things live and how twinwatch introduces itself.

Paths come from platformdirs, overridable by environment variables (``TWINWATCH_DB``,
``TWINWATCH_CONTACT``). No other module reads the environment for these.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from monitor import __version__

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


def user_agent() -> str:
    contact = os.environ.get("TWINWATCH_CONTACT", CONTACT_URL)
    return f"twinwatch/{__version__} (+{contact})"


def lock_path(db_path: Path) -> Path:
    """The crawl lock beside the database: one crawl per database at a time."""
    return db_path.with_name(db_path.name + ".crawl.lock")
