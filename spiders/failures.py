"""Readable lines for failed downloads, shared by the spiders and the middlewares
(a module of its own so that neither imports the other)."""

from __future__ import annotations


def connection_failure(exc: BaseException) -> str:
    """A readable line for a failed download (Scrapy's message is Twisted's list of
    failures, with object reprs)."""
    reasons = getattr(exc.__cause__, "reasons", None) or []
    names = {type(getattr(r, "value", r)).__name__ for r in reasons}
    if names & {"ConnectionLost", "ConnectionDone", "ConnectionAborted"} or not names:
        return "the server closed the connection without a complete answer"
    return f"download failed: {', '.join(sorted(names))}"
