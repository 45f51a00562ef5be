"""The crawl log: a rotating file in the user log directory, errors also on stderr.

``setup_logging()`` is called by the CLI before a crawl; library code only uses
``logging.getLogger("twinwatch.…")``.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path

from monitor.config import log_dir
from monitor.private_files import open_private_fd, private_dir

LOG_NAME = "twinwatch.log"
MAX_BYTES = 1024 * 1024
BACKUPS = 5


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files (the first and each after a rollover) are created
    with mode 0600: the log names sources and errors, which are the curator's business."""

    def _open(self):  # type: ignore[no-untyped-def]
        fd = open_private_fd(self.baseFilename, os.O_WRONLY | os.O_APPEND)
        return open(fd, self.mode, encoding=self.encoding, errors=self.errors)  # noqa: SIM115


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
        private_dir(path.parent)
        fh = _PrivateRotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                                  encoding="utf-8")
    except OSError:
        return None
    fh.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(fh)
    return path
