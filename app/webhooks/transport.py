"""Posting to a receiver without letting a webhook reach inside our network (SSRF).

The stdlib's http.client is enough: one POST, no redirects (it never follows them), and its
connection classes let us connect to an address we have checked while still sending the name
in the Host header and TLS SNI, so a second DNS lookup (rebinding) cannot swap the address.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from app.errors import DomainError

TIMEOUT = 5.0  #: seconds for connecting, and for the whole answer
MAX_ANSWER = 64 * 1024  #: bytes of the answer read, then the connection is closed
URL_LENGTH = 2000
METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
NAT64 = ipaddress.ip_network("64:ff9b::/96")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[..., list[Any]]


class Refused(DomainError):
    """A URL a webhook may not post to; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="url")


def unsafe(ip: Address) -> str | None:
    """Why this address is not a public one, or None when it is."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = ip.ipv4_mapped or (
            ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in NAT64 else None
        )
        if inner is not None:
            return unsafe(inner)
    if ip in METADATA:
        return "a cloud metadata address"
    checks = (
        (ip.is_loopback, "a loopback address (this machine)"),
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_reserved, "a reserved address"),
        (ip.is_private, "a private address"),
        (not ip.is_global, "not a public address"),
    )
    return next((why for bad, why in checks if bad), None)


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  #: path and query, as sent in the request line
    addresses: tuple[str, ...]  #: every address the name resolved to, all checked


def check_url(url: object, *, allow_local: bool = False, resolve: Resolver | None = None) -> Target:
    """The URL's target when it is https and every address it resolves to is public.

    `allow_local` (development and tests only) also lets plain http and loopback through.
    """
    if not isinstance(url, str) or not url.strip():
        raise Refused("Enter the https address that receives the events.")
    url = url.strip()
    if len(url) > URL_LENGTH:
        raise Refused(f"The address is too long (at most {URL_LENGTH} characters).")
    if any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise Refused("The address has spaces or control characters in it.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as err:
        raise Refused("That is not a web address: check the host and port.") from err
    schemes = {"https", "http"} if allow_local else {"https"}
    if parts.scheme.lower() not in schemes:
        raise Refused("The address must start with https:// (plain http is not encrypted).")
    if parts.username is not None or parts.password is not None:
        raise Refused("Put no user name or password in the address; the secret signs each event.")
    host = parts.hostname or ""
    if not host:
        raise Refused("The address has no host name.")
    scheme = parts.scheme.lower()
    port = port or (443 if scheme == "https" else 80)
    try:
        infos = (resolve or socket.getaddrinfo)(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as err:
        raise Refused(f"The host {host} could not be found.") from err
    addresses: list[str] = []
    for info in infos:
        text = str(info[4][0])
        try:
            ip = ipaddress.ip_address(text.split("%")[0])
        except ValueError as err:
            raise Refused(f"The host {host} has an address we cannot check.") from err
        why = unsafe(ip)
        if why and not (allow_local and ip.is_loopback):
            raise Refused(f"The host {host} is {why} ({ip}): webhooks only go to public servers.")
        addresses.append(str(ip))
    if not addresses:
        raise Refused(f"The host {host} could not be found.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme, host, port, path, tuple(dict.fromkeys(addresses)))


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the checked address; the Host header still names the host."""

    def __init__(self, target: Target, ip: str, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._ip = ip

    def connect(self) -> None:
        self.sock = socket.create_connection((self._ip, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """Connects to the checked address; SNI and the certificate check use the host name."""

    def __init__(self, target: Target, ip: str, timeout: float) -> None:
        super().__init__(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
        self._ip = ip

    def connect(self) -> None:
        sock = socket.create_connection((self._ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Answer:
    status: int
    location: str = ""  #: where a redirect pointed (never followed)


def post(target: Target, body: bytes, headers: dict[str, str], timeout: float = TIMEOUT) -> Answer:
    """POST once to the first checked address that accepts a connection; read a capped answer."""
    deadline = time.monotonic() + timeout
    last: OSError | None = None
    for ip in target.addresses:
        kind = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
        conn = kind(target, ip, timeout)
        try:
            try:
                conn.connect()
            except OSError as err:  # try the next checked address
                last = err
                continue
            conn.sock.settimeout(max(0.05, deadline - time.monotonic()))  # 5 s in all
            conn.request("POST", target.path, body=body, headers=headers)
            response = conn.getresponse()
            read = 0
            while read < MAX_ANSWER and time.monotonic() < deadline:
                chunk = response.read1(min(8192, MAX_ANSWER - read))
                if not chunk:
                    break
                read += len(chunk)
            return Answer(response.status, response.getheader("Location", "") or "")
        finally:
            conn.close()
    raise last or OSError("no address to connect to")
