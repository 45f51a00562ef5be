"""The crawl log: a rotating file in the user log directory, errors also on stderr.

``setup_logging()`` is called by the CLI before a crawl; library code only uses
``logging.getLogger("twinwatch.…")``.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

from monitor.config import log_dir

LOG_NAME = "twinwatch.log"
MAX_BYTES = 1024 * 1024
BACKUPS = 5


def log_file() -> Path:
    return log_dir() / LOG_NAME


def setup_logging() -> Path | None:
    """Send the ``twinwatch`` loggers to the rotating log file (INFO and up) and
    errors to stderr. Returns the log file, or ``None`` when it cannot be written
    (then only stderr gets errors; a crawl never fails for want of a log)."""
    logger = logging.getLogger("twinwatch")
    logger.setLevel(logging.INFO)
    logger.propagate = False  # Scrapy configures the root logger; keep ours apart
    for h in list(logger.handlers):
        logger.removeHandler(h)
        h.close()
    err = logging.StreamHandler(sys.stderr)
    err.setLevel(logging.ERROR)
    err.setFormatter(logging.Formatter("twinwatch: %(message)s"))
    logger.addHandler(err)
    path = log_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fh = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                                  encoding="utf-8")
    except OSError:
        return None
    fh.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(fh)
    return path
