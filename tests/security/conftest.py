"""Fixtures of the security tests: a second loopback server on 127.0.0.2 that only
counts requests, to prove a refused redirect never connected."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest


class CountingServer:
    """A TCP listener on 127.0.0.2 that records every connection it accepts."""

    __test__ = False

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.2", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            conn.close()

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(2)
        self.sock.close()


@pytest.fixture
def second_loopback() -> Iterator[CountingServer]:
    """A listener on 127.0.0.2 that stops with the test."""
    server = CountingServer()
    yield server
    server.stop()
