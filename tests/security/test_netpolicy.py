"""The private-address policy: refused by default for the source URL, after every
redirect and after DNS, allowed only by an explicit list. Every crawl here is a real
``twinwatch crawl`` against servers on 127.0.0.0/8; nothing connects beyond it."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from monitor.errors import ConfigError
from monitor.net.policy import NetPolicy, Refused, load_policy, parse_networks
from tests.conftest import ROOT
from tests.helpers import PARTNERS, page

NO_ALLOW = {"TWINWATCH_ALLOW_PRIVATE": ""}

REFUSED = [
    "127.0.0.1", "127.8.9.10", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254",
    "100.64.0.1", "0.0.0.0", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
    "192.0.2.1", "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "2001:db8::1",
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1",
    "2002:7f00:1::1", "64:ff9b::a00:1", "2001:0:4136:e378:8000:63bf:80ff:fffe",
]
PUBLIC = ["8.8.8.8", "93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]


@pytest.mark.parametrize("ip", REFUSED)
def test_non_public_addresses_are_refused(ip):
    """Private, loopback, link-local, multicast, reserved, unspecified, and IPv6 forms embedding them."""
    why = NetPolicy().problem(ip)
    assert why is not None and why.startswith("refused: ") and "see [network] allow_private" in why


@pytest.mark.parametrize("ip", PUBLIC)
def test_public_addresses_pass(ip):
    """A public unicast address (also mapped into IPv6) is fetched."""
    assert NetPolicy().problem(ip) is None


def test_allow_list_opens_only_its_ranges():
    """Allowing 127.0.0.0/8 allows 127.x and its IPv4-mapped form, nothing else."""
    policy = NetPolicy(parse_networks(["127.0.0.0/8"], "test"))
    assert policy.problem("127.0.0.1") is None and policy.problem("::ffff:127.0.0.5") is None
    assert policy.problem("::1") is not None and policy.problem("10.0.0.1") is not None
    assert "10.0.0.1 is a private address" in (policy.problem("10.0.0.1") or "")


def test_policy_reads_config_and_environment(monkeypatch):
    """[network] allow_private and TWINWATCH_ALLOW_PRIVATE add up; a bad CIDR is a config error."""
    monkeypatch.setenv("TWINWATCH_ALLOW_PRIVATE", "10.1.0.0/16, ::1")
    policy = load_policy({"network": {"allow_private": ["192.168.0.0/24"]}})
    assert [str(n) for n in policy.allowed] == ["192.168.0.0/24", "10.1.0.0/16", "::1/128"]
    monkeypatch.setenv("TWINWATCH_ALLOW_PRIVATE", "")
    assert load_policy({}).allowed == ()
    with pytest.raises(ConfigError, match="not an IP network"):
        load_policy({"network": {"allow_private": ["localhost"]}})
    with pytest.raises(ConfigError, match="list of CIDRs"):
        load_policy({"network": {"allow_private": "127.0.0.0/8"}})


def test_names_are_resolved_and_every_address_checked():
    """``localhost`` and odd spellings of 127.0.0.1 resolve to a refused address."""
    for url in ("http://localhost/", "http://127.1/", "http://2130706433/", "http://[::1]:80/",
                "http://[::ffff:7f00:1]/"):
        with pytest.raises(Refused):
            NetPolicy().check_url(url)
    with pytest.raises(Refused, match="only http and https"):
        NetPolicy().check_url("file:///etc/passwd")


def _state(twinwatch) -> dict[str, dict]:
    return {s["url"]: s for s in json.loads(twinwatch("sources", "list", "--json").stdout)}


@pytest.mark.slow
def test_loopback_source_refused_without_any_request(http_server, twinwatch):
    """Without the allow setting, a source on 127.0.0.1 fails as refused and the server sees nothing."""
    url = http_server.set("/p.html", page(PARTNERS))
    twinwatch("sources", "add", url)  # allowed while adding (the test session allows 127/8)
    out = twinwatch("crawl", "--all", "--timeout", "5", env=NO_ALLOW)
    assert "1 failed" in out.stdout
    assert http_server.requests == []  # not even robots.txt
    state = _state(twinwatch)[url]
    assert state["last_status"] == "refused"
    assert state["last_error"] == "refused: 127.0.0.1 is a loopback address; see [network] allow_private"


@pytest.mark.slow
def test_localhost_refused_in_middleware_and_in_resolver(http_server, twinwatch):
    """``localhost`` is refused by the middleware; with the middleware switched off, by the resolver."""
    url = http_server.set("/p.html", page(PARTNERS)).replace("127.0.0.1", "localhost")
    twinwatch("sources", "add", url, env={"TWINWATCH_ALLOW_PRIVATE": "127.0.0.0/8,::1"})
    twinwatch("crawl", "--all", "--timeout", "5", env=NO_ALLOW)
    state = _state(twinwatch)[url]
    assert state["last_status"] == "refused" and "localhost resolves to" in state["last_error"]
    bypass = json.dumps({"DOWNLOADER_MIDDLEWARES": {"spiders.netpolicy.NetPolicyMiddleware": None}})
    twinwatch("crawl", "--all", "--timeout", "5", env={**NO_ALLOW, "TWINWATCH_SCRAPY_SETTINGS": bypass})
    state = _state(twinwatch)[url]
    assert state["last_status"] == "refused", state
    assert state["last_error"].startswith("refused: localhost resolves to 127.0.0.1 is a loopback address")
    assert http_server.requests == []


@pytest.mark.slow
def test_redirect_to_a_refused_address_never_connects(http_server, twinwatch, second_loopback):
    """Allowing only 127.0.0.1/32, a redirect to 127.0.0.2 is refused and 127.0.0.2 sees no connection."""
    target = f"http://127.0.0.2:{second_loopback.port}/secret"
    url = http_server.set("/r.html", b"", status=302, headers={"Location": target})
    twinwatch("sources", "add", url)
    out = twinwatch("crawl", "--all", "--timeout", "5", env={"TWINWATCH_ALLOW_PRIVATE": "127.0.0.1/32"})
    assert "1 failed" in out.stdout
    assert second_loopback.connections == 0
    assert [p for p, _ in http_server.requests] == ["/robots.txt", "/r.html"]
    state = _state(twinwatch)[url]
    assert state["last_status"] == "refused"
    assert "127.0.0.2 is a loopback address" in state["last_error"]
    # the same crawl with 127.0.0.2 allowed does connect: the test can fail
    twinwatch("crawl", "--all", "--timeout", "3", env={"TWINWATCH_ALLOW_PRIVATE": "127.0.0.0/8"})
    assert second_loopback.connections >= 1


@pytest.mark.slow
def test_redirect_to_another_scheme_is_refused(http_server, twinwatch):
    """A redirect to file: is refused with a readable message, not left as an HTTP 302."""
    url = http_server.set("/f.html", b"", status=302, headers={"Location": "file:///etc/passwd"})
    twinwatch("sources", "add", url)
    twinwatch("crawl", "--all", "--timeout", "5")
    state = _state(twinwatch)[url]
    assert state["last_status"] == "refused" and "redirect to a file: URL" in state["last_error"]


@pytest.mark.slow
def test_sources_add_and_test_refuse_private_addresses(http_server, twinwatch):
    """``sources add`` and ``sources test`` refuse a private address up front (exit 2), fetching nothing."""
    url = http_server.set("/p.html", page(PARTNERS))
    for args in (("sources", "add", "http://10.0.0.1/x"), ("sources", "add", url),
                 ("sources", "add", url.replace("127.0.0.1", "localhost")), ("sources", "test", url)):
        proc = twinwatch(*args, check=False, env=NO_ALLOW)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert "refused: " in proc.stderr and "allow_private" in proc.stderr
    assert http_server.requests == []
    assert twinwatch("sources", "test", url).returncode == 0  # allowed: it fetches
    assert any(p == "/p.html" for p, _ in http_server.requests)


@pytest.mark.slow
def test_demo_allows_its_own_loopback_web(twinwatch):
    """``twinwatch demo`` works with no allow setting of its own: it allows 127.0.0.0/8 itself."""
    out = twinwatch("demo", "--no-tui", env=NO_ALLOW, timeout=300)
    assert "refused" not in out.stdout + out.stderr
    assert "0 failed" in out.stderr


def test_documented_network_config_parses():
    """The [network] example in docs/security.md is a valid policy allowing what it says."""
    import re
    import tomllib
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "security.md").read_text()
    block = re.search(r"```toml\n(\[network\].*?)```", doc, re.S)
    assert block, "docs/security.md has a [network] example"
    policy = load_policy(tomllib.loads(block.group(1)))
    assert policy.problem("10.20.3.4") is None and policy.problem("10.21.0.1") is not None


def test_crawl_settings_carry_the_allow_list_of_this_run():
    """The crawl's settings take the allowed networks from this run's environment."""
    from spiders import settings

    values = settings.as_dict()
    assert values["TWINWATCH_ALLOW_PRIVATE"] == ["127.0.0.0/8"]  # from the test session's environment


def _family(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        with contextlib.suppress(OSError):
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fp:
                    todo += [int(c) for c in fp.read().split()]
    return found


def _listening_ports(pids: list[int]) -> set[int]:
    """The TCP ports on which one of ``pids`` holds a listening socket."""
    inodes: set[str] = set()
    for p in pids:
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{p}/fd"):
                with contextlib.suppress(OSError):
                    link = os.readlink(f"/proc/{p}/fd/{fd}")
                    if link.startswith("socket:["):
                        inodes.add(link[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as fp:
            for line in fp.readlines()[1:]:
                fields = line.split()
                if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                    ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


@pytest.mark.slow
def test_a_running_crawl_listens_on_no_port(http_server, db_path, tmp_path):
    """While a crawl is fetching, none of its processes listens on a TCP port: no
    telnet console, no remote-control server that would run code sent to it."""
    url = http_server.set("/slow.html", page(PARTNERS), hang=15)  # until the ports are read
    env = {**os.environ, "TWINWATCH_CONFIG": str(tmp_path / "config.toml"),
           "TWINWATCH_LOG_DIR": str(tmp_path / "log"),
           "XDG_STATE_HOME": str(tmp_path / "state")}  # where a remote control would write its job file
    env.pop("TWINWATCH_DB", None)
    base = [sys.executable, "-m", "monitor", "--db", str(db_path)]
    subprocess.run([*base, "sources", "add", url], env=env, cwd=ROOT, check=True, capture_output=True,
                   timeout=60)
    proc = subprocess.Popen([*base, "crawl", "--all", "--timeout", "20"], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not any(p == "/slow.html" for p, _ in http_server.requests):
            assert time.monotonic() < deadline and proc.poll() is None, "the crawl never asked for the page"
            time.sleep(0.05)
        listening = _listening_ports(_family(proc.pid))
        http_server.release()
        out, err = proc.communicate(timeout=60)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
    assert proc.returncode == 0 and "1 fetched" in out, out + err
    assert listening == set()
