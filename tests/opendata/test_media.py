"""media_url: what a partner's URL may make our server fetch (http(s) only, public addresses only unless a setting
allows private ones, a size cap while streaming, a deadline, a few redirects) and what it does with the photo."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from io import BytesIO

import exifread
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.reports.models import Photo, Report
from bot.runtime import WebRuntime
from opendata.media import FetchRules, MediaError, fetch_media, is_public
from tests.opendata.helpers import BASE, Open311Client, errors_of, partner_key
from tests.opendata.test_open311_post import form
from tests.photos import manifest_row

GPS_PHOTO = manifest_row("iphone4_gps_rome.jpg").read_bytes()
BIG = b"\xff\xd8\xff" + b"0" * 300_000


@pytest.fixture
async def media_server() -> AsyncIterator[str]:
    """A photo host on loopback: a photo with GPS, a file too big (declared, or streamed without a length),
    a slow answer, a redirect loop, an error."""

    async def photo(_: web.Request) -> web.Response:
        return web.Response(body=GPS_PHOTO, content_type="image/jpeg")

    async def declared_big(_: web.Request) -> web.Response:
        return web.Response(body=BIG, content_type="image/jpeg")

    async def streamed_big(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        for _ in range(30):
            await response.write(b"0" * 10_000)
        await response.write_eof()
        return response

    async def slow(_: web.Request) -> web.Response:
        await asyncio.sleep(3)
        return web.Response(body=GPS_PHOTO)

    async def loop(request: web.Request) -> web.Response:
        raise web.HTTPFound(f"/loop?n={int(request.query.get('n', '0')) + 1}")

    async def moved(_: web.Request) -> web.Response:
        raise web.HTTPFound("/photo.jpg")

    async def broken(_: web.Request) -> web.Response:
        return web.Response(status=500)

    app = web.Application()
    for path, handler in (
        ("/photo.jpg", photo), ("/big.jpg", declared_big), ("/stream.jpg", streamed_big), ("/slow.jpg", slow),
        ("/loop", loop), ("/moved", moved), ("/broken", broken),
    ):  # fmt: skip
        app.router.add_get(path, handler)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("")).rstrip("/")
    await server.close()


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("127.0.0.1", False), ("10.1.2.3", False), ("172.16.0.9", False), ("192.168.1.1", False),
        ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False), ("::1", False), ("fe80::1", False),
        ("fd00::1", False), ("::ffff:127.0.0.1", False), ("224.0.0.1", False),
        ("8.8.8.8", True), ("2001:4860:4860::8888", True),
    ],
)  # fmt: skip
def test_which_addresses_count_as_public(address: str, public: bool) -> None:
    assert is_public(address) is public


async def test_loopback_is_refused_unless_the_setting_allows_it(media_server: str) -> None:
    with pytest.raises(MediaError) as refused:
        await fetch_media(f"{media_server}/photo.jpg", FetchRules(1_000_000, 5))
    assert refused.value.problem == "it points at a private or local network address"
    with pytest.raises(MediaError):
        await fetch_media(media_server.replace("127.0.0.1", "localhost") + "/photo.jpg", FetchRules(1_000_000, 5))
    assert await fetch_media(f"{media_server}/photo.jpg", FetchRules(1_000_000, 5, allow_private=True)) == GPS_PHOTO


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("/big.jpg", "the file is larger than the photo size limit"),
        ("/stream.jpg", "the file is larger than the photo size limit"),
        ("/slow.jpg", "it did not arrive in time"),
        ("/loop", "it redirects too often"),
        ("/broken", "the server answered with an error"),
    ],
)
async def test_limits_while_fetching(media_server: str, path: str, problem: str) -> None:
    with pytest.raises(MediaError) as refused:
        await fetch_media(f"{media_server}{path}", FetchRules(200_000, 1.0, allow_private=True))
    assert refused.value.problem == problem


async def test_a_redirect_is_followed_and_checked_again(media_server: str) -> None:
    assert await fetch_media(f"{media_server}/moved", FetchRules(1_000_000, 5, allow_private=True)) == GPS_PHOTO


@pytest.mark.parametrize("url", ["ftp://example.com/a.jpg", "javascript:alert(1)", "http://", "not a url"])
async def test_only_http_and_https(url: str) -> None:
    with pytest.raises(MediaError) as refused:
        await fetch_media(url, FetchRules(1_000_000, 5))
    assert refused.value.problem == "only http and https URLs are fetched"


async def test_an_unknown_host_is_refused() -> None:
    with pytest.raises(MediaError) as refused:
        await fetch_media("http://no-such-host.invalid/a.jpg", FetchRules(1_000_000, 5))
    assert refused.value.problem == "its host name does not resolve"


async def test_by_default_a_partner_cannot_make_us_fetch_our_own_network(api: Open311Client, media_server: str) -> None:
    key = await partner_key()
    answer = await api.post(f"{BASE}/requests.json", form(key.token, media_url=f"{media_server}/photo.jpg"))
    assert answer.status == 400
    assert errors_of(answer, "json") == [
        (400, "media_url could not be used: it points at a private or local network address")
    ]
    assert await Report.all().count() == 0


@pytest.mark.settings(media_fetch_allow_private=True)
async def test_a_fetched_photo_is_stored_stripped_of_its_exif(
    api: Open311Client, media_server: str, product: WebRuntime
) -> None:
    key = await partner_key()
    answer = await api.post(f"{BASE}/requests.json", form(key.token, media_url=f"{media_server}/photo.jpg"))
    assert answer.status == 201, answer.text
    [photo] = await Photo.filter(report_id=answer.json()[0]["service_request_id"])
    stored = await product.services.storage.get(photo.storage_key)
    assert exifread.process_file(BytesIO(stored), details=False) == {}
    assert photo.exif_lat is not None  # read before stripping, kept for staff only
