"""Which address a request comes from: X-Forwarded-For counts only through trusted proxies."""

from __future__ import annotations

import pytest

from bot.web.client_address import UNKNOWN, client_address, trusted_networks

PROXIES = trusted_networks(["10.0.0.0/8", "192.0.2.1"])


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        pytest.param("203.0.113.5", [], "203.0.113.5", id="direct"),
        pytest.param("203.0.113.5", ["198.51.100.1"], "203.0.113.5", id="untrusted-peer-header-ignored"),
        pytest.param("10.1.2.3", ["198.51.100.1"], "198.51.100.1", id="one-proxy"),
        pytest.param("10.1.2.3", ["1.1.1.1, 198.51.100.1, 192.0.2.1"], "198.51.100.1", id="chain-rightmost-untrusted"),
        pytest.param("10.1.2.3", ["1.1.1.1", "198.51.100.1"], "198.51.100.1", id="several-headers"),
        pytest.param("10.1.2.3", ["10.0.0.9"], "10.0.0.9", id="only-proxies"),
        pytest.param("10.1.2.3", ["nonsense, 10.0.0.9"], "10.0.0.9", id="malformed-hop-stops"),
        pytest.param("10.1.2.3", [], "10.1.2.3", id="proxy-without-header"),
        pytest.param("::ffff:10.1.2.3", ["2001:db8::1"], "2001:db8::1", id="ipv4-mapped-peer"),
        pytest.param(None, ["198.51.100.1"], UNKNOWN, id="no-peer"),
    ],
)
def test_client_address(peer: str | None, forwarded: list[str], expected: str) -> None:
    assert client_address(peer, forwarded, PROXIES) == expected


def test_without_trusted_proxies_the_header_is_never_read() -> None:
    assert client_address("10.1.2.3", ["198.51.100.1"], ()) == "10.1.2.3"
