"""Acceptance 3, with a mocked clock: the crew is reminded at half time and near the deadline (once each per
deadline); a report past its deadline is escalated to the agency's supervisor and to the officials."""

from __future__ import annotations

from bot.events import DomainEvent, EventKind
from bot.reports.models import Report
from bot.runtime import WebRuntime
from field.models import CrewTask
from tests.conftest import FrozenClock
from tests.fake_botapi import FakeBotAPI
from tests.fake_user import FakeUser
from tests.field.conftest import (
    AGENCY_SUPERVISOR,
    CREW2_TG,
    CREW_TG,
    SUPERVISORS,
    Worker,
    card_of,
    crew_member,
    dispatched_report,
    make_agency,
)


async def cron(product: WebRuntime, run_worker: Worker, job: str) -> None:
    """What the worker's cron would run at this (mocked) time."""
    await product.services.redis.enqueue_job(job, _job_id=f"{job}:{product.services.clock().isoformat()}")
    await run_worker()


def reminders(fake_api: FakeBotAPI, chat_id: int) -> list[str]:
    return [m["text"] for m in fake_api.sent(chat_id) if m["text"].startswith("Reminder")]


async def taken_report(product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker) -> Report:
    """Dispatched at the clock's start (due in 7 days) and taken by Wang; Zhao is in the same crew."""
    await make_agency()
    await crew_member("wang", CREW_TG)
    await crew_member("zhao", CREW2_TG)
    report = await dispatched_report(product.settings)
    await run_worker()
    await FakeUser(fake_api, CREW_TG).press(card_of(fake_api, CREW_TG, report.id), f"fc:t:{report.id}")
    return report


async def test_the_crew_member_is_reminded_at_half_time_then_near_the_end_once_each(
    product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker, clock: FrozenClock
) -> None:
    report = await taken_report(product, fake_api, run_worker)
    clock.advance(days=3, hours=11)
    await cron(product, run_worker, "field.remind_crews")
    assert reminders(fake_api, CREW_TG) == []  # not half yet
    clock.advance(hours=2)
    await cron(product, run_worker, "field.remind_crews")
    await cron(product, run_worker, "field.remind_crews")
    [half] = reminders(fake_api, CREW_TG)
    assert half.startswith(f"Reminder: half the time for report #{report.id}") and "due 2026-11-30 10:00" in half
    clock.advance(days=2, hours=12)  # 23 h before the deadline
    await cron(product, run_worker, "field.remind_crews")
    await cron(product, run_worker, "field.remind_crews")
    _half, near = reminders(fake_api, CREW_TG)
    assert f"report #{report.id}" in near and "in less than 24 hours" in near
    assert reminders(fake_api, CREW2_TG) == []  # only whoever took it


async def test_an_extension_earns_new_reminders_for_the_new_deadline(
    product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker, clock: FrozenClock
) -> None:
    report = await taken_report(product, fake_api, run_worker)
    clock.advance(days=4)
    await cron(product, run_worker, "field.remind_crews")
    crew = FakeUser(fake_api, CREW_TG)
    [until] = await crew.press(card_of(fake_api, CREW_TG, report.id), f"fc:m:{report.id}")
    [why] = await crew.press(until, f"fc:d:{report.id}:7")
    await crew.press(why, f"fc:w:{report.id}:owner")  # now due 2026-12-07 10:00, asked on 11-27 10:00
    clock.advance(days=5, hours=1)  # past half of the new window (five days)
    await cron(product, run_worker, "field.remind_crews")
    first, second = reminders(fake_api, CREW_TG)
    assert "due 2026-11-30 10:00" in first and "due 2026-12-07 10:00" in second
    task = await CrewTask.get(report_id=report.id)
    assert task.half_reminded_for == (await Report.get(id=report.id)).resolution_due_at


async def test_overdue_escalates_to_the_agency_supervisor_and_the_officials(
    product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker, clock: FrozenClock
) -> None:
    report = await taken_report(product, fake_api, run_worker)
    clock.advance(days=7, minutes=5)
    await cron(product, run_worker, "moderation.mark_overdue")
    await cron(product, run_worker, "moderation.mark_overdue")
    assert (await Report.get(id=report.id)).overdue
    [officials] = fake_api.sent(SUPERVISORS)
    assert f"#{report.id}" in officials["text"]
    [supervisor] = fake_api.sent(AGENCY_SUPERVISOR)
    assert supervisor["text"].startswith(f"Overdue: report #{report.id}")
    assert "for Huangpu Fire was due 2026-11-30 10:00" in supervisor["text"] and "Taken by: Wang" in supervisor["text"]
    assert await DomainEvent.filter(kind=EventKind.REPORT_OVERDUE).count() == 1


async def test_no_reminders_once_the_report_left_the_crew(
    product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker, clock: FrozenClock
) -> None:
    report = await taken_report(product, fake_api, run_worker)
    crew = FakeUser(fake_api, CREW_TG)
    [question] = await crew.press(card_of(fake_api, CREW_TG, report.id), f"fc:n:{report.id}")
    await crew.press(question, f"fc:r:{report.id}:area")
    clock.advance(days=6, hours=12)
    await cron(product, run_worker, "field.remind_crews")
    assert reminders(fake_api, CREW_TG) == []
