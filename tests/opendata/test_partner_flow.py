"""Acceptance 2: a partner POSTs a report with a GPS-tagged photo; it waits in the moderation queue with its photo
stripped; a moderator accepts it; the partner sees the new status in requests/{id} and in the updates feed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from io import BytesIO

import aiohttp
import exifread

from bot.admin.accounts import Role
from bot.reports.models import Photo
from bot.runtime import WebRuntime
from tests.admin_client import AdminClient, make_staff
from tests.conftest import FrozenClock
from tests.opendata.helpers import BASE, Open311Client, partner_key
from tests.opendata.test_open311_post import form
from tests.photos import manifest_row

Worker = Callable[[], Awaitable[int]]
GPS_PHOTO = manifest_row("iphone4_gps_rome.jpg")


async def test_a_partners_report_is_moderated_and_the_partner_follows_it(
    product: WebRuntime, api: Open311Client, clock: FrozenClock, run_worker: Worker
) -> None:
    key = await partner_key("12345 hotline")
    upload = aiohttp.FormData()
    for name, value in form(key.token, description="Exit chained shut", token="hl-1").items():
        upload.add_field(name, value)
    upload.add_field("media", GPS_PHOTO.read_bytes(), filename="exit.jpg", content_type="image/jpeg")
    created = await api.post(f"{BASE}/requests.json", upload)
    assert created.status == 201, created.text
    report_id = created.json()[0]["service_request_id"]

    [photo] = await Photo.filter(report_id=report_id)
    stored = await product.services.storage.get(photo.storage_key)
    assert exifread.process_file(BytesIO(stored), details=False) == {}  # no GPS, no camera, nothing

    moderator = AdminClient(product.settings.local_base_url())
    try:
        await make_staff("mod", Role.OFFICIAL, language="en")
        await moderator.login("mod")
        _, queue = await moderator.get("/admin/queue")
        assert f"/admin/reports/{report_id}" in queue
        _, page = await moderator.get(f"/admin/reports/{report_id}")
        assert "12345 hotline" in page and "hl-1" in page  # the partner panel beside the decision
        # Waiting for moderation: the public sees nothing yet, the partner sees its own report.
        assert (await api.get(f"{BASE}/requests/{report_id}.json")).status == 404
        mine = (await api.get(f"{BASE}/requests/{report_id}.json", api_key=key.token, extensions="1")).json()[0]
        assert (mine["status"], mine["extended_attributes"]["detailed_status"]) == ("open", "for_triage")

        clock.advance(hours=2)
        await moderator.login("mod")  # two idle hours end a staff session
        status, _ = await moderator.post(f"/admin/reports/{report_id}/accept", {"severity": "high"})
        assert status == 200
        await run_worker()
    finally:
        await moderator.close()

    seen = (await api.get(f"{BASE}/requests/{report_id}.json", api_key=key.token, extensions="1", locale="en")).json()[
        0
    ]
    assert seen["status"] == "open" and seen["extended_attributes"]["detailed_status"] in (
        "planned",
        "action_scheduled",
    )
    assert seen["status_notes"] in ("Accepted as a hazard", "Sent to the responsible agency")
    public = (await api.get(f"{BASE}/requests/{report_id}.json")).json()[0]
    assert public["description"] == "Exit chained shut" and public["media_url"].startswith("http")
    feed = (await api.get(f"{BASE}/servicerequestupdates.json", api_key=key.token, locale="en")).json()
    mine_only = [u for u in feed if u["service_request_id"] == report_id]
    assert [u["external_status_code"] for u in mine_only][:2] == ["submitted", "accepted"]
    assert mine_only[1]["updated_datetime"].startswith("2026-11-23T04:00:00")
