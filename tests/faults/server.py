"""A misbehaving HTTP server on loopback for the fault-injection suite.

Unlike ``tests.conftest.TestServer`` (a well-behaved ``http.server``), this one
writes raw bytes, so it can accept and say nothing, send headers and hang,
announce more bytes than it sends, drip, or answer with whatever status line and
headers a scenario needs (duplicate ``Content-Type``, ``Location: file:…``).

Each scenario is its own *site*: a listener on its own loopback address
(127.0.0.2, 127.0.0.3, …, always inside 127.0.0.0/8 and never on another
interface), because Scrapy keeps one download slot and one robots.txt per host
name: scenarios on one host would queue behind each other's hangs.

Bounds: every hang waits at most ``max_hold`` seconds, every request is read with
a deadline, and the whole server stops by itself ``lifetime`` seconds after it
started (a watchdog), so a test that forgets to stop it cannot leave it behind.
Everything runs on one asyncio loop in one daemon thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

HOST_BASE = "127.0.0."
"""Sites get 127.0.0.2 upwards; the first is 127.0.0.1 itself."""


@dataclass
class Reply:
    """What a site answers for one path."""

    body: bytes = b""
    status: int = 200
    headers: list[tuple[str, str]] = field(
        default_factory=lambda: [("Content-Type", "text/html; charset=utf-8")]
    )
    silent: float = 0.0
    """Accept the connection, read the request, send nothing for this long (connect-then-hang)."""
    hang_after_headers: float = 0.0
    """Send the status line and headers, then nothing for this long."""
    drip: float = 0.0
    """Seconds between chunks of ``drip_chunk`` bytes of the body."""
    drip_chunk: int = 1
    length: int | None = None
    """The Content-Length to announce (default: the body's); more than the body is a truncation."""
    no_length: bool = False
    """Send no Content-Length and close the connection after the body (a streamed body)."""
    reset: bool = False
    """Close the connection at once, without any answer."""
    then: Reply | None = None
    """After answering once, answer with this from then on."""
    make: Callable[[int], bytes] | None = None
    """Build the body for the n-th request of this path (a page that changes every time)."""
    served: int = 0


def text_reply(body: bytes | str, ctype: str = "text/plain", **kw: object) -> Reply:
    """A reply with one Content-Type header."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    return Reply(data, headers=[("Content-Type", ctype)], **kw)  # type: ignore[arg-type]


ROBOTS_OK = text_reply("User-agent: *\nAllow: /\n")


class Site:
    """One host on the loopback: its routes and the requests it saw."""

    def __init__(self, server: FaultServer, host: str) -> None:
        self.server = server
        self.host = host
        self.port = 0
        self.routes: dict[str, Reply] = {"/robots.txt": ROBOTS_OK}
        self.requests: list[str] = []

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def set(self, path: str, reply: Reply) -> str:
        """Answer ``path`` with ``reply``; return its URL."""
        self.routes[path] = reply
        return self.url(path)


class FaultServer:
    """Sites on loopback addresses, served from one asyncio loop in a daemon thread."""

    def __init__(self, *, lifetime: float = 300.0, max_hold: float = 60.0) -> None:
        self.lifetime = lifetime
        self.max_hold = max_hold
        self.sites: list[Site] = []
        self._loop = asyncio.new_event_loop()
        self._stopping: asyncio.Event | None = None
        self._servers: list[asyncio.Server] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._thread = threading.Thread(target=self._run, name="fault-server", daemon=True)
        self._ready = threading.Event()
        self.stopped = threading.Event()

    # -- lifecycle ---------------------------------------------------------

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._stopping = asyncio.Event()
        self._loop.call_later(self.lifetime, self._stopping.set)  # the watchdog
        self._ready.set()
        try:
            self._loop.run_until_complete(self._serve_until_stopped())
        finally:
            self._loop.close()
            self.stopped.set()

    async def _serve_until_stopped(self) -> None:
        assert self._stopping is not None
        await self._stopping.wait()
        for srv in self._servers:
            srv.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for srv in self._servers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(srv.wait_closed(), 2)

    def start(self) -> FaultServer:
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        """Stop serving; hanging handlers are released at once."""
        if self._thread.is_alive() and self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
            self._thread.join(10)

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- sites -------------------------------------------------------------

    def site(self) -> Site:
        """A new host (the next loopback address) listening on a free port."""
        host = f"{HOST_BASE}{len(self.sites) + 2}"
        site = Site(self, host)
        future = asyncio.run_coroutine_threadsafe(self._listen(site), self._loop)
        future.result(10)
        self.sites.append(site)
        return site

    async def _listen(self, site: Site) -> None:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            assert task is not None
            self._tasks.add(task)  # type: ignore[arg-type]
            try:
                await self._handle(site, reader, writer)
            except (
                TimeoutError,
                ConnectionError,
                asyncio.IncompleteReadError,
                asyncio.LimitOverrunError,
                ValueError,
            ):
                pass  # the client gave up or sent nonsense: that is its business
            finally:
                self._tasks.discard(task)  # type: ignore[arg-type]
                writer.close()
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(writer.wait_closed(), 1)

        srv = await asyncio.start_server(handle, site.host, 0, limit=65536)
        site.port = srv.sockets[0].getsockname()[1]
        self._servers.append(srv)

    async def _wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds`` (at most ``max_hold``); True when the server is stopping."""
        assert self._stopping is not None
        try:
            await asyncio.wait_for(self._stopping.wait(), min(seconds, self.max_hold))
            return True
        except TimeoutError:
            return False

    async def _handle(self, site: Site, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:  # keep-alive: several requests on one connection
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 15)
            line = head.split(b"\r\n", 1)[0].decode("latin-1")
            parts = line.split(" ")
            path = parts[1] if len(parts) > 1 else "/"
            site.requests.append(path)
            reply = site.routes.get(path)
            if reply is None:
                reply = Reply(b"not here", status=404, headers=[("Content-Type", "text/plain")])
            elif reply.then is not None:
                site.routes[path] = reply.then
            if reply.make is not None:
                reply.served += 1
                reply.body = reply.make(reply.served)
            if reply.reset:
                return
            if reply.silent and await self._wait(reply.silent):
                return
            if reply.silent:
                return
            closing = await self._answer(reply, writer)
            if closing:
                return

    async def _answer(self, reply: Reply, writer: asyncio.StreamWriter) -> bool:
        """Write one answer; True when the connection must close afterwards."""
        lines = [f"HTTP/1.1 {reply.status} {_REASONS.get(reply.status, 'Status')}"]
        lines += [f"{k}: {v}" for k, v in reply.headers]
        closing = reply.no_length or (reply.length is not None and reply.length > len(reply.body))
        if not reply.no_length:
            lines.append(f"Content-Length: {reply.length if reply.length is not None else len(reply.body)}")
        if closing:
            lines.append("Connection: close")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        await writer.drain()
        if reply.hang_after_headers:
            await self._wait(reply.hang_after_headers)
            return True
        if reply.drip:
            for i in range(0, len(reply.body), reply.drip_chunk):
                if await self._wait(reply.drip):
                    return True
                writer.write(reply.body[i : i + reply.drip_chunk])
                await writer.drain()
            return closing
        view = memoryview(reply.body)
        for i in range(0, len(view), 1 << 20):
            writer.write(view[i : i + (1 << 20)])
            await writer.drain()
        return closing


_REASONS = {
    200: "OK",
    301: "Moved Permanently",
    302: "Found",
    304: "Not Modified",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


@contextlib.contextmanager
def serving(lifetime: float = 300.0) -> Iterator[FaultServer]:
    """A started server that is stopped when the block ends."""
    server = FaultServer(lifetime=lifetime).start()
    try:
        yield server
    finally:
        server.stop()
