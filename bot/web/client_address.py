"""The client's address: the peer, or what trusted reverse proxies say in X-Forwarded-For.

A header anyone can send must not choose the address a login throttle counts against, so it is read
only when the peer is one of TRUSTED_PROXIES, and then from the right: each proxy appends the address
it got the request from, so the first address from the right that is not a trusted proxy is the client
(anything left of it may be made up by the client).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
UNKNOWN = "unknown"


def trusted_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    return address.ipv4_mapped or address if isinstance(address, ipaddress.IPv6Address) else address


def client_address(peer: str | None, forwarded_for: Iterable[str], trusted: tuple[Network, ...]) -> str:
    """`peer` is the TCP peer; `forwarded_for` every X-Forwarded-For header, in order."""
    current = _address(peer or "")
    if current is None:
        return UNKNOWN
    hops = [hop for header in forwarded_for for hop in header.split(",")]
    while any(current in network for network in trusted) and hops:
        previous = _address(hops.pop())
        if previous is None:  # a malformed hop: stop at the last address we could trust
            break
        current = previous
    return str(current)
