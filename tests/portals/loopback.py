"""What every loopback portal server shares: a threaded HTTP server on 127.0.0.1 that
logs each request path, answers robots.txt, serves what the portal's ``respond`` gives,
and stops by itself after ``lifetime`` seconds (or on ``stop``); and the full-text
match of the portals whose search is Elasticsearch's ``simple_query_string`` (ORI,
Lokaal Beslist's mu-search): :func:`simple_query_matches`."""

from __future__ import annotations

import re
import threading
import unicodedata
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self
from urllib.parse import urlsplit


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def tokens(text: str) -> list[str]:
    return re.findall(r"\w+", fold(text))


def simple_query_matches(texts: list[str], query: str) -> bool:
    """Whether any clause of a ``simple_query_string`` (``|`` or whitespace, the default
    operator or) matches one of ``texts``: a word, ``word*`` or a phrase (never across
    two texts). No stemming: an analyzer's stems are the real engine's."""
    found: list[str] = []
    for text in texts:
        found += tokens(text) + ["\x00"]
    for phrase, word in re.findall(r'"([^"]*)"|([^\s|"]+)', query):
        if phrase:
            words = tokens(phrase)
            if words and any(found[i:i + len(words)] == words for i in range(len(found))):
                return True
        elif word.endswith("*"):
            prefix = fold(word[:-1])
            if any(t.startswith(prefix) for t in found):
                return True
        elif tokens(word) and all(t in found for t in tokens(word)):
            return True
    return False


class LoopbackPortal:
    """Subclasses implement :meth:`respond`; ``now`` is the portal's clock (its ``Date``)."""

    def __init__(self, lifetime: float = 300) -> None:
        self.lock = threading.Lock()
        self.requests: list[str] = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.timer = threading.Timer(lifetime, self.stop)
        self.timer.daemon = True

    def now(self) -> datetime:
        return datetime.now(UTC)

    def respond(self, path: str, query: str) -> tuple[int, str, bytes]:
        """``(status, content type, body)`` for a GET of ``path`` with its raw query."""
        raise NotImplementedError

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes: with Nagle's algorithm on, the body
            # waits for the client's delayed ACK, 40 ms a request on Linux loopback.
            disable_nagle_algorithm = True

            def log_message(self, *args: object) -> None:
                pass

            def date_time_string(self, timestamp: float | None = None) -> str:
                return format_datetime(server.now(), usegmt=True)

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                with server.lock:
                    server.requests.append(self.path)
                if parts.path == "/robots.txt":
                    status, ctype, body = 200, "text/plain", b"User-agent: *\nAllow: /\n"
                else:
                    status, ctype, body = server.respond(parts.path, parts.query)
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler

    def start(self) -> Self:
        self.thread.start()
        self.timer.start()
        return self

    def stop(self) -> None:
        self.timer.cancel()
        self.httpd.shutdown()
        self.httpd.server_close()
