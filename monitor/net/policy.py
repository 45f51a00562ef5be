"""Which network addresses twinwatch may fetch from: the private-address policy.

A source URL comes from a curator, but a redirect or a DNS answer comes from the
web. Without a policy, a page on the internet could point the crawler at the
curator's router, a cloud metadata service (169.254.169.254) or a database on
localhost, and twinwatch would store and show what answered. So every address a
request would go to is checked before connecting: private, loopback, link-local,
multicast, reserved, unspecified and shared (CGNAT) addresses are refused, for
IPv4 and IPv6, IPv6 forms that embed an IPv4 address (mapped, 6to4, Teredo,
NAT64) judged by the address they embed.

An explicit allow list opens ranges again (tests, the demo and a crawler that
watches an intranet): ``[network] allow_private = ["127.0.0.0/8"]`` in the config
file, and ``TWINWATCH_ALLOW_PRIVATE`` (comma-separated CIDRs); the two add up.

This module knows no Scrapy: the crawler's middleware and resolver
(``spiders/netpolicy.py``), ``sources add`` and ``sources test`` all ask it.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from monitor.config import load_config
from monitor.errors import ConfigError

ENV = "TWINWATCH_ALLOW_PRIVATE"
"""Environment variable: comma-separated CIDRs allowed although not public."""

SCHEMES = ("http", "https")
"""The only schemes a source or a redirect may use."""

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_SHARED = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class Refused(Exception):
    """A request the policy refuses; the message says why and how to allow it."""


def _embedded(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, Teredo, NAT64, or the
    deprecated IPv4-compatible ``::a.b.c.d``), or ``None``."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if int(ip) >> 32 == 0 and int(ip) > 1:
        return ipaddress.IPv4Address(int(ip))
    return None


def category(ip: IPAddress) -> str | None:
    """What makes ``ip`` non-public ("a loopback address", …), or ``None`` when it is a
    public unicast address."""
    inner = _embedded(ip)
    if inner is not None:
        why = category(inner)
        return f"{why} (embedded in {ip})" if why else None
    checks = (
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED, "a shared (carrier-grade NAT) address"),
        (ip.is_private, "a private address"),
        (ip.is_reserved, "a reserved address"),
        (not ip.is_global, "not a public address"),
    )
    for hit, why in checks:
        if hit:
            return why
    return None


def parse_networks(values: Iterable[str], where: str) -> tuple[IPNetwork, ...]:
    """CIDRs (or single addresses) as networks.

    Raises:
        ConfigError: a value is not an address or network, naming ``where`` it came from.
    """
    out: list[IPNetwork] = []
    for raw in values:
        text = str(raw).strip()
        if not text:
            continue
        try:
            out.append(ipaddress.ip_network(text, strict=False))
        except ValueError as exc:
            raise ConfigError(f"{where}: {text!r} is not an IP network (CIDR such as 127.0.0.0/8)") from exc
    return tuple(out)


@dataclass(frozen=True)
class NetPolicy:
    """The addresses requests may go to: every public one, plus ``allowed``."""

    allowed: tuple[IPNetwork, ...] = ()
    """Non-public networks explicitly allowed."""

    def problem(self, ip: IPAddress | str) -> str | None:
        """Why a connection to ``ip`` is refused (a readable sentence), or ``None``."""
        addr = ipaddress.ip_address(ip) if isinstance(ip, str) else ip
        why = category(addr)
        if why is None:
            return None
        candidates = [addr]
        inner = _embedded(addr)
        if inner is not None:
            candidates.append(inner)
        for net in self.allowed:
            if any(c.version == net.version and c in net for c in candidates):
                return None
        return f"refused: {addr} is {why}; see [network] allow_private"

    def check_ip(self, ip: IPAddress | str) -> None:
        """Raises:
        Refused: ``ip`` is not public and not allowed."""
        why = self.problem(ip)
        if why:
            raise Refused(why)

    def check_addresses(self, host: str, addresses: Sequence[str]) -> None:
        """Every address ``host`` resolved to must pass: one private answer among
        public ones is enough to refuse (the connection may pick any of them).

        Raises:
            Refused: naming the host and the first bad address.
        """
        for a in addresses:
            why = self.problem(a.split("%", 1)[0])
            if why:
                named = why.replace("refused: ", f"refused: {host} resolves to ", 1)
                raise Refused(why if a == host else named)

    def check_url(self, url: str, *, resolve: bool = True) -> None:
        """Check the scheme and the host of ``url``: an IP literal directly, a host name
        by resolving it (every address) when ``resolve``. A name that does not resolve
        passes: the request will fail on its own, and the resolver checks again then.

        Raises:
            Refused: a scheme other than http(s), or a refused address.
        """
        parts = urlsplit(url)
        if parts.scheme.lower() not in SCHEMES:
            raise Refused(f"refused: {parts.scheme or 'no'} scheme in {url!r}; "
                          "only http and https are fetched")
        host = parts.hostname or ""
        literal = ip_literal(host)
        if literal is not None:
            self.check_ip(literal)
            return
        if resolve:
            self.check_addresses(host, resolve_host(host, parts.port))


def ip_literal(host: str) -> IPAddress | None:
    """``host`` as an address when it is one written the standard way, else ``None``.
    Odd spellings (``127.1``, ``2130706433``, ``0x7f.1``) are not literals here: they go
    through the resolver like names, which turns them into the address they mean."""
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def resolve_host(host: str, port: int | None = None) -> list[str]:
    """Every address ``host`` resolves to (IPv4 and IPv6); ``[]`` when it does not."""
    try:
        infos = socket.getaddrinfo(host, port or 80, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    return sorted({str(info[4][0]) for info in infos})


def load_policy(config: dict[str, object] | None = None) -> NetPolicy:
    """The policy from the config file's ``[network] allow_private`` and ``$TWINWATCH_ALLOW_PRIVATE``.

    Raises:
        ConfigError: a value is not a list of CIDRs.
    """
    doc = load_config() if config is None else config
    network = doc.get("network") or {}
    if not isinstance(network, dict):
        raise ConfigError("[network] must be a table")
    listed = network.get("allow_private") or []
    if isinstance(listed, str) or not isinstance(listed, list):
        raise ConfigError('[network] allow_private must be a list of CIDRs, e.g. ["127.0.0.0/8"]')
    allowed = parse_networks(listed, "[network] allow_private")
    allowed += parse_networks(os.environ.get(ENV, "").split(","), ENV)
    return NetPolicy(allowed)


def policy_from(values: Iterable[str]) -> NetPolicy:
    """A policy from CIDR strings already read (the crawler's settings carry them)."""
    return NetPolicy(parse_networks(values, "allow_private"))
