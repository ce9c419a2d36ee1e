"""Conformance: GET requests (every filter, the default window, paging, errors) and GET requests/{id}."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.reports.models import Report
from bot.reports.statuses import Status
from tests.opendata.helpers import BASE, Open311Client, errors_of, report_at, xml_records

FORMATS = ("xml", "json")


def ids(answer_json: list[dict[str, object]]) -> list[int]:
    return [int(str(r["service_request_id"])) for r in answer_json]


async def listed(api: Open311Client, **params: str) -> list[int]:
    answer = await api.get(f"{BASE}/requests.json", **params)
    assert answer.status == 200, answer.text
    return ids(answer.json())


async def test_the_public_sees_accepted_reports_of_public_categories_only(api: Open311Client) -> None:
    accepted = await report_at(Status.ACCEPTED)
    fixed = await report_at(Status.FIXED)
    await report_at(Status.SUBMITTED)  # not moderated yet
    await report_at(Status.REJECTED)  # refused without ever being accepted
    await report_at(Status.ACCEPTED, category="ebike")  # a private category
    assert await listed(api) == [fixed.id, accepted.id]  # newest first (fixed was filed after)


@pytest.mark.parametrize("fmt", FORMATS)
async def test_a_record_has_the_specs_fields_in_both_formats(api: Open311Client, fmt: str) -> None:
    report = await report_at(Status.DISPATCHED, description="Exit chained shut")
    answer = await api.get(f"{BASE}/requests.{fmt}", locale="en")
    [record] = answer.json() if fmt == "json" else xml_records(answer)
    assert set(record) == {
        "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
        "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
        "address", "address_id", "zipcode", "lat", "long", "media_url",
    }  # fmt: skip
    assert str(record["service_request_id"]) == str(report.id)
    assert (record["status"], record["service_code"], record["description"]) == (
        "open",
        "fire_exit",
        "Exit chained shut",
    )
    assert record["status_notes"] == "Sent to the responsible agency"
    requested = datetime.fromisoformat(str(record["requested_datetime"]))
    assert requested.tzinfo is not None and requested == report.created_at
    expected = datetime.fromisoformat(str(record["expected_datetime"]))
    assert expected == report.resolution_due_at  # the SLA due time
    assert record["address"] == "Yuyuan, Huangpu"  # street and district, never a door


@pytest.mark.parametrize(
    ("status", "open_or_closed"),
    [(s, "open") for s in (Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS, Status.REOPENED)]
    + [(s, "closed") for s in (Status.FIXED,)],
)
async def test_our_statuses_map_to_open_or_closed(api: Open311Client, status: Status, open_or_closed: str) -> None:
    await report_at(status)
    [record] = (await api.get(f"{BASE}/requests.json")).json()
    assert record["status"] == open_or_closed


async def test_extensions_add_the_detailed_status(api: Open311Client) -> None:
    await report_at(Status.DISPATCHED)
    [record] = (await api.get(f"{BASE}/requests.json", extensions="true")).json()
    assert record["extended_attributes"]["detailed_status"] == "action_scheduled"
    assert record["extended_attributes"]["external_status_code"] == "dispatched"
    assert record["extended_attributes"]["cell"] == "huangpu-0402"
    [plain] = (await api.get(f"{BASE}/requests.json")).json()
    assert "extended_attributes" not in plain


async def test_status_filter(api: Open311Client) -> None:
    open_one, closed_one = await report_at(Status.ACCEPTED, days_ago=2), await report_at(Status.FIXED, days_ago=1)
    assert await listed(api, status="open") == [open_one.id]
    assert await listed(api, status="closed") == [closed_one.id]
    assert await listed(api, status="open,closed") == [closed_one.id, open_one.id]


async def test_service_code_filter_takes_a_comma_separated_list(api: Open311Client) -> None:
    fire = await report_at(Status.ACCEPTED, category="fire_exit", days_ago=3)
    road = await report_at(Status.ACCEPTED, category="traffic", days_ago=2)
    await report_at(Status.ACCEPTED, category="drowning", days_ago=1)
    assert await listed(api, service_code="traffic") == [road.id]
    assert await listed(api, service_code="fire_exit,traffic") == [road.id, fire.id]


async def test_the_default_window_is_the_last_90_days(api: Open311Client) -> None:
    recent = await report_at(Status.ACCEPTED, days_ago=89)
    await report_at(Status.ACCEPTED, days_ago=91)
    assert await listed(api) == [recent.id]


async def test_start_and_end_date_select_by_filing_time(api: Open311Client) -> None:
    await report_at(Status.ACCEPTED, days_ago=10)
    middle = await report_at(Status.ACCEPTED, days_ago=5)
    await report_at(Status.ACCEPTED, days_ago=1)
    # FILED_AT is 2026-11-23T02:00Z: five days before is 2026-11-18T02:00Z.
    assert await listed(api, start_date="2026-11-17T00:00:00Z", end_date="2026-11-19T00:00:00+08:00") == [middle.id]
    old = await report_at(Status.ACCEPTED, days_ago=120)
    assert await listed(api, start_date="2026-07-20T00:00:00Z", end_date="2026-07-30T00:00:00Z") == [old.id]


async def test_service_request_id_overrides_every_other_argument(api: Open311Client) -> None:
    old = await report_at(Status.FIXED, days_ago=200, category="traffic")
    new = await report_at(Status.ACCEPTED, days_ago=1)
    hidden = await report_at(Status.SUBMITTED)
    found = await listed(
        api, service_request_id=f"{old.id},{new.id},{hidden.id}", status="open", service_code="drowning"
    )
    assert sorted(found) == sorted([old.id, new.id])


async def test_paging_with_page_and_page_size(api: Open311Client) -> None:
    made = [await report_at(Status.ACCEPTED, days_ago=10 - n) for n in range(5)]
    newest_first = [r.id for r in reversed(made)]
    assert await listed(api, page_size="2") == newest_first[:2]
    assert await listed(api, page_size="2", page="2") == newest_first[2:4]
    assert await listed(api, page_size="2", page="3") == newest_first[4:]
    assert await listed(api, page_size="2", page="4") == []


async def test_an_empty_argument_is_the_same_as_none(api: Open311Client) -> None:
    report = await report_at(Status.ACCEPTED)
    assert await listed(api, status="", service_code="", start_date="", page="") == [report.id]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("params", "status", "description"),
    [
        ({"status": "pending"}, 400, "status must be open, closed or both, comma separated"),
        ({"service_code": "potholes"}, 404, "service_code potholes not found"),
        ({"start_date": "yesterday"}, 400, "start_date must be a W3C date-time with a zone, e.g. 2026-01-01T00:00:00Z"),
        ({"end_date": "2026-11-01T00:00:00"}, 400, "end_date must be a W3C date-time with a zone, e.g. 2026-01-01T00:00:00Z"),  # noqa: E501
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, 400,
         "start_date and end_date may not be more than 90 days apart"),
        ({"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-05-01T00:00:00Z"}, 400, "start_date is after end_date"),  # noqa: E501
        ({"page_size": "1001"}, 400, "page_size must be a whole number from 1 to 1000"),
        ({"page": "0"}, 400, "page must be a whole number from 1 to 1000000"),
        ({"service_request_id": "12,abc"}, 400, "service_request_id must be request numbers, comma separated"),
        ({"api_key": "not-a-key"}, 403, "api_key is not valid (unknown or revoked)"),
    ],
)  # fmt: skip
async def test_bad_arguments_are_refused_in_the_specs_shape(
    api: Open311Client, fmt: str, params: dict[str, str], status: int, description: str
) -> None:
    answer = await api.get(f"{BASE}/requests.{fmt}", locale="en", **params)
    assert answer.status == status
    assert errors_of(answer, fmt) == [(status, description)]


@pytest.mark.parametrize("fmt", FORMATS)
async def test_one_request_by_id(api: Open311Client, fmt: str) -> None:
    report = await report_at(Status.IN_PROGRESS)
    answer = await api.get(f"{BASE}/requests/{report.id}.{fmt}")
    assert answer.status == 200
    [record] = answer.json() if fmt == "json" else xml_records(answer)
    assert str(record["service_request_id"]) == str(report.id) and record["status"] == "open"


@pytest.mark.parametrize("fmt", FORMATS)
async def test_an_unknown_hidden_or_private_request_is_a_404(api: Open311Client, fmt: str) -> None:
    waiting = await report_at(Status.SUBMITTED)
    private = await report_at(Status.ACCEPTED, category="rental_fire")
    for missing in (str(private.id + 100), str(waiting.id), str(private.id), "abc"):
        answer = await api.get(f"{BASE}/requests/{missing}.{fmt}", locale="en")
        assert answer.status == 404
        assert errors_of(answer, fmt) == [(404, f"service_request_id {missing} not found")]


@pytest.mark.settings(public_burst=3, public_rate_per_s=0.01)
@pytest.mark.parametrize("fmt", FORMATS)
async def test_the_public_budget_of_one_address_runs_out(api: Open311Client, fmt: str) -> None:
    for _ in range(3):
        assert (await api.get(f"{BASE}/services.{fmt}")).status == 200
    refused = await api.get(f"{BASE}/services.{fmt}", locale="en")
    assert refused.status == 429 and int(refused.headers["Retry-After"]) >= 1
    assert errors_of(refused, fmt)[0][0] == 429


async def test_the_agency_responsible_is_named_in_the_readers_language(api: Open311Client) -> None:
    from bot.city.models import Agency

    await Agency.create(key="fire-huangpu", name="Huangpu fire brigade", name_zh="黄浦区消防救援支队")
    report = await report_at(Status.DISPATCHED)
    await Report.filter(id=report.id).update(agency="fire-huangpu")
    [english] = (await api.get(f"{BASE}/requests.json", locale="en")).json()
    [chinese] = (await api.get(f"{BASE}/requests.json", locale="zh_CN")).json()
    assert (english["agency_responsible"], chinese["agency_responsible"]) == (
        "Huangpu fire brigade",
        "黄浦区消防救援支队",
    )
