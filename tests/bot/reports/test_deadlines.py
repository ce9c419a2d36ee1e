"""Moving the resolution deadline ("need more time"): later only, while being worked on, every move recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.reports.deadlines import ExtensionError, extend_resolution_due, original_due
from bot.reports.lifecycle import transition
from bot.reports.models import DueExtension, Report, Resident
from bot.reports.statuses import Status
from tests.factories import SLA, STAFF, make_report

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
DUE = NOW + SLA.resolution_due


@pytest.fixture
async def reporter(orm: None) -> Resident:
    return await Resident.create(id=1, chat_id=1, first_name="Reporter")


async def test_an_extension_moves_the_deadline_and_is_recorded(reporter: Resident) -> None:
    report = await make_report(reporter, status=Status.DISPATCHED, now=NOW)
    await Report.filter(id=report.id).update(overdue=True)
    later = DUE + timedelta(days=3)
    extension = await extend_resolution_due(report, later, actor="staff:5", reason="parts", now=NOW + timedelta(days=8))
    stored = await Report.get(id=report.id)
    assert (stored.resolution_due_at, stored.overdue) == (later, False)
    assert (extension.from_due_at, extension.to_due_at, extension.actor, extension.reason) == (
        DUE,
        later,
        "staff:5",
        "parts",
    )
    await extend_resolution_due(
        stored, later + timedelta(days=1), actor="staff:5", reason="rain", now=NOW + timedelta(days=9)
    )
    assert await original_due(await Report.get(id=report.id)) == DUE
    assert await DueExtension.filter(report_id=report.id).count() == 2


@pytest.mark.parametrize("to", [DUE, DUE - timedelta(hours=1), NOW - timedelta(days=1)])
async def test_a_deadline_that_is_not_later_is_refused(reporter: Resident, to: datetime) -> None:
    report = await make_report(reporter, status=Status.IN_PROGRESS, now=NOW)
    with pytest.raises(ExtensionError):
        await extend_resolution_due(report, to, actor="staff:5", reason="x", now=NOW)
    assert (await Report.get(id=report.id)).resolution_due_at == DUE and not await DueExtension.exists()


async def test_a_report_not_being_worked_on_keeps_its_deadline(reporter: Resident) -> None:
    report = await make_report(reporter, status=Status.DISPATCHED, now=NOW)
    await transition(report, Status.FIXED, actor=STAFF, now=NOW, sla=SLA)
    with pytest.raises(ExtensionError):
        await extend_resolution_due(report, DUE + timedelta(days=1), actor="staff:5", reason="x", now=NOW)
    assert not await DueExtension.exists()


async def test_the_original_deadline_of_a_report_never_extended_is_its_own(reporter: Resident) -> None:
    report = await make_report(reporter, status=Status.ACCEPTED, now=NOW)
    assert await original_due(report) == DUE
