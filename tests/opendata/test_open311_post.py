"""Conformance: POST requests (form-encoded and multipart), its every refusal, tokens, keys and their limits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.admin.audit import EventTag
from bot.admin.models import AuditEvent
from bot.reports.models import Photo, Report, StatusChange
from bot.reports.statuses import Status
from bot.runtime import WebRuntime
from opendata.keys import revoke_key
from opendata.models import ApiKey, PartnerRequest
from tests.factories import FILED_AT, HUANGPU, jpeg_bytes
from tests.opendata.helpers import BASE, Open311Client, errors_of, partner_key

FORMATS = ("xml", "json")


def form(api_key: str, **extra: str) -> dict[str, str]:
    return {
        "api_key": api_key,
        "service_code": "fire_exit",
        "lat": str(HUANGPU[0]),
        "long": str(HUANGPU[1]),
        "attribute[in_danger]": "no",
        "description": "Exit chained shut",
        "locale": "en",
        **extra,
    }


async def test_a_partner_files_a_report_that_enters_the_queue(api: Open311Client, product: WebRuntime) -> None:
    key = await partner_key("12345 hotline")
    answer = await api.post(f"{BASE}/requests.json", form(key.token, account_id="caller-778"))
    assert answer.status == 201, answer.text
    [created] = answer.json()
    assert created["account_id"] == "caller-778" and "reviews it within 24 hours" in created["service_notice"]
    report = await Report.get(id=created["service_request_id"])
    assert (report.status, report.source, report.reporter_id, report.cell) == (
        Status.SUBMITTED, "open311", None, "huangpu-0402"
    )  # fmt: skip
    assert report.moderation_due_at == FILED_AT + timedelta(hours=24)  # the SLA clock runs from the filing
    partner = await PartnerRequest.get(report_id=report.id)
    assert (partner.api_key_id, partner.account_id, partner.attributes) == (
        key.key.id,
        "caller-778",
        {"in_danger": "no"},
    )
    audit = await AuditEvent.get(action=EventTag.OPEN311_POST)
    assert (audit.report_id, audit.data["key"]) == (report.id, "12345 hotline")
    assert (await ApiKey.get(id=key.key.id)).last_used_at is not None


async def test_the_answer_comes_in_xml_too(api: Open311Client) -> None:
    key = await partner_key()
    answer = await api.post(f"{BASE}/requests.xml", form(key.token))
    assert answer.status == 201 and answer.content_type == "text/xml; charset=utf-8"
    request = answer.xml().find("request")
    assert request is not None and request.findtext("service_request_id", "").isdigit()


async def test_contact_fields_are_taken_but_never_kept(api: Open311Client) -> None:
    key = await partner_key()
    contact = {"first_name": "San", "last_name": "Zhang", "email": "zs@example.cn", "phone": "13800138000"}
    answer = await api.post(f"{BASE}/requests.json", form(key.token, **contact))
    report_id = answer.json()[0]["service_request_id"]
    stored = [str(v) for v in (await PartnerRequest.get(report_id=report_id).values()).values()]
    stored += [str(v) for v in (await Report.get(id=report_id).values()).values()]
    assert not [v for v in stored if any(secret in v for secret in contact.values())]


async def test_markup_is_removed_from_the_description(api: Open311Client) -> None:
    key = await partner_key()
    text = "<p>Exit <b>chained</b></p><script>alert(1)</script>second&nbsp;line &lt;i&gt;x&lt;/i&gt;"
    answer = await api.post(f"{BASE}/requests.json", form(key.token, description=text))
    report = await Report.get(id=answer.json()[0]["service_request_id"])
    assert report.description == "Exit chained\nsecond\xa0line x"


async def test_a_multivaluelist_takes_several_values(api: Open311Client) -> None:
    key = await partner_key()
    data = [*form(key.token).items(), ("attribute[exit_state][]", "locked"), ("attribute[exit_state][]", "blocked")]
    answer = await api.post(f"{BASE}/requests.json", data)
    partner = await PartnerRequest.get(report_id=answer.json()[0]["service_request_id"])
    assert partner.attributes == {"in_danger": "no", "exit_state": ["locked", "blocked"]}


async def test_a_retried_post_with_the_same_token_files_nothing_new(api: Open311Client) -> None:
    key = await partner_key()
    first = await api.post(f"{BASE}/requests.json", form(key.token, token="hotline-2026-0001"))
    again = await api.post(f"{BASE}/requests.json", form(key.token, token="hotline-2026-0001"))
    assert (first.status, again.status) == (201, 200)
    assert first.json()[0]["service_request_id"] == again.json()[0]["service_request_id"]
    assert await Report.all().count() == 1


@pytest.mark.parametrize("fmt", FORMATS)
async def test_a_token_leads_to_its_request(api: Open311Client, fmt: str) -> None:
    key = await partner_key()
    created = (await api.post(f"{BASE}/requests.json", form(key.token, token="hl-77"))).json()[0]
    answer = await api.get(f"{BASE}/tokens/hl-77.{fmt}")
    assert answer.status == 200
    if fmt == "json":
        assert answer.json() == [{"service_request_id": created["service_request_id"], "token": "hl-77"}]
    else:
        request = answer.xml().find("request")
        assert request is not None and request.findtext("token") == "hl-77"
        assert request.findtext("service_request_id") == str(created["service_request_id"])
    missing = await api.get(f"{BASE}/tokens/nope.{fmt}", locale="en")
    assert missing.status == 404 and errors_of(missing, fmt) == [(404, "token nope not found")]


async def test_another_partners_token_is_refused(api: Open311Client) -> None:
    first, second = await partner_key("hotline"), await partner_key("mini-program")
    await api.post(f"{BASE}/requests.json", form(first.token, token="shared"))
    answer = await api.post(f"{BASE}/requests.json", form(second.token, token="shared"))
    assert answer.status == 400 and errors_of(answer, "json") == [
        (400, "token shared is already used by another partner")
    ]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("change", "drop", "status", "description"),
    [
        ({}, "service_code", 400, "service_code is required"),
        ({"service_code": "potholes"}, None, 404, "service_code potholes not found"),
        ({}, "lat", 400, "lat and long must both be given, as decimal degrees (WGS84)"),
        ({"lat": "north"}, None, 400, "lat and long must both be given, as decimal degrees (WGS84)"),
        ({"lat": "0", "long": "0"}, None, 400, "the request was refused: lat and long are 0, 0: no position"),
        ({"lat": "", "long": ""}, None, 400, "a location is required: lat and long, or address_string"),
        ({"lat": "", "long": "", "address_id": "A-17"}, None, 400, "address_id is not supported here: send lat and long (WGS84)"),  # noqa: E501
        ({"lat": "", "long": "", "address_string": "1 Zhongshan Rd"}, None, 400,
         "address_string alone cannot be placed here (no geocoder is configured): send lat and long (WGS84) as well"),
        ({}, "attribute[in_danger]", 400, "attribute[in_danger]: this answer is required"),
        ({"attribute[in_danger]": "maybe"}, None, 400, "attribute[in_danger]: not one of the listed values"),
        ({"attribute[colour]": "red"}, None, 400, "attribute[colour]: no such question for this service"),
        ({"service_code": "ebike", "attribute[ebike_count]": "many"}, None, 400, "attribute[ebike_count]: not a number"),  # noqa: E501
        ({"attribute[in_danger]": "yes"}, None, 400,
         "Someone is in danger now: call 110 (police), 119 (fire) or 120 (ambulance). This service is not for emergencies."),  # noqa: E501
        ({"description": "x" * 4001}, None, 400, "the request was refused: description is longer than 4,000 characters"),  # noqa: E501
        ({"token": "t" * 65}, None, 400, "token may be at most 64 characters"),
        ({"media_url": "file:///etc/passwd"}, None, 400, "media_url could not be used: only http and https URLs are fetched"),  # noqa: E501
    ],
)  # fmt: skip
async def test_a_bad_request_is_refused_and_nothing_is_filed(
    api: Open311Client, fmt: str, change: dict[str, str], drop: str | None, status: int, description: str
) -> None:
    key = await partner_key()
    data = form(key.token, **change)
    if drop:
        data.pop(drop)
    answer = await api.post(f"{BASE}/requests.{fmt}", data)
    assert (answer.status, errors_of(answer, fmt)) == (status, [(status, description)])
    assert await Report.all().count() == 0


@pytest.mark.parametrize("fmt", FORMATS)
async def test_a_missing_wrong_or_revoked_key_is_a_403(api: Open311Client, fmt: str) -> None:
    key = await partner_key()
    await revoke_key(key.key.id, actor="staff:1", now=FILED_AT)
    for token, description in (
        ("", "api_key is required"),
        ("made-up", "api_key is not valid (unknown or revoked)"),
        (key.token, "api_key is not valid (unknown or revoked)"),
    ):
        answer = await api.post(f"{BASE}/requests.{fmt}", form(token))
        assert (answer.status, errors_of(answer, fmt)) == (403, [(403, description)])
    assert await Report.all().count() == 0


async def test_a_keys_rate_limit_holds(api: Open311Client) -> None:
    key = await partner_key(rate_per_min=2)
    statuses = [(await api.post(f"{BASE}/requests.json", form(key.token))).status for _ in range(3)]
    assert statuses == [201, 201, 429]
    assert await Report.all().count() == 2


def multipart(fields: dict[str, str], files: list[bytes]) -> aiohttp.FormData:
    data = aiohttp.FormData()
    for name, value in fields.items():
        data.add_field(name, value)
    for n, body in enumerate(files):
        data.add_field("media", body, filename=f"photo{n}.jpg", content_type="image/jpeg")
    return data


async def test_multipart_photos_go_through_the_photo_pipeline(api: Open311Client) -> None:
    key = await partner_key()
    answer = await api.post(
        f"{BASE}/requests.json", multipart(form(key.token), [jpeg_bytes(), jpeg_bytes((0, 90, 200))])
    )
    assert answer.status == 201
    photos = await Photo.filter(report_id=answer.json()[0]["service_request_id"]).order_by("position")
    assert [(p.owner_id, p.position, p.width_px) for p in photos] == [(None, 0, 640), (None, 1, 640)]


@pytest.mark.parametrize(
    ("files", "description"),
    [
        ([b"%PDF-1.4"], "the request was refused: the photo is not an image"),
        ([jpeg_bytes()] * 4, "at most 3 photos may be sent"),
    ],
)
async def test_a_bad_upload_files_nothing(api: Open311Client, files: list[bytes], description: str) -> None:
    key = await partner_key()
    answer = await api.post(f"{BASE}/requests.json", multipart(form(key.token), files))
    assert (answer.status, errors_of(answer, "json")) == (400, [(400, description)])
    assert await Report.all().count() == 0 and await Photo.all().count() == 0


@pytest.fixture
async def geocoder() -> AsyncIterator[tuple[str, list[str]]]:
    """A Nominatim-style geocoder on loopback that knows one address."""
    asked: list[str] = []

    async def search(request: web.Request) -> web.Response:
        asked.append(request.query["q"])
        found: list[dict[str, Any]] = []
        if request.query["q"] == "豫园路 1 号":
            found = [{"lat": str(HUANGPU[0]), "lon": str(HUANGPU[1]), "display_name": "Yuyuan"}]
        return web.json_response(found)

    app = web.Application()
    app.router.add_get("/search", search)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("/search")), asked
    await server.close()


async def test_an_address_alone_is_placed_by_the_geocoder_when_one_is_set(
    product: WebRuntime, geocoder: tuple[str, list[str]]
) -> None:
    url, asked = geocoder
    product.services.settings.geocoder_url = url  # the running product reads it per request
    api = Open311Client(product.settings.local_base_url())
    try:
        key = await partner_key()
        found = await api.post(f"{BASE}/requests.json", form(key.token, lat="", long="", address_string="豫园路 1 号"))
        unknown = await api.post(f"{BASE}/requests.json", form(key.token, lat="", long="", address_string="nowhere"))
    finally:
        await api.close()
    assert found.status == 201 and asked == ["豫园路 1 号", "nowhere"]
    report = await Report.get(id=found.json()[0]["service_request_id"])
    assert (report.lat, report.lon, report.location_source) == (HUANGPU[0], HUANGPU[1], "geocoded")
    assert (await PartnerRequest.get(report_id=report.id)).address_string == "豫园路 1 号"
    assert unknown.status == 400
    assert errors_of(unknown, "json") == [
        (400, "address_string could not be found on the map: send lat and long (WGS84)")
    ]


async def test_the_submission_is_recorded_under_the_partner(api: Open311Client) -> None:
    key = await partner_key()
    report_id = (await api.post(f"{BASE}/requests.json", form(key.token))).json()[0]["service_request_id"]
    change = await StatusChange.get(report_id=report_id)
    assert change.actor == f"partner:{key.key.id}"


async def test_errors_are_written_in_the_partners_language(api: Open311Client) -> None:
    key = await partner_key()
    data = form(key.token, locale="zh_CN")
    data.pop("service_code")
    answer = await api.post(f"{BASE}/requests.xml", data)
    assert errors_of(answer, "xml") == [(400, "缺少 service_code")]


async def test_a_refused_post_is_audited_with_the_key_and_the_reason(api: Open311Client) -> None:
    key = await partner_key("12345 hotline")
    await api.post(f"{BASE}/requests.json", form(key.token, service_code="potholes"))
    event = await AuditEvent.get(action=EventTag.OPEN311_REFUSED)
    assert event.actor == f"partner:{key.key.id}"
    assert event.data == {"key": "12345 hotline", "code": 404, "reason": "service_code potholes not found"}
