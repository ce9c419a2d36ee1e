"""Exports: the columns officials expect, every filter, streamed in batches, officials only, audited."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.admin.accounts import Role
from bot.admin.audit import EventTag
from bot.admin.models import AuditEvent
from bot.reports.lifecycle import transition
from bot.reports.models import Report
from bot.reports.statuses import Status
from bot.runtime import WebRuntime
from opendata.exports import COLUMNS, ExportFilter, rows
from tests.admin_client import AdminClient, make_staff
from tests.factories import FILED_AT, SLA, STAFF, make_resident
from tests.opendata.helpers import BASE, Open311Client, partner_key, report_at
from tests.opendata.test_open311_post import form

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
async def official(product: WebRuntime) -> AsyncIterator[AdminClient]:
    client = AdminClient(product.settings.local_base_url())
    await make_staff("official", Role.OFFICIAL, language="en")
    await client.login("official")
    yield client
    await client.close()


def parsed(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def fixed_report() -> Report:
    """Filed two days before FILED_AT, accepted a day later, dispatched, fixed 36 hours after filing."""
    report = await report_at(Status.SUBMITTED, days_ago=2, reporter=await make_resident(51))
    start = FILED_AT - timedelta(days=2)
    await transition(report, Status.ACCEPTED, actor=STAFF, sla=SLA, now=start + timedelta(hours=24))
    await Report.filter(id=report.id).update(agency="fire-huangpu")
    await transition(report, Status.DISPATCHED, actor=STAFF, sla=SLA, now=start + timedelta(hours=25))
    await transition(report, Status.FIXED, actor=STAFF, sla=SLA, now=start + timedelta(hours=36))
    return report


async def test_the_csv_has_the_columns_officials_expect(official: AdminClient) -> None:
    report = await fixed_report()
    status, text = await official.get("/admin/opendata/export.csv")
    assert status == 200
    assert text.splitlines()[0] == ",".join(COLUMNS)
    [row] = parsed(text)
    assert row == {
        "number": str(report.id),
        "category": "fire_exit",
        "filed": "2026-11-21T10:00:00+08:00",
        "accepted": "2026-11-22T10:00:00+08:00",
        "dispatched": "2026-11-22T11:00:00+08:00",
        "fixed": "2026-11-22T22:00:00+08:00",
        "closed": "",
        "status": "fixed",
        "latitude": "31.2304",
        "longitude": "121.4737",
        "area": "huangpu",
        "cell": "huangpu-0402",
        "agency": "fire-huangpu",
        "reopen_count": "0",
        "hours_to_fix": "36.0",
        "source": "telegram",
    }


async def test_a_partners_report_names_the_partner_and_a_closed_one_its_closing(
    official: AdminClient, api: Open311Client
) -> None:
    key = await partner_key("12345 hotline")
    filed = (await api.post(f"{BASE}/requests.json", form(key.token))).json()[0]["service_request_id"]
    rejected = await report_at(Status.REJECTED, days_ago=1)
    rows_ = {r["number"]: r for r in parsed((await official.get("/admin/opendata/export.csv"))[1])}
    assert rows_[str(filed)]["source"] == "open311:12345 hotline"
    assert rows_[str(rejected.id)]["closed"] == "2026-11-22T10:00:00+08:00"


async def test_filters_by_status_category_area_agency_and_dates(official: AdminClient) -> None:
    fixed = await fixed_report()
    road = await report_at(Status.ACCEPTED, category="traffic", days_ago=10)
    elsewhere = await report_at(Status.ACCEPTED, area="jingan", days_ago=1)

    async def numbers(query: str) -> list[str]:
        return [row["number"] for row in parsed((await official.get(f"/admin/opendata/export.csv?{query}"))[1])]

    assert await numbers("status=fixed") == [str(fixed.id)]
    assert await numbers("category=traffic") == [str(road.id)]
    assert await numbers("area=jingan") == [str(elsewhere.id)]
    assert await numbers("agency=fire-huangpu") == [str(fixed.id)]
    assert await numbers("from=2026-11-20&to=2026-11-22") == [str(fixed.id)]
    assert await numbers("status=accepted&area=huangpu") == [str(road.id)]
    status, _ = await official.get("/admin/opendata/export.csv?from=21/11/2026")
    assert status == 200  # back on the export page, with the reason
    assert not [e for e in await AuditEvent.filter(action=EventTag.EXPORT) if e.data.get("filed_from") == "21/11/2026"]


async def test_geojson_is_a_feature_collection_of_points(official: AdminClient) -> None:
    report = await fixed_report()
    status, text = await official.get("/admin/opendata/export.geojson")
    collection = json.loads(text)
    assert status == 200 and collection["type"] == "FeatureCollection"
    [feature] = collection["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [121.4737, 31.2304]}
    assert feature["properties"]["number"] == report.id and feature["properties"]["hours_to_fix"] == "36.0"


async def test_every_export_is_audited_with_its_filters(official: AdminClient) -> None:
    await official.get("/admin/opendata/export.csv?status=fixed&category=fire_exit&from=2026-11-01")
    event = await AuditEvent.get(action=EventTag.EXPORT)
    assert event.actor.startswith("staff:")
    assert event.data["format"] == "csv" and event.data["statuses"] == ["fixed"]
    assert event.data["categories"] == ["fire_exit"] and event.data["filed_from"] == "2026-11-01T00:00:00+08:00"


async def test_moderators_cannot_export(product: WebRuntime) -> None:
    client = AdminClient(product.settings.local_base_url())
    try:
        await make_staff("mod", Role.MODERATOR, language="en")
        await client.login("mod")
        assert (await client.get("/admin/opendata/export.csv"))[0] == 403
        assert (await client.get("/admin/opendata/export"))[0] == 403
    finally:
        await client.close()
    assert not await AuditEvent.exists(action=EventTag.EXPORT)


async def test_rows_come_in_batches_in_id_order(orm: None) -> None:
    made = [await report_at(Status.SUBMITTED, days_ago=n) for n in range(5)]
    batches = [[row["number"] for row in batch] async for batch in rows(ExportFilter(), SHANGHAI, batch=2)]
    assert batches == [[made[0].id, made[1].id], [made[2].id, made[3].id], [made[4].id]]
