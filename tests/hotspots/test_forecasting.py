"""The production forecast: what counts and how much, local weeks and months, CellForecast rows with ranks and
why, inspection results fed back, the job computing each period once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.admin.accounts import Role
from bot.city.models import CellForecast
from bot.config import Settings
from bot.reports.models import Report, Resident
from bot.reports.statuses import Status
from bot.services import Services, running_services
from forecast.backtest import Period
from hotspots import forecasting
from hotspots.inspections import Assignment, assign, record_result
from hotspots.jobs import forecast
from hotspots.models import ForecastRun
from tests.admin_client import make_staff
from tests.conftest import FrozenClock
from tests.factories import DEMO_GRID, HUANGPU, JINGAN, make_agency, make_incident, make_report, make_resident

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The clock says Monday 2026-11-23 10:00 in Shanghai: this week began at 00:00 local, 16:00 UTC the day before.
WEEK_START = datetime(2026, 11, 22, 16, 0, tzinfo=UTC)
MONTH_START = datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
HUANGPU_CELL, JINGAN_CELL = "huangpu-0402", "jingan-0302"


async def file_report(position: tuple[float, float], status: Status, at: datetime) -> Report:
    """A report placed like intake places it, moved to `status`, filed at `at`."""
    resident = await Resident.get_or_none(id=1) or await make_resident(1)
    report = await make_report(resident, status=status, position=position)
    await Report.filter(id=report.id).update(created_at=at)
    return report


async def weekly(clock: FrozenClock) -> dict[str, CellForecast]:
    result = await forecasting.compute(DEMO_GRID, Period.WEEK, clock(), SHANGHAI, top=50)
    await forecasting.write(result, clock())
    return {row.cell: row for row in await CellForecast.filter(period="week", period_start=WEEK_START)}


async def test_a_cell_with_one_confirmed_hazard_a_week_expects_one_next_week(orm: None, clock: FrozenClock) -> None:
    for weeks_ago in range(1, 21):
        await file_report(HUANGPU, Status.ACCEPTED, WEEK_START - timedelta(weeks=weeks_ago) + timedelta(hours=30))
    rows = await weekly(clock)
    assert list(rows) == [HUANGPU_CELL]
    assert rows[HUANGPU_CELL].expected == pytest.approx(1.0) and rows[HUANGPU_CELL].rank == 1
    assert rows[HUANGPU_CELL].parts == {"recent_confirmed": pytest.approx(1.0)}


async def test_a_confirmed_hazard_counts_more_than_a_rejected_report(orm: None, clock: FrozenClock) -> None:
    for weeks_ago in (1, 2, 3):
        at = WEEK_START - timedelta(weeks=weeks_ago) + timedelta(days=2)
        await file_report(HUANGPU, Status.ACCEPTED, at)
        await file_report(JINGAN, Status.REJECTED, at)
    rows = await weekly(clock)
    assert rows[HUANGPU_CELL].rank == 1 and rows[JINGAN_CELL].rank == 2
    assert rows[HUANGPU_CELL].expected == pytest.approx(2 * rows[JINGAN_CELL].expected, rel=1e-3)  # half weight
    assert set(rows[JINGAN_CELL].parts) == {"recent_other_report"}


async def test_incidents_count_and_duplicates_and_false_alarms_do_not(orm: None, clock: FrozenClock) -> None:
    last_week = WEEK_START - timedelta(days=3)
    await make_incident("fire-1", position=JINGAN, occurred_at=last_week)
    await make_incident("alarm-false", position=HUANGPU, occurred_at=last_week, outcome="rejected")
    await file_report(HUANGPU, Status.DUPLICATE, last_week)
    rows = await weekly(clock)
    assert list(rows) == [JINGAN_CELL] and set(rows[JINGAN_CELL].parts) == {"recent_incident"}


async def test_only_complete_weeks_before_this_one_count(orm: None, clock: FrozenClock) -> None:
    """Sunday 23:30 in Shanghai is last week; Monday 00:30 is this week, which is being forecast."""
    await file_report(HUANGPU, Status.ACCEPTED, WEEK_START - timedelta(minutes=30))
    await file_report(JINGAN, Status.ACCEPTED, WEEK_START + timedelta(minutes=30))
    rows = await weekly(clock)
    assert list(rows) == [HUANGPU_CELL]


async def test_writing_again_replaces_the_rows_and_the_run(orm: None, clock: FrozenClock) -> None:
    await file_report(HUANGPU, Status.ACCEPTED, WEEK_START - timedelta(days=2))
    await weekly(clock)
    clock.advance(hours=1)
    await weekly(clock)
    assert await CellForecast.filter(period="week").count() == 1
    run = await ForecastRun.get(period="week")
    assert (run.period_start, run.computed_at, run.cells, run.events) == (WEEK_START, clock(), 1, 1)


async def test_inspection_results_become_outcomes_for_the_next_forecast(orm: None, clock: FrozenClock) -> None:
    """Nothing found: the cell's unconfirmed reports stop counting. A hazard found: an incident in the cell."""
    for days in (2, 4, 9):
        await file_report(HUANGPU, Status.SUBMITTED, WEEK_START - timedelta(days=days))
    await file_report(JINGAN, Status.ACCEPTED, WEEK_START - timedelta(days=20))
    await weekly(clock)
    official, agency = await make_staff("official", Role.OFFICIAL), await make_agency()
    inspections = []
    for cell in (HUANGPU_CELL, JINGAN_CELL):
        given = Assignment(cell, Period.WEEK, WEEK_START, agency.id, clock().date(), "")
        inspections.append(await assign(given, staff_id=official.id, today=clock().date(), now=clock()))
    await record_result(inspections[0].id, found=False, note="", grid=DEMO_GRID, staff_id=official.id, now=clock())
    await record_result(inspections[1].id, found=True, note="", grid=DEMO_GRID, staff_id=official.id, now=clock())

    clock.advance(weeks=1)  # next Monday's forecast
    result = await forecasting.compute(DEMO_GRID, Period.WEEK, clock(), SHANGHAI, top=50)
    rows = {row.cell: row for row in forecasting.ranked_rows(result, clock())}
    assert HUANGPU_CELL not in rows
    assert rows[JINGAN_CELL].parts.keys() == {"recent_confirmed", "recent_incident"}


async def test_months_are_local_months(orm: None, clock: FrozenClock) -> None:
    await file_report(HUANGPU, Status.ACCEPTED, MONTH_START - timedelta(days=3))
    result = await forecasting.compute(DEMO_GRID, Period.MONTH, clock(), SHANGHAI, top=50)
    run = await forecasting.write(result, clock())
    assert (run.period, run.period_start, run.cells) == ("month", MONTH_START, 1)


@pytest.fixture
async def services(orm: None, settings: Settings, clock: FrozenClock) -> AsyncIterator[Services]:
    async with running_services(settings, (), clock=clock) as built:
        yield replace(built, features=())


async def test_the_job_computes_each_period_once_unless_forced(services: Services, clock: FrozenClock) -> None:
    await file_report(HUANGPU, Status.ACCEPTED, MONTH_START - timedelta(days=2))  # before this week and month
    assert await forecast({"services": services}) == ["week:1", "month:1"]
    assert await forecast({"services": services}) == []
    assert await forecast({"services": services}, True) == ["week:1", "month:1"]
