"""Shared fixtures: a migrated database file, a plugin manager holding only our own
plugins, a scriptable HTTP server on 127.0.0.1, and a way to run ``twinwatch``: in this
process through click's CliRunner, or in a child process for the commands that start
Scrapy's reactor (which cannot restart inside one test process).

At the end of the session (and of each pytest-xdist worker) no twinwatch, datasette or
scrapyd process and no crawl helper the session started may still run: the session
fails and names them (``tests/processes.py``)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from monitor.plugin_manager import PluginManager, make_plugin_manager
from monitor.store.db import open_db
from tests import processes

_LEFT_KEY = pytest.StashKey[list[str]]()
ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"

LEFT = "twinwatch_leftovers"
"""Key of an xdist worker's report of the processes it found left running."""

LEFT_WAIT = 5.0
"""Seconds the end-of-session check gives processes that are ending to go."""

SHUTDOWN_POLL = 0.02
"""Seconds between a test server's checks for ``shutdown()``: ``serve_forever``'s default
of 0.5 s cost each test that starts a server 0.25 s on average at its teardown."""


def pytest_configure(config: pytest.Config) -> None:
    """Mark the session's environment (before xdist starts its workers, which inherit it)."""
    os.environ.setdefault(processes.MARK, uuid.uuid4().hex)
    config.stash[_LEFT_KEY] = []


def _marks() -> dict[str, str]:
    marks = {processes.MARK: os.environ[processes.MARK]}
    if "PYTEST_XDIST_WORKER" in os.environ:  # this worker's processes only
        marks["PYTEST_XDIST_WORKER"] = os.environ["PYTEST_XDIST_WORKER"]
    return marks


@pytest.hookimpl(optionalhook=True)  # an xdist hook: unknown without xdist
def pytest_testnodedown(node: Any, error: Any) -> None:
    """(xdist controller) Keep what a worker found left running."""
    node.config.stash[_LEFT_KEY].extend(getattr(node, "workeroutput", {}).get(LEFT, []))


@pytest.hookimpl(trylast=True)  # after xdist has stopped its workers
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the session if a process it started is still running; end those."""
    if not os.path.isdir("/proc"):
        return
    left = processes.leftovers(_marks(), wait=LEFT_WAIT)
    lines = [p.line() for p in left]
    processes.kill(left)
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: the controller reports and fails
        workeroutput[LEFT] = lines
        return
    lines += session.config.stash[_LEFT_KEY]
    if not lines:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    message = ("processes started by the tests were still running at the end of the session "
               "(now killed):\n  " + "\n  ".join(dict.fromkeys(lines)))
    if reporter is not None:
        reporter.write_sep("=", "left running", red=True)
        reporter.write_line(message)
    else:
        sys.stderr.write(message + "\n")
    if session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session", autouse=True)
def _no_user_files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test reads the user's config file or writes to the user's log directory
    (crawls started by the demo inherit this environment too). Every test server is
    on 127.0.0.1, which the private-address policy refuses unless allowed: tests allow
    127.0.0.0/8 (and only that); tests of the policy itself take it away again."""
    home = tmp_path_factory.mktemp("twinwatch-user")
    names = ("TWINWATCH_CONFIG", "TWINWATCH_LOG_DIR", "TWINWATCH_ALLOW_PRIVATE")
    saved = {k: os.environ.get(k) for k in names}
    os.environ["TWINWATCH_CONFIG"] = str(home / "config.toml")
    os.environ["TWINWATCH_LOG_DIR"] = str(home / "log")
    os.environ["TWINWATCH_ALLOW_PRIVATE"] = "127.0.0.0/8"
    yield
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "twinwatch.db"


@pytest.fixture
def db(db_path: Path):
    database = open_db(db_path)
    yield database
    database.close()


@pytest.fixture
def pm() -> PluginManager:
    """Only the twinwatch distribution's own plugins, so nothing installed elsewhere leaks in."""
    return make_plugin_manager(distribution="twinwatch")


@dataclass
class Route:
    """What the test server answers for one path."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})
    hang: float = 0.0
    """Seconds to sleep before answering (a hanging server), or until :meth:`TestServer.release`."""
    etag: str | None = None
    """When set, answer 304 to a matching If-None-Match."""
    drip: float = 0.0
    """Seconds between single bytes of the body (a slow-drip server)."""
    truncate: int | None = None
    """Send only this many bytes of the body after announcing all of them."""
    then: Route | None = None
    """After answering once, answer with this route from then on."""


class TestServer:
    """A threaded HTTP server on 127.0.0.1 whose routes a test sets and changes."""

    __test__ = False  # a helper, not a test class

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {"/robots.txt": Route(b"User-agent: *\nAllow: /\n",
                                                              headers={"Content-Type": "text/plain"})}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.posts: list[tuple[str, dict[str, str], bytes]] = []
        self._stop = threading.Event()
        self._released = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                server.posts.append((self.path, dict(self.headers), self.rfile.read(length)))
                route = server.routes.get(self.path, Route(b"{}"))
                self.send_response(route.status)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)

            def do_GET(self) -> None:
                server.requests.append((self.path, dict(self.headers)))
                route = server.routes.get(self.path)
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if route.then is not None:
                    server.routes[self.path] = route.then
                if route.hang:
                    server._released.wait(route.hang)
                    if server._stop.is_set():
                        return
                if route.etag and self.headers.get("If-None-Match") == route.etag:
                    self.send_response(304)
                    self.send_header("ETag", route.etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(route.status)
                for k, v in route.headers.items():
                    self.send_header(k, v)
                if route.etag:
                    self.send_header("ETag", route.etag)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                body = route.body if route.truncate is None else route.body[: route.truncate]
                if route.drip:
                    for i in range(len(body)):
                        if server._stop.wait(route.drip):
                            return
                        try:
                            self.wfile.write(body[i : i + 1])
                            self.wfile.flush()
                        except OSError:  # the client gave up: that is the point
                            return
                else:
                    self.wfile.write(body)
                if route.truncate is not None:
                    self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(SHUTDOWN_POLL,), daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def set(self, path: str, body: bytes | str = b"", **kw: object) -> str:
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.routes[path] = Route(body, **kw)  # type: ignore[arg-type]
        return self.url(path)

    def start(self) -> TestServer:
        self.thread.start()
        return self

    def release(self) -> None:
        """Answer every hanging request now, and later ones without hanging: for a test
        that needs a request held only until it has seen what it waits for."""
        self._released.set()

    def stop(self) -> None:
        self._stop.set()
        self._released.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def http_server() -> Iterator[TestServer]:
    """A local server that stops with the test (hanging handlers are released)."""
    server = TestServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def thirdparty_plugin(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """pip-install tests/data/thirdparty_plugin into a temporary directory (never into the
    venv) and return the environment that puts it on the path of a ``twinwatch`` run.

    Installed once per test run: pytest-xdist workers share the run's base temporary
    directory, so the first worker to get here installs (5 s of pip) while holding a file
    lock and the others reuse its directory, which nothing writes to afterwards."""
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp()
    if "PYTEST_XDIST_WORKER" in os.environ:
        shared = shared.parent  # the run's directory, above each worker's own
    target = shared / "thirdparty-site"
    with FileLock(str(shared / "thirdparty-site.lock")):
        if not (target / ".installed").exists():
            subprocess.run(
                [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                 "--no-index", "--target", str(target), str(DATA / "thirdparty_plugin")],
                check=True, capture_output=True, text=True, timeout=120,
            )
            build = DATA / "thirdparty_plugin" / "build"
            if build.exists():
                import shutil

                shutil.rmtree(build, ignore_errors=True)
            (target / ".installed").touch()
    return {"PYTHONPATH": str(target)}


REACTOR_COMMANDS = {("crawl",), ("demo",), ("tui",), ("browse",), ("sources", "test")}
"""Commands that start Scrapy's reactor, a server or the dashboard: they run in a child
process (a reactor cannot restart within one process). Every other command runs in
this process through click's CliRunner, as sqlite-utils tests its CLI."""


@dataclass
class Ran:
    """What a ``twinwatch`` run gave, in :class:`subprocess.CompletedProcess`'s names."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    elapsed: float = 0.0


def _in_process(args: list[str], env: dict[str, str | None], input: str | None) -> Ran:
    """``twinwatch ARGS`` through the console script's own entry point (so a bug is
    reported as the installed command reports it), with CliRunner's isolated streams
    and environment."""
    from click.testing import CliRunner

    from monitor.cli import main

    runner = CliRunner()
    saved_argv, saved_cwd = sys.argv, os.getcwd()
    with runner.isolation(input=input, env=env) as (out, err, _):
        sys.argv = ["twinwatch", *args]
        os.chdir(ROOT)
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            sys.argv = saved_argv
            os.chdir(saved_cwd)
        stdout, stderr = out.getvalue().decode("utf-8", "replace"), err.getvalue().decode("utf-8", "replace")
    return Ran(["twinwatch", *args], code, stdout, stderr)


def run_twinwatch(db_path: Path, home: Path, *args: str, check: bool = True, timeout: float = 90,
                  env: dict[str, str] | None = None, input: str | None = None) -> Any:
    """``twinwatch --db DB_PATH ARGS`` with the config file and log directory under
    ``home``, as the :func:`twinwatch` fixture runs it (in this process or in a child,
    by the same rule); for tests that work on more than one database."""
    ours = {"TWINWATCH_CONFIG": str(home / "config.toml"),
            "TWINWATCH_LOG_DIR": str(home / "log"), **(env or {})}
    started = time.monotonic()
    child = (tuple(args[:1]) in REACTOR_COMMANDS or tuple(args[:2]) in REACTOR_COMMANDS
             or any(not k.startswith("TWINWATCH_") for k in env or {}))
    if child:
        full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **ours}
        full_env.pop("TWINWATCH_DB", None)
        if "TWINWATCH_CONTACT" not in (env or {}):
            full_env.pop("TWINWATCH_CONTACT", None)
        proc: Any = processes.run(
            [sys.executable, "-m", "monitor", "--db", str(db_path), *args],
            timeout=timeout, env=full_env, cwd=ROOT, input=input,
        )
    else:
        unset: dict[str, str | None] = {"TWINWATCH_DB": None}
        if "TWINWATCH_CONTACT" not in (env or {}):
            unset["TWINWATCH_CONTACT"] = None
        proc = _in_process(["--db", str(db_path), *args], {**unset, **ours}, input)
    proc.elapsed = time.monotonic() - started
    if check and proc.returncode != 0:
        raise AssertionError(
            f"twinwatch {' '.join(args)} exited {proc.returncode}\n"
            f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        )
    return proc


@pytest.fixture
def twinwatch(db_path: Path, tmp_path: Path) -> Callable[..., Any]:
    """Run ``twinwatch --db <db_path> ARGS``; returns what it printed and its exit code
    (``stdout``, ``stderr``, ``returncode``, ``elapsed``). ``env`` adds environment
    variables, ``input`` is standard input.

    Commands in :data:`REACTOR_COMMANDS`, and any run whose ``env`` sets more than
    twinwatch's own variables (a ``PYTHONPATH`` with another plugin), run in a child
    process; the others in this process. The config file and the log directory are
    under ``tmp_path`` (``config.toml``, ``log/``), so no test reads or writes the
    user's own."""

    def run(*args: str, check: bool = True, timeout: float = 90, env: dict[str, str] | None = None,
            input: str | None = None) -> Any:
        return run_twinwatch(db_path, tmp_path, *args, check=check, timeout=timeout, env=env, input=input)

    return run
