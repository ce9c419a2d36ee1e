"""'Is it really fixed?' 14 days after the fix: "no" reopens, at most twice (acceptance 2)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from bot.reports.lifecycle import transition
from bot.reports.models import Photo, Report
from bot.reports.statuses import MAX_REOPENS, Status
from bot.runtime import WebRuntime
from moderation.models import FixedCheck
from tests.conftest import FrozenClock
from tests.factories import SLA, STAFF, follow, jpeg_bytes, make_report, make_resident
from tests.fake_botapi import FakeBotAPI
from tests.fake_user import FakeUser

Worker = Callable[[], Awaitable[int]]


@dataclass
class FollowUp:
    """The product with a fixed report's reporter, the hourly check job and the clock, as the tests use them."""

    product: WebRuntime
    fake_api: FakeBotAPI
    run_worker: Worker
    clock: FrozenClock

    async def fixed_report(self, resident_id: int, language: str = "en", *, reopened: int = 0) -> Report:
        """A report fixed now (after `reopened` reopens), its status DMs already delivered and forgotten."""
        report = await make_report(await make_resident(resident_id, language), status=Status.FIXED, now=self.clock.now)
        for _ in range(reopened):
            await transition(report, Status.REOPENED, actor=STAFF, now=self.clock.now, sla=SLA)
            await transition(report, Status.FIXED, actor=STAFF, now=self.clock.now, sla=SLA)
        await self.run_worker()
        self.fake_api.calls.clear()
        return report

    async def run_checks(self) -> None:
        """What the hourly cron does: one run of the job, then its follow-up jobs."""
        await self.product.services.redis.enqueue_job("moderation.ask_fixed_checks")
        await self.run_worker()

    async def answer_after_14_days(self, report: Report, *, fixed: bool) -> list[dict[str, Any]]:
        """Fourteen days on, the check runs and the reporter taps Yes (fixed) or No; the bot's replies."""
        self.clock.advance(days=14)
        await self.run_checks()
        answer = "y" if fixed else "n"
        assert report.reporter_id is not None
        return await FakeUser(self.fake_api, report.reporter_id).press(
            self.question_to(report.reporter_id), f"fx:{answer}:{report.id}"
        )

    def question_to(self, chat_id: int) -> dict[str, Any]:
        [question] = [m for m in self.fake_api.sent(chat_id) if "reply_markup" in m]
        return question


@pytest.fixture
def followup(product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker, clock: FrozenClock) -> FollowUp:
    return FollowUp(product, fake_api, run_worker, clock)


class TestFixedCheck:
    async def test_not_asked_before_14_days(self, followup: FollowUp) -> None:
        await followup.fixed_report(4001)
        followup.clock.advance(days=13, hours=23)
        await followup.run_checks()
        assert followup.fake_api.sent(4001) == []

    async def test_asked_once_after_14_days(self, followup: FollowUp) -> None:
        """The cron job runs every hour; the reporter is asked once, with Yes / No buttons."""
        report = await followup.fixed_report(4011)
        followup.clock.advance(days=14)
        await followup.run_checks()
        await followup.run_checks()
        question = followup.question_to(4011)
        assert f"#{report.id}" in question["text"] and "really gone" in question["text"]
        assert await FixedCheck.filter(report_id=report.id).count() == 1

    async def test_asked_in_the_reporters_language(self, followup: FollowUp) -> None:
        await followup.fixed_report(4021, "zh_CN")
        followup.clock.advance(days=14)
        await followup.run_checks()
        assert "隐患真的消除了吗" in followup.question_to(4021)["text"]

    async def test_no_reopens_the_report(self, followup: FollowUp) -> None:
        """Tapping "No" reopens it (back to the moderators) and says so."""
        report = await followup.fixed_report(4031)
        [reply] = await followup.answer_after_14_days(report, fixed=False)
        assert "has been reopened" in reply["text"]
        stored = await Report.get(id=report.id)
        assert (stored.status, stored.reopen_count) == (Status.REOPENED, 1)
        assert (await FixedCheck.get(report_id=report.id)).answer == "no"

    async def test_yes_keeps_it_fixed(self, followup: FollowUp) -> None:
        report = await followup.fixed_report(4041)
        [reply] = await followup.answer_after_14_days(report, fixed=True)
        assert "stays closed as fixed" in reply["text"]
        assert (await Report.get(id=report.id)).status == Status.FIXED

    async def test_a_third_reopen_is_refused_with_a_clear_message(self, followup: FollowUp) -> None:
        """After two reopens, "No" explains the limit and points to /report; the report stays fixed."""
        report = await followup.fixed_report(4051, reopened=MAX_REOPENS)
        [reply] = await followup.answer_after_14_days(report, fixed=False)
        assert "cannot be reopened again" in reply["text"] and "/report" in reply["text"]
        stored = await Report.get(id=report.id)
        assert (stored.status, stored.reopen_count) == (Status.FIXED, MAX_REOPENS)

    async def test_a_photo_after_reopening_is_added_to_the_report(self, followup: FollowUp) -> None:
        """The optional new photo lands on the reopened report, not in a new draft."""
        report = await followup.fixed_report(4061)
        await followup.answer_after_14_days(report, fixed=False)
        [reply] = await FakeUser(followup.fake_api, 4061).photo(jpeg_bytes((10, 160, 60)), file_id="STILL-THERE")
        assert f"#{report.id}" in reply["text"]
        assert await Photo.filter(report_id=report.id).count() == 1

    async def test_followers_hear_that_the_reporter_reopened_it(self, followup: FollowUp) -> None:
        report = await followup.fixed_report(4071)
        await follow(report, await make_resident(4072))
        await followup.answer_after_14_days(report, fixed=False)
        await followup.run_worker()
        assert any("reopened" in message["text"] for message in followup.fake_api.sent(4072))
