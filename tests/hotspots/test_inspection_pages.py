"""The inspection list over real HTTP: top cells with why and open hazards, assigning, results, CSV, recompute."""

from __future__ import annotations

import csv
import io

from redis.asyncio import Redis

from bot.admin.accounts import Role
from bot.admin.models import AuditEvent
from bot.city.models import Incident
from bot.runtime import WebRuntime
from hotspots.models import ForecastRun, Inspection, InspectionState
from tests.admin_client import AdminClient, make_staff
from tests.conftest import FrozenClock
from tests.factories import make_agency
from tests.fake_botapi import FakeBotAPI
from tests.hotspots.conftest import RunWorker


async def test_moderators_cannot_open_the_inspection_list(product: WebRuntime) -> None:
    client = AdminClient(product.settings.local_base_url())
    await make_staff("mod1", Role.MODERATOR)
    await client.login("mod1")
    status, _ = await client.get("/admin/inspections")
    await client.close()
    assert status == 403


async def test_the_list_shows_the_top_cells_with_why_and_open_hazards(
    official: AdminClient, this_weeks_forecast: None
) -> None:
    status, page = await official.get("/admin/inspections")
    assert status == 200
    first, second = page.index('data-cell="huangpu-0402"'), page.index('data-cell="jingan-0302"')
    assert first < second
    row = page[first:second]
    assert "Huangpu grid 04-02" in row and "confirmed hazards lately" in row
    assert '<td class="open-hazards">2</td>' in row  # accepted and dispatched: both still open
    # 2 confirmed + 0.5 for the rejected report last week, scaled to the 2 confirmed hazards a week: 2 x 0.8.
    assert '<td class="expected">1.60</td>' in row


async def test_assigning_a_cell_to_an_agency_with_a_due_date(
    official: AdminClient, this_weeks_forecast: None, clock: FrozenClock, fake_api: FakeBotAPI, run_worker: RunWorker
) -> None:
    agency = await make_agency(telegram_chat_id=-100_777)
    await official.get("/admin/inspections")
    status, page = await official.post(
        "/admin/inspections/assign",
        {"period": "week", "cell": "huangpu-0402", "agency_id": agency.id, "due_on": "2026-11-27", "note": "stairs"},
    )
    assert status == 200 and "Cell Huangpu grid 04-02 is assigned to Agency fire-brigade, due 2026-11-27." in page
    inspection = await Inspection.get(cell="huangpu-0402")
    assert (inspection.state, inspection.agency_id, inspection.due_on.isoformat(), inspection.rank) == (
        InspectionState.ASSIGNED,
        agency.id,
        "2026-11-27",
        1,
    )
    assert (await AuditEvent.get(action="inspection:assign")).data["agency"] == "fire-brigade"
    await run_worker()
    [told] = fake_api.sent(-100_777)
    assert "huangpu-0402" in told["text"] and "2026-11-27" in told["text"]


async def test_a_due_date_in_the_past_or_a_second_open_inspection_is_refused(
    official: AdminClient, this_weeks_forecast: None
) -> None:
    agency = await make_agency()
    await official.get("/admin/inspections")
    form = {"period": "week", "cell": "huangpu-0402", "agency_id": agency.id}
    _, page = await official.post("/admin/inspections/assign", {**form, "due_on": "2026-11-01"})
    assert "Choose an active agency and a due date from today on." in page and not await Inspection.exists()
    await official.post("/admin/inspections/assign", {**form, "due_on": "2026-11-30"})
    _, page = await official.post("/admin/inspections/assign", {**form, "due_on": "2026-11-30"})
    assert "This cell has an open inspection already." in page and await Inspection.all().count() == 1


async def test_a_hazard_found_is_recorded_as_an_incident_in_the_cell(
    official: AdminClient, this_weeks_forecast: None
) -> None:
    agency = await make_agency()
    await official.get("/admin/inspections")
    form = {"period": "week", "cell": "jingan-0302", "agency_id": agency.id, "due_on": "2026-11-30"}
    await official.post("/admin/inspections/assign", form)
    inspection = await Inspection.get(cell="jingan-0302")
    status, page = await official.post(
        f"/admin/inspections/{inspection.id}/result", {"result": "found", "note": "e-bikes charging in the hall"}
    )
    assert status == 200 and "result is recorded; the next forecast counts it." in page
    inspection = await Inspection.get(id=inspection.id)
    incident = await Incident.get(id=inspection.incident_id)
    assert (inspection.state, incident.cell, incident.outcome, incident.source) == (
        InspectionState.FOUND,
        "jingan-0302",
        "confirmed",
        "inspection",
    )
    _, page = await official.post(f"/admin/inspections/{inspection.id}/result", {"result": "nothing"})
    assert "This inspection is not open any more." in page


async def test_the_list_exports_as_csv(official: AdminClient, this_weeks_forecast: None) -> None:
    async with official.session.get("/admin/inspections.csv?period=week") as response:
        assert response.status == 200 and response.content_type == "text/csv"
        assert "inspections-week-2026-11-23.csv" in response.headers["Content-Disposition"]
        text = (await response.read()).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(row["rank"], row["cell"], row["district"]) for row in rows[:2]] == [
        ("1", "huangpu-0402", "Huangpu"),
        ("2", "jingan-0302", "Jing'an"),
    ]
    assert rows[0]["why"].startswith("recent_confirmed=") and rows[0]["open_hazards"] == "2"


async def test_computing_again_queues_the_forecast(
    official: AdminClient, redis: Redis, run_worker: RunWorker, clock: FrozenClock
) -> None:
    _, page = await official.get("/admin/inspections")
    assert "No forecast for this period yet" in page
    await official.post("/admin/inspections/forecast", {"period": "week"})
    await run_worker()
    run = await ForecastRun.get(period="week")
    assert run.computed_at == clock()


async def test_each_row_shows_the_cells_risk_level_from_the_risk_feature(
    official: AdminClient, this_weeks_forecast: None, clock: FrozenClock
) -> None:
    from risk.models import CellRisk

    await CellRisk.create(cell="huangpu-0402", district="huangpu", level="red", score=30.0, computed_at=clock())
    status, page = await official.get("/admin/inspections")
    assert status == 200
    first, second = page.index('data-cell="huangpu-0402"'), page.index('data-cell="jingan-0302"')
    assert 'href="/admin/map/cells/huangpu-0402"' in page[first:second] and "red (major risk)" in page[first:second]
    assert "blue (low risk)" in page[second:]  # no level stored yet: blue, as on the map
