"""What every loopback portal server shares: a threaded HTTP server on 127.0.0.1 that
logs each request path, answers robots.txt, serves what the portal's ``respond`` gives,
and stops by itself after ``lifetime`` seconds (or on ``stop``); and the full-text
match of the portals whose search is Elasticsearch's ``simple_query_string`` (ORI,
Lokaal Beslist's mu-search): :func:`simple_query_matches`."""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
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
    """Subclasses implement :meth:`respond`; ``now`` is the portal's clock (its ``Date``).

    With ``validators`` on, each 200 answer carries an ``ETag`` (a hash of its body) and a
    ``Last-Modified`` (when that URL's body last changed, on the portal's clock), and a
    request whose ``If-None-Match`` matches the ETag (or, without one, whose
    ``If-Modified-Since`` is not before Last-Modified) gets a 304 without a body
    (RFC 9110 §13.1); ``not_modified`` counts those."""

    def __init__(self, lifetime: float = 300) -> None:
        self.lock = threading.Lock()
        self.requests: list[str] = []
        self.validators = False
        self.not_modified: list[str] = []
        self._versions: dict[str, tuple[str, datetime]] = {}
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        # shutdown() waits for serve_forever's next poll: 0.5 s by default, at every teardown
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)
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
                extra: dict[str, str] = {}
                if server.validators and status == 200 and parts.path != "/robots.txt":
                    extra = server._validated(self.path, body)
                    if server._unchanged(self.headers.get("If-None-Match"),
                                         self.headers.get("If-Modified-Since"), extra):
                        with server.lock:
                            server.not_modified.append(self.path)
                        self.send_response(304)
                        for name, value in extra.items():
                            self.send_header(name, value)
                        self.end_headers()
                        return
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler

    def _validated(self, path: str, body: bytes) -> dict[str, str]:
        etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
        with self.lock:
            seen = self._versions.get(path)
            if seen is None or seen[0] != etag:
                seen = (etag, self.now())
                self._versions[path] = seen
        return {"ETag": etag, "Last-Modified": format_datetime(seen[1].replace(microsecond=0), usegmt=True)}

    @staticmethod
    def _unchanged(if_none_match: str | None, if_modified_since: str | None, current: dict[str, str]) -> bool:
        if if_none_match is not None:
            return current["ETag"] in [t.strip() for t in if_none_match.split(",")] or if_none_match == "*"
        if if_modified_since:
            try:
                since = parsedate_to_datetime(if_modified_since)
                return parsedate_to_datetime(current["Last-Modified"]) <= since
            except (TypeError, ValueError):
                return False
        return False

    def start(self) -> Self:
        self.thread.start()
        self.timer.start()
        return self

    def stop(self) -> None:
        self.timer.cancel()
        self.httpd.shutdown()
        self.httpd.server_close()
