"""Acceptance 3: no reporter identity on any public surface; a private-category report only as a count; photos only
by signed URLs that expire, and only once a moderator had them in view."""

from __future__ import annotations

from datetime import timedelta

import aiohttp
import pytest

from bot.reports.lifecycle import transition
from bot.reports.models import Photo, Report, Resident
from bot.reports.statuses import Status
from bot.runtime import WebRuntime
from tests.conftest import FrozenClock
from tests.factories import FILED_AT, SLA, STAFF, add_photo, follow, make_resident
from tests.opendata.helpers import BASE, Open311Client, report_at

NAME, USERNAME, TELEGRAM_ID = "Zhang Sanfeng", "zhangsan_private", 987_654_321


async def identified_report(settings: object) -> Report:
    resident = await make_resident(TELEGRAM_ID, "zh_CN", NAME)
    await Resident.filter(id=TELEGRAM_ID).update(username=USERNAME)
    report = await report_at(Status.ACCEPTED, reporter=resident, description="Exit chained shut")
    await follow(report, await make_resident(123_456_789, "en", "Li Si"))
    return report


async def test_no_reporter_identity_anywhere_in_open311_output_or_the_status_page(
    api: Open311Client, product: WebRuntime
) -> None:
    report = await identified_report(product.settings)
    await transition(
        report, Status.DISPATCHED, actor=STAFF, sla=SLA, now=FILED_AT, public_note="Sent to the street office"
    )
    paths = [
        f"{BASE}/requests.json", f"{BASE}/requests.xml", f"{BASE}/requests/{report.id}.json",
        f"{BASE}/requests/{report.id}.xml", f"{BASE}/servicerequestupdates.json", f"{BASE}/servicerequestupdates.xml",
        "/status/map.json", f"/status?report={report.id}", "/status",
    ]  # fmt: skip
    texts = [(await api.get(path, extensions="true")).text for path in paths]
    assert all(str(report.id) in text for text in texts[:6])  # the report is there...
    for text in texts:  # ...its reporter and follower are not
        for secret in (NAME, USERNAME, str(TELEGRAM_ID), "Li Si", "123456789"):
            assert secret not in text


async def test_a_private_category_report_appears_only_as_a_count(api: Open311Client, product: WebRuntime) -> None:
    private = await report_at(Status.ACCEPTED, category="ebike", description="Charging in room 302")
    public = await report_at(Status.ACCEPTED, category="fire_exit")
    listed = [r["service_request_id"] for r in (await api.get(f"{BASE}/requests.json")).json()]
    assert listed == [public.id]
    by_id = await api.get(f"{BASE}/requests.json", service_request_id=str(private.id))
    assert by_id.json() == []
    feed = (await api.get(f"{BASE}/servicerequestupdates.json")).json()
    assert {u["service_request_id"] for u in feed} == {public.id}
    features = [f for f in (await api.get("/status/map.json")).json()["features"] if "district" not in f["properties"]]
    points = [f["properties"].get("id") for f in features if "id" in f["properties"]]
    counts = [f["properties"] for f in features if "private_count" in f["properties"]]
    assert points == [public.id] and counts == [{"cell": "huangpu-0402", "private_count": 1}]
    page = (await api.get(f"/status?report={private.id}", lang="en")).text
    assert "never shown in public" in page and "room 302" not in page
    # lat/long of the cell centre, not of the flat
    [count] = [f for f in features if "private_count" in f["properties"]]
    assert count["geometry"]["coordinates"] != [round(private.lon, 3), round(private.lat, 3)]


async def test_public_positions_are_rounded(api: Open311Client) -> None:
    report = await report_at(Status.ACCEPTED, position=(31.230456, 121.473789))
    [record] = (await api.get(f"{BASE}/requests.json")).json()
    assert (record["lat"], record["long"]) == (31.2305, 121.4738)
    [point] = [f for f in (await api.get("/status/map.json")).json()["features"] if "id" in f["properties"]]
    assert point["geometry"]["coordinates"] == [121.474, 31.23] and point["properties"]["id"] == report.id


async def test_a_photo_url_is_signed_and_expires(api: Open311Client, product: WebRuntime, clock: FrozenClock) -> None:
    report = await report_at(Status.SUBMITTED)
    photo = await add_photo(report, product.settings)
    await Photo.filter(id=photo.id).update(created_at=FILED_AT - timedelta(hours=1))  # sent with the report
    await transition(report, Status.ACCEPTED, actor=STAFF, sla=SLA, now=FILED_AT)
    [record] = (await api.get(f"{BASE}/requests.json")).json()
    url = record["media_url"]
    assert f"/open311/v2/media/{photo.id}?exp=" in url and "&sig=" in url
    async with aiohttp.ClientSession() as session:
        async with session.get(url) as response:
            assert response.status == 200 and (await response.read())[:3] == b"\xff\xd8\xff"
        async with session.get(url.replace("sig=", "sig=0")) as response:
            assert response.status == 403
        async with session.get(url.replace(f"/media/{photo.id}?", f"/media/{photo.id + 1}?")) as response:
            assert response.status == 403
        clock.advance(seconds=product.settings.public_media_url_ttl_s * 2)
        async with session.get(url) as response:
            assert response.status == 403


async def test_a_photo_no_moderator_has_seen_is_not_published(api: Open311Client, product: WebRuntime) -> None:
    report = await report_at(Status.ACCEPTED)
    await add_photo(report, product.settings)  # arrived after the acceptance (stamped now, real time)
    [record] = (await api.get(f"{BASE}/requests.json")).json()
    assert record["media_url"] is None


async def test_a_private_reports_photo_is_never_served(api: Open311Client, product: WebRuntime) -> None:
    report = await report_at(Status.SUBMITTED, category="rental_fire")
    photo = await add_photo(report, product.settings)
    await Photo.filter(id=photo.id).update(created_at=FILED_AT - timedelta(hours=1))
    await transition(report, Status.ACCEPTED, actor=STAFF, sla=SLA, now=FILED_AT)
    from opendata.signing import signed_path
    from opendata.views.common import signing_key

    path = signed_path(signing_key(product.services), photo.id, now=FILED_AT, ttl_s=3600)
    assert (await api.get(path)).status == 404


async def test_a_question_to_the_reporter_stays_out_of_the_public_feed(api: Open311Client) -> None:
    report = await report_at(Status.REOPENED)  # accepted, fixed, reopened: a moderator may ask again
    await transition(report, Status.NEEDS_INFO, actor=STAFF, sla=SLA, now=FILED_AT, public_note="Which flat, 302?")
    feed = (await api.get(f"{BASE}/servicerequestupdates.json", locale="en")).json()
    assert [u["description"] for u in feed][-1] == "More information asked for"
    assert "302" not in (await api.get(f"{BASE}/requests.json")).text


@pytest.mark.settings(private_categories=())
async def test_with_no_private_category_everything_accepted_is_listed(api: Open311Client) -> None:
    ebike = await report_at(Status.ACCEPTED, category="ebike")
    assert [r["service_request_id"] for r in (await api.get(f"{BASE}/requests.json")).json()] == [ebike.id]
    features = (await api.get("/status/map.json")).json()["features"]
    assert [f["properties"]["id"] for f in features if "id" in f["properties"]] == [ebike.id]
