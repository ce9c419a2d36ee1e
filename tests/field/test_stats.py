"""Agencies' deadline figures: a fix by the original deadline counts as kept; an extension never does."""

from __future__ import annotations

from datetime import timedelta

from bot.reports.deadlines import extend_resolution_due
from bot.reports.models import Report
from bot.reports.statuses import Status
from field.models import CrewTask
from field.stats import AgencyDeadlines, agency_deadlines
from tests.factories import FILED_AT, make_report, make_resident


async def task_for(report: Report, agency: str, fixed_after: timedelta | None) -> None:
    await Report.filter(id=report.id).update(agency=agency)
    await CrewTask.create(
        report_id=report.id,
        agency=agency,
        dispatch_change_id=report.id,
        dispatched_at=FILED_AT,
        fixed_at=FILED_AT + fixed_after if fixed_after is not None else None,
    )


async def test_kept_deadlines_extensions_and_overdue_per_agency(orm: None) -> None:
    resident = await make_resident(1)
    on_time, extended, late, open_late = [
        await make_report(resident, status=Status.DISPATCHED, now=FILED_AT) for _ in range(4)
    ]
    await task_for(on_time, "fire", timedelta(days=6))
    await task_for(extended, "fire", timedelta(days=6))
    await extend_resolution_due(
        extended, FILED_AT + timedelta(days=9), actor="staff:1", reason="parts", now=FILED_AT + timedelta(days=5)
    )
    await task_for(late, "roads", timedelta(days=8))
    await task_for(open_late, "roads", None)
    await Report.filter(id=open_late.id).update(overdue=True)
    assert await agency_deadlines(FILED_AT - timedelta(days=1), FILED_AT + timedelta(days=30)) == [
        AgencyDeadlines("fire", fixed=2, on_time=1, extended=1, open_overdue=0),
        AgencyDeadlines("roads", fixed=1, on_time=0, extended=0, open_overdue=1),
    ]


async def test_fixes_outside_the_period_are_not_counted(orm: None) -> None:
    report = await make_report(await make_resident(1), status=Status.DISPATCHED, now=FILED_AT)
    await task_for(report, "fire", timedelta(days=6))
    assert await agency_deadlines(FILED_AT, FILED_AT + timedelta(days=6)) == []
    assert await agency_deadlines(FILED_AT + timedelta(days=7), FILED_AT + timedelta(days=30)) == []
