"""'Is it really fixed?' 14 days after the fix: "no" reopens, at most twice (acceptance 2)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from bot.reports.lifecycle import MAX_REOPENS, Status, transition
from bot.reports.models import Photo, Report
from bot.runtime import WebRuntime
from moderation.models import FixedCheck
from tests.conftest import FrozenClock
from tests.fake_botapi import FakeBotAPI, FakeUser
from tests.moderation.factories import STAFF, follow, jpeg_bytes, make_report, make_resident

Worker = Callable[[], Awaitable[int]]


async def run_checks(product: WebRuntime, run_worker: Worker) -> None:
    """What the hourly cron does: one run of the job, then its follow-up jobs."""
    await product.arq.enqueue_job("moderation.ask_fixed_checks")
    await run_worker()


FixedReport = Callable[..., Awaitable[Report]]


@pytest.fixture
def fixed_report(product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker, clock: FrozenClock) -> FixedReport:
    """A report fixed now (after `reopened` reopens), its status DMs already delivered and forgotten."""

    async def make(resident_id: int, language: str = "en", *, reopened: int = 0) -> Report:
        report = await make_report(await make_resident(resident_id, language), status=Status.FIXED, now=clock.now)
        for _ in range(reopened):
            await transition(report, Status.REOPENED, actor=STAFF, now=clock.now)
            await transition(report, Status.FIXED, actor=STAFF, now=clock.now)
        await run_worker()
        fake_api.calls.clear()
        return report

    return make


def question_to(fake_api: FakeBotAPI, chat_id: int) -> dict[str, Any]:
    [question] = [m for m in fake_api.sent(chat_id) if "reply_markup" in m]
    return question


class TestFixedCheck:
    async def test_not_asked_before_14_days(
        self,
        product: WebRuntime,
        fake_api: FakeBotAPI,
        run_worker: Worker,
        clock: FrozenClock,
        fixed_report: FixedReport,
    ) -> None:
        await fixed_report(4001)
        clock.advance(days=13, hours=23)
        await run_checks(product, run_worker)
        assert fake_api.sent(4001) == []

    async def test_asked_once_after_14_days(
        self,
        product: WebRuntime,
        fake_api: FakeBotAPI,
        run_worker: Worker,
        clock: FrozenClock,
        fixed_report: FixedReport,
    ) -> None:
        """The cron job runs every hour; the reporter is asked once, with Yes / No buttons."""
        report = await fixed_report(4011)
        clock.advance(days=14)
        await run_checks(product, run_worker)
        await run_checks(product, run_worker)
        question = question_to(fake_api, 4011)
        assert f"#{report.id}" in question["text"] and "really gone" in question["text"]
        assert await FixedCheck.filter(report_id=report.id).count() == 1

    async def test_asked_in_the_reporters_language(
        self,
        product: WebRuntime,
        fake_api: FakeBotAPI,
        run_worker: Worker,
        clock: FrozenClock,
        fixed_report: FixedReport,
    ) -> None:
        await fixed_report(4021, "zh_CN")
        clock.advance(days=14)
        await run_checks(product, run_worker)
        assert "隐患真的消除了吗" in question_to(fake_api, 4021)["text"]

    async def test_no_reopens_the_report(
        self,
        product: WebRuntime,
        fake_api: FakeBotAPI,
        run_worker: Worker,
        clock: FrozenClock,
        fixed_report: FixedReport,
    ) -> None:
        """Tapping "No" reopens it (back to the moderators) and says so."""
        report = await fixed_report(4031)
        clock.advance(days=14)
        await run_checks(product, run_worker)
        [reply] = await FakeUser(fake_api, 4031).press(question_to(fake_api, 4031), f"fx:n:{report.id}")
        assert "has been reopened" in reply["text"]
        stored = await Report.get(id=report.id)
        assert (stored.status, stored.reopen_count) == (Status.REOPENED, 1)
        assert (await FixedCheck.get(report_id=report.id)).answer == "no"

    async def test_yes_keeps_it_fixed(
        self,
        product: WebRuntime,
        fake_api: FakeBotAPI,
        run_worker: Worker,
        clock: FrozenClock,
        fixed_report: FixedReport,
    ) -> None:
        report = await fixed_report(4041)
        clock.advance(days=14)
        await run_checks(product, run_worker)
        [reply] = await FakeUser(fake_api, 4041).press(question_to(fake_api, 4041), f"fx:y:{report.id}")
        assert "stays closed as fixed" in reply["text"]
        assert (await Report.get(id=report.id)).status == Status.FIXED

    async def test_a_third_reopen_is_refused_with_a_clear_message(
        self,
        product: WebRuntime,
        fake_api: FakeBotAPI,
        run_worker: Worker,
        clock: FrozenClock,
        fixed_report: FixedReport,
    ) -> None:
        """After two reopens, "No" explains the limit and points to /report; the report stays fixed."""
        report = await fixed_report(4051, reopened=MAX_REOPENS)
        clock.advance(days=14)
        await run_checks(product, run_worker)
        [reply] = await FakeUser(fake_api, 4051).press(question_to(fake_api, 4051), f"fx:n:{report.id}")
        assert "cannot be reopened again" in reply["text"] and "/report" in reply["text"]
        stored = await Report.get(id=report.id)
        assert (stored.status, stored.reopen_count) == (Status.FIXED, MAX_REOPENS)

    async def test_a_photo_after_reopening_is_added_to_the_report(
        self,
        product: WebRuntime,
        fake_api: FakeBotAPI,
        run_worker: Worker,
        clock: FrozenClock,
        fixed_report: FixedReport,
    ) -> None:
        """The optional new photo lands on the reopened report, not in a new draft."""
        report = await fixed_report(4061)
        clock.advance(days=14)
        await run_checks(product, run_worker)
        user = FakeUser(fake_api, 4061)
        await user.press(question_to(fake_api, 4061), f"fx:n:{report.id}")
        [reply] = await user.photo(jpeg_bytes((10, 160, 60)), file_id="STILL-THERE")
        assert f"#{report.id}" in reply["text"]
        assert await Photo.filter(report_id=report.id).count() == 1

    async def test_followers_hear_that_the_reporter_reopened_it(
        self,
        product: WebRuntime,
        fake_api: FakeBotAPI,
        run_worker: Worker,
        clock: FrozenClock,
        fixed_report: FixedReport,
    ) -> None:
        report = await fixed_report(4071)
        await follow(report, await make_resident(4072))
        clock.advance(days=14)
        await run_checks(product, run_worker)
        await FakeUser(fake_api, 4071).press(question_to(fake_api, 4071), f"fx:n:{report.id}")
        await run_worker()
        assert any("reopened" in message["text"] for message in fake_api.sent(4072))
