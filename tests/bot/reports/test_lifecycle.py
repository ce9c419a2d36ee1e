"""The transition table is the law: every illegal change raises, every legal one leaves a history row."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise

import pytest
from tortoise.transactions import in_transaction

from bot.admin.accounts import Role, create_staff, link_telegram
from bot.admin.models import StaffUser
from bot.city.models import Agency
from bot.reports.lifecycle import (
    IllegalTransitionError,
    NotIndependentError,
    ReopenLimitError,
    ReopenNotAllowedError,
    may_confirm_fix,
    transition,
)
from bot.reports.models import Report, Resident, StatusChange
from bot.reports.statuses import CLOSED_NOT_FIXED, MAX_REOPENS, TRANSITIONS, Status
from tests.factories import SLA

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
STAFF = "staff:7"
PAIRS = [(current, to) for current in Status for to in Status]


@pytest.fixture
async def reporter(orm: None) -> Resident:
    return await Resident.create(id=1, chat_id=1, first_name="Reporter")


async def report_in(reporter: Resident, status: Status) -> Report:
    """A report put straight into `status` (setting up the matrix; the rule under test comes after)."""
    return await Report.create(
        reporter=reporter,
        status=status,
        category="traffic",
        lat=31.2,
        lon=121.5,
        location_source="shared",
        language="en",
    )


class TestTable:
    def test_every_status_has_a_row(self) -> None:
        """The table says something about every status, and where a new report starts."""
        assert set(TRANSITIONS) == {None, *Status}
        assert TRANSITIONS[None] == {Status.SUBMITTED}

    def test_issue_path_is_legal(self) -> None:
        """submitted -> accepted -> dispatched -> in_progress -> fixed, one step at a time."""
        path = [Status.SUBMITTED, Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS, Status.FIXED]
        assert all(b in TRANSITIONS[a] for a, b in pairwise(path))

    def test_closed_states_never_lead_to_fixed(self) -> None:
        """A rejected, duplicate, not-responsible or no-action report is never 'fixed' without reopening."""
        assert all(Status.FIXED not in TRANSITIONS[closed] for closed in CLOSED_NOT_FIXED)

    def test_needs_info_returns_to_the_queue(self) -> None:
        assert Status.SUBMITTED in TRANSITIONS[Status.NEEDS_INFO]


class TestMatrix:
    async def test_every_illegal_transition_raises(self, reporter: Resident) -> None:
        """Each (from, to) pair outside the table raises and leaves the report and its history untouched."""
        illegal = [(current, to) for current, to in PAIRS if to not in TRANSITIONS[current]]
        assert illegal
        for current, to in illegal:
            report = await report_in(reporter, current)
            with pytest.raises(IllegalTransitionError):
                await transition(report, to, actor=STAFF, now=NOW, sla=SLA)
            assert (await Report.get(id=report.id)).status == current, (current, to)
            assert not await StatusChange.filter(report_id=report.id).exists(), (current, to)

    async def test_every_legal_transition_writes_a_history_row(self, reporter: Resident) -> None:
        """Each pair in the table changes the status and records actor, time, reason and public note."""
        legal = [(current, to) for current, to in PAIRS if to in TRANSITIONS[current]]
        for current, to in legal:
            report = await report_in(reporter, current)
            await transition(report, to, actor=STAFF, reason=f"r {current}", public_note=f"n {to}", now=NOW, sla=SLA)
            assert (await Report.get(id=report.id)).status == to, (current, to)
            [row] = await StatusChange.filter(report_id=report.id)
            assert (row.from_status, row.to_status, row.actor) == (current, to, STAFF)
            assert (row.reason, row.public_note, row.changed_at) == (f"r {current}", f"n {to}", NOW)

    async def test_a_new_report_can_only_be_submitted(self, reporter: Resident) -> None:
        """An unsaved report enters the lifecycle as submitted, nothing else."""
        for to in set(Status) - {Status.SUBMITTED}:
            report = Report(
                reporter=reporter, category="traffic", lat=31.2, lon=121.5, location_source="shared", language="en"
            )
            with pytest.raises(IllegalTransitionError):
                await transition(report, to, actor=STAFF, now=NOW, sla=SLA)
        assert not await Report.exists()


class TestReopen:
    async def test_the_reporter_may_reopen(self, reporter: Resident) -> None:
        report = await report_in(reporter, Status.FIXED)
        await transition(report, Status.REOPENED, actor=f"resident:{reporter.id}", now=NOW, sla=SLA)
        assert (await Report.get(id=report.id)).reopen_count == 1

    async def test_another_resident_may_not_reopen(self, reporter: Resident) -> None:
        """A follower (or anyone but the reporter and staff) is refused."""
        report = await report_in(reporter, Status.FIXED)
        with pytest.raises(ReopenNotAllowedError):
            await transition(report, Status.REOPENED, actor="resident:99", now=NOW, sla=SLA)
        assert (await Report.get(id=report.id)).status == Status.FIXED

    async def test_a_job_may_not_reopen(self, reporter: Resident) -> None:
        report = await report_in(reporter, Status.FIXED)
        with pytest.raises(ReopenNotAllowedError):
            await transition(report, Status.REOPENED, actor="system:sla", now=NOW, sla=SLA)

    async def test_a_third_reopen_is_refused(self, reporter: Resident) -> None:
        """Twice is the limit, for the reporter and staff alike; the refusal changes nothing."""
        report = await report_in(reporter, Status.FIXED)
        for _ in range(MAX_REOPENS):
            await transition(report, Status.REOPENED, actor=STAFF, now=NOW, sla=SLA)
            await transition(report, Status.FIXED, actor=STAFF, now=NOW, sla=SLA)
        with pytest.raises(ReopenLimitError):
            await transition(report, Status.REOPENED, actor=f"resident:{reporter.id}", now=NOW, sla=SLA)
        stored = await Report.get(id=report.id)
        assert (stored.status, stored.reopen_count) == (Status.FIXED, MAX_REOPENS)


class TestVerification:
    """A fix is verified only by someone other than whoever said it was fixed and the agency's crew."""

    async def fixed_by_crew(self, reporter: Resident) -> tuple[Report, StaffUser]:
        await Agency.create(key="fire", name="Fire")
        crew = await create_staff("wang", "long enough password", Role.CREW, agency="fire")
        await link_telegram(crew, 4001)
        report = await report_in(reporter, Status.IN_PROGRESS)
        await Report.filter(id=report.id).update(agency="fire")
        report = await Report.get(id=report.id)
        await transition(report, Status.FIXED, actor=f"staff:{crew.id}", now=NOW, sla=SLA)
        return report, crew

    def test_only_a_fix_can_be_verified_and_a_verified_one_reopened(self) -> None:
        assert [status for status in Status if Status.VERIFIED_FIXED in TRANSITIONS[status]] == [Status.FIXED]
        assert TRANSITIONS[Status.VERIFIED_FIXED] == {Status.REOPENED}

    async def test_the_reporter_verifies_and_the_time_is_stamped(self, reporter: Resident) -> None:
        report, _crew = await self.fixed_by_crew(reporter)
        await transition(report, Status.VERIFIED_FIXED, actor=f"resident:{reporter.id}", now=NOW, sla=SLA)
        stored = await Report.get(id=report.id)
        assert (stored.status, stored.verified_fixed_at) == (Status.VERIFIED_FIXED, NOW)

    @pytest.mark.parametrize("as_resident", [False, True])
    async def test_the_agencys_crew_cannot_verify(self, reporter: Resident, as_resident: bool) -> None:
        """Neither as staff nor through their own Telegram account as a resident; a colleague neither."""
        report, crew = await self.fixed_by_crew(reporter)
        colleague = await create_staff("zhao", "long enough password", Role.CREW, agency="fire")
        await link_telegram(colleague, 4002)
        for actor in (
            (f"resident:{4002}", f"resident:{4001}") if as_resident else (f"staff:{crew.id}", f"staff:{colleague.id}")
        ):
            assert not await may_confirm_fix(actor, report)
            with pytest.raises(NotIndependentError):
                await transition(report, Status.VERIFIED_FIXED, actor=actor, now=NOW, sla=SLA)
        stored = await Report.get(id=report.id)
        assert (stored.status, stored.verified_fixed_at) == (Status.FIXED, None)

    async def test_whoever_marked_it_fixed_cannot_verify_it(self, reporter: Resident) -> None:
        report = await report_in(reporter, Status.IN_PROGRESS)
        await transition(report, Status.FIXED, actor="staff:31", now=NOW, sla=SLA)
        with pytest.raises(NotIndependentError):
            await transition(report, Status.VERIFIED_FIXED, actor="staff:31", now=NOW, sla=SLA)
        await transition(report, Status.VERIFIED_FIXED, actor="staff:32", now=NOW, sla=SLA)

    async def test_another_agencys_crew_and_the_window_may(self, reporter: Resident) -> None:
        report, _crew = await self.fixed_by_crew(reporter)
        await Agency.create(key="roads", name="Roads")
        other = await create_staff("li", "long enough password", Role.CREW, agency="roads")
        assert await may_confirm_fix(f"staff:{other.id}", report)
        assert await may_confirm_fix("system:verification-window", report)


async def test_fixing_stamps_fixed_at(reporter: Resident) -> None:
    """`fixed_at` starts the "is it really fixed?" clock."""
    report = await report_in(reporter, Status.IN_PROGRESS)
    await transition(report, Status.FIXED, actor=STAFF, now=NOW, sla=SLA)
    assert (await Report.get(id=report.id)).fixed_at == NOW


class TestOneTransaction:
    """The status, its SLA due dates and the outbox entry (the StatusChange row) commit together or not at all."""

    async def test_a_change_stamps_its_due_dates_in_the_same_transaction(self, reporter: Resident) -> None:
        report = await report_in(reporter, Status.SUBMITTED)
        await transition(report, Status.ACCEPTED, actor=STAFF, now=NOW, sla=SLA)
        stored = await Report.get(id=report.id)
        assert (stored.moderation_due_at, stored.resolution_due_at) == (None, NOW + SLA.resolution_due)

    async def test_a_rolled_back_change_leaves_no_entry_to_react_to(self, reporter: Resident) -> None:
        report = await report_in(reporter, Status.SUBMITTED)

        async def accept_then_fail() -> None:
            async with in_transaction():
                await transition(report, Status.ACCEPTED, actor=STAFF, now=NOW, sla=SLA)
                raise RuntimeError("a later step of the same decision failed")

        with pytest.raises(RuntimeError):
            await accept_then_fail()
        stored = await Report.get(id=report.id)
        assert (stored.status, stored.resolution_due_at) == (Status.SUBMITTED, None)
        assert not await StatusChange.filter(report_id=report.id).exists()
