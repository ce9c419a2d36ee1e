"""Fetching a partner's `media_url`: the one place our server makes a request to an address someone else chose.

So it refuses what a server-side request forgery needs: schemes other than http(s), names that resolve to a
private, loopback, link-local or otherwise non-public address (unless `allow_private`, for tests and closed
networks), and DNS rebinding (the connection goes to the very address that was checked, with the original name
for Host and TLS). Redirects are followed by hand, each hop checked again. The body is read in chunks and the
download stops at `max_bytes`; the whole fetch has one deadline.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass

import httpx

from bot.i18n import N_

MAX_REDIRECTS = 3
REDIRECTS = frozenset({301, 302, 303, 307, 308})
CHUNK_BYTES = 64 * 1024

BAD_URL = N_("only http and https URLs are fetched")
NOT_PUBLIC = N_("it points at a private or local network address")
UNKNOWN_HOST = N_("its host name does not resolve")
TOO_LARGE = N_("the file is larger than the photo size limit")
TOO_SLOW = N_("it did not arrive in time")
HTTP_ERROR = N_("the server answered with an error")
TOO_MANY_REDIRECTS = N_("it redirects too often")
UNREACHABLE = N_("the server could not be reached")


class MediaError(Exception):
    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem  #: English source, translated for the partner


@dataclass(frozen=True)
class FetchRules:
    max_bytes: int
    timeout_s: float
    allow_private: bool = False


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


async def fetch_media(url: str, rules: FetchRules) -> bytes:
    """The bytes at `url` (at most max_bytes), or MediaError saying why not."""
    try:
        async with asyncio.timeout(rules.timeout_s), httpx.AsyncClient(timeout=rules.timeout_s) as client:
            for _ in range(MAX_REDIRECTS + 1):
                outcome = await _one_hop(client, url, rules)
                if isinstance(outcome, bytes):
                    return outcome
                url = outcome
    except TimeoutError:
        raise MediaError(TOO_SLOW) from None
    except httpx.HTTPError:
        raise MediaError(UNREACHABLE) from None
    raise MediaError(TOO_MANY_REDIRECTS)


async def _one_hop(client: httpx.AsyncClient, url: str, rules: FetchRules) -> bytes | str:
    """The body, or the URL a redirect points to."""
    target = _checked_url(url)
    address = await _checked_address(target, rules)
    pinned = target.copy_with(host=address)
    headers = {"Host": target.netloc.decode("ascii"), "Accept": "image/*"}
    request = client.build_request("GET", pinned, headers=headers, extensions={"sni_hostname": target.host})
    response = await client.send(request, stream=True)
    try:
        if response.status_code in REDIRECTS and "location" in response.headers:
            return str(target.join(response.headers["location"]))
        if response.status_code != 200:
            raise MediaError(HTTP_ERROR)
        return await _capped_body(response, rules.max_bytes)
    finally:
        await response.aclose()


def _checked_url(url: str) -> httpx.URL:
    try:
        target = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        raise MediaError(BAD_URL) from None
    if target.scheme not in ("http", "https") or not target.host:
        raise MediaError(BAD_URL)
    return target


async def _checked_address(target: httpx.URL, rules: FetchRules) -> str:
    port = target.port or (443 if target.scheme == "https" else 80)
    try:
        found = await asyncio.get_running_loop().getaddrinfo(target.host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise MediaError(UNKNOWN_HOST) from None
    addresses = [str(info[4][0]) for info in found]
    if not addresses:
        raise MediaError(UNKNOWN_HOST)
    if not rules.allow_private and not all(is_public(address) for address in addresses):
        raise MediaError(NOT_PUBLIC)
    return addresses[0]


async def _capped_body(response: httpx.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise MediaError(TOO_LARGE)
    body = bytearray()
    async for chunk in response.aiter_bytes(CHUNK_BYTES):
        body.extend(chunk)
        if len(body) > max_bytes:
            raise MediaError(TOO_LARGE)
    return bytes(body)
