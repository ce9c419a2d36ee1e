"""Incidents and warnings over real HTTP: recording one (and its proposal), importing a file, one-click send."""

from __future__ import annotations

import re

import aiohttp
from redis.asyncio import Redis

from bot.admin.models import AuditEvent
from bot.city.models import Incident
from bot.events import DomainEvent, EventKind
from hotspots.models import ImportRun, ImportState, WarningProposal
from tests.admin_client import AdminClient
from tests.hotspots.conftest import RunWorker

FIRE = {"occurred_at": "2026-11-23T09:15", "position": "31.2450, 121.4400", "category": "residential fire"}
UPLOAD = """\
event_id,occurred_at,lat,lon,category,outcome,severity,kind
119-1,2026-11-20T21:00:00,31.2304,121.4737,fire,confirmed,3,
119-2,2026-11-21,north,121.47,fire,confirmed,,
119-3,2026-11-21,31.2304,121.4737,fire,done,,
"""


async def test_recording_a_fire_proposes_its_district_warning_at_once(official: AdminClient) -> None:
    await official.get("/admin/incidents")
    async with official.session.post(
        "/admin/incidents", data={**FIRE, "kind": "fire", "severity": "6", "csrf_token": official.csrf}
    ) as response:
        page, landed = await response.text(), response.url
    incident = await Incident.get(category="residential fire")
    proposal = await WarningProposal.get(incident_id=incident.id)
    assert landed.path == "/admin/warnings" and f'id="proposal-{proposal.id}"' in page
    assert "Incident recorded. It calls for a warning" in page and "district: Jing&#39;an" in page
    assert "Fire warning for Jing&#39;an." in page  # the prefilled text, editable before sending
    assert (incident.area, incident.cell, incident.kind, incident.severity) == ("jingan", "jingan-0302", "fire", 6.0)
    assert await DomainEvent.exists(key=f"incident.recorded:{incident.id}")
    assert (await AuditEvent.get(action="incident:record")).data["incident"] == incident.id


async def test_bad_input_is_named_and_nothing_is_stored(official: AdminClient) -> None:
    await official.get("/admin/incidents")
    status, page = await official.post(
        "/admin/incidents",
        {"occurred_at": "yesterday", "position": "here", "category": "", "kind": "meteor", "severity": "11"},
    )
    assert status == 400
    for message in (
        "When it happened must be a date and time like 2026-11-23 09:30.",
        "Give the place as latitude, longitude",
        "Give the incident&#39;s category",
        "Choose one of the listed kinds, or none.",
        "The severity must be a number from 0 to 10.",
    ):
        assert message in page
    assert 'value="yesterday"' in page and not await Incident.exists()


async def test_an_uploaded_file_is_imported_by_the_worker_and_its_bad_lines_listed(
    official: AdminClient, redis: Redis, run_worker: RunWorker
) -> None:
    await official.get("/admin/incidents")
    form = aiohttp.FormData()
    form.add_field("csrf_token", official.csrf)
    form.add_field("file", UPLOAD.encode(), filename="119 records.csv", content_type="text/csv")
    async with official.session.post("/admin/incidents/import", data=form) as response:
        assert re.fullmatch(r"/admin/incidents/imports/\d+", response.url.path)
        path = response.url.path
    await run_worker()
    run = await ImportRun.get()
    assert (run.state, run.added, run.bad, run.file_name) == (ImportState.DONE, 1, 2, "119 records.csv")
    _, page = await official.get(path)
    assert "1 incidents added, 0 already there, 2 bad rows skipped" in page
    assert "<td>3</td><td>The latitude or longitude is not a number.</td>" in page
    assert "<td>4</td><td>The outcome is not one of confirmed, duplicate, open, rejected.</td>" in page


async def test_one_click_sends_the_edited_warning(official: AdminClient) -> None:
    await official.get("/admin/incidents")
    await official.post("/admin/incidents", {**FIRE, "kind": "fire_alarm"})
    proposal = await WarningProposal.get()
    _, page = await official.post(
        f"/admin/warnings/{proposal.id}/send",
        {"text_zh_CN": "南京西路街道火警提示：请检查电动车充电。", "text_en": "Fire alarm: check e-bike charging."},
    )
    assert "The warning is on its way to the residents subscribed in Nanjing West Road." in page
    event = await DomainEvent.get(kind=EventKind.BROADCAST_REQUESTED)
    assert event.payload["scope"] == "jingan-nanjingxilu"
    assert event.payload["texts"]["en"] == "Fire alarm: check e-bike charging."
    _, page = await official.post(f"/admin/warnings/{proposal.id}/send", {"text_zh_CN": "再发一次"})
    assert "Another official decided on this warning already." in page
    assert await DomainEvent.filter(kind=EventKind.BROADCAST_REQUESTED).count() == 1
