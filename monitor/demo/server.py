"""The demo's "municipal web": static pages bundled in ``site/``, served on 127.0.0.1.

``site/day1/`` holds the whole web as it is on the first day; ``site/day2/`` holds only
the files that differ on the second day (a file it does not have is served from
``day1/`` unchanged). Switch days with ``server.day = 2``.

Served bytes are rendered at request time: ``{{generated}}`` becomes the current
time (every HTML page has it in its footer, so two fetches never see the same bytes
and twinwatch has to recognise that the main text did not change) and ``{{base}}``
becomes ``http://127.0.0.1:PORT`` (RSS needs absolute links). Pages listed in
:data:`ETAG_PATHS` carry an ETag computed from their unrendered file, so a request
with a matching ``If-None-Match`` gets a 304 on any day the file is the same.

Standard library only: ``monitor`` imports no web framework.
"""

from __future__ import annotations

import hashlib
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import PurePosixPath
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

GENERATED = b"{{generated}}"
"""Placeholder for the moment a page is served (``2026-11-23 19:04:12``)."""
BASE = b"{{base}}"
"""Placeholder for the server's own address, without a trailing slash."""

ETAG_PATHS = frozenset({"network/history.html"})
"""Pages sent with an ETag (and answered 304 when it matches); the others send none,
like many municipal servers."""

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/rss+xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
PATH_TYPES = {"lblod/api/agenda-items": "application/vnd.api+json"}
"""Files whose name has no suffix, as a JSON:API route has none."""
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def _walk(node: Traversable, prefix: str = "") -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for child in node.iterdir():
        name = f"{prefix}{child.name}"
        if child.is_dir():
            files.update(_walk(child, name + "/"))
        elif child.is_file() and not child.name.startswith("."):
            files[name] = child.read_bytes()
    return files


def load_site(root: Traversable | None = None) -> dict[int, dict[str, bytes]]:
    """The web of every day: ``{day: {"ixelles/cooperation.html": template bytes}}``.

    Each day is the previous day with the files of its own folder put over it.
    """
    root = root or resources.files("monitor.demo") / "site"
    days = sorted(int(d.name[3:]) for d in root.iterdir()
                  if d.is_dir() and d.name.startswith("day") and d.name[3:].isdigit())
    site: dict[int, dict[str, bytes]] = {}
    current: dict[str, bytes] = {}
    for day in days:
        current = {**current, **_walk(root / f"day{day}")}
        site[day] = current
    if not site:
        raise FileNotFoundError(f"no day folders in the demo site at {root}")
    return site


def etag_of(template: bytes) -> str:
    return '"' + hashlib.sha256(template).hexdigest()[:20] + '"'


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    for tag in header.split(","):
        tag = tag.strip()
        if tag == "*" or tag.removeprefix("W/") == etag:
            return True
    return False


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    demo: DemoServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-response is not worth a traceback on the
        # user's terminal; anything else is a bug and is printed as usual.
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "twinwatch-demo"
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the demo prints its own story; no access log on stderr

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _answer(self, *, send_body: bool) -> None:
        demo = self.server.demo
        day = demo.day
        path = _site_path(self.path)
        template = demo.site[day].get(path) if path is not None else None
        if template is None:
            body = f"not found: {self.path}\n".encode()
            demo._log(day, self.command, self.path, 404)
            self.send_response(404)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if send_body:
                self.wfile.write(body)
            return
        assert path is not None
        etag = etag_of(template) if path in ETAG_PATHS else None
        if etag and _etag_matches(self.headers.get("If-None-Match"), etag):
            demo._log(day, self.command, self.path, 304)
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        body = demo.render(template)
        demo._log(day, self.command, self.path, 200)
        self.send_response(200)
        self.send_header("Content-Type", PATH_TYPES.get(path) or CONTENT_TYPES.get(
            PurePosixPath(path).suffix, "application/octet-stream"))
        self.send_header("Content-Length", str(len(body)))
        if etag:
            self.send_header("ETag", etag)
            self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if send_body:
            self.wfile.write(body)


def _site_path(request_path: str) -> str | None:
    """The site file a request path names (``/`` is ``index.html``), or ``None`` for a
    path that tries to leave the site."""
    path = unquote(urlsplit(request_path).path)
    if path.endswith("/"):
        path += "index.html"
    parts = [p for p in path.split("/") if p]
    if any(p in (".", "..") or "\\" in p for p in parts):
        return None
    return "/".join(parts)


class DemoServer:
    """The bundled municipal web on ``127.0.0.1:port`` (port 0: any free port).

    ``start()``/``stop()`` or ``with DemoServer() as server:``; ``server.day = 2``
    switches the web to its second day; ``server.url("ixelles/cooperation.html")``
    gives a page's address; ``server.log`` lists ``(day, method, path, status)``
    for every request answered.
    """

    def __init__(self, *, port: int = 0, day: int = 1,
                 clock: Callable[[], datetime] = datetime.now) -> None:
        self.site = load_site()
        self._day = 1
        self.day = day
        self.clock = clock
        self.log: list[tuple[int, str, str, int]] = []
        self._lock = threading.Lock()
        self._httpd = _HTTPServer(("127.0.0.1", port), _Handler)
        self._httpd.demo = self
        self.port: int = self._httpd.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def days(self) -> tuple[int, ...]:
        return tuple(sorted(self.site))

    @property
    def day(self) -> int:
        return self._day

    @day.setter
    def day(self, value: int) -> None:
        if value not in self.site:
            raise ValueError(f"the demo web has no day {value}; it has {sorted(self.site)}")
        self._day = value

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        """The absolute URL of a site path (``"news/feed.xml"`` or ``"/news/feed.xml"``)."""
        return f"{self.base}/{path.lstrip('/')}"

    def render(self, template: bytes) -> bytes:
        """The bytes served for a file: placeholders replaced for this moment."""
        now = self.clock().strftime(TIME_FORMAT).encode()
        return template.replace(GENERATED, now).replace(BASE, self.base.encode())

    def _log(self, day: int, method: str, path: str, status: int) -> None:
        with self._lock:
            self.log.append((day, method, path, status))

    def start(self) -> DemoServer:
        if self._thread is None:
            # serve_forever checks for shutdown every half second by default: a demo (and
            # each test of it) would wait that long to stop.
            self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02},
                                            name="twinwatch-demo-server", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
