"""The transition table is the law: every illegal change raises, every legal one leaves a history row."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from itertools import pairwise

import pytest

from bot.config import Settings
from bot.db import close_db, init_db
from bot.reports.lifecycle import (
    CLOSED_NOT_FIXED,
    MAX_REOPENS,
    TRANSITIONS,
    IllegalTransitionError,
    ReopenLimitError,
    ReopenNotAllowedError,
    Status,
    add_listener,
    atomic_changes,
    remove_listener,
    transition,
)
from bot.reports.models import Report, Resident, StatusChange

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
STAFF = "staff:7"
PAIRS = [(current, to) for current in Status for to in Status]


@pytest.fixture
async def orm(db: None, settings: Settings) -> AsyncIterator[Resident]:
    await init_db(settings)
    yield await Resident.create(id=1, chat_id=1, first_name="Reporter")
    await close_db()


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
    async def test_every_illegal_transition_raises(self, orm: Resident) -> None:
        """Each (from, to) pair outside the table raises and leaves the report and its history untouched."""
        illegal = [(current, to) for current, to in PAIRS if to not in TRANSITIONS[current]]
        assert illegal
        for current, to in illegal:
            report = await report_in(orm, current)
            with pytest.raises(IllegalTransitionError):
                await transition(report, to, actor=STAFF, now=NOW)
            assert (await Report.get(id=report.id)).status == current, (current, to)
            assert not await StatusChange.filter(report_id=report.id).exists(), (current, to)

    async def test_every_legal_transition_writes_a_history_row(self, orm: Resident) -> None:
        """Each pair in the table changes the status and records actor, time, reason and public note."""
        legal = [(current, to) for current, to in PAIRS if to in TRANSITIONS[current]]
        for current, to in legal:
            report = await report_in(orm, current)
            await transition(report, to, actor=STAFF, reason=f"r {current}", public_note=f"n {to}", now=NOW)
            assert (await Report.get(id=report.id)).status == to, (current, to)
            [row] = await StatusChange.filter(report_id=report.id)
            assert (row.from_status, row.to_status, row.actor) == (current, to, STAFF)
            assert (row.reason, row.public_note, row.changed_at) == (f"r {current}", f"n {to}", NOW)

    async def test_a_new_report_can_only_be_submitted(self, orm: Resident) -> None:
        """An unsaved report enters the lifecycle as submitted, nothing else."""
        for to in set(Status) - {Status.SUBMITTED}:
            report = Report(
                reporter=orm, category="traffic", lat=31.2, lon=121.5, location_source="shared", language="en"
            )
            with pytest.raises(IllegalTransitionError):
                await transition(report, to, actor=STAFF, now=NOW)
        assert not await Report.exists()


class TestReopen:
    async def test_the_reporter_may_reopen(self, orm: Resident) -> None:
        report = await report_in(orm, Status.FIXED)
        await transition(report, Status.REOPENED, actor=f"resident:{orm.id}", now=NOW)
        assert (await Report.get(id=report.id)).reopen_count == 1

    async def test_another_resident_may_not_reopen(self, orm: Resident) -> None:
        """A follower (or anyone but the reporter and staff) is refused."""
        report = await report_in(orm, Status.FIXED)
        with pytest.raises(ReopenNotAllowedError):
            await transition(report, Status.REOPENED, actor="resident:99", now=NOW)
        assert (await Report.get(id=report.id)).status == Status.FIXED

    async def test_a_job_may_not_reopen(self, orm: Resident) -> None:
        report = await report_in(orm, Status.FIXED)
        with pytest.raises(ReopenNotAllowedError):
            await transition(report, Status.REOPENED, actor="system:sla", now=NOW)

    async def test_a_third_reopen_is_refused(self, orm: Resident) -> None:
        """Twice is the limit, for the reporter and staff alike; the refusal changes nothing."""
        report = await report_in(orm, Status.FIXED)
        for _ in range(MAX_REOPENS):
            await transition(report, Status.REOPENED, actor=STAFF, now=NOW)
            await transition(report, Status.FIXED, actor=STAFF, now=NOW)
        with pytest.raises(ReopenLimitError):
            await transition(report, Status.REOPENED, actor=f"resident:{orm.id}", now=NOW)
        stored = await Report.get(id=report.id)
        assert (stored.status, stored.reopen_count) == (Status.FIXED, MAX_REOPENS)


async def test_fixing_stamps_fixed_at(orm: Resident) -> None:
    """`fixed_at` starts the "is it really fixed?" clock."""
    report = await report_in(orm, Status.IN_PROGRESS)
    await transition(report, Status.FIXED, actor=STAFF, now=NOW)
    assert (await Report.get(id=report.id)).fixed_at == NOW


class TestListenersHearCommittedChanges:
    """Listeners queue jobs another process runs at once, so they only hear changes already committed."""

    @pytest.fixture
    def heard(self) -> Iterator[list[Status]]:
        statuses: list[Status] = []

        def listener(report: Report, change: StatusChange) -> None:
            statuses.append(Status(change.to_status))

        add_listener(listener)
        yield statuses
        remove_listener(listener)

    async def test_a_change_inside_a_block_is_announced_when_it_commits(
        self, orm: Resident, heard: list[Status]
    ) -> None:
        report = await report_in(orm, Status.SUBMITTED)
        async with atomic_changes():
            await transition(report, Status.ACCEPTED, actor=STAFF, now=NOW)
            await transition(report, Status.DISPATCHED, actor=STAFF, now=NOW)
            assert heard == []
        assert heard == [Status.ACCEPTED, Status.DISPATCHED]

    async def test_a_rolled_back_change_is_never_announced(self, orm: Resident, heard: list[Status]) -> None:
        report = await report_in(orm, Status.SUBMITTED)

        async def accept_then_fail() -> None:
            async with atomic_changes():
                await transition(report, Status.ACCEPTED, actor=STAFF, now=NOW)
                raise RuntimeError("a later step of the same decision failed")

        with pytest.raises(RuntimeError):
            await accept_then_fail()
        assert heard == []
        assert (await Report.get(id=report.id)).status == Status.SUBMITTED

    async def test_a_lone_transition_is_announced_at_once(self, orm: Resident, heard: list[Status]) -> None:
        report = await report_in(orm, Status.SUBMITTED)
        await transition(report, Status.REJECTED, actor=STAFF, reason="not a hazard", now=NOW)
        assert heard == [Status.REJECTED]
