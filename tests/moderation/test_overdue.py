"""SLA clocks per category, overdue marking and escalation to the supervisors' chat (idempotent)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest

from bot.admin.audit import EventTag
from bot.admin.models import AuditEvent
from bot.config import Settings
from bot.events import DomainEvent, EventKind
from bot.reports.lifecycle import transition
from bot.reports.models import Report
from bot.reports.statuses import Status
from bot.runtime import WebRuntime
from tests.conftest import FrozenClock
from tests.factories import SLA, STAFF, make_report, make_resident
from tests.fake_botapi import FakeBotAPI

Worker = Callable[[], Awaitable[int]]
SUPERVISORS = -100777


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Drowning risks get a tighter clock; escalations go to a supervisors' group."""
    return settings.model_copy(
        update={
            "supervisors_chat_id": SUPERVISORS,
            "category_sla": {"drowning": {"moderation_due_h": 4, "resolution_due_d": 2}},
        }
    )


async def mark(product: WebRuntime, run_worker: Worker) -> None:
    await product.services.redis.enqueue_job("moderation.mark_overdue")
    await run_worker()


class TestDueDates:
    async def test_moderation_clock_starts_at_submission(self, product: WebRuntime, clock: FrozenClock) -> None:
        report = await make_report(await make_resident(5001), now=clock.now)
        assert (await Report.get(id=report.id)).moderation_due_at == clock.now + timedelta(hours=24)

    async def test_category_override(self, product: WebRuntime, clock: FrozenClock) -> None:
        report = await make_report(
            await make_resident(5011), category="drowning", now=clock.now, sla=product.services.sla
        )
        assert (await Report.get(id=report.id)).moderation_due_at == clock.now + timedelta(hours=4)

    async def test_acceptance_starts_the_resolution_clock(self, product: WebRuntime, clock: FrozenClock) -> None:
        """The moderation due date is cleared and the resolution one set, per category."""
        report = await make_report(
            await make_resident(5021),
            category="drowning",
            status=Status.ACCEPTED,
            now=clock.now,
            sla=product.services.sla,
        )
        stored = await Report.get(id=report.id)
        assert stored.moderation_due_at is None and stored.resolution_due_at == clock.now + timedelta(days=2)

    async def test_a_hand_over_keeps_the_resolution_clock(self, product: WebRuntime, clock: FrozenClock) -> None:
        report = await make_report(await make_resident(5031), status=Status.ACCEPTED, now=clock.now)
        clock.advance(days=3)
        await transition(report, Status.DISPATCHED, actor=STAFF, now=clock.now, sla=SLA)
        assert (await Report.get(id=report.id)).resolution_due_at == clock.now - timedelta(days=3) + timedelta(days=7)

    async def test_needs_info_pauses_the_clock(self, product: WebRuntime, clock: FrozenClock) -> None:
        report = await make_report(await make_resident(5041), status=Status.NEEDS_INFO, now=clock.now)
        assert (await Report.get(id=report.id)).moderation_due_at is None


class TestOverdue:
    async def test_late_reports_are_marked_and_escalated_once(
        self, product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker, clock: FrozenClock
    ) -> None:
        """Two cron runs: one flag, one escalation message listing the report."""
        late = await make_report(await make_resident(5051), now=clock.now)
        on_time = await make_report(await make_resident(5052), now=clock.now + timedelta(hours=2))
        clock.advance(hours=25)
        await mark(product, run_worker)
        await mark(product, run_worker)
        assert (await Report.get(id=late.id)).overdue and not (await Report.get(id=on_time.id)).overdue
        [escalation] = fake_api.sent(SUPERVISORS)
        assert f"#{late.id}" in escalation["text"] and f"#{on_time.id}" not in escalation["text"]
        assert await AuditEvent.filter(action=EventTag.REPORT_ESCALATE).count() == 1

    async def test_resolution_overdue(
        self, product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker, clock: FrozenClock
    ) -> None:
        report = await make_report(await make_resident(5061), status=Status.DISPATCHED, now=clock.now)
        clock.advance(days=8)
        await mark(product, run_worker)
        assert (await Report.get(id=report.id)).overdue
        assert any(f"#{report.id}" in message["text"] for message in fake_api.sent(SUPERVISORS))

    async def test_handling_the_report_clears_the_flag(
        self, product: WebRuntime, run_worker: Worker, clock: FrozenClock
    ) -> None:
        report = await make_report(await make_resident(5071), now=clock.now)
        clock.advance(hours=30)
        await mark(product, run_worker)
        await transition(report, Status.ACCEPTED, actor=STAFF, now=clock.now, sla=SLA)
        assert not (await Report.get(id=report.id)).overdue

    async def test_closed_reports_are_never_overdue(
        self, product: WebRuntime, run_worker: Worker, clock: FrozenClock
    ) -> None:
        report = await make_report(await make_resident(5081), status=Status.REJECTED, now=clock.now)
        clock.advance(days=30)
        await mark(product, run_worker)
        assert not (await Report.get(id=report.id)).overdue

    async def test_each_flag_is_published_once_for_other_features(
        self, product: WebRuntime, run_worker: Worker, clock: FrozenClock
    ) -> None:
        """The `report.overdue` event (an agency's supervisor hears of it through the field feature)."""
        report = await make_report(await make_resident(5091), status=Status.DISPATCHED, now=clock.now)
        due = clock.now + timedelta(days=7)
        clock.advance(days=8)
        await mark(product, run_worker)
        await mark(product, run_worker)
        [event] = await DomainEvent.filter(kind=EventKind.REPORT_OVERDUE)
        assert event.payload == {"report_id": report.id, "stage": "resolution", "due_at": due.isoformat()}
        assert event.key == f"report.overdue:{report.id}:{due.isoformat()}"
