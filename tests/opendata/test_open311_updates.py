"""Conformance: servicerequestupdates (FixMyStreet's extension): every status change since a time, oldest first."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.reports.lifecycle import transition
from bot.reports.statuses import Status
from tests.factories import FILED_AT, SLA, STAFF
from tests.opendata.helpers import BASE, Open311Client, errors_of, partner_key, report_at
from tests.opendata.test_open311_post import form


async def test_updates_in_both_formats(api: Open311Client) -> None:
    report = await report_at(Status.ACCEPTED, days_ago=2)
    await transition(
        report, Status.FIXED, actor=STAFF, sla=SLA, now=FILED_AT - timedelta(hours=1), public_note="Cleared"
    )
    feed = (await api.get(f"{BASE}/servicerequestupdates.json", locale="en")).json()
    assert [(u["service_request_id"], u["status"], u["external_status_code"], u["description"]) for u in feed] == [
        (report.id, "for_triage", "submitted", "Awaiting moderation"),
        (report.id, "planned", "accepted", "Accepted as a hazard"),
        (report.id, "fixed", "fixed", "Cleared"),
    ]
    assert feed[-1]["updated_datetime"] == "2026-11-23T01:00:00+00:00"
    assert feed[0]["update_id"] < feed[1]["update_id"] < feed[2]["update_id"]
    root = (await api.get(f"{BASE}/servicerequestupdates.xml")).xml()
    assert root.tag == "service_request_updates"
    assert [u.findtext("external_status_code") for u in root.findall("request_update")] == [
        "submitted",
        "accepted",
        "fixed",
    ]


async def test_since_a_time_and_paging(api: Open311Client) -> None:
    report = await report_at(Status.ACCEPTED, days_ago=10)
    for hours, to in ((30, Status.DISPATCHED), (20, Status.IN_PROGRESS), (10, Status.FIXED)):
        await transition(report, to, actor=STAFF, sla=SLA, now=FILED_AT - timedelta(hours=hours))
    since = (FILED_AT - timedelta(hours=25)).isoformat()
    recent = (await api.get(f"{BASE}/servicerequestupdates.json", start_date=since)).json()
    assert [u["external_status_code"] for u in recent] == ["in_progress", "fixed"]
    first = (await api.get(f"{BASE}/servicerequestupdates.json", page_size="2")).json()
    second = (await api.get(f"{BASE}/servicerequestupdates.json", page_size="2", page="2")).json()
    assert [u["external_status_code"] for u in first + second] == ["submitted", "accepted", "dispatched", "in_progress"]


async def test_a_partner_sees_its_own_reports_updates_before_acceptance(api: Open311Client) -> None:
    key = await partner_key()
    created = (await api.post(f"{BASE}/requests.json", form(key.token))).json()[0]
    assert (await api.get(f"{BASE}/servicerequestupdates.json")).json() == []
    mine = (await api.get(f"{BASE}/servicerequestupdates.json", api_key=key.token)).json()
    assert [(u["service_request_id"], u["external_status_code"]) for u in mine] == [
        (created["service_request_id"], "submitted")
    ]
    other = await partner_key("someone else")
    assert (await api.get(f"{BASE}/servicerequestupdates.json", api_key=other.token)).json() == []


@pytest.mark.parametrize("fmt", ["xml", "json"])
async def test_a_bad_window_is_a_400(api: Open311Client, fmt: str) -> None:
    answer = await api.get(
        f"{BASE}/servicerequestupdates.{fmt}", start_date="2026-01-01T00:00:00Z", end_date="2026-12-01T00:00:00Z"
    )
    assert answer.status == 400 and errors_of(answer, fmt)[0][0] == 400
