"""Status DMs: the reporter and followers hear about each public change in their own language."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot.admin.accounts import Role
from bot.reports.lifecycle import transition
from bot.reports.models import Report
from bot.reports.statuses import Status
from bot.runtime import WebRuntime
from moderation.models import InfoRequest
from tests.admin_client import AdminClient, make_staff
from tests.conftest import FrozenClock
from tests.factories import SLA, add_photo, follow, jpeg_bytes, make_report, make_resident
from tests.fake_botapi import FakeBotAPI
from tests.fake_user import FakeUser

Worker = Callable[[], Awaitable[int]]


async def official(client: AdminClient) -> None:
    await make_staff("official", Role.OFFICIAL, language="en")
    await client.login("official")


class TestLanguages:
    async def test_each_recipient_reads_the_change_in_their_language(
        self, product: WebRuntime, client: AdminClient, fake_api: FakeBotAPI, run_worker: Worker
    ) -> None:
        """An English reporter and a Chinese follower each get the acceptance in their language."""
        reporter, follower = await make_resident(3001, "en"), await make_resident(3002, "zh_CN")
        report = await make_report(reporter)
        await follow(report, follower)
        await official(client)
        await client.post(f"/admin/reports/{report.id}/accept", {"severity": "medium"})
        await run_worker()
        [english], [chinese] = fake_api.sent(3001), fake_api.sent(3002)
        assert english["text"].startswith(f"Update on your report #{report.id}") and "accepted" in english["text"]
        assert f"#{report.id}" in chinese["text"] and "您关注的举报" in chinese["text"] and "受理" in chinese["text"]

    async def test_a_template_rejection_reason_is_translated_for_each_reader(
        self, product: WebRuntime, client: AdminClient, fake_api: FakeBotAPI, run_worker: Worker
    ) -> None:
        """The moderator picks a reason once; each reader gets it in their own language (FMS #4435)."""
        reporter, follower = await make_resident(3011, "zh_CN"), await make_resident(3012, "en")
        report = await make_report(reporter)
        await follow(report, follower)
        await official(client)
        await client.post(f"/admin/reports/{report.id}/reject", {"template": "unclear", "text": ""})
        await run_worker()
        [chinese], [english] = fake_api.sent(3011), fake_api.sent(3012)
        assert "照片和描述未能清楚显示隐患" in chinese["text"]
        assert "do not show the hazard clearly enough" in english["text"]

    async def test_a_free_text_reason_reaches_the_reporter_as_written(
        self, product: WebRuntime, client: AdminClient, fake_api: FakeBotAPI, run_worker: Worker
    ) -> None:
        reporter = await make_resident(3021, "en")
        report = await make_report(reporter)
        await official(client)
        await client.post(f"/admin/reports/{report.id}/reject", {"text": "This is a private courtyard."})
        await run_worker()
        [message] = fake_api.sent(3021)
        assert "Reason: This is a private courtyard." in message["text"]

    async def test_a_reason_is_required_to_reject(self, product: WebRuntime, client: AdminClient) -> None:
        """No template and no text: the report stays in the queue and the moderator is told."""
        report = await make_report(await make_resident(3031))
        await official(client)
        status, page = await client.post(f"/admin/reports/{report.id}/reject", {"text": "  "})
        assert status == 200 and "Give a reason" in page
        assert (await Report.get(id=report.id)).status == Status.SUBMITTED


class TestWhoIsTold:
    async def test_nobody_is_told_about_their_own_action(
        self, product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker
    ) -> None:
        """The reporter reopening their own report gets no DM about it; a follower does."""
        reporter, follower = await make_resident(3041), await make_resident(3042)
        report = await make_report(reporter, status=Status.FIXED)
        await follow(report, follower)
        await run_worker()
        fake_api.calls.clear()
        await transition(report, Status.REOPENED, actor=f"resident:{reporter.id}", sla=SLA)
        await run_worker()
        assert fake_api.sent(3041) == [] and "reopened" in fake_api.sent(3042)[0]["text"]

    async def test_a_new_report_sends_no_status_dm(
        self, product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker
    ) -> None:
        """Intake already thanked the reporter; the first `submitted` is silent."""
        await make_report(await make_resident(3051))
        await run_worker()
        assert fake_api.sent(3051) == []


class TestNeedsInfo:
    async def test_the_question_goes_to_the_reporter_only(
        self, product: WebRuntime, client: AdminClient, fake_api: FakeBotAPI, run_worker: Worker
    ) -> None:
        reporter, follower = await make_resident(3061), await make_resident(3062)
        report = await make_report(reporter)
        await follow(report, follower)
        await official(client)
        await client.post(f"/admin/reports/{report.id}/ask", {"question": "Which floor is it on?"})
        await run_worker()
        [question] = fake_api.sent(3061)
        assert "Which floor is it on?" in question["text"] and fake_api.sent(3062) == []
        assert (await Report.get(id=report.id)).status == Status.NEEDS_INFO

    async def test_a_text_answer_is_attached_and_returns_the_report_to_the_queue(
        self, product: WebRuntime, client: AdminClient, fake_api: FakeBotAPI, clock: FrozenClock
    ) -> None:
        """The reporter's next message is the answer, not the start of a new report."""
        reporter = await make_resident(3071)
        report = await make_report(reporter)
        await official(client)
        await client.post(f"/admin/reports/{report.id}/ask", {"question": "Which floor?"})
        clock.advance(hours=3)
        [reply] = await FakeUser(fake_api, 3071).text("The third floor, next to the lift.")
        assert f"#{report.id}" in reply["text"] and "back with the moderators" in reply["text"]
        stored, request = await Report.get(id=report.id), await InfoRequest.get(report_id=report.id)
        assert stored.status == Status.SUBMITTED and request.answer_text == "The third floor, next to the lift."
        assert stored.moderation_due_at == clock.now + timedelta(hours=24)  # the moderation clock starts again

    async def test_a_photo_answer_is_attached_to_the_report(
        self, product: WebRuntime, client: AdminClient, fake_api: FakeBotAPI
    ) -> None:
        reporter = await make_resident(3081)
        report = await make_report(reporter)
        await add_photo(report, product.settings)
        await official(client)
        await client.post(f"/admin/reports/{report.id}/ask", {"question": "Can you send a closer photo?"})
        [reply] = await FakeUser(fake_api, 3081).photo(jpeg_bytes((20, 90, 200)), file_id="ANSWER1")
        assert "back with the moderators" in reply["text"]
        request = await InfoRequest.get(report_id=report.id).prefetch_related("answer_photo")
        assert request.answer_photo is not None and request.answer_photo.report_id == report.id
        assert (await Report.get(id=report.id)).status == Status.SUBMITTED

    async def test_without_an_open_question_a_photo_starts_a_new_report(
        self, product: WebRuntime, fake_api: FakeBotAPI
    ) -> None:
        """The follow-up handler steps aside: intake gets the photo as usual."""
        reporter = await make_resident(3091)
        await make_report(reporter)
        [reply] = await FakeUser(fake_api, 3091).photo(jpeg_bytes(), file_id="NEW1")
        assert "Photo 1 of 3" in reply["text"]
