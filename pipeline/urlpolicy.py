"""One policy for every URL a claims file or an article names (server-side request forgery).

Such a URL is someone else's input, and the fetched text is copied into a report, so it must
never reach the machine's own services: http(s) only, and every address its host resolves to
must be a public one (no loopback, private, link-local such as the cloud metadata service at
169.254.169.254, multicast, reserved or unspecified address). HttpClient applies this before
each hop of a redirect. The operator's own service URLs (FACTCHECK_*_URL) are not checked.

Host:port pairs in Settings.allow_private_hosts pass (tests serving pages from 127.0.0.1).
The host is resolved here and again by the connection; a DNS server that changes its answer
between the two is not defended against.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from pipeline.errors import RefusedUrl

MAX_REDIRECTS = 5
DEFAULT_PORTS = {"http": 80, "https": 443}
Resolver = Callable[[str, int], Iterable[str]]


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (raises OSError when it does not resolve)."""
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def address_problem(address: str) -> str | None:
    """Why an address is not a public one ('loopback', 'link-local' ...), or None when it is."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone ("fe80::1%eth0")
    mapped = getattr(ip, "ipv4_mapped", None)  # ::ffff:127.0.0.1 is 127.0.0.1
    ip = mapped or ip
    for kind in ("loopback", "link_local", "multicast", "unspecified", "reserved", "private"):
        if getattr(ip, f"is_{kind}"):
            return kind.replace("_", "-")
    return None if ip.is_global else "not public"  # e.g. 100.64.0.0/10, shared address space


def check_url(url: str, source: str, allowed: frozenset[str] = frozenset(),
              resolver: Resolver = resolve) -> None:
    """Raise RefusedUrl unless `url` may be fetched; OSError when its host does not resolve."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise RefusedUrl(source, f"{url[:80]}: only http:// and https:// addresses are fetched",
                         "give the page's web address")
    try:
        host, port = parts.hostname, parts.port or DEFAULT_PORTS[scheme]
    except ValueError:  # a port that is not a number
        host, port = None, 0
    if not host:
        raise RefusedUrl(source, f"{url[:80]}: not a valid web address", "give the page's web address")
    if f"{host}:{port}" in allowed:
        return
    for address in resolver(host, port):
        problem = address_problem(address)
        if problem:
            raise RefusedUrl(
                source, f"{url[:80]}: refused, {host} is a {problem} address ({address}); nothing was fetched",
                "pages named by claims files and articles must be on the public web",
            )
